"""A visitor of a map with more projects than ATLAS_MAP_CLUSTER_ABOVE (set low here): clusters from the server,
points when zoomed in, filters and the list following the view, each answer small."""

from __future__ import annotations

import re

import pytest
from conftest import served, settle, watch
from helpers import make_app, on_map
from playwright.sync_api import expect
from test_browser_accessibility import DESKTOP, PHONE, context_for, sideways, violations
from test_viewport import CROWD, HANNOVER, add_crowd

pytestmark = pytest.mark.browser

# What the map counts now: the projects in its clusters plus its single markers
ON_MAP = """() => {
    let n = document.querySelectorAll('.hf-marker').length;
    document.querySelectorAll('.marker-cluster').forEach(c => n += parseInt(c.textContent, 10));
    return n; }"""
SETTLED = f"() => {on_map('projects')}?.settledAt"
UNSETTLE = "() => { document.getElementById('map_atlas').atlas.projects.settledAt = null; }"


def settled(page) -> None:
    """Until the map has drawn its view and nothing more is asked (while the map finds its size and place, the
    view may change after a first one was drawn)."""
    page.wait_for_function(SETTLED)
    settle(page)
    page.wait_for_function(SETTLED)


@pytest.fixture(scope="module")
def crowd_server(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("viewport-browser"), seeded=True, MAP_CLUSTER_ABOVE=100)
    add_crowd(app)
    with served(app) as url:
        yield url



def test_the_state_map_shows_clusters_and_a_click_zooms_in_to_the_projects(page, crowd_server):
    sizes = []
    page.on("response", lambda response: sizes.append((response.url, len(response.body())))
            if "/karte/kacheln.json" in response.url or "/karte/ausschnitt.json" in response.url else None)
    page.goto(crowd_server + "/")
    settled(page)
    expect(page.locator(".marker-cluster").first).to_be_visible()
    assert page.evaluate(ON_MAP) == CROWD + 7
    expect(page.locator("#trefferzahl")).to_have_text(f"{CROWD + 7} Projekte im Kartenausschnitt")
    for _click in range(8):  # each click on the crowd's biggest cluster zooms in two steps
        if page.locator(".hf-marker").count() >= 20:
            break
        biggest = max(page.locator(".marker-cluster").all(), key=lambda c: int(c.inner_text()))
        zoom = page.evaluate(f"() => {on_map('map')}.getZoom()")
        page.evaluate(UNSETTLE)
        biggest.click()
        page.wait_for_function(f"(z) => {on_map('map')}.getZoom() > z", arg=zoom)
        settled(page)
    assert page.locator(".hf-marker").count() >= 20
    # a project's marker opens its popup with a link to its page
    page.locator(".hf-marker").first.dispatch_event("click")  # markers this close overlap
    expect(page.locator(".leaflet-popup .popup-link")).to_have_attribute("href", re.compile(r"^/projekt/\d+$"))
    # every answer was small, and none came twice
    assert sizes and max(size for _url, size in sizes) < 40_000
    urls = [url for url, _size in sizes]
    assert len(urls) == len(set(urls))


def test_a_cluster_opens_by_keyboard_and_the_focus_goes_to_what_came_out_of_it(page, crowd_server):
    page.goto(crowd_server + "/")
    settled(page)
    zoom = page.evaluate(f"() => {on_map('map')}.getZoom()")
    cluster = page.locator(".marker-cluster").first
    cluster.focus()
    page.evaluate(UNSETTLE)
    page.keyboard.press("Enter")
    page.wait_for_function(f"(z) => {on_map('map')}.getZoom() > z", arg=zoom)
    settled(page)
    # the cluster's tile is gone: the keyboard goes on from a marker of the new view, not from the page's top
    expect(page.locator("#map_atlas .leaflet-marker-icon:focus")).to_have_count(1)


def test_a_filter_ticked_by_keyboard_changes_the_clusters_and_stays_in_the_url(page, crowd_server):
    page.goto(crowd_server + "/")
    settled(page)
    before = page.evaluate(ON_MAP)
    page.evaluate(UNSETTLE)
    page.get_by_role("checkbox", name="Arbeit & Ausbildung").focus()  # by keyboard
    page.keyboard.press("Space")
    settled(page)
    after = page.evaluate(ON_MAP)
    assert CROWD // 3 <= after < before
    assert "hf=arbeit-ausbildung" in page.url
    expect(page.locator("#trefferzahl")).to_have_text(f"{after} Projekte im Kartenausschnitt")
    # the same URL opens the same view
    page.goto(page.url)
    settled(page)
    assert page.evaluate(ON_MAP) == after
    expect(page.get_by_role("checkbox", name="Arbeit & Ausbildung")).to_be_checked()


