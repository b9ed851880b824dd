"""The paths people take, in Chromium with JavaScript on: every GET form sent as loaded, the near search typed and
pressed on a phone in German and in Arabic."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import watch
from playwright.sync_api import expect
from walk import TO_TYPE, problems_on, public_pages

pytestmark = pytest.mark.browser

SUBMIT = """(index) => new Promise((resolve) => {
    addEventListener('submit', (event) => resolve(event.defaultPrevented), {once: true});
    document.forms[index].requestSubmit();
})"""


def page_problems(page) -> list[str]:
    return problems_on(BeautifulSoup(page.content(), "html.parser"))


def test_every_get_form_sent_as_loaded_with_javascript(page, live_app, live_server):
    navigations = []
    page.on("response", lambda r: navigations.append(r) if r.request.is_navigation_request()
            and r.frame == page.main_frame else None)
    sent = 0
    for path in public_pages(live_app.test_client().get):
        page.goto(live_server + path)
        indexes = page.evaluate("() => [...document.forms].flatMap((f, i) => f.method === 'get' ? [i] : [])")
        for n, index in enumerate(indexes):
            if n:  # the form before sent the page away or changed it: the next is sent from the page as loaded again
                page.goto(live_server + path)
            before, navigations[:] = page.url, []
            handled_here = page.evaluate(SUBMIT, index)  # the maps' filters answer in the page itself
            if not handled_here:
                page.wait_for_url(lambda url, before=before: url != before)
                page.wait_for_load_state()
                target = urlsplit(page.url).path
                if target in TO_TYPE:  # it needs something typed: sent as loaded it asks for that, and only that
                    field, typed, asked = TO_TYPE[target]
                    assert navigations[-1].status == 400, f"form {index} of {path} sent empty to {target}"
                    assert page_problems(page) == [asked], f"form {index} of {path} → {page.url}"
                    page.locator(f"#{field}").fill(typed)
                    navigations[:] = []
                    with page.expect_navigation():
                        page.locator(f"#{field}").press("Enter")
                assert navigations[-1].status == 200, f"form {index} of {path}: HTTP {navigations[-1].status}"
            assert not page_problems(page), f"form {index} of {path} → {page.url}: {page_problems(page)}"
            sent += 1
    assert sent >= 8


PHONE = {"width": 390, "height": 844}
SMALLEST = {"width": 360, "height": 740}


def phone(chromium, locale: str, viewport=PHONE, javascript: bool = True):
    context = chromium.new_context(viewport=viewport, locale=locale, java_script_enabled=javascript)
    page = context.new_page()
    return context, page, watch(page)


@pytest.mark.parametrize("locale", ["de-DE", "ar"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_near_search_on_a_phone_lands_on_its_results(chromium, live_server, locale, javascript):
    context, page, errors = phone(chromium, locale, javascript=javascript)
    page.goto(live_server + "/")
    assert page.locator("header.site").bounding_box()["height"] <= 130, "the header leaves the screen to the page"
    expect(page.locator("#hauptnavigation")).to_be_hidden()  # folded into the menu, with or without scripts
    page.locator(".site-menu summary").click()
    page.locator("#hauptnavigation a[href='/in-der-naehe']").click()
    page.locator("#ort").fill("Hildesheim")
    page.locator("#suche button[type=submit]").first.click()
    page.wait_for_url(lambda url: "ort=Hildesheim" in url)
    heading = page.locator("#ergebnis")
    if javascript:
        expect(heading).to_be_focused()
    page.wait_for_function("() => { const r = document.getElementById('ergebnis').getBoundingClientRect();"
                           " return r.top >= -1 && r.bottom <= innerHeight + 1; }")
    assert not page_problems(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_without_javascript_no_empty_map_stands_between_a_person_and_the_list(chromium, live_server, viewport):
    """A map is drawn by scripts: without them its box stayed empty, most of a phone's screen high between the
    filter and the list, and on a desktop it kept two thirds of the page blank beside a narrow list."""
    context, page, errors = phone(chromium, "de-DE", viewport, javascript=False)
    for path, listed in (("/", "#projektliste"), ("/region/leine-weser", "#projektliste"),
                         ("/in-der-naehe?ort=Hemmingen", "#treffer"), ("/suche?q=Netzwerk", "#treffer"),
                         ("/projekt/1", None)):
        page.goto(live_server + path)
        expect(page.locator(".map").first).to_be_attached()
        for box in page.locator(".map").all():
            expect(box).to_be_hidden()
        if listed:
            main, items = page.locator("main").bounding_box(), page.locator(listed).bounding_box()
            assert items["width"] >= main["width"] * 0.8, f"{path}: the list is {items['width']} px of {main['width']}"
    context.close()
    assert not errors, errors


BOXES = """() => [...document.querySelectorAll('.leaflet-container')].flatMap((map) => {
    const scale = map.querySelector('.leaflet-control-scale');
    const credit = map.querySelector('.leaflet-control-attribution');
    if (!scale || !credit) return [];
    const [s, c] = [scale.getBoundingClientRect(), credit.getBoundingClientRect()];
    return [{overlap: s.left < c.right && c.left < s.right && s.top < c.bottom && c.top < s.bottom,
             scale: [s.left, s.top, s.right, s.bottom], credit: [c.left, c.top, c.right, c.bottom]}];
})"""


@pytest.mark.parametrize("locale", ["de-DE", "ar"])
def test_on_a_phone_the_maps_scale_is_not_under_its_attribution(chromium, live_server, locale):
    """At 390 px the attribution („Leaflet | © GeoBasis-DE / BKG …“) wraps across the whole map and lay over the
    scale bar: neither could be read (in Arabic as in German)."""
    context, page, errors = phone(chromium, locale)
    for path in ("/", "/region/leine-weser", "/in-der-naehe?ort=Hemmingen", "/projekt/1"):
        page.goto(live_server + path)
        page.locator(".leaflet-control-scale").first.wait_for()
        boxes = page.evaluate(BOXES)
        assert boxes and not any(box["overlap"] for box in boxes), f"{path}: {boxes}"
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("locale", ["de-DE", "ar"])
def test_the_languages_are_a_menu_that_works_by_keyboard(chromium, live_server, locale):
    context, page, errors = phone(chromium, locale)
    page.goto(live_server + "/in-der-naehe")
    menu = page.locator(".language-menu summary")
    menu.focus()
    page.keyboard.press("Enter")
    english = page.locator(".language-menu a[hreflang=en]")
    expect(english).to_be_visible()
    english.focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    context.close()
    assert not errors, errors


def test_on_a_desktop_the_navigation_is_open(page, live_server):
    page.goto(live_server + "/")
    expect(page.locator(".site-menu summary")).to_be_hidden()
    page.locator("#hauptnavigation").get_by_role("link", name="In der Nähe").click()
    expect(page).to_have_url(re.compile("/in-der-naehe"))


@pytest.mark.parametrize("locale", ["de-DE", "ar"])
def test_no_public_page_scrolls_sideways_on_the_smallest_phone(chromium, live_app, live_server, locale):
    context, page, errors = phone(chromium, locale, SMALLEST)
    wide = {}
    for path in public_pages(live_app.test_client().get):
        page.goto(live_server + path)
        extra = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if extra > 0:
            wide[path] = extra
    context.close()
    assert not wide, wide
    assert not errors, errors
