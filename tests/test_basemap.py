"""The atlas's own light basemap (atlas.basemap, served by atlas.web.assets) and the tile setting: what the data
holds, how it is served and cached, and that the policy, the footer and the legal pages follow ATLAS_TILES."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from helpers import html, make_app

from atlas import create_app
from atlas.basemap import DETAIL_ZOOM, TILE_HEIGHT, TILE_WIDTH, build_basemap, named_places, tile_of
from atlas.mapdata import TILES

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once

DATA = Path(__file__).resolve().parent.parent / "data"
TILE_HOSTS = {"osm": "https://tile.openstreetmap.org", "basemap": "https://sgx.geodatenzentrum.de"}


@pytest.fixture(scope="module")
def basemap(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("basemap"))
    return build_basemap(DATA / "basemap", app.extensions["atlas"].gazetteer.entries)


def places_of(text: str) -> dict[str, int]:
    """Name → the zoom it is named from."""
    places = json.loads(text)["places"]
    return dict(zip(places["name"], places["zoom"], strict=True))


def test_the_index_names_the_large_towns_and_leaves_the_small_ones_to_the_tiles(basemap):
    index, overview = json.loads(basemap.index), json.loads(basemap.overview)
    named = places_of(basemap.index)
    for town in ("Hannover", "Braunschweig", "Osnabrück", "Oldenburg", "Göttingen", "Wolfsburg", "Bremen", "Hamburg"):
        assert named[town] <= 7, f"{town} is named on the state map"
    assert named["Sarstedt"] == named["Bad Salzdetfurth"] == 9, "towns of 10,000 to 20,000 from zoom 9"
    assert max(named.values()) < DETAIL_ZOOM
    assert "Lamspringe" not in named and "Harbarnsen" not in named
    ranks = index["places"]["rank"]
    assert ranks == sorted(ranks), "the larger place first: it wins where names would overlap"
    assert {f["properties"]["k"] for f in overview["features"]} == {"nachbar", "land", "kreis"}
    assert not any(f["geometry"]["type"].endswith("LineString") and f["properties"]["k"] == "gemeinde"
                   for f in overview["features"]), "Gemeinde borders only from zoom 10"


def test_a_tile_holds_the_gemeinde_borders_and_the_small_places_of_its_area(basemap):
    key = tile_of(51.96071, 10.01105)  # Lamspringe
    assert key in basemap.tiles and [list(key)] == [t for t in json.loads(basemap.index)["tiles"]["have"]
                                                    if tuple(t) == key]
    tile = json.loads(basemap.tiles[key])
    kinds = {f["properties"]["k"] for f in tile["features"]}
    assert {"land", "gemeinde", "kreis"} <= kinds
    named = places_of(basemap.tiles[key])
    assert named["Lamspringe"] == 11 and min(named.values()) >= DETAIL_ZOOM
    assert places_of(basemap.tiles[tile_of(51.98333, 9.96667)])["Harbarnsen"] == 13  # 680 inhabitants
    west, south = key[0] * TILE_WIDTH, key[1] * TILE_HEIGHT
    for feature in tile["features"]:  # nothing far beyond the tile (areas overlap the next one a little)
        x0, y0, x1, y1 = shapely.from_geojson(json.dumps(feature["geometry"])).bounds
        assert west - 0.001 <= x0 and x1 <= west + TILE_WIDTH + 0.001
        assert south - 0.001 <= y0 and y1 <= south + TILE_HEIGHT + 0.001
    lat, lon = tile["places"]["lat"], tile["places"]["lon"]
    assert all(tile_of(la / 10_000, lo / 10_000) == key for la, lo in zip(lat, lon, strict=True))


def test_the_land_of_niedersachsen_is_its_land_area(basemap):
    land = next(f for f in json.loads(basemap.overview)["features"] if f["properties"]["k"] == "land")
    area = gpd.GeoSeries([shapely.from_geojson(json.dumps(land["geometry"]))], crs=4326).to_crs(25832).area[0]
    km2 = area / 1e6
    # The Kreise with their water (Wadden Sea, estuaries) are 47,715 km²; the land alone is smaller.
    assert 46_000 < km2 < 47_715


def test_the_data_stays_small_at_state_zoom_and_per_tile(basemap):
    index, overview = (len(gzip.compress(text.encode(), 6)) for text in (basemap.index, basemap.overview))
    biggest = max(len(gzip.compress(text.encode(), 6)) for text in basemap.tiles.values())
    assert index < 10_000, f"the index is {index} bytes gzipped"
    assert index + overview < 50_000, f"the state map needs {index + overview} bytes gzipped"
    assert biggest < 10_000, f"the largest tile is {biggest} bytes gzipped"


def test_places_are_named_from_a_zoom_by_their_inhabitants_larger_first():
    entries = pd.DataFrame({
        "name": ["Dorf", "Stadt", "Großstadt", "Weit weg", "Gemeinde", "Leer"],
        "lat": [52.0, 52.1, 52.2, 48.1, 52.3, 52.4], "lon": [9.0, 9.1, 9.2, 11.5, 9.3, 9.4],
        "precision": ["place", "place", "place", "place", "municipality", "place"],
        "population": [700, 25_000, 600_000, 30_000, 0, 0],
        "kreis_rs": ["03254", None, "03241", None, "03254", "03254"]})
    places = named_places(entries)
    assert places.name.tolist() == ["Großstadt", "Stadt", "Dorf"], "no Gemeinde point, nothing without people, " \
                                                                    "small places far from Niedersachsen left out"
    assert places.zoom.tolist() == [5, 9, 13], "outside Niedersachsen a place is named a zoom later"
    assert places["rank"].tolist() == [0, 1, 2]


def test_the_basemap_is_served_under_its_version_and_kept_a_year(client):
    page = html(client.get("/"))
    script = client.get(page.select("script[src]")[-1]["src"]).get_data(as_text=True)
    options = basemap_options(script)
    assert "GeoBasis-DE / BKG" in options["attribution"] and "GeoNames (CC BY 4.0)" in options["attribution"]
    assert [s["src"].rsplit("/", 1)[-1] for s in page.select("script[type=module]")].count("maps.js") == 1
    preload = page.select_one("link[rel=preload][as=fetch]")
    assert preload["href"] == options["src"] and preload["crossorigin"] == "anonymous", "asked before the map runs"
    index = client.get(options["src"], headers={"Accept-Encoding": "gzip"})
    assert index.status_code == 200 and index.headers["Content-Encoding"] == "gzip"
    assert index.cache_control.max_age == 365 * 24 * 3600 and index.cache_control.immutable
    overview = client.get(options["src"] + "&teil=uebersicht")
    assert overview.mimetype == "application/geo+json" and overview.cache_control.max_age == 365 * 24 * 3600
    assert {f["properties"]["k"] for f in overview.get_json()["features"]} == {"nachbar", "land", "kreis"}
    x, y = tile_of(52.15, 9.95)  # Hildesheim
    tile = client.get(f"{options['src']}&x={x}&y={y}")
    assert tile.status_code == 200 and tile.cache_control.max_age == 365 * 24 * 3600
    assert "Bad Salzdetfurth" not in places_of(tile.get_data(as_text=True)), "a town of 14,000 is in the index"
    assert client.get("/karte/grund.json?v=alt").cache_control.max_age == 3600
    assert client.get(options["src"], headers={"If-None-Match": index.headers["ETag"]}).status_code == 304


def basemap_options(script: str) -> dict:
    """What a map's script hands the basemap (atlas/maps.py, Handover)."""
    [options] = re.findall(r'"atlas:basemap",\s*\{bubbles: true, detail: \{map: map_atlas, options: (\{.*\})\}\}\)\);',
                           script)
    return json.loads(options)


