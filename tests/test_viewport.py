"""Map data by viewport without a browser: the tile index against a count by hand, the threshold, the bounds of
every answer, and hostile tile, zoom and view parameters as 400s that name them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from bs4 import BeautifulSoup
from helpers import facts, html, make_app

from atlas.districts import Assignment
from atlas.filters import Filter
from atlas.places import Place
from atlas.present import local_now
from atlas.store import ARCHIVED, PUBLISHED
from atlas.viewport import CELLS, POINTS_MAX, QUAD, TileIndex, Viewports, parse_bbox, world_units
from atlas.web.params import LIST_PAGE

HANNOVER = (52.3744, 9.7386)
CROWD = 450  # projects close together in Hannover, more than a tile sends one by one


def add_crowd(app, n: int = CROWD) -> None:
    """n projects within about 2 km of Hannover's centre, every third in Handlungsfeld „Arbeit & Ausbildung“, the
    first with markup in its name."""
    rng = np.random.default_rng(26)
    lat = HANNOVER[0] + rng.uniform(-0.01, 0.01, n)
    lon = HANNOVER[1] + rng.uniform(-0.015, 0.015, n)
    names = ["Treff Hannover & <b>mehr</b>"] + [f"Treff Hannover {i}" for i in range(1, n)]  # one with markup
    items = [(facts(name=names[i], ort="Hannover",
                    handlungsfelder="arbeit-ausbildung" if i % 3 == 0 else "sprache"),
              Place("Hannover", float(lat[i]), float(lon[i]), "address", "test", Assignment(None, None)))
             for i in range(n)]
    app.extensions["atlas"].store.add_many(items, PUBLISHED)


def data_block(client, path: str = "/") -> dict:
    page = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    return json.loads(page.find(id="atlas-data").string)


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("viewport"), seeded=True, MAP_CLUSTER_ABOVE=100)
    add_crowd(app)
    return app


def test_a_tile_counts_every_project_in_it_once_at_every_zoom():
    rng = np.random.default_rng(7)
    n = 20_000
    lat, lon = rng.uniform(51.3, 53.9, n), rng.uniform(6.6, 11.6, n)
    index = TileIndex(np.arange(n), lat, lon)  # ids 0 … n-1, at the same positions
    at = np.arange(n)
    x, y = world_units(lat, lon)
    keep = rng.random(n) < 0.3
    for empty in (index.tile(18, 0, 0, at), index.tile(3, 0, 0, at, keep)):  # no project there
        assert len(empty.points) == 0 and empty.clusters == []
    for z in (0, 5, 7, 9, 12, 16, 18):
        tx, ty = int(x[123]) >> (QUAD - z), int(y[123]) >> (QUAD - z)
        inside = ((x >> (QUAD - z)) == tx) & ((y >> (QUAD - z)) == ty)
        for wanted, expected in ((None, inside), (keep, inside & keep)):
            tile = index.tile(z, tx, ty, at, wanted)
            assert sum(n for _lat, _lon, n in tile.clusters) + len(tile.points) == expected.sum()
            assert set(tile.points) <= set(np.flatnonzero(expected))
            assert list(tile.points) == sorted(tile.points)  # in list order
            assert len(tile.clusters) <= CELLS * CELLS
            assert len(tile.points) <= max(POINTS_MAX, CELLS * CELLS)
            for c_lat, c_lon, _n in tile.clusters:  # each cluster lies in its tile
                cx, cy = world_units(np.array([c_lat]), np.array([c_lon]))
                assert (int(cx[0]) >> (QUAD - z), int(cy[0]) >> (QUAD - z)) == (tx, ty)


def test_below_the_threshold_the_map_gets_every_project_as_before(tmp_path):
    app = make_app(tmp_path, seeded=True)
    block = data_block(app.test_client())
    assert block["src"].startswith("/karte/projekte.json?v=") and "tiles" not in block


def test_above_the_threshold_the_map_gets_tiles_and_the_list_its_view(crowded):
    client = crowded.test_client()
    block = data_block(client)
    assert "src" not in block and block["tiles"].startswith("/karte/kacheln.json?v=")
    region = data_block(client, "/region/leine-weser")
    assert "arl=leine-weser" in region["tiles"]
    # the state at zoom 5: one tile, clusters only, small; every project counted
    response = client.get(block["tiles"] + "&z=5&x=16&y=10")
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    tile = response.get_json()
    assert tile["points"] is None or len(tile["points"]["id"]) <= CELLS * CELLS
    assert sum(c[2] for c in tile["clusters"]) + len((tile["points"] or {"id": []})["id"]) == CROWD + 7
    assert len(response.data) < 2_000
    # a filter changes the clusters: a third of the crowd is in „Arbeit & Ausbildung“, and some seed projects
    work = client.get(block["tiles"] + "&z=5&x=16&y=10&hf=arbeit-ausbildung").get_json()
    published = crowded.extensions["atlas"].public.current()
    expected = Filter(fields=("arbeit-ausbildung",)).keep_columns(published, local_now()).sum()
    assert CROWD // 3 < expected < CROWD
    assert sum(c[2] for c in work["clusters"]) + len((work["points"] or {"id": []})["id"]) == expected
    # the list in view: a page of LIST_PAGE, the total, in list order
    listed = client.get(block["inView"] + "&bbox=9.7,52.35,9.78,52.4").get_json()
    assert listed["total"] == CROWD and len(listed["points"]["id"]) == LIST_PAGE
    assert listed["pages"] == -(-CROWD // LIST_PAGE)
    last = client.get(block["inView"] + f"&bbox=9.7,52.35,9.78,52.4&seite={listed['pages']}").get_json()
    assert len(last["points"]["id"]) == CROWD - LIST_PAGE * (listed["pages"] - 1)
    outside = client.get(block["inView"] + "&bbox=7,53,7.1,53.1").get_json()
    assert outside == {"total": 0, "page": 1, "pages": 1, "points": None}


def test_a_district_index_is_the_state_index_cut_to_the_district(crowded):
    published = crowded.extensions["atlas"].public.current()
    viewports = Viewports()
    district = viewports.index(published, "leine-weser")
    assert sorted(published.pos_of[district.ids]) == list(published.select("leine-weser"))
    assert list(district.codes) == sorted(district.codes)
    state = viewports.index(published, None)
    assert len(state) == len(published) and viewports.index(published, None) is state


def same_index(followed: TileIndex, anew: TileIndex) -> None:
    """The same projects at the same places in Z-order (projects on one code may come in any order)."""
    assert followed.codes.tolist() == anew.codes.tolist()
    rows = lambda index: sorted(zip(index.codes.tolist(), index.ids.tolist(), index.lat.tolist(),  # noqa: E731
                                    index.lon.tolist(), strict=True))
    assert rows(followed) == rows(anew)


def test_after_publications_moves_and_archivings_the_index_follows_and_equals_one_made_anew(tmp_path):
    app = make_app(tmp_path, seeded=True, MAP_CLUSTER_ABOVE=3)
    services = app.extensions["atlas"]
    store, public = services.store, services.public
    viewports = Viewports()
    viewports.index(public.current(), None)
    hannover = services.geocoder.geocode("Hannover").place
    celle = services.geocoder.geocode("Celle").place
    added = store.add_many([(facts(name=f"Neu {i}", ort="Hannover"), hannover) for i in range(5)], PUBLISHED)
    pending = store.add(facts(name="Wartet", ort="Celle"), celle)
    steps = [
        lambda: None,  # the import above
        lambda: store.set_status(pending, PUBLISHED),
        lambda: store.update(added[0], facts(name="Umgezogen", ort="Celle"), celle, actor="amt"),  # moved
        lambda: store.set_status(added[1], ARCHIVED, "beendet"),
        lambda: store.update(added[2], facts(name="Umbenannt", ort="Hannover"), hannover, actor="amt"),  # stays
        lambda: store.set_status(1, ARCHIVED, "beendet"),
        lambda: store.set_status(added[1], PUBLISHED),
    ]
    for step in steps:
        step()
        snapshot = public.current()
        followed = viewports.index(snapshot, None)
        same_index(followed, TileIndex.of(snapshot))
        for arl in ("leine-weser", "lueneburg"):
            assert sorted(snapshot.pos_of[viewports.index(snapshot, arl).ids]) == list(snapshot.select(arl))
    assert (viewports.made, viewports.followed) == (1, len(steps))


def test_the_time_filter_asks_the_server_and_is_kept_a_minute(crowded):
    client = crowded.test_client()
    block = data_block(client)
    response = client.get(block["tiles"] + "&z=5&x=16&y=10&zeit=jetzt")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=60"
    listed = client.get(block["inView"] + "&bbox=6,51,12,54&zeit=woche")
    assert listed.status_code == 200 and listed.get_json()["total"] <= 7  # the crowd has no regular times


def test_text_reaches_the_map_as_text(crowded):
    client = crowded.test_client()
    block = data_block(client)
    body = client.get(block["inView"] + "&bbox=9.7,52.35,9.78,52.4").get_data(as_text=True)
    assert "<b>" not in body and "\\u003cb\\u003emehr\\u003c/b\\u003e" in body
    assert "Treff Hannover & <b>mehr</b>" in client.get(block["inView"] + "&bbox=9.7,52.35,9.78,52.4").get_json()[
        "points"]["name"]


@pytest.mark.parametrize("path", ["/einbetten", "/einbetten?arl=leine-weser", "/einbetten?kreis=03241",
                                  "/einbetten?ort=Hannover&umkreis=5"])
def test_an_embedded_map_above_the_threshold_works_too(crowded, path):
    client = crowded.test_client()
    response = client.get(path)
    assert response.status_code == 200
    block = json.loads(html(response).find(id="atlas-data").string)
    if "kreis" in path or "ort" in path:  # a Kreis or a radius: its projects, as a near search hands them over
        assert "id" in block and "tiles" not in block
    else:
        assert block["tiles"].startswith("/karte/kacheln.json")


def test_tiles_are_kept_per_version_tile_and_filter(crowded):
    client = crowded.test_client()
    block = data_block(client)
    pages = crowded.extensions["atlas_pages"]
    client.get(block["tiles"] + "&z=9&x=269&y=168")
    renders = pages.renders
    client.get(block["tiles"] + "&z=9&x=269&y=168")
    assert pages.renders == renders
    client.get(block["tiles"] + "&z=9&x=269&y=168&hf=sprache")
    assert pages.renders == renders + 1


@pytest.mark.parametrize("query", [
    "z=19&x=0&y=0", "z=-1&x=0&y=0", "z=3&x=8&y=0", "z=3&x=0&y=8", "z=abc&x=0&y=0", "z=1e3&x=0&y=0", "x=0&y=0",
    "z=5&x=99999999999999999999&y=0", "z=5&x=%EF%BC%91&y=0", "z=5&x=1%00&y=0", "z=<script>&x=0&y=0",
    "z=5&x=%E2%80%AE16&y=10", "z=5&x=16&y=10%E2%80%8F",
    "z=5&x=16&y=10&hf=nix", "z=5&x=16&y=10&arl=mond",
])
def test_a_hostile_tile_is_a_400_that_says_what_is_allowed(crowded, query):
    response = crowded.test_client().get("/karte/kacheln.json?" + query)
    assert response.status_code == 400
    assert "<script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("bbox", ["", "1,2,3", "1,2,3,4,5", "nan,52,10,53", "inf,52,10,53", "10,52,9,53",
                                  "9,53,10,52", "-181,52,10,53", "9,-91,10,53", "9," * 60 + "9", "<b>x</b>",
                                  "1e999,52,10,53", "\u202e9,52,10,53", "9,52,10,53\u200f", "9,52\x00,10,53"])
def test_a_hostile_view_is_a_400(crowded, bbox):
    response = crowded.test_client().get("/karte/ausschnitt.json", query_string={"bbox": bbox})
    assert response.status_code == 400
    assert "<b>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["0", "-1", "abc", "9999999"])
def test_a_hostile_page_of_the_view_is_a_400(crowded, page):
    response = crowded.test_client().get("/karte/ausschnitt.json", query_string={"bbox": "9,52,10,53", "seite": page})
    assert response.status_code == 400


def test_a_view_is_widened_to_three_decimals_so_nearby_views_share_an_answer():
    assert parse_bbox("9.12345,52.00001,9.5,52.5") == (9.123, 52.0, 9.5, 52.5)
