"""A submitter in Lamspringe adds a project in a real browser; the Leine-Weser office approves it; it is public.

The Braunschweig office can neither see nor approve it. Names carry markup that must stay text everywhere.
"""

from __future__ import annotations

import re

import pytest
from conftest import served
from helpers import PASSWORD, create_account, make_app, open_location_step
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
NAME = f"Sprachcafé Lamspringe {XSS}"


@pytest.fixture(scope="module")
def office_server(tmp_path_factory):
    """Its own app and database: this story publishes a project, the read-only browser tests must not see it."""
    app = make_app(tmp_path_factory.mktemp("submit"), seeded=True)
    for email, arl in (("leine-weser@arl.example", "leine-weser"), ("braunschweig@arl.example", "braunschweig")):
        create_account(app, email, "--arl", arl)
    with served(app) as url:
        yield url


def log_in(page, server, email):
    page.goto(server + "/amt/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator(".office-bar")).to_contain_text(email)
    page.get_by_role("link", name="Warteschlange", exact=True).first.click()  # from the dashboard to the queue


def log_out(page):
    page.get_by_role("button", name="Abmelden").click()
    expect(page.locator("main")).to_contain_text("Sie sind abgemeldet")


def test_a_project_submitted_in_lamspringe_is_approved_by_leine_weser_and_appears_on_the_maps(page, office_server):
    page.goto(office_server + "/")
    page.get_by_role("link", name="Projekt einreichen").first.click()
    page.get_by_label("Name des Projekts").fill(NAME)
    page.get_by_label("Träger (Organisation)").fill(XSS)
    page.get_by_label("Beschreibung", exact=True).fill(f"Jeden Dienstag ab 16 Uhr.\n{XSS}")
    page.get_by_role("checkbox", name="Sprache", exact=True).check()
    page.get_by_label("Ort", exact=True).fill("Lamspringe")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Weiter: Standort prüfen").click()

    # The location step: the point found, its Kreis and ArL, a pin to drag.
    where = page.locator("#standort-zuordnung")
    expect(where).to_contain_text("Landkreis Hildesheim")
    expect(where).to_contain_text("Leine-Weser")
    latitude = page.get_by_label("Breite (Grad)")
    before = latitude.input_value()
    pin = page.locator(".leaflet-marker-draggable")
    pin.scroll_into_view_if_needed()
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y - 30, steps=8)
    page.mouse.move(x + 40, y - 60, steps=8)
    page.mouse.up()
    expect(latitude).not_to_have_value(before)
    expect(page.locator("#pin-warnung")).to_be_hidden()

    # Typing coordinates far away warns at once and names the other district; typing the near ones clears it.
    dragged = (latitude.input_value(), page.get_by_label("Länge (Grad)").input_value())
    latitude.fill("51,90")
    page.get_by_label("Länge (Grad)").fill("10,20")
    page.get_by_label("Länge (Grad)").press("Tab")
    expect(page.locator("#pin-warnung")).to_be_visible()
    expect(page.locator("#pin-warnung-text")).to_contain_text(re.compile(r"\d+,\d km von der Adresse"))
    expect(page.locator("#gezeigt")).to_have_value("far_ok")  # seen: sent without its box ticked, the page says so
    expect(where).to_contain_text("Braunschweig")
    latitude.fill(dragged[0])
    page.get_by_label("Länge (Grad)").fill(dragged[1])
    page.get_by_label("Länge (Grad)").press("Tab")
    expect(page.locator("#pin-warnung")).to_be_hidden()
    expect(where).to_contain_text("Leine-Weser")

    page.get_by_role("button", name="Jetzt einreichen").click()
    confirmation = page.locator("#bestaetigung")
    expect(confirmation).to_contain_text("Amt für regionale Landesentwicklung Leine-Weser")
    reference = re.search(r"GS-(\d{6})", confirmation.inner_text())
    project_id = int(reference.group(1))

    # Braunschweig neither sees nor may open or approve it.
    log_in(page, office_server, "braunschweig@arl.example")
    expect(page.locator("#warteschlange")).not_to_contain_text("Sprachcafé Lamspringe")
    assert page.goto(f"{office_server}/amt/projekt/{project_id}").status == 403
    page.goto(office_server + "/amt/")
    log_out(page)

    # Leine-Weser finds it in the queue and approves it.
    log_in(page, office_server, "leine-weser@arl.example")
    page.get_by_role("link", name=NAME).click()
    expect(page.locator("#status")).to_have_text("Eingereicht")
    page.get_by_role("button", name="Freigeben").click()
    expect(page.locator(".notice")).to_contain_text("freigegeben")
    log_out(page)

    # It is public at once: on the statewide map and on the district map of Leine-Weser, as text.
    for path in ("/", "/region/leine-weser"):
        page.goto(office_server + path)
        expect(page.locator("#projektliste")).to_contain_text(NAME)
    page.get_by_role("link", name=NAME).click()
    expect(page.locator("h1")).to_have_text(NAME)
    expect(page.locator("main")).to_contain_text(XSS)
    assert page.locator("main img[src=x]").count() == 0


@pytest.mark.parametrize(("lang", "km"), [("en", r"\d+\.\d km"), ("de", r"\d+,\d km")])
def test_the_pins_distance_warning_writes_the_kilometres_as_the_readers_language_does(page, office_server, lang, km):
    page.goto(f"{office_server}/einreichen?lang={lang}")
    page.locator("#name").fill("Sprachcafé Lamspringe")
    page.locator("input[name=handlungsfelder][value=sprache]").check()
    page.locator("#ort").fill("Lamspringe")
    page.locator("#consent").check()
    page.locator("#einreichen button[type=submit]").first.click()
    expect(page.locator("#standort-zuordnung")).to_contain_text("Leine-Weser")
    page.locator("#lat").fill("51.90" if lang == "en" else "51,90")
    page.locator("#lon").fill("10.20" if lang == "en" else "10,20")
    page.locator("#lon").press("Tab")
    expect(page.locator("#pin-warnung")).to_be_visible()
    expect(page.locator("#pin-warnung-text")).to_contain_text(re.compile(km))


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_the_location_step_s_help_speaks_of_the_pin_only_where_the_map_is_drawn(chromium, office_server, javascript):
    """Without scripts the pin's map is not drawn (a box that stayed empty is hidden): its help said to drag the pin
    and click the map; there it says to type the coordinates."""
    context = chromium.new_context(java_script_enabled=javascript, locale="de-DE")
    page = context.new_page()
    open_location_step(page, office_server, "Lernwerkstatt Lamspringe")
    help_text = page.locator("#pin-hilfe")
    expect(help_text).to_contain_text("Es gilt der Pin." if javascript else "Es gelten die Koordinaten.",
                                      use_inner_text=True)
    expect(help_text).not_to_contain_text("Es gelten die Koordinaten." if javascript else "Ziehen Sie den Pin",
                                          use_inner_text=True)
    context.close()
