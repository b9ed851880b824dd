"""A visitor in a real browser: markers on the map, the filter, the district map, a popup to a project page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import open_popup, settle
from helpers import on_map
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SEEDS = 7


def visible_markers(page) -> int:
    return page.evaluate(f"{on_map('projects')}.shownCount()")


def test_the_seed_projects_appear_on_the_map_and_in_the_list(page, live_server):
    codings = {}  # what the server sent in: Chromium takes zstd (as every current browser does)
    page.on("response", lambda r: codings.update(
        {r.url: r.header_value("content-encoding") or f"{r.header_value('content-length')} bytes as they are"}))
    page.goto(live_server + "/")
    expect(page.locator("#projektliste li")).to_have_count(SEEDS)
    page.wait_for_load_state("networkidle")
    ours = {url: coding for url, coding in codings.items() if url.startswith(live_server)}
    assert ours[live_server + "/"] == "zstd" and len(ours) > 5
    scripts = {url: coding for url, coding in ours.items() if urlsplit(url).path.endswith((".js", ".json"))}
    small = {url: coding for url, coding in scripts.items() if coding.endswith("as they are")}
    assert len(scripts) > 3 and set(scripts.values()) - set(small.values()) == {"zstd"}, ours
    assert all(int(coding.split()[0]) < 500 for coding in small.values()), small
    # Every project is on the map, as a marker or inside a cluster that counts it. While clusters animate,
    # markers and cluster icons overlap in the page, so wait until the map has settled on the count.
    page.wait_for_function("""(expected) => {
        let n = document.querySelectorAll('.hf-marker').length;
        document.querySelectorAll('.marker-cluster').forEach(c => n += parseInt(c.textContent, 10));
        return n === expected; }""", arg=SEEDS)
    assert visible_markers(page) == SEEDS
    for cluster in page.locator(".marker-cluster").all():  # a cluster has a name a screen reader can say
        count = int(cluster.inner_text())
        assert cluster.get_attribute("title") == ("1 Projekt" if count == 1 else f"{count} Projekte")
        assert cluster.get_attribute("tabindex") == "0"


def test_a_cluster_opens_by_keyboard_and_the_focus_goes_to_what_came_out_of_it(page, live_server):
    page.goto(live_server + "/")
    zoom = page.evaluate(f"() => {on_map('projects')}.ready.then(h => h.map.getZoom())")
    for _attempt in range(3):  # while the map still settles, a cluster may be replaced under the focus
        cluster = page.locator(".marker-cluster").first.element_handle()
        cluster.focus()
        page.keyboard.press("Enter")
        try:
            page.wait_for_function(f"(before) => {on_map('map')}.getZoom() > before", arg=zoom, timeout=3000)
            break
        except PlaywrightTimeout:
            continue
    assert page.evaluate(f"() => {on_map('map')}.getZoom()") > zoom, "Enter on a cluster zooms into it"
    # the cluster is gone from the map: the keyboard goes on from a marker that came out of it, not from the page's top
    page.wait_for_function("(cluster) => !cluster.isConnected", arg=cluster)
    expect(page.locator("#map_atlas .leaflet-marker-icon:focus")).to_have_count(1)


def test_ticking_a_handlungsfeld_hides_the_others_on_map_and_list_and_the_url_carries_it(page, live_server):
    page.goto(live_server + "/")
    page.get_by_label("Arbeit & Ausbildung").check()
    expect(page.locator("#projektliste li")).to_have_count(2)
    expect(page.locator("#projektliste")).to_contain_text("Gewerkepass")
    expect(page.locator("#projektliste")).not_to_contain_text("Hemminger")
    assert visible_markers(page) == 2
    assert parse_qs(urlsplit(page.url).query) == {"hf": ["arbeit-ausbildung"]}
    expect(page.locator("#trefferzahl")).to_have_text("2 Projekte")

    page.get_by_role("checkbox", name="Sprache", exact=True).check()
    expect(page.locator("#projektliste li")).to_have_count(3)
    assert parse_qs(urlsplit(page.url).query) == {"hf": ["sprache", "arbeit-ausbildung"]}

    # The shared link opens the same view.
    page.goto(page.url)
    expect(page.locator("#projektliste li")).to_have_count(3)
    assert visible_markers(page) == 3
    page.get_by_role("checkbox", name="Sprache", exact=True).uncheck()
    page.get_by_label("Arbeit & Ausbildung").uncheck()
    expect(page.locator("#projektliste li")).to_have_count(SEEDS)
    assert urlsplit(page.url).query == ""


def test_a_box_ticked_before_the_maps_projects_arrived_filters_and_goes_into_the_url(page, live_server):
    """On a slow line the visitor ticks a Handlungsfeld while the map's projects are still on their way: once they
    arrive, the list shows that field's projects and the address to share says so."""
    held = []
    page.route("**/karte/projekte.json*", lambda route: held.append(route))
    page.goto(live_server + "/", wait_until="domcontentloaded")
    page.get_by_label("Arbeit & Ausbildung").check()
    assert held, "the map asked for its projects"
    held[0].continue_()
    expect(page.locator("#trefferzahl")).to_have_text("2 Projekte")
    expect(page.locator("#projektliste li")).to_have_count(2)
    page.wait_for_function("() => location.search === '?hf=arbeit-ausbildung'")


