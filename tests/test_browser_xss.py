"""An attacker types markup and script URLs into every field and every URL parameter; the browser shows text.

Each payload is stored in every text field of a published project, typed into every field of the submission
form, and put into every URL parameter of the public pages. Every popup is opened by a click and the near
page's tooltip by hovering. The `page` fixture fails the test on any dialog, script error, policy violation or
request that leaves the loopback interface; the checks here add requests to the payloads' own URLs.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest
from conftest import open_popup, served
from helpers import PAYLOADS, make_app
from playwright.sync_api import expect

from atlas.projects import ProjectInput

pytestmark = pytest.mark.browser

assert len(PAYLOADS) >= 30
PLACES = ["Lamspringe", "Hildesheim", "Celle", "Verden", "Stade", "Aurich", "Meppen", "Nienburg", "Goslar",
          "Peine", "Uelzen", "Cuxhaven", "Vechta", "Diepholz", "Holzminden", "Northeim", "Wolfsburg", "Gifhorn",
          "Helmstedt", "Rotenburg (Wümme)", "Lüneburg", "Winsen (Luhe)", "Lingen", "Nordhorn", "Leer", "Emden",
          "Wittmund", "Jever", "Brake", "Cloppenburg", "Hameln", "Osterode am Harz", "Salzgitter", "Buxtehude",
          "Walsrode"]


def payload_request(url: str) -> bool:
    """A request only a payload would make: to its host, or to the relative `x` of `<img src=x>`."""
    parts = urlsplit(url)  # the query is left alone: the pages under test carry payloads there
    return parts.hostname == "evil.invalid" or parts.path.rsplit("/", 1)[-1] in ("x", "pixel.png", "bg.png", "x.css") \
        or parts.scheme in ("javascript", "data") and not url.startswith("data:image/")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The seed projects and one published project per payload, with the payload in every text field."""
    app = make_app(tmp_path_factory.mktemp("xss"), seeded=True, SUBMIT_RATE_LIMIT="1000 per minute")
    services = app.extensions["atlas"]
    ids = []
    for payload, ort in zip(PAYLOADS, PLACES, strict=True):
        place = services.geocoder.geocode(ort).place
        project = ProjectInput(name=f"Treff {payload}", traeger=payload, description=f"{payload}\n{payload}",
                               handlungsfelder=["sprache"], street=payload, ort=f"{ort} {payload}",
                               website="https://example.org/?q=" + quote(payload))
        ids.append(services.store.add(project, place, "published"))
    with served(app) as url:
        yield url, ids


@pytest.fixture
def guarded(page):
    """The page, also failing on any request a payload would make."""
    made = []
    page.on("request", lambda request: made.append(request.url) if payload_request(request.url) else None)
    yield page
    assert not made, f"payload URLs were requested: {made}"


def test_every_project_popup_shows_its_payload_as_text(guarded, hostile_site):
    server, ids = hostile_site
    for project_id, payload in zip(ids, PAYLOADS, strict=True):
        guarded.goto(f"{server}/projekt/{project_id}")
        expect(guarded.locator("h1")).to_have_text(f"Treff {payload}")
        popup = open_popup(guarded, guarded.locator(".hf-marker"))
        expect(popup.locator(".popup-name")).to_have_text(f"Treff {payload}")
        expect(popup.locator(".popup-traeger")).to_have_text(payload)


def test_the_near_page_tooltip_and_popups_show_a_hostile_place_name_as_text(guarded, hostile_site):
    server, _ids = hostile_site
    for payload in PAYLOADS:
        guarded.goto(f"{server}/in-der-naehe?lat=52.37&lon=9.73&umkreis=50&name={quote(payload)}")
        guarded.locator(".atlas-centre").hover()
        expect(guarded.locator(".leaflet-tooltip")).to_have_text(payload)
        expect(open_popup(guarded, guarded.locator(".hf-marker").first).locator(".popup-name")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/region/leine-weser", "/in-der-naehe", "/einreichen"])
def test_every_url_parameter_takes_payloads_as_text(guarded, hostile_site, path):
    server, _ids = hostile_site
    for payload in PAYLOADS:
        value = quote(payload)
        guarded.goto(f"{server}{path}?hf={value}&seite={value}&ort={value}&umkreis={value}&lat={value}"
                     f"&lon={value}&name={value}&{value}={value}")
        expect(guarded.locator("header.site")).to_be_visible()


def test_every_path_parameter_takes_payloads_as_text(guarded, hostile_site):
    """Payloads in a path and in the location step's coordinates. (These 30 addresses were loaded once for each of
    the four pages above, the same addresses in the same browser each time: checked once, here.)"""
    server, _ids = hostile_site
    for payload in PAYLOADS[:10]:
        for url in (f"{server}/region/{quote(payload, safe='')}", f"{server}/projekt/{quote(payload, safe='')}",
                    f"{server}/einreichen/standort?lat={quote(payload)}&lon=9"):
            response = guarded.goto(url)
            assert response.status in (200, 400, 404), (url, response.status)  # an answer, never a 500
            if response.headers["content-type"].startswith("application/json"):  # the location step's answer
                assert response.json()["ok"] is False
            else:
                expect(guarded.locator("header.site")).to_be_visible()


def test_the_lists_on_the_maps_show_every_payload_as_text(guarded, hostile_site):
    server, _ids = hostile_site
    guarded.goto(f"{server}/?hf=sprache")
    names = guarded.locator("#projektliste .projekt-name")
    expect(names.first).to_be_visible()
    guarded.get_by_role("button", name="Weitere anzeigen").click() if guarded.locator("#mehr").is_visible() else None
    shown = set(names.all_text_contents())
    assert {f"Treff {p}" for p in PAYLOADS} <= shown


def test_every_form_field_takes_every_payload_as_text(guarded, hostile_site):
    """Submission k puts payload (k + f) into field f, so over all submissions each payload visits each field. No
    payload is a web or mail address, so each submission is refused; the person types the next one into the form the
    refusal gave back, as one corrects a form, and sends it again."""
    server, _ids = hostile_site
    fields = ["Name des Projekts", "Träger (Organisation)", "Beschreibung", "Straße und Hausnummer", "PLZ",
              "Website", "Kontakt-E-Mail"]
    guarded.goto(f"{server}/einreichen")
    for k in range(len(PAYLOADS)):
        for f, label in enumerate(fields):
            guarded.get_by_label(label, exact=True).fill(PAYLOADS[(k + f) % len(PAYLOADS)])
        guarded.get_by_label("Ort", exact=True).fill("Lamspringe" if k % 2 else PAYLOADS[k])
        guarded.get_by_role("checkbox", name="Sprache", exact=True).check()
        with guarded.expect_navigation():
            guarded.get_by_role("button", name="Weiter: Standort prüfen").click()
        expect(guarded.locator("#fehler")).to_be_visible()
        for f, label in enumerate(fields[:4]):  # what was typed comes back as text (PLZ, web and mail are refused)
            expect(guarded.get_by_label(label, exact=True)).to_have_value(PAYLOADS[(k + f) % len(PAYLOADS)])
