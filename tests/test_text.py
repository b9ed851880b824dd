"""What people type is stored as one normal form, without invisible characters that could mislead a reader."""

from __future__ import annotations

import pytest
from helpers import create_account, form_values, html, login

from atlas.projects import validate_project
from atlas.text import clean_text, whole_number

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once


@pytest.mark.parametrize(("typed", "stored"), [
    ("Cafe\u0301 International", "Café International"),  # NFD from a Mac keyboard → NFC
    ("Sprach\u202ecafé", "Sprachcafé"),  # right-to-left override
    ("\u2066Treff\u2069punkt", "Treffpunkt"),  # isolates
    ("Null\u200bbreite", "Nullbreite"),
    ("\ufeffBOM am Anfang", "BOM am Anfang"),
    ("Glocke\x07 und\x00 Null", "Glocke und Null"),
    ("C1\x85 und\x9b", "C1 und"),
    ("  viele   Leer\tzeichen \n ", "viele Leer zeichen"),
    ("می\u200cخواهم", "می\u200cخواهم"),  # Persian needs its zero-width non-joiner
    ("مرحبا\u200f!", "مرحبا\u200f!"),  # a right-to-left mark only places the punctuation
])
def test_one_line_fields(typed, stored):
    assert clean_text(typed) == stored


@pytest.mark.parametrize(("sent", "number"), [
    ("42", 42), ("007", 7), ("999999999", 999999999),
    ("1234567890", None),  # more digits than a number of the atlas has
    ("²", None), ("١٢", None), ("４２", None),  # digits to str.isdigit(), but not 0–9
    ("-1", None), ("+1", None), (" 1", None), ("1.0", None), ("", None), (None, None),
])
def test_a_number_in_a_url_or_form_is_written_with_the_digits_0_to_9(sent, number):
    assert whole_number(sent) == number


def test_a_description_keeps_its_lines():
    assert clean_text("Erste Zeile\r\nzweite\u202e Zeile\n\n\n\ndritte  \n", multiline=True) == \
        "Erste Zeile\nzweite Zeile\n\ndritte"


def test_every_field_of_a_project_is_cleaned():
    project, errors = validate_project({
        "name": "Sprach\u202ecafé\u200b", "traeger": "Verein\x1b[31m", "description": "Zeile 1\nZeile\u2066 2",
        "handlungsfelder": "sprache", "street": "Markt\u00a0\u00a01", "ort": "Lamspringe\u202c", "plz": "31195\u200b"})
    assert not errors, errors
    assert (project.name, project.traeger, project.description, project.street, project.ort, project.plz) == (
        "Sprachcafé", "Verein[31m", "Zeile 1\nZeile 2", "Markt 1", "Lamspringe", "31195")


def test_a_rejection_reason_is_cleaned(app):
    services = app.extensions["atlas"]
    project, _ = validate_project({"name": "Treff", "handlungsfelder": "sprache", "ort": "Lamspringe"})
    project_id = services.store.add(project, services.geocoder.geocode("Lamspringe").place)
    create_account(app, "land@ml.example", "--admin")
    client = app.test_client()
    login(client, "land@ml.example")
    form = form_values(html(client.get(f"/amt/projekt/{project_id}")), "ablehnen")
    client.post(f"/amt/projekt/{project_id}/ablehnen", data=dict(form, reason="Doppelt\u202e eingetragen\x07"))
    assert services.store.get(project_id)["reject_reason"] == "Doppelt eingetragen"