def test_the_list_follows_the_view_a_page_at_a_time(page, crowd_server):
    page.goto(crowd_server + "/")
    settled(page)
    expect(page.locator("#projektliste > li")).to_have_count(50)
    # a name with markup is text (the first of the crowd in the list's order)
    expect(page.locator("#projektliste .projekt-name", has_text="Treff Hannover & <b>mehr</b>")).to_have_count(1)
    assert page.locator("#projektliste b").count() == 0
    page.get_by_role("button", name="Weitere anzeigen").click()
    expect(page.locator("#projektliste > li")).to_have_count(100)
    expect(page.locator("#projektliste > li").nth(50).locator("a").first).to_be_focused()
    # to a place far from Hannover: only what is there is listed
    page.evaluate(f"() => {{ {on_map('map')}.setView([{HANNOVER[0]}, {HANNOVER[1]}], 17); }}")
    expect(page.locator("#trefferzahl")).not_to_have_text(f"{CROWD + 7} Projekte im Kartenausschnitt")
    shown = int(page.locator("#trefferzahl").inner_text().split()[0])
    assert 0 < shown < CROWD
    expect(page.locator("#projektliste > li")).to_have_count(min(shown, 50))
    expect(page.locator("#projektliste > li").first).to_contain_text("Treff Hannover")
    assert page.locator("#projektliste b, .leaflet-marker-pane b").count() == 0


def test_a_list_that_could_not_be_loaded_says_so_and_the_next_move_lists_again(page, crowd_server):
    """Refused (too many requests from one address: ATLAS_MAP_VIEW_RATE_LIMIT) or failed: the count says so where it
    is announced, instead of standing for a view the list no longer shows."""
    page.goto(crowd_server + "/")
    settled(page)
    refused = []

    def refuse(route):
        refused.append(route.request.url)
        route.fulfill(status=429, content_type="text/html", body="<h1>Zu viele Anfragen</h1>")

    page.route("**/karte/ausschnitt.json*", refuse)
    page.evaluate(f"() => {{ {on_map('map')}.setView([{HANNOVER[0]}, {HANNOVER[1]}], 12); }}")
    expect(page.locator("#trefferzahl")).to_have_text("Die Projekte im Kartenausschnitt konnten gerade nicht geladen "
                                                      "werden. Bitte verschieben Sie die Karte gleich noch einmal.")
    assert refused
    page.unroute("**/karte/ausschnitt.json*")
    page.evaluate(f"() => {{ {on_map('map')}.setView([{HANNOVER[0]}, {HANNOVER[1]}], 13); }}")
    expect(page.locator("#trefferzahl")).to_have_text(re.compile(r"^\d+ Projekte? im Kartenausschnitt$"))


def test_a_part_of_the_map_that_could_not_be_loaded_says_so_and_is_asked_again_at_the_next_move(page, crowd_server):
    """A tile refused (too many requests) or failed is not drawn as an empty part of the map for good: the map says
    a part is missing, and the next move asks for it again and draws it."""
    refused = []

    def refuse(route):
        refused.append(route.request.url)
        route.fulfill(status=429, content_type="text/html", body="<h1>Zu viele Anfragen</h1>")

    page.route("**/karte/kacheln.json*", refuse)
    page.goto(crowd_server + "/")
    settled(page)
    assert refused
    expect(page.get_by_role("status").filter(has_text="Ein Teil der Karte")).to_have_text(
        "Ein Teil der Karte konnte gerade nicht geladen werden. Bitte verschieben Sie die Karte gleich noch einmal.")
    assert page.evaluate(ON_MAP) == 0
    page.unroute("**/karte/kacheln.json*")
    page.evaluate(UNSETTLE)
    page.evaluate(f"() => {{ const map = {on_map('map')}; map.panBy([1, 1]); }}")  # a nudge: the same tiles
    settled(page)
    assert page.evaluate(ON_MAP) == CROWD + 7
    expect(page.locator(".map-notice")).to_have_text("")


def test_without_scripts_the_list_pages_reach_every_project(chromium, crowd_server):
    context = chromium.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    page.goto(crowd_server + "/")
    expect(page.locator("#trefferzahl")).to_have_text(f"{CROWD + 7} Projekte")
    expect(page.locator("#projektliste > li")).to_have_count(50)
    page.get_by_role("link", name="Nächste Seite").click()
    expect(page.locator("#projektliste > li")).to_have_count(50)
    assert "seite=2" in page.url
    context.close()


def test_the_district_map_by_viewport_on_a_phone_in_arabic(chromium, crowd_server):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="ar", is_mobile=True)
    page = context.new_page()
    page.goto(crowd_server + "/region/leine-weser?lang=ar")
    settled(page)
    assert page.evaluate(f"() => {on_map('projects')}.viewport")
    assert page.evaluate(ON_MAP) > CROWD  # Hannover's crowd and the district's seed projects, on a small screen
    expect(page.locator("#projektliste > li").first).to_be_visible()
    assert page.locator("html").get_attribute("dir") == "rtl"
    context.close()


@pytest.mark.parametrize(("language", "viewport"), [("de", DESKTOP), ("ar", PHONE)], ids=["de-desktop", "ar-phone"])
def test_the_map_by_viewport_has_no_accessibility_violation(chromium, crowd_server, language, viewport):
    context = context_for(chromium, viewport, language)
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{crowd_server}/?lang={language}")
    settled(page)
    assert page.locator(".marker-cluster").count() > 0
    problems = violations(page)
    assert sideways(page) <= 0
    context.close()
    assert not problems, problems
    assert not errors, errors


def test_the_embedded_state_map_by_viewport(page, crowd_server):
    page.goto(crowd_server + "/einbetten")
    settled(page)
    assert page.evaluate(ON_MAP) == CROWD + 7
