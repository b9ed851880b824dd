"""A submitter adds a project; it waits for the ArL whose district it lies in."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

XSS = "<img src=x onerror=alert(1)>"


def form_token(client) -> str:
    page = BeautifulSoup(client.get("/einreichen").get_data(as_text=True), "html.parser")
    return page.select_one("input[name=csrf_token]")["value"]


def submit(client, **fields):
    data = {"name": "Sprachcafé Lamspringe", "traeger": "Kirchengemeinde", "description": "Jeden Dienstag",
            "handlungsfelder": ["sprache"], "ort": "Lamspringe", "consent": "y", "csrf_token": form_token(client)}
    data.update(fields)
    return client.post("/einreichen", data=data, follow_redirects=True)


def test_a_submission_is_stored_pending_and_names_the_arl(app):
    client = app.test_client()
    response = submit(client)
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    confirmation = page.select_one("#bestaetigung").get_text(" ", strip=True)
    assert "GS-000001" in confirmation and "Amt für regionale Landesentwicklung Leine-Weser" in confirmation
    row = app.extensions["atlas"].store.get(1)
    assert (row["status"], row["kreis_name"], row["arl"]) == ("pending", "Hildesheim", "leine-weser")


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"name": ""}, "name", "Bitte geben Sie den Namen"),
    ({"handlungsfelder": []}, "handlungsfelder", "mindestens ein Handlungsfeld"),
    ({"website": "javascript:alert(1)"}, "website", "http:// oder https://"),
    ({"email": "keine-adresse"}, "email", "keine gültige E-Mail-Adresse"),
    ({"plz": "123"}, "plz", "fünf Ziffern"),
    ({"consent": ""}, "consent", "Bitte stimmen Sie"),
    ({"ort": "Bremen"}, "ort", "Der Atlas umfasst nur Projekte in Niedersachsen"),
    ({"ort": "Asendorf"}, "ort", "Landkreis Diepholz"),
    ({"description": "x" * 2001}, "description", "höchstens 2000 Zeichen"),
])
def test_mistakes_are_named_at_the_top_and_at_the_field_and_what_was_typed_stays(app, fields, field, message):
    client = app.test_client()
    response = submit(client, **fields)
    assert response.status_code == 400
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert message in page.select_one(".error-summary").get_text()
    assert page.select_one(f"#{field}") is not None
    assert page.select_one("#traeger")["value"] == "Kirchengemeinde"
    assert app.extensions["atlas"].store.count() == 0


def test_user_text_is_shown_as_text_when_the_form_comes_back(app):
    response = submit(app.test_client(), name=XSS, traeger=XSS, consent="")
    html = response.get_data(as_text=True)
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_post_without_csrf_token_stores_nothing(app):
    response = app.test_client().post("/einreichen", data={"name": "X", "ort": "Meppen", "consent": "y"})
    assert response.status_code == 400
    assert app.extensions["atlas"].store.count() == 0


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored(app):
    response = submit(app.test_client(), homepage="http://spam.example")
    assert "Ihre Angaben sind eingegangen" in response.get_data(as_text=True)
    assert app.extensions["atlas"].store.count() == 0
