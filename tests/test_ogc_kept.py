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
