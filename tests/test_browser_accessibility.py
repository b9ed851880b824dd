"""Every page for everyone: axe-core finds nothing on any page, in German and in Arabic, on a desktop and on a
360 px phone; nothing scrolls sideways; the Arabic start page is mirrored and its filter works; forms are usable
by keyboard and screen reader."""

from __future__ import annotations

import re

import pytest
from conftest import served, settle, watch
from helpers import PASSWORD, create_account, make_app, open_location_step
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
PUBLIC = ["/", "/region/leine-weser", "/region/weser-ems", "/projekt/1", "/einreichen", "/in-der-naehe",
          "/in-der-naehe?ort=Hildesheim&umkreis=25", "/in-der-naehe?ort=Hausen", "/benachrichtigung", "/impressum",
          "/datenschutz", "/barrierefreiheit", "/leichte-sprache", "/amt/anmelden", "/gibt-es-nicht",
          "/suche?q=Gewerkepass&ort=Osnabr%C3%BCck&umkreis=25", "/einbetten?arl=weser-ems", "/aushang/03404",
          "/ogc?f=html", "/ogc/collections?f=html", "/ogc/collections/projekte/items?f=html"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("a11y"), seeded=True)
    create_account(app, "leine-weser@arl.example", "--arl", "leine-weser")
    with served(app) as url:
        yield url


def context_for(chromium, viewport, language):
    """A context whose pages are audited: axe-core (axe-playwright-python's axe.min.js) is in every page from its start,
    as a script Chromium runs first in each document. Sent with `evaluate` after each load instead (570 kB each time),
    the 21 public pages loaded and audited took 16.6–16.9 s of CPU, and 13.3–14.6 s so. The page's CSP is not applied
    in this context alone, as when axe-core was sent afterwards (the other contexts check it)."""
    from axe_playwright_python.base import AXE_FILE_PATH

    return chromium.new_context(viewport=viewport, locale=language, bypass_csp=True, init_script=AXE_FILE_PATH)


def violations(page) -> list[str]:
    """What axe-core finds on the page as it stands (violations only, as axe-playwright-python asks), except that only
    the violations come back: the full results (every rule that passed or did not apply, with its texts) are about
    50 kB to serialise and parse for each check. The page must be one of a `context_for` context, and is audited once
    loaded: after a click that navigates, the new document may not have its first element yet."""
    page.wait_for_load_state("load")
    found = page.evaluate("() => window.axe ? axe.run({resultTypes: ['violations']}).then(r => r.violations) : null")
    assert found is not None, f"no axe-core in {page.url}: audit pages of a context_for context"
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in found]


