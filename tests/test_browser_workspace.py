"""The office's workspace in Chromium, as a clerk uses it: the dashboard's map and charts, bulk actions by
keyboard, and the public's report form; axe finds nothing on the new pages in German and Arabic."""

from __future__ import annotations

import re

import pytest
from conftest import served, settle, watch
from helpers import PASSWORD, create_account, make_app, submit
from playwright.sync_api import expect
from test_browser_accessibility import DESKTOP, PHONE, context_for, sideways, violations, with_lang

pytestmark = pytest.mark.browser
OFFICE = "leine-weser@arl.example"
ADMIN = "land@ml.example"


@pytest.fixture(scope="module")
def site_app(tmp_path_factory):
    """The seed projects and three submissions waiting in Leine-Weser: what the dashboard's test counts, so a test
    that decides on projects submits its own."""
    app = make_app(tmp_path_factory.mktemp("workspace"), seeded=True)
    create_account(app, OFFICE, "--arl", "leine-weser")
    create_account(app, ADMIN, "--admin")
    for n in range(3):
        submit(app, name=f"Lernwerkstatt {n}", ort="Hildesheim", email="verein@example.org")
    return app


@pytest.fixture(scope="module")
def site(site_app):
    with served(site_app) as url:
        yield url


def log_in(page, site):
    page.goto(site + "/amt/anmelden")
    page.locator("input[name=email]").fill(OFFICE)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator(".office-bar")).to_contain_text(OFFICE)


def test_the_dashboard_shows_tasks_map_and_charts_and_a_marker_opens_the_project(page, site):
    log_in(page, site)
    expect(page.locator("#kachel-eingereicht .tile-count")).to_have_text("3")
    expect(page.locator("#karte-zahl")).not_to_be_empty()
    page.wait_for_function("() => window.atlasOfficeMap && window.atlasOfficeMap.ready")
    assert page.locator("svg#monate-diagramm rect").count() > 3
    assert page.locator("svg#dichte-karte path.kreis").count() >= 7
    page.get_by_role("checkbox", name="Veröffentlicht").uncheck()
    page.get_by_role("checkbox", name="Abgelehnt").uncheck()
    page.get_by_role("checkbox", name="Archiviert").uncheck()
    page.wait_for_function("() => window.atlasOfficeMap.shown.length === 3")
    marker = page.locator(".status-marker, .marker-cluster").first
    cluster = "marker-cluster" in (marker.get_attribute("class") or "")  # asked before: Enter on a project leaves
    focus_and_enter(page, marker)  # the page at once, and the address may not show it yet
    if cluster:  # a cluster opens closer; then a project
        focus_and_enter(page, page.locator(".status-marker").first)
    expect(page).to_have_url(re.compile(r"/amt/projekt/\d+"))