def test_the_filter_works_by_keyboard(page, live_server):
    page.goto(live_server + "/")
    page.get_by_label("Wohnen & Leben").focus()
    page.keyboard.press("Space")
    expect(page.locator("#projektliste li")).to_have_count(1)
    expect(page.locator("#projektliste")).to_contain_text("Willkommenskultur Meppen")


def test_the_weser_ems_district_shows_osnabrueck_and_meppen_not_hemmingen(page, live_server):
    page.goto(live_server + "/region/weser-ems")
    expect(page.locator("h1")).to_have_text("Amt für regionale Landesentwicklung Weser-Ems")
    names = page.locator("#projektliste a.projekt-name")
    expect(names).to_have_count(2)
    expect(page.locator("#projektliste")).to_contain_text("Gewerkepass")
    expect(page.locator("#projektliste")).to_contain_text("Willkommenskultur Meppen")
    expect(page.locator("#projektliste")).not_to_contain_text("Hemminger")
    # Kreis outlines arrive with their names.
    expect(page.locator(".kreis-label", has_text="Emsland")).to_be_visible()
    assert page.locator('.leaflet-marker-icon[title="Hemminger Netzwerk für Flüchtlinge"]').count() == 0


def test_a_project_page_opens_from_a_popup(page, live_server):
    page.goto(live_server + "/region/weser-ems")
    popup = open_popup(page, page.locator('.leaflet-marker-icon[title="Willkommenskultur Meppen"]'))
    expect(popup).to_contain_text("Stadt Meppen")
    expect(popup).to_contain_text("Wohnen & Leben")
    popup.get_by_role("link", name="Zur Projektseite").click()
    expect(page.locator("h1")).to_have_text("Willkommenskultur Meppen")
    expect(page.locator(".map.small .hf-marker")).to_have_count(1)


def test_with_tiles_off_no_request_leaves_the_machine(page, live_server):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname))
    for path in ("/", "/region/leine-weser", "/projekt/1"):
        page.goto(live_server + path)
        settle(page)
    assert hosts == {"127.0.0.1"}


def test_a_search_from_the_start_page_shows_the_project_on_map_and_list(page, live_server):
    page.goto(live_server + "/")
    page.get_by_label("Was suchen Sie?").fill("Gewerkpass")  # a letter missing
    page.get_by_label("Wo?").fill("Osnabrück")
    page.get_by_label("Umkreis").first.select_option("25")
    page.locator("#suchformular").get_by_role("button", name="Suchen").click()
    expect(page.locator("#trefferzahl")).to_contain_text("1 Projekt gefunden")
    expect(page.locator("#treffer a.projekt-name")).to_have_text(["Gewerkepass"])
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    assert "q=Gewerkpass" in page.url and "umkreis=25" in page.url


def test_a_popup_opened_by_keyboard_takes_the_focus_and_gives_it_back_in_the_readers_language(page, live_server):
    """In English: Enter on a project's marker opens its popup and a screen reader is in it; its close button says
    „Close“, not Leaflet's English „Close popup“ in every language; Escape closes it and the keyboard is back on the
    marker."""
    page.goto(live_server + "/?lang=en")
    page.wait_for_function(f"() => {on_map('projects')}?.settledAt")
    marker = page.locator('.leaflet-marker-icon[title="Willkommenskultur Meppen"]')
    marker.focus()
    page.keyboard.press("Enter")
    content = page.locator(".leaflet-popup-content")
    expect(content).to_contain_text("Stadt Meppen")
    expect(content).to_be_focused()
    expect(page.locator(".leaflet-popup-close-button")).to_have_attribute("aria-label", "Close")
    page.keyboard.press("Tab")
    expect(content.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(content).to_have_count(0)
    expect(marker).to_be_focused()
