"""A page of the OGC API's projects is the same for every client until the next publication: it is made once and
kept (atlas.web.ogc), and a publication or an edit shows in it at once."""

from __future__ import annotations

ITEMS = "/ogc/collections/projekte/items"


def test_a_page_is_kept_until_a_change_and_shows_the_change_at_once(client, services):
    pages = client.application.extensions["atlas_pages"]
    first = client.get(ITEMS, query_string={"limit": 3})
    renders = pages.renders
    again = client.get(ITEMS, query_string={"limit": "3", "offset": "0"})  # the same query, written otherwise
    assert pages.renders == renders, "the page was made again"
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Content-Type"] == "application/geo+json"

    project = first.get_json()["features"][0]
    with services.store.change(project["id"]) as unit:
        unit.write({"name": "Umbenannt <b>&</b>"}, "edited")
    after = client.get(ITEMS, query_string={"limit": 3})
    assert after.get_json()["features"][0]["properties"]["name"] == "Umbenannt <b>&</b>"
    assert after.headers["ETag"] != first.headers["ETag"]
    assert client.get(ITEMS, query_string={"limit": 3}, headers={"If-None-Match": after.headers["ETag"]}
                      ).status_code == 304


def test_each_query_and_format_is_its_own_page(client):
    few = client.get(ITEMS, query_string={"limit": 2}).get_json()
    sprache = client.get(ITEMS, query_string={"limit": 2, "hf": "sprache"}).get_json()
    assert few["numberReturned"] == 2 and few["numberMatched"] >= sprache["numberMatched"]
    html = client.get(ITEMS, query_string={"limit": 2, "f": "html"})
    assert html.headers["Content-Type"].startswith("text/html") and "<html" in html.get_data(as_text=True)
    assert client.get(ITEMS, query_string={"limit": 2}, headers={"Accept": "text/html"}
                      ).headers["Content-Type"].startswith("text/html")
    assert client.get(ITEMS, query_string={"limit": 2}).headers["Content-Type"] == "application/geo+json"


def test_the_pages_picked_from_memory_are_those_the_database_gives(seeded):
    from atlas.ogc import projects_page
    from atlas.store import ProjectQuery

    services = seeded.extensions["atlas"]
    rows = services.store.published_rows([row["id"] for row in services.store.rows()])
    kreis, arl = rows[0].kreis_rs, rows[-1].arl
    queries = [ProjectQuery(), ProjectQuery(limit=2), ProjectQuery(limit=2, offset=3), ProjectQuery(offset=50),
               ProjectQuery(hf=("sprache",)), ProjectQuery(hf=("arbeit-ausbildung", "teilhabe"), limit=1, offset=1),
               ProjectQuery(arl=arl), ProjectQuery(kreis=kreis), ProjectQuery(kreis=kreis, hf=("sprache",)),
               ProjectQuery(bbox=(6.0, 51.0, 12.0, 54.0), limit=3), ProjectQuery(bbox=(9.6, 52.3, 9.9, 52.5)),
               ProjectQuery(bbox=(0.0, 0.0, 1.0, 1.0))]
    with seeded.test_request_context():
        for query in queries:
            assert projects_page(services.store, services.public, query) == services.store.published_page(query), query


def test_a_filter_paged_through_is_picked_from_its_kept_selection_as_the_database_gives_it(seeded):
    from atlas.ogc import projects_page
    from atlas.store import ProjectQuery

    services = seeded.extensions["atlas"]
    snapshot = services.public.current()
    box = (6.0, 51.0, 12.0, 54.0)
    with seeded.test_request_context():
        for offset in range(0, 12, 2):  # the first page makes the selection, the others are picked from it
            for query in (ProjectQuery(hf=("sprache",), limit=2, offset=offset), ProjectQuery(bbox=box, limit=2,
                                                                                              offset=offset)):
                assert projects_page(services.store, services.public, query) == \
                    services.store.published_page(query), query
    assert len(snapshot._selections) == 2, "each filter is selected once for all its pages"


def test_the_kept_selections_together_hold_at_most_two_positions_per_project(seeded):
    import numpy as np

    snapshot = seeded.extensions["atlas"].public.current()
    everyone = np.arange(len(snapshot), dtype=np.int32)
    snapshot.selection("a", lambda: everyone)
    snapshot.selection("b", lambda: everyone)
    snapshot.selection("c", lambda: everyone[:1])  # one position too many: the oldest goes
    assert list(snapshot._selections) == ["b", "c"]
    made = []
    assert snapshot.selection("b", lambda: made.append(1)) is everyone and not made, "a kept selection is not made"


def test_endless_boxes_in_the_sea_keep_no_more_than_so_many_selections(client, services):
    """Boxes that pick no project add no position to what is kept, and a client can ask for endless such boxes: the
    snapshot keeps the latest SELECTIONS_KEPT of them, each asked for once, and answers each at once."""
    from atlas.published import SELECTIONS_KEPT

    for n in range(SELECTIONS_KEPT + 40):
        answer = client.get(ITEMS, query_string={"bbox": f"0,0,1,1.{n:06d}"})
        assert answer.status_code == 200 and answer.get_json()["numberMatched"] == 0
    kept = services.public.current()._selections
    assert len(kept) == SELECTIONS_KEPT
    assert f"1.{SELECTIONS_KEPT + 39:06d}" in repr(list(kept)[-1]), "the latest box is kept"