def sideways(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def with_lang(path: str, language: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


# German and Arabic on both screens; Pashto (right to left, its own letters) on a phone and French on a desktop
@pytest.mark.parametrize(("language", "viewport"), [("de", DESKTOP), ("de", PHONE), ("ar", DESKTOP), ("ar", PHONE),
                                                    ("ps", PHONE), ("fr", DESKTOP)],
                         ids=["de-desktop", "de-phone", "ar-desktop", "ar-phone", "ps-phone", "fr-desktop"])
def test_no_page_has_an_accessibility_violation_or_scrolls_sideways(chromium, site, language, viewport):
    context = context_for(chromium, viewport, language)
    page = context.new_page()
    errors = watch(page)
    found = {}
    for path in PUBLIC:
        page.goto(site + with_lang(path, language))
        settle(page)
        problems = violations(page)
        if sideways(page) > 0:
            problems.append(f"scrolls sideways by {sideways(page)} px")
        if problems:
            found[path] = problems
    context.close()
    assert not found, found
    assert not errors, errors


@pytest.mark.parametrize("language", ["de", "ar", "ps"])
def test_forms_in_their_other_states_have_no_violation(chromium, site, language):
    """The submission form with errors, its location step, and the office's pages."""
    context = context_for(chromium, PHONE, language)
    page = context.new_page()
    page.goto(site + with_lang("/einreichen", language))
    page.locator("#einreichen button[type=submit]").click()
    expect(page.locator("#fehler")).to_be_focused()  # the summary takes the focus
    states = {"errors": violations(page)}
    page.locator("input[name=name]").fill("Nachbarschaftsgarten")
    page.locator("input[name=handlungsfelder][value=wohnen-leben]").check()
    quiet_place = {"de": "Lamspringe", "ar": "Hemmingen", "ps": "Bad Salzdetfurth"}[language]  # no duplicate warning
    page.locator("input[name=ort]").fill(quiet_place)
    page.locator("input[name=consent]").check()
    page.locator("#einreichen button[type=submit]").click()
    expect(page.locator(".leaflet-marker-draggable")).to_be_visible()
    states["location step"] = violations(page) + ([f"sideways {sideways(page)}"] if sideways(page) else [])
    page.locator("#einreichen button[type=submit]").click()
    states["thanks"] = violations(page)
    page.locator("#privater-link").click()
    states["private link"] = violations(page) + ([f"sideways {sideways(page)}"] if sideways(page) else [])
    page.locator("#aendern").click()
    states["proposal form"] = violations(page) + ([f"sideways {sideways(page)}"] if sideways(page) else [])
    page.goto(site + with_lang("/amt/anmelden", language))
    page.locator("input[name=email]").fill("leine-weser@arl.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    for path in ("/amt/", "/amt/warteschlange", "/amt/warteschlange?status=published", "/amt/projekt/1",
                 "/amt/projekt/1/bearbeiten", "/amt/konto", "/amt/aktivitaet", "/amt/begruendungen"):
        page.goto(site + with_lang(path, language))
        states[path] = violations(page) + ([f"sideways {sideways(page)}"] if sideways(page) else [])
    context.close()
    assert not any(states.values()), states


def test_the_arabic_start_page_is_mirrored_and_its_filter_works(page, site):
    page.goto(site + "/?lang=ar")
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    map_box = page.locator(".layout-map").bounding_box()
    list_box = page.locator(".layout-list").bounding_box()
    assert list_box["x"] < map_box["x"], "the list stands left of the map, where a right-to-left reader ends"
    count = page.locator("#trefferzahl")
    expect(count).to_contain_text("7")
    page.get_by_role("checkbox", name="اللغة").check()
    expect(page).to_have_url(re.compile(r"hf=sprache"))
    assert "7" not in count.inner_text()
    for item in page.locator("#projektliste li .projekt-name").all():
        assert item.get_attribute("lang") == "de"  # project names are read as German
    page.locator(".language-menu summary").click()  # the languages are a menu in the header
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("checkbox", name="Language", exact=True)).to_be_checked()


def test_on_a_phone_the_filter_comes_before_the_map_and_inputs_are_large(chromium, site):
    context = chromium.new_context(viewport=PHONE, locale="de-DE")
    page = context.new_page()
    errors = watch(page)
    page.goto(site + "/")
    assert page.locator(".layout-filter").bounding_box()["y"] < page.locator(".layout-map").bounding_box()["y"]
    page.goto(site + "/einreichen")
    for field in page.locator("input[type=text], input[type=email], textarea").all():
        if field.get_attribute("name") != "homepage":  # the bots' field, hidden from people
            size = float(field.evaluate("(node) => getComputedStyle(node).fontSize").removesuffix("px"))
            width = field.bounding_box()["width"]
            assert size >= 16 and width >= 300, (field.get_attribute("name"), size, width)
    context.close()
    assert not errors, errors


def test_the_pin_moves_with_the_arrow_keys(page, site):
    open_location_step(page, site, "Sprachtreff Tastatur")
    latitude = page.get_by_label("Breite (Grad)")
    before = latitude.input_value()
    page.locator(".leaflet-marker-draggable").focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Shift+ArrowUp")
    expect(latitude).not_to_have_value(before)
    assert float(latitude.input_value().replace(",", ".")) > float(before.replace(",", "."))
    expect(page.locator("#standort-zuordnung")).to_contain_text("Leine-Weser")


def test_the_links_in_a_maps_attribution_are_told_apart_by_more_than_colour(page, site):
    """Leaflet's „Leaflet“ link stands in the attribution's text in #0078A8 beside #333 (2.6:1): axe-core calls that
    a violation wherever it can see the background behind the box (WCAG 1.4.1), so the atlas underlines it."""
    page.goto(site + "/projekt/1")
    links = page.locator(".leaflet-control-attribution a")
    expect(links.first).to_be_visible()
    for link in links.all():
        assert "underline" in link.evaluate("(node) => getComputedStyle(node).textDecorationLine")