def test_the_district_map_has_basemap_outlines_and_words_in_the_clerks_language(page, site):
    """The office's map draws the atlas's basemap and the district's outlines like the public maps, says how many
    projects it shows in words, and its zoom buttons speak the page's language."""
    log_in(page, site)
    page.wait_for_function("() => window.atlasOfficeMap && window.atlasOfficeMap.ready")
    expect(page.locator("#karte-zahl")).to_have_text(re.compile(r"^\d+ Projekte?$"))
    box = page.locator("#amtskarte")
    expect(box).to_have_class(re.compile(r"\batlas-basemap\b"))
    page.wait_for_function("""() => {  // the district's outlines, above the basemap (drawn on a canvas)
        let outlines = 0;
        window.atlasOfficeMap.map.eachLayer((layer) => {
            if (layer instanceof L.GeoJSON && layer.options.pane === "overlayPane") outlines++;
        });
        return outlines > 0; }""")
    expect(box.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Hineinzoomen")


def focus_and_enter(page, marker) -> None:
    """As a keyboard user: on a marker, whose focus may pan the map to show it (the markers are drawn again and the
    focus stays on the same one), and Enter once the map stands still."""
    marker.focus()
    page.wait_for_function("() => !window.atlasOfficeMap.moving && document.activeElement.dataset.key")
    page.keyboard.press("Enter")


def test_without_javascript_the_dashboard_shows_no_empty_map_box_and_links_the_list(chromium, site):
    """The district map is drawn and filtered by a script: without it its box stayed empty, 28rem high, under a
    filter of twelve controls that did nothing; the list it stands for (the queue) is linked below it."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False,
                                   locale="de-DE")
    page = context.new_page()
    log_in(page, site)
    expect(page.locator("#amtskarte")).to_be_attached()
    expect(page.locator("#amtskarte")).to_be_hidden()
    expect(page.locator("#karten-filter")).to_be_hidden()
    expect(page.get_by_role("link", name="Warteschlange").last).to_be_visible()
    context.close()


def test_bulk_approve_by_keyboard(page, site, site_app):
    for n in range(3):  # its own: approving the module's three, it left the dashboard's test none to count after it
        submit(site_app, name=f"Lesewerkstatt {n}", ort="Hildesheim", email="verein@example.org")
    log_in(page, site)
    page.goto(site + "/amt/warteschlange?q=Lesewerkstatt")
    page.locator("#alle-waehlen").focus()
    page.keyboard.press("Space")
    page.locator("#aktion").select_option("freigeben")
    page.locator("#sammel-senden").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".notice").first).to_contain_text("3 Projekte freigegeben")


def test_the_report_form_by_keyboard(page, site):
    page.goto(site + "/projekt/1")
    page.get_by_role("link", name="Eintrag melden").click()
    page.get_by_role("radio", name="Das Projekt gibt es nicht mehr").focus()
    page.keyboard.press("Space")
    page.get_by_label("Ihre Nachricht an das Amt (freiwillig)").fill("<img src=x onerror=alert(1)> seit Mai zu")
    page.get_by_role("button", name="Meldung senden").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#gesendet")).to_be_visible()


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_new_pages_have_no_accessibility_violation(chromium, site, language):
    context = context_for(chromium, PHONE if language == "ar" else DESKTOP, language)
    page = context.new_page()
    errors = watch(page)
    log_in(page, site)
    found = {}
    for path in ("/amt/", "/amt/warteschlange", "/amt/aktivitaet", "/amt/begruendungen", "/projekt/2/melden"):
        page.goto(site + with_lang(path, language))
        settle(page)
        problems = violations(page) + ([f"sideways {sideways(page)}"] if sideways(page) > 0 else [])
        if problems:
            found[path] = problems
    context.close()
    assert not found, found
    assert not errors, errors


@pytest.mark.parametrize(("language", "viewport"), [("ar", PHONE), ("de", DESKTOP)], ids=["ar-phone", "de-desktop"])
def test_the_admin_makes_an_account_on_a_phone_in_arabic_and_a_mistake_keeps_what_was_typed(chromium, site,
                                                                                               language, viewport):
    """The admin opens the accounts, types an address and chooses „office“ but no district: the error summary
    names the district, leads to it by its link, and the address typed is still there; with the district chosen
    the account is made and its one-time password shown – without a violation or a page wider than the phone."""
    context = context_for(chromium, viewport, language)
    page = context.new_page()
    errors = watch(page)
    page.goto(site + with_lang("/amt/anmelden", language))
    page.locator("input[name=email]").fill(ADMIN)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator(".office-bar")).to_contain_text(ADMIN)
    page.goto(site + with_lang("/amt/konten", language))
    email = f"neu-{language}@arl.example"
    page.locator("#neu-email").fill(email)
    page.locator("#neu-rolle").select_option("office")
    page.locator("#konto-neu button[type=submit]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#neu-bezirk")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#neu-email")).to_have_value(email)
    expect(page.locator("#neu-rolle")).to_have_value("office")
    found = violations(page) + ([f"sideways {sideways(page)}"] if sideways(page) > 0 else [])
    summary.locator("a[href='#neu-bezirk']").click()
    expect(page.locator("#neu-bezirk")).to_be_focused()
    page.locator("#neu-bezirk").select_option("lueneburg")
    page.locator("#konto-neu button[type=submit]").click()
    expect(page.locator("#neues-passwort")).to_contain_text(email)
    expect(page.locator("#konten")).to_contain_text(email)
    found += violations(page) + ([f"sideways {sideways(page)}"] if sideways(page) > 0 else [])
    context.close()
    assert not found, found
    assert not errors, errors
