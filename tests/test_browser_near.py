"""A newcomer in a real browser looks for initiatives near Hemmingen."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import watch
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_typing_hemmingen_and_10_km_finds_the_hemminger_netzwerk_first(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("link", name="Projekte in Ihrer Nähe finden").click()
    page.get_by_label("Adresse, PLZ oder Ort").fill("Hemmingen")
    page.get_by_label("Umkreis").select_option("10")  # the place's suggestions may still be open
    page.get_by_role("button", name="Suchen").click()
    first = page.locator("#treffer li").first
    expect(first.locator("a")).to_have_text("Hemminger Netzwerk für Flüchtlinge")
    expect(first.locator(".entfernung")).to_have_text("0,0 km")
    assert parse_qs(urlsplit(page.url).query) == {"ort": ["Hemmingen"], "umkreis": ["10"]}
    expect(page.locator("#ausgangspunkt")).to_contain_text("Hemmingen")
    expect(page.locator(".leaflet-interactive").first).to_be_attached()  # the radius is drawn


def test_my_position_fills_in_the_search(chromium, live_server):
    context = chromium.new_context(geolocation={"latitude": 52.3143, "longitude": 9.7236},
                                   permissions=["geolocation"], locale="de-DE")
    page = context.new_page()
    errors = watch(page)
    page.goto(live_server + "/in-der-naehe")
    page.get_by_role("button", name="Meinen Standort verwenden").click()
    expect(page.locator("#treffer li").first.locator("a")).to_have_text("Hemminger Netzwerk für Flüchtlinge")
    query = parse_qs(urlsplit(page.url).query)
    assert query["lat"] == ["52.31430"] and query["lon"] == ["9.72360"] and "ort" not in query
    context.close()
    assert not errors, errors


def test_a_place_is_chosen_from_suggestions_by_keyboard(page, live_server):
    page.goto(live_server + "/in-der-naehe")
    field = page.get_by_role("combobox", name="Adresse, PLZ oder Ort")
    field.press_sequentially("Hildes", delay=30)
    option = page.get_by_role("option", name="Hildesheim (Landkreis Hildesheim)")
    expect(option).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    field.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    field.press("Enter")
    expect(field).to_have_value("Hildesheim")
    expect(field).to_have_attribute("aria-expanded", "false")
    page.get_by_role("button", name="Suchen").click()
    expect(page.locator("#ausgangspunkt")).to_contain_text("Landkreis Hildesheim")


def test_a_place_marked_by_keyboard_stays_marked_when_a_newer_list_arrives(page, live_server):
    """The list for „Hilde“ is open, the person types on and marks Hildesheim with the arrow key while the answer for
    „Hildes“ is on its way: the new list replaces the old one, and Enter still takes Hildesheim (it sent the form with
    „Hildes“ when the new list dropped the mark)."""
    held = []
    page.route(lambda url: "q=Hildes&" in url, lambda route: held.append(route))  # „Hildes“ waits until let go
    page.goto(live_server + "/in-der-naehe")
    field = page.get_by_role("combobox", name="Adresse, PLZ oder Ort")
    field.press_sequentially("Hilde", delay=30)
    option = page.get_by_role("option", name="Hildesheim (Landkreis Hildesheim)")
    expect(option).to_be_visible()
    field.press("s")
    while not held:
        page.wait_for_timeout(50)
    field.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    page.evaluate("document.querySelectorAll('#vorschlaege-ort li').forEach((li) => { li.dataset.alt = '1'; })")
    held[0].continue_()
    expect(page.locator("#vorschlaege-ort li:not([data-alt])").first).to_be_attached()  # the new list is there
    expect(option).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", option.get_attribute("id"))  # what a reader announces
    field.press("Enter")
    expect(field).to_have_value("Hildesheim")
    assert "ort=" not in page.url  # the form was not sent


@pytest.mark.parametrize("start", ["/", "/in-der-naehe"])
def test_the_search_button_takes_a_click_while_the_place_suggestions_are_open(page, live_server, start):
    """A person types a place, sees the suggestions open under it and clicks „Suchen“ below them: the press takes
    the focus from the place, yet the list stays until the button is released – closing it at once moved the button
    up from under the pointer, and the click went nowhere."""
    page.goto(live_server + start)
    form = page.locator("form:has(input[data-suggest])").first
    field = form.locator("input[data-suggest]")
    field.press_sequentially("Osnabr", delay=30)
    expect(page.get_by_role("option", name="Osnabrück (Stadt Osnabrück)")).to_be_visible()
    form.get_by_role("button", name="Suchen").click()
    page.wait_for_url("**ort=Osnabr*")
    expect(field).to_have_attribute("aria-expanded", "false")
