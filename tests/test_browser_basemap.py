"""A visitor without map tiles still sees where things are: the atlas's own basemap names the places around, in
Chromium. With ATLAS_TILES=none nothing leaves the machine; with basemap.de the tiles come from the BKG's server
(intercepted here) and cover the basemap."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import served, settle, watch
from helpers import PAYLOADS, make_app, on_map
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parent.parent / "data"
TILE = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c633871e7"
                     "030005040295b62389b10000000049454e44ae426082")  # 1 × 1 pixel, RGB (200, 220, 240)
TILE_COLOUR = (200, 220, 240)
MARKUP_PLACES = [(52.62, 10.08), (53.25, 10.41), (53.14, 8.21), (51.53, 9.93)]  # Celle, Lüneburg, Oldenburg, Göttingen


BASEMAP = on_map("basemap")


def names(page) -> list[str]:
    return page.locator(".atlas-ort").all_text_contents()


def named(page, text: str, within: str = ""):
    """The basemap's name that reads exactly `text`."""
    return page.locator(f"{within} .atlas-ort".strip(), has_text=re.compile(f"^{re.escape(text)}$"))


def basemap_ready(page):
    """The basemap's index is there and the map has settled (a move asked for meanwhile would be lost)."""
    page.wait_for_function(f"() => {BASEMAP} && {BASEMAP}.grid && !{BASEMAP}.map._animatingZoom")


def test_the_state_map_names_the_large_towns_as_text_and_no_two_names_overlap(page, live_server):
    asked, said = [], []
    page.on("request", lambda request: asked.append(request.url) if "/karte/grund" in request.url else None)
    page.on("console", lambda message: said.append(message.text))
    page.goto(live_server + "/")
    basemap_ready(page)
    for town in ("Hannover", "Braunschweig", "Osnabrück", "Oldenburg", "Göttingen", "Bremen"):
        expect(named(page, town)).to_be_visible()
    assert page.evaluate(f"() => {BASEMAP}.map.getZoom()") <= 8
    assert "Sarstedt" not in names(page) and "Lamspringe" not in names(page), "small places only closer in"
    boxes = page.evaluate("""() => [...document.querySelectorAll('.atlas-ort')].map(n => {
        const r = n.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom, n.children.length]; })""")
    assert all(box[4] == 0 for box in boxes), "a name is a text node, nothing else"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), f"names overlap: {a} {b}"
    # the land, its neighbours and the Kreis borders, below the outlines and markers; no Gemeinde borders yet
    expect(page.locator("path.atlas-grund-land")).to_have_count(1)
    expect(page.locator("path.atlas-grund-kreis")).to_have_count(1)
    assert page.locator("path.atlas-grund-gemeinde").count() == 0
    assert [urlsplit(url).query.split("&")[1:] for url in asked] == [[], ["teil=uebersicht"]], \
        f"the index once (its preload is what the map uses), the overview once, no tile: {asked}"
    page.wait_for_timeout(3500)  # Chromium says after 3 s when a preload went unused
    assert not [text for text in said if "preload" in text], said
    panes = page.evaluate(f"""() => ['basemap', 'basemapLines', 'basemapPlaces', 'tilePane', 'overlayPane',
        'markerPane'].map(name => parseInt(getComputedStyle({BASEMAP}.map.getPane(name)).zIndex, 10))""")
    assert panes == sorted(panes) and panes[2] < panes[3], f"below the tiles, the outlines and the markers: {panes}"
    attribution = page.locator(".leaflet-control-attribution")
    expect(attribution).to_contain_text("GeoBasis-DE / BKG")
    expect(attribution).to_contain_text("GeoNames (CC BY 4.0)")
    # zoomed in, the tiles come with the smaller places and the Gemeinde borders, and replace the overview
    page.evaluate(f"() => {{ {BASEMAP}.map.setView([52.15, 9.95], 11, {{animate: false}}); }}")
    expect(named(page, "Giesen")).to_be_visible()
    page.wait_for_function(f"() => !{BASEMAP}.map.hasLayer({BASEMAP}.overview)")
    assert page.locator("path.atlas-grund-gemeinde").count() > 0


def test_on_a_district_map_the_kreis_names_win_over_the_place_names(page, live_server):
    page.goto(live_server + "/region/leine-weser")
    basemap_ready(page)
    expect(page.locator(".kreis-label", has_text="Hameln-Pyrmont")).to_be_visible()
    expect(named(page, "Bielefeld")).to_be_visible()
    page.wait_for_function("""() => {
        const boxes = selector => [...document.querySelectorAll(selector)].map(n => n.getBoundingClientRect());
        const kreise = boxes('.kreis-label');
        return kreise.length === 7 && !boxes('.atlas-ort').some(a => kreise.some(b =>
            a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)); }""")