@pytest.mark.parametrize("query", ["x=1&y=1", "x=19", "x=abc&y=208", "x=%3Cscript%3E&y=1", "teil=alles"])
def test_a_tile_that_is_not_there_is_a_404(client, query):
    assert client.get(f"/karte/grund.json?{query}").status_code == 404


def test_every_kind_of_map_draws_the_basemap(client):
    for url in ("/", "/region/weser-ems", "/projekt/1", "/in-der-naehe?ort=Hildesheim", "/einbetten"):
        page = html(client.get(url))
        assert page.select_one("script[type=module][src$='/maps.js']"), url  # it imports basemap.js
        script = client.get(page.select("script[src]")[-1]["src"]).get_data(as_text=True)
        assert basemap_options(script)["src"].startswith("/karte/grund.json?v="), url


def test_the_tiles_come_from_basemap_de_unless_a_setting_asks_otherwise(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    assert app.config["TILES"] == "basemap"
    url, attribution = TILES["basemap"]
    assert url.startswith("https://sgx.geodatenzentrum.de/wmts_basemapde/") and "basemap.de</a> / BKG" in attribution


@pytest.mark.parametrize("tiles", ["basemap", "osm", "none"])
def test_the_policy_the_footer_and_the_legal_pages_follow_the_tile_setting(tmp_path, tiles):
    client = make_app(tmp_path, TILES=tiles).test_client()
    response = client.get("/einreichen")
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    images = policy["img-src"].split()
    assert images[:2] == ["'self'", "data:"] and images[2:] == ([TILE_HOSTS[tiles]] if tiles != "none" else [])
    footer = html(response).select_one("footer.site").get_text(" ", strip=True)
    impressum = html(client.get("/impressum")).select_one("main").get_text(" ", strip=True)
    datenschutz = html(client.get("/datenschutz")).select_one("#karten").find_next("p").find_next("p").get_text()
    embed = html(client.get("/einbetten")).select_one(".embed-foot").get_text(" ", strip=True)
    for text in (footer, impressum, embed):
        assert "GeoBasis-DE / BKG" in text and "GeoNames" in text
        assert ("basemap.de / BKG" in text) == (tiles == "basemap")
        assert ("OpenStreetMap" in text) == (tiles == "osm")
    assert {"basemap": "sgx.geodatenzentrum.de", "osm": "tile.openstreetmap.org",
            "none": "keinen Kartenhintergrund von anderen Servern"}[tiles] in datenschutz
