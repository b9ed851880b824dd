"""Markup and scripts typed into any field stay text on every page, in the map data and in every export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import PAYLOADS, create_account, html, login

from atlas.projects import validate_project

SERVER_PAYLOADS = [*PAYLOADS[:5], "{{7*7}}"]  # each page times each field: the five classic forms are enough here


@pytest.fixture(params=SERVER_PAYLOADS)
def payload(request):
    return request.param


@pytest.fixture
def hostile(app, runner, payload):
    """A published project whose every text field carries the payload; an admin account to see it inside /amt/."""
    services = app.extensions["atlas"]
    project, errors = validate_project({
        "name": f"Treffpunkt {payload}", "traeger": f"=HYPERLINK(\"http://x\") {payload}",
        "description": payload, "handlungsfelder": "sprache", "street": f"Hauptstr. 1 {payload}", "plz": "31195",
        "ort": "Lamspringe", "website": "https://example.org/?q=javascript:alert(1)", "email": "a@example.org"})
    assert not errors, errors
    project_id = services.store.add(project, services.geocoder.geocode(plz="31195", ort="Lamspringe").place,
                                    "published")
    create_account(app, "land@ml.example", "--admin")
    return project_id


def logged_in(app):
    client = app.test_client()
    login(client, "land@ml.example")
    return client


def assert_inert(body: str, payload: str) -> None:
    page = html_of(body)
    assert not page.select("img[src=x], svg, iframe"), "markup from user text became elements"
    for script in page.select("script"):
        assert "alert(1)" not in script.get_text() or "\\u003c" in script.get_text(), "user text inside a script"
        assert "<script" not in script.get_text()
    assert not page.select('a[href^="javascript"]')
    if payload == "{{7*7}}":
        assert payload in body  # shown, not evaluated by a template
    else:
        assert payload not in body


def html_of(body: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(body, "html.parser")


@pytest.mark.parametrize("path", [
    "/", "/region/leine-weser", "/projekt/{id}", "/in-der-naehe?ort=Lamspringe&umkreis=10",
])
def test_public_pages_show_user_text_as_text(app, hostile, payload, path):
    response = app.test_client().get(path.format(id=hostile))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert_inert(body, payload)
    assert "Treffpunkt" in body


def test_the_map_data_hands_the_text_over_unchanged_for_textcontent(app, hostile, payload):
    client = app.test_client()
    block = json.loads(html(client.get("/")).select_one("#atlas-data").get_text())
    data = client.get(block["src"]).get_json()
    name = data["name"][data["id"].index(hostile)]
    assert name == f"Treffpunkt {payload}"


@pytest.mark.parametrize("path", ["/amt/warteschlange?status=published", "/amt/projekt/{id}",
                                  "/amt/projekt/{id}/bearbeiten"])
def test_office_pages_show_user_text_as_text(app, hostile, payload, path):
    response = logged_in(app).get(path.format(id=hostile))
    assert response.status_code == 200
    assert_inert(response.get_data(as_text=True), payload)


def test_exports_keep_the_text_and_defuse_spreadsheet_formulas(app, hostile, payload):
    client = logged_in(app)
    rows = list(csv.DictReader(io.StringIO(client.get("/amt/export.csv").get_data().decode("utf-8-sig")),
                               delimiter=";"))
    mine = next(r for r in rows if r["Nummer"] == f"GS-{hostile:06d}")
    assert mine["Träger"].startswith("'=HYPERLINK")
    assert mine["Beschreibung"] == payload
    response = client.get("/amt/export.geojson")
    assert response.mimetype == "application/geo+json"
    feature = next(f for f in response.json["features"] if f["properties"]["id"] == hostile)
    assert feature["properties"]["name"] == f"Treffpunkt {payload}"


def test_a_hostile_search_is_answered_with_a_message_not_markup(client, payload):
    response = client.get("/in-der-naehe", query_string={"ort": payload})
    assert response.status_code in (200, 400)
    assert_inert(response.get_data(as_text=True), payload)


@pytest.mark.parametrize("website", ['https://example.org/"><script>alert(1)</script>', "javascript:alert(1)",
                                     "https://exa mple.org", "data:text/html,<b>x</b>"])
def test_websites_that_are_not_plain_web_addresses_are_refused(website):
    _project, errors = validate_project({"name": "X", "handlungsfelder": "sprache", "ort": "Meppen",
                                         "website": website})
    assert "website" in errors