def test_close_to_hildesheim_smaller_places_and_the_gemeinde_borders_appear(page, live_server):
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/karte/grund" in request.url else None)
    page.goto(live_server + "/in-der-naehe?ort=Hildesheim&umkreis=10")
    basemap_ready(page)
    assert page.evaluate(f"() => {BASEMAP}.map.getZoom()") >= 10
    for town in ("Sarstedt", "Bad Salzdetfurth", "Harsum", "Giesen"):  # 19,000 to 10,000 inhabitants
        expect(named(page, town)).to_be_visible()
    assert page.locator("path.atlas-grund-gemeinde").count() > 0
    # a map that starts close in needs only the index and the tiles in view, never the coarse overview
    settle(page)
    assert not [url for url in asked if "teil=uebersicht" in url] and len(asked) >= 2, asked
    # zoomed out, the overview comes and the small places and the Gemeinde borders go
    page.evaluate(f"() => {{ {BASEMAP}.map.setZoom(8, {{animate: false}}); }}")
    page.wait_for_function(f"() => {BASEMAP}.overview && {BASEMAP}.map.hasLayer({BASEMAP}.overview)")
    expect(named(page, "Giesen")).to_have_count(0)
    expect(page.locator("path.atlas-grund-gemeinde")).to_have_count(0)
    expect(named(page, "Hannover")).to_be_visible()


def test_the_pin_step_names_the_places_around_the_pin(page, live_server):
    page.goto(live_server + "/einreichen")
    page.get_by_label("Name des Projekts").fill("Sprachcafé Lamspringe")
    page.get_by_role("checkbox", name="Sprache", exact=True).check()
    page.get_by_label("Ort", exact=True).fill("Lamspringe")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Weiter: Standort prüfen").click()
    expect(page.locator("#standort-zuordnung")).to_contain_text("Landkreis Hildesheim")
    basemap_ready(page)
    expect(named(page, "Lamspringe", within=".map.small")).to_be_visible()
    # close in, the nearest places beyond the edge are named at the edge, towards where they lie
    harbarnsen = page.locator(".map.small .atlas-ort-hinweis", has_text="Harbarnsen")
    expect(harbarnsen).to_have_text("Harbarnsen ↖ 3,9 km")
    assert page.locator(".map.small .atlas-ort-hinweis").count() >= 3
    # the names do not catch the clicks that move the pin
    latitude = page.get_by_label("Breite (Grad)")
    before = latitude.input_value()
    page.locator(".map.small").scroll_into_view_if_needed()
    box = harbarnsen.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(latitude).not_to_have_value(before)


def test_the_map_works_without_its_basemap_and_gets_it_after_the_next_move(page, live_server):
    failing = {"on": True}
    page.route("**/karte/grund.json*", lambda route: route.abort() if failing["on"] else route.continue_())
    page.goto(live_server + "/")
    page.wait_for_function(f"() => {on_map('projects')}?.settledAt")
    expect(page.locator("#projektliste li")).to_have_count(7)
    assert page.locator(".atlas-ort").count() == 0
    failing["on"] = False
    page.wait_for_function(f"() => !{BASEMAP}.map._animatingZoom")
    page.evaluate(f"() => {{ {BASEMAP}.map.panBy([40, 0], {{animate: false}}); }}")
    expect(named(page, "Hannover")).to_be_visible()


def test_with_tiles_off_the_basemap_asks_only_this_machine(page, live_server):
    hosts, basemap = set(), []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    page.on("request", lambda request: basemap.append(request.url) if "/karte/grund" in request.url else None)
    for path in ("/in-der-naehe?ort=Hildesheim&umkreis=10", "/projekt/1", "/einbetten?arl=braunschweig"):
        page.goto(live_server + path)
        basemap_ready(page)
        settle(page)
    assert hosts == {"127.0.0.1"}
    assert any("&x=" in url for url in basemap), "the tiles of the basemap come from the atlas itself"


