"""A Landkreis officer downloads what the map shows, with its filter, and opens it in German Excel."""

from __future__ import annotations

import csv
import io
import json

import pytest
from helpers import add_facts_projects, facts, html, make_app

from atlas.store import PENDING, PUBLISHED


@pytest.fixture
def data_app(tmp_path):
    app = make_app(tmp_path)
    add_facts_projects(app)
    services = app.extensions["atlas"]
    place = services.geocoder.geocode("Lüneburg").place
    services.store.add_many([(facts(name="=HYPERLINK(\"http://evil.invalid\")", ort="Lüneburg",
                                    email="geheim@example.org", kosten="kostenlos"), place)], PUBLISHED)
    services.store.add_many([(facts(name="Wartet noch"), place)], PENDING)
    return app


def rows_of(response) -> list[dict]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: German Excel reads the umlauts right
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def listed(client, url) -> list[str]:
    return sorted(a.get_text(strip=True) for a in html(client.get(url)).select(".projekt-name"))


def test_the_csv_opens_in_german_excel_with_german_words_and_numbers(data_app):
    response = data_app.test_client().get("/daten/projekte.csv?sprache=ar")
    assert response.headers["Content-Disposition"] == 'attachment; filename="projekte-niedersachsen.csv"'
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    [row] = rows_of(response)
    assert row["Name"] == "Sprachcafé Arabisch" and row["Angebotssprachen"] == "Deutsch, Arabisch"
    assert (row["Kosten"], row["Barrierefrei"], row["Kontakt"]) == ("kostenlos", "ja", "05121 123456")
    assert row["Wann"].startswith("täglich ") and row["Amt"] == "Amt für regionale Landesentwicklung Leine-Weser"
    assert row["Breite"].startswith("52,") and row["Länge"].startswith("9,")  # decimal commas
    assert row["Lizenz"] == "CC BY 4.0" and "Niedersachsen packt an" in row["Quelle"]


def test_the_csv_stays_german_when_the_page_around_it_speaks_arabic(data_app):
    client = data_app.test_client()
    client.get("/?lang=ar")  # the language cookie
    [row] = rows_of(client.get("/daten/projekte.csv?sprache=ar&lang=ar"))
    assert row["Wann"].startswith("täglich ") and row["Angebotssprachen"] == "Deutsch, Arabisch"


def test_a_cell_excel_would_run_as_a_formula_is_defused(data_app):
    names = [r["Name"] for r in rows_of(data_app.test_client().get("/daten/projekte.csv?arl=lueneburg"))]
    assert names == ["'=HYPERLINK(\"http://evil.invalid\")"]


@pytest.mark.parametrize("query", ["", "kostenlos=1", "sprache=fa&zielgruppe=frauen", "zeit=jetzt",
                                   "hf=arbeit-ausbildung"])
def test_a_download_holds_exactly_what_the_page_lists(data_app, query):
    client = data_app.test_client()
    shown = listed(client, f"/?{query}")
    names = [r["Name"].removeprefix("'") for r in rows_of(client.get(f"/daten/projekte.csv?{query}"))]
    assert sorted(names) == shown
    features = json.loads(client.get(f"/daten/projekte.geojson?{query}").get_data())["features"]
    assert sorted(f["properties"]["name"] for f in features) == shown


def test_the_district_and_near_downloads_follow_their_pages(data_app):
    client = data_app.test_client()
    region = [r["Name"] for r in rows_of(client.get("/daten/projekte.csv?arl=lueneburg"))]
    assert region == ["'=HYPERLINK(\"http://evil.invalid\")"]
    near = sorted(r["Name"] for r in rows_of(client.get("/daten/projekte.csv?ort=Hildesheim&umkreis=5&kostenlos=1")))
    assert near == listed(client, "/in-der-naehe?ort=Hildesheim&umkreis=5&kostenlos=1") == [
        "Jobberatung", "Sprachcafé Arabisch"]


def test_the_geojson_names_source_and_licence_and_no_private_address(tmp_path):
    app = make_app(tmp_path, DATA_LICENCE="dl-de/by-2-0", DATA_LICENCE_URL="https://www.govdata.de/dl-de/by-2-0")
    add_facts_projects(app)
    response = app.test_client().get("/daten/projekte.geojson")
    data = json.loads(response.get_data())
    assert (data["license"], data["license_url"]) == ("dl-de/by-2-0", "https://www.govdata.de/dl-de/by-2-0")
    assert "BKG" in data["boundaries"] and len(data["features"]) == 4
    assert response.headers["Link"] == '<https://www.govdata.de/dl-de/by-2-0>; rel="license"'
    assert "@example.org" not in response.get_data(as_text=True)


def test_the_pages_link_their_downloads_with_their_filter(data_app):
    client = data_app.test_client()
    links = [a["href"] for a in html(client.get("/region/leine-weser?kostenlos=1&x=<b>")).select("a[data-download]")]
    assert links == ["/daten/projekte.geojson?arl=leine-weser&kostenlos=1",
                     "/daten/projekte.csv?arl=leine-weser&kostenlos=1"]
    near = [a["href"] for a in html(client.get("/in-der-naehe?ort=Hildesheim&umkreis=10")).select("a[data-download]")]
    assert near[1] == "/daten/projekte.csv?ort=Hildesheim&umkreis=10"


@pytest.mark.parametrize(("url", "message"), [
    ("/daten/projekte.csv?sprache=<script>", "Unbekannter Wert „<script>“ für Sprache"),
    ("/daten/projekte.csv?arl=mond", "Unbekannter Amtsbezirk „mond“"),
    ("/daten/projekte.csv?ort=Xyzzyhausen", "nicht gefunden"),
    ("/daten/projekte.csv?ort=,", "Bitte geben Sie einen Ort, eine Postleitzahl oder eine Adresse ein."),
    ("/daten/projekte.geojson?ort=Hildesheim&umkreis=7", "Der Umkreis muss 5, 10, 25 oder 50 km sein"),
])
def test_a_wrong_download_request_names_what_to_fix(data_app, url, message):
    response = data_app.test_client().get(url)
    assert response.status_code == 400 and message in html(response).get_text()
    assert "<script>" not in response.get_data(as_text=True).split("</head>")[1].replace("&lt;script&gt;", "")


def test_a_download_of_many_projects_holds_every_one(tmp_path):
    """More projects than one database query may name at once (they are fetched in batches)."""
    app = make_app(tmp_path)
    services = app.extensions["atlas"]
    place = services.geocoder.geocode("Hildesheim").place
    services.store.add_many([(facts(name=f"Projekt {i}", kosten="kostenlos" if i % 2 else ""), place)
                             for i in range(12_000)], PUBLISHED)
    client = app.test_client()
    assert len(rows_of(client.get("/daten/projekte.csv"))) == 12_000
    assert len(json.loads(client.get("/daten/projekte.geojson?kostenlos=1").get_data())["features"]) == 6_000
    page = client.get("/ogc/collections/projekte/items?limit=1000&offset=11500").get_json()
    assert (page["numberMatched"], page["numberReturned"]) == (12_000, 500)