@pytest.fixture(scope="module")
def markup_server(tmp_path_factory):
    """A gazetteer whose largest places are called like markup, near Celle, Lüneburg, Oldenburg, Göttingen."""
    directory = tmp_path_factory.mktemp("markup")
    data = directory / "data"
    for part in ("regions", "gazetteer", "basemap"):
        shutil.copytree(DATA / part, data / part)
    orte = data / "gazetteer" / "orte.csv"
    with orte.open(encoding="utf-8") as handle:
        fields = next(csv.reader(handle))
    with orte.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fields, restval="")
        for i, (payload, (lat, lon)) in enumerate(zip(PAYLOADS[:4], MARKUP_PLACES, strict=True)):
            writer.writerow({"geonameid": 90_000_000 + i, "name": payload, "lat": lat, "lon": lon,
                             "population": 5_000_000 - i})
    app = make_app(directory, seeded=True, DATA_DIR=str(data))
    with served(app) as url:
        assert app.test_client().get("/").status_code == 200  # its own gazetteer and basemap, before a browser waits
        yield url


def test_a_place_name_with_markup_stays_text(page, markup_server):
    made = []
    page.on("request", lambda request: made.append(request.url) if urlsplit(request.url).path.endswith("/x") else None)
    page.goto(markup_server + "/")
    basemap_ready(page)
    for payload in PAYLOADS[:4]:
        expect(named(page, payload)).to_have_count(1)
    assert page.locator(".atlas-orte *:not(.atlas-ort)").count() == 0, "no element but the names' own spans"
    assert page.locator(".leaflet-container img[src=x], .leaflet-container script, .leaflet-container iframe, "
                        ".leaflet-container svg[onload]").count() == 0
    assert not made, f"markup was parsed and loaded: {made}"


@pytest.fixture(scope="module")
def tiled_server(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("tiled"), seeded=True, TILES="basemap")
    with served(app) as url:
        yield url


@pytest.fixture
def tiled_page(chromium):
    """A page whose tile requests to basemap.de are answered here with a 1-pixel PNG: nothing leaves the machine.
    `watch` flags those requests as leaving it (it sees them before they are intercepted): they are the expected
    ones, every other complaint fails the test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    tiles: list[str] = []

    def answer(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    context.route("https://sgx.geodatenzentrum.de/**", answer)
    context.route(lambda url: not url.startswith(("http://127.0.0.1:", "https://sgx.geodatenzentrum.de/")),
                  lambda route: route.abort())
    page = context.new_page()
    errors = watch(page)
    page.tiles = tiles
    yield page
    context.close()
    unexpected = [e for e in errors if not e.startswith("request left the machine or used a payload URL: "
                                                        "https://sgx.geodatenzentrum.de/wmts_basemapde/tile/")]
    assert not unexpected, f"the page misbehaved: {unexpected}"


def test_with_basemap_de_the_tiles_come_from_the_bkg_and_cover_the_basemap(tiled_page, tiled_server):
    page = tiled_page
    response = page.goto(tiled_server + "/")
    assert "img-src 'self' data: https://sgx.geodatenzentrum.de" in response.headers["content-security-policy"]
    basemap_ready(page)
    # every tile loaded, and those of a level the map passed through on its way (Leaflet keeps them until the new
    # level's tiles are there) gone: on a busy machine a check between the two saw both levels
    page.wait_for_function(f"""() => {{
        const tiles = [...document.querySelectorAll('img.leaflet-tile')];
        const level = '/GLOBAL_WEBMERCATOR/' + Math.round({BASEMAP}.map.getZoom()) + '/';
        return tiles.length > 0
            && tiles.every(t => t.classList.contains('leaflet-tile-loaded') && t.src.includes(level));
    }}""")
    sources = page.evaluate("() => [...document.querySelectorAll('img.leaflet-tile')].map(t => t.src)")
    prefix = "https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/default/"
    assert sources and all(src.startswith(prefix + "GLOBAL_WEBMERCATOR/7/") for src in sources), sources
    assert set(page.tiles) >= set(sources)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("basemap.de / BKG")
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("GeoBasis-DE / BKG")
    expect(page.locator("footer.site")).to_contain_text("Kartenhintergrund: © basemap.de / BKG")
    # The basemap is there, under the tiles: where no outline or marker is, one sees the tile's colour.
    expect(named(page, "Hannover")).to_have_count(1)
    for _ in range(20):  # the tiles fade in
        image = Image.open(io.BytesIO(page.locator(".map").first.screenshot())).convert("RGB")
        if image.getpixel((60, 300)) == TILE_COLOUR:  # in the Netherlands: no outline, no marker, no name
            break
        page.wait_for_timeout(100)
    assert image.getpixel((60, 300)) == TILE_COLOUR
