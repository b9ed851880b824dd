"""A GIS user and another website read the atlas's open data at /ogc (OGC API – Features): GDAL, a schema
validator and an API fuzzer are the clients, as they are outside."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from conftest import served
from helpers import PAYLOADS, add_facts_projects, assert_kept_per_header, facts, make_app

from atlas.store import ARCHIVED, PENDING, PUBLISHED

HILDESHEIM_BOX = (9.85, 52.05, 10.05, 52.25)


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    """Projects in Hildesheim (published, one approximate) and in Lüneburg, one pending and one archived."""
    app = make_app(tmp_path_factory.mktemp("ogc"), API_RATE_LIMIT="100000 per minute")
    add_facts_projects(app)
    services = app.extensions["atlas"]
    store, geocoder = services.store, services.geocoder
    store.add_many([(facts(name="Lüneburger Lernhilfe", ort="Lüneburg", email="geheim@example.org"),
                     geocoder.geocode("Lüneburg").place)], PUBLISHED)
    store.add_many([(facts(name="Wartet noch", email="geheim@example.org"), geocoder.geocode("Hildesheim").place)],
                   PENDING)
    [ended] = store.add_many([(facts(name="Beendet"), geocoder.geocode("Hildesheim").place)], PUBLISHED)
    store.set_status(ended, ARCHIVED)
    [rough] = store.add_many([(facts(name="Ungefähr", street="Marktplatz 1", approximate=True),
                               geocoder.geocode("Hildesheim").place)], PUBLISHED)
    return app


@pytest.fixture(scope="module")
def api_server(api_app):
    with served(api_app) as url:
        yield url


def published_inside(app, box) -> set[str]:
    frame = app.extensions["atlas"].store.published()
    inside = frame[frame.lon.between(box[0], box[2]) & frame.lat.between(box[1], box[3])]
    return set(inside.name)


GDAL_CLIENT = """
import json, sys
import pyogrio
url, layer, bbox = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if layer == "-":
    print(json.dumps([str(name) for name, _kind in pyogrio.list_layers(url)]))
else:
    frame = pyogrio.read_dataframe(url, layer=layer, bbox=tuple(bbox) if bbox else None)
    print(json.dumps({"columns": list(frame.columns), "rows": json.loads(frame.drop(columns="geometry").to_json(
        orient="records", force_ascii=False)), "bounds": [list(b) for b in frame.geometry.bounds.values]}))
"""


def gdal(server: str, layer: str = "-", bbox=None):
    """GDAL's OGC API – Features driver (through pyogrio) in a process of its own, as a GIS client is."""
    result = subprocess.run([sys.executable, "-c", GDAL_CLIENT, f"OAPIF:{server}/ogc", layer, json.dumps(bbox)],
                            capture_output=True, text=True, timeout=120, env={"GDAL_HTTP_TIMEOUT": "30"})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.mark.once  # a client of the API served from memory: the same on either database
def test_gdal_reads_the_projects_of_a_bbox_exactly_as_published(api_app, api_server):
    inside = gdal(api_server, "projekte", HILDESHEIM_BOX)
    assert {r["name"] for r in inside["rows"]} == published_inside(api_app, HILDESHEIM_BOX) == {
        "Sprachcafé Arabisch", "Frauentreff", "Jobberatung", "Altes Projekt", "Ungefähr"}
    assert all(HILDESHEIM_BOX[0] <= b[0] <= HILDESHEIM_BOX[2] and HILDESHEIM_BOX[1] <= b[1] <= HILDESHEIM_BOX[3]
               for b in inside["bounds"])
    assert "email" not in inside["columns"] and "geheim@example.org" not in json.dumps(inside)
    everything = gdal(api_server, "projekte")
    assert len(everything["rows"]) == 6 and "Lüneburger Lernhilfe" in {r["name"] for r in everything["rows"]}
    assert set(gdal(api_server)) == {"projekte", "kreise", "arl"}


@pytest.mark.once  # a client of the API served from memory: the same on either database
def test_gdal_reads_the_kreise_with_their_keys(api_server):
    kreise = gdal(api_server, "kreise")["rows"]
    assert len(kreise) == 45 and all(k["rs"].startswith("03") for k in kreise)
    [hildesheim] = [k for k in kreise if k["name"] == "Hildesheim"]
    assert (hildesheim["rs"], hildesheim["arl"]) == ("03254", "leine-weser")


def test_an_approximate_project_is_where_the_public_sees_it_and_without_its_street(api_app):
    client = api_app.test_client()
    data = client.get("/ogc/collections/projekte/items?limit=1000").get_json()
    rough = next(f for f in data["features"] if f["properties"]["name"] == "Ungefähr")
    lon, lat = rough["geometry"]["coordinates"]
    assert (round(lon, 2), round(lat, 2)) == (lon, lat) and rough["properties"]["strasse"] == ""
    box = f"{lon - 0.001},{lat - 0.001},{lon + 0.001},{lat + 0.001}"
    assert "Ungefähr" in [f["properties"]["name"]
                          for f in client.get(f"/ogc/collections/projekte/items?bbox={box}").get_json()["features"]]


def test_pages_follow_next_links_to_every_project_once(api_app):
    client = api_app.test_client()
    url, seen = "/ogc/collections/projekte/items?limit=2", []
    while url:
        page = client.get(url).get_json()
        assert page["numberMatched"] == 6 and page["numberReturned"] == len(page["features"])
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"].removeprefix(api_app.config["BASE_URL"]) for link in page["links"]
                    if link["rel"] == "next"), None)
    assert len(seen) == len(set(seen)) == 6


def test_the_next_page_asks_exactly_the_same_box(api_app):
    box = "9.851234567,52.051234567,10.051234567,52.251234567"
    page = api_app.test_client().get(f"/ogc/collections/projekte/items?limit=1&bbox={box}").get_json()
    [following] = [link["href"] for link in page["links"] if link["rel"] == "next"]
    assert parse_qs(urlsplit(following).query)["bbox"] == [box]


@pytest.mark.parametrize("params", [
    {"limit": 100, "offset": 0}, {"limit": 7, "offset": 300, "f": "html"},
    {"limit": 1, "offset": 2, "bbox": "9.851234567,52.05,-10.0,52.25", "datetime": "2026-01-01T00:00:00Z/.."},
    {"limit": 5, "offset": 5, "hf": "sprache,arbeit-ausbildung", "arl": "weser-ems", "kreis": "03241"},
    {"x": "ä ö+&=?/#%'!$()*;:@~"}, {}])
def test_the_links_of_a_page_are_written_as_url_for_writes_them(api_app, params):
    from atlas.links import absolute_url, query_links

    with api_app.test_request_context("/"):
        assert query_links("ogc.items", collection_id="projekte")(params) == \
            absolute_url("ogc.items", collection_id="projekte", **params)


@pytest.mark.parametrize(("query", "expected"), [
    ("hf=arbeit-ausbildung", {"Jobberatung"}),
    ("arl=lueneburg", {"Lüneburger Lernhilfe"}),
    ("kreis=03355", {"Lüneburger Lernhilfe"}),
    ("datetime=2000-01-01T00:00:00Z/2001-01-01T00:00:00Z", set()),
    ("datetime=2000-01-01/..", {"Sprachcafé Arabisch", "Frauentreff", "Jobberatung", "Altes Projekt",
                                "Lüneburger Lernhilfe", "Ungefähr"}),
])
def test_the_filters_of_the_items(api_app, query, expected):
    data = api_app.test_client().get(f"/ogc/collections/projekte/items?{query}").get_json()
    assert {f["properties"]["name"] for f in data["features"]} == expected


@pytest.mark.parametrize(("query", "message"), [
    ("bbox=1,2,3", "„bbox“ sind vier Zahlen"),
    ("bbox=10,52,9,53", "„bbox“ sind vier Zahlen"),
    ("limit=0", "„limit“ muss eine ganze Zahl von 1 bis 1000 sein"),
    ("limit=99999999999", "„limit“ muss"),
    ("offset=-1", "„offset“ muss"),
    ("datetime=gestern", "„datetime“ ist ein Zeitpunkt"),
    ("datetime=2026-01-02/2026-01-01", "„datetime“ ist ein Zeitpunkt"),
    ("datetime=0001-01-01T00:00:00%2B01:00", "„datetime“ ist ein Zeitpunkt"),
    ("datetime=9999-12-31T23:59:59-01:00", "„datetime“ ist ein Zeitpunkt"),
    ("datetime=../9999-12-31T23:59:59-01:00", "„datetime“ ist ein Zeitpunkt"),
    ("hf=kochen", "Unbekanntes Handlungsfeld „kochen“"),
    ("arl=mond", "Unbekannter Amtsbezirk „mond“"),
    ("kreis=99999", "Unbekannter Kreis „99999“"),
    ("f=xml", "„f“ ist json oder html"),
])
def test_a_wrong_parameter_is_a_400_that_names_it(api_app, query, message):
    response = api_app.test_client().get(f"/ogc/collections/projekte/items?{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert message in response.get_json()["description"]


RIGHT_TO_LEFT = "%E2%80%AE"  # U+202E: what follows it reads backwards


@pytest.mark.parametrize(("query", "message"), [
    (f"hf={RIGHT_TO_LEFT}kochen", "Unbekanntes Handlungsfeld „kochen“"),
    (f"arl={RIGHT_TO_LEFT}mond", "Unbekannter Amtsbezirk „mond“"),
    (f"kreis={RIGHT_TO_LEFT}99999", "Unbekannter Kreis „99999“"),
    (f"limit={RIGHT_TO_LEFT}0", "nicht „0“"),
    (f"bbox={RIGHT_TO_LEFT}1,2,3", "nicht „1,2,3“"),
    (f"datetime={RIGHT_TO_LEFT}gestern", "nicht „gestern“"),
    (f"f={RIGHT_TO_LEFT}xml", "nicht „xml“"),
])
def test_a_wrong_parameter_is_named_without_the_characters_that_turn_text_around(api_app, query, message):
    response = api_app.test_client().get(f"/ogc/collections/projekte/items?{query}")
    assert response.status_code == 400 and message in response.get_json()["description"]


def test_an_unknown_collection_is_named_without_the_characters_that_turn_text_around(api_app):
    response = api_app.test_client().get(f"/ogc/collections/{RIGHT_TO_LEFT}wetter/items")
    assert response.status_code == 404
    assert "Den Datensatz „wetter“ gibt es nicht" in response.get_json()["description"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_parameters_come_back_as_text(api_app, payload):
    client = api_app.test_client()
    for url in (f"/ogc/collections/{payload}/items", "/ogc/collections/projekte/items"):
        response = client.get(url, query_string={"bbox": payload, "hf": payload, "f": "html"})
        assert response.status_code in (308, 400, 404)  # a path with "//" is redirected to its merged form
        if any(c in payload for c in "<>\"'&"):  # without those, the payload is plain text wherever it stands
            assert payload not in response.get_data(as_text=True)


def test_answers_are_open_to_every_origin_and_cached_with_etags(api_app):
    client = api_app.test_client()
    first = client.get("/ogc/collections/projekte/items", headers={"Origin": "https://landkreis.example"})
    assert first.headers["Access-Control-Allow-Origin"] == "*" and first.headers["ETag"]
    time.sleep(1.1)  # a client asks again later: nothing was published, so its copy is still current
    again = client.get("/ogc/collections/projekte/items", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()


def test_a_client_asking_too_often_is_slowed_down(tmp_path):
    client = make_app(tmp_path, API_RATE_LIMIT="3 per minute").test_client()
    assert [client.get("/ogc/collections").status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.once  # a client of the API served from memory: the same on either database
def test_the_openapi_document_is_valid_and_linked_from_the_landing_page(api_app):
    from openapi_spec_validator import validate

    client = api_app.test_client()
    landing = client.get("/ogc").get_json()
    [described] = [link["href"] for link in landing["links"] if link["rel"] == "service-desc"]
    document = client.get(described.removeprefix(api_app.config["BASE_URL"])).get_json()
    validate(document)
    assert set(document["paths"]) >= {"/", "/conformance", "/collections", "/collections/{collectionId}/items"}


@pytest.mark.once  # a client of the API served from memory: the same on either database
def test_the_api_fuzzer_finds_no_server_error(api_server, tmp_path):
    """schemathesis generates requests from the OpenAPI document, valid and invalid, and sends them."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "schemathesis"), "run", f"{api_server}/ogc/openapi",
         "--checks", "not_a_server_error", "--max-examples", "40", "--phases", "examples,coverage,fuzzing",
         "--no-color", "--seed", "1", "--report-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)  # its cache stays out of the repository
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_html_for_people_lists_the_projects(api_app):
    page = api_app.test_client().get("/ogc/collections/projekte/items?f=html&limit=2").get_data(as_text=True)
    assert "Sprachcafé Arabisch" in page and "Nächste Seite" in page
    assert json.loads(api_app.test_client().get("/ogc/conformance").get_data())["conformsTo"]


def test_a_position_is_rounded_to_six_decimals_as_round_does():
    """atlas.ogc._six_decimals against round(value, 6): positions anywhere, the halves of a millionth and their
    neighbouring floats (where the product's rounding could decide), zero of both signs, what is no position."""
    import math
    import random

    from atlas.ogc import _six_decimals

    rng = random.Random(26)
    values = [rng.uniform(-180, 180) for _ in range(100_000)] + [rng.uniform(6.6, 11.6) for _ in range(50_000)]
    for _ in range(20_000):
        half = (rng.randint(-180_000_000, 180_000_000) + 0.5) / 1e6
        values += [half, math.nextafter(half, math.inf), math.nextafter(half, -math.inf)]
    values += [0.0, -0.0, 1e-7, -1e-7, 5e-7, -5e-7, 4e-7, -4e-7, math.inf, -math.inf, math.nan, 1e300, 2.0**60, 5e-324]
    assert [repr(_six_decimals(v)) for v in values] == [repr(round(v, 6)) for v in values]


# What the HTML list's row of properties was written by, a loop in the template (atlas.web.ogc._properties_text
# writes it in Python now): the same text for every kind of value a feature holds
TEMPLATE_LOOP = ('{% for key, value in properties.items() if key != "name" and value not in ("", None, []) %}'
                 '{{ "; " if not loop.first }}{{ key }}: {{ value|join(", ") if value is sequence and value is not '
                 'string else value }}{% endfor %}')


@pytest.mark.parametrize("properties", [
    {"name": "ohne", "beschreibung": "", "website": None, "sprachen": []},
    {"name": "<b>", "traeger": "A & B <i>„x“</i> 'y' \"z\"", "handlungsfelder": ["Sprache", "Arbeit & <Ausbildung>"],
     "lage_ungefaehr": False, "bestaetigt": True, "ersetzt": [7, 12], "id": 0, "lat": 52.1234565, "leer": {},
     "objekt": {"a": 1, "<b>": 2}, "tupel": ("x", 1.5), "nan": float("nan"), "zeilen": "a\nb\t; c: d"},
    {"beschreibung": "مرحبا 😀 \u2028", "zahl": 10**20, "klein": 1e-7},
    {"ort": "Celle", "name": "", "plz": "", "leerzeichen": " ", "falsch": False, "null": 0, "liste": ["", ""]},
    {"name": None, "traeger": "T", "name2": "N"},
])
def test_the_html_rows_properties_are_written_as_the_template_loop_wrote_them(api_app, properties):
    from atlas.web.ogc import _properties_text

    with api_app.test_request_context():
        assert str(_properties_text(properties)) == api_app.jinja_env.from_string(TEMPLATE_LOOP).render(
            properties=properties)


def test_a_projects_lists_are_shared_tuples_written_as_the_lists_they_were(api_app):
    """A project's feature holds its lists (Handlungsfelder, languages, target groups) as tuples shared by the
    features with the same stored text: JSON writes them as lists, and the HTML row as the template loop wrote the
    lists – an empty one left out, as an empty list was."""
    import orjson

    from atlas import jsontext
    from atlas.ogc import project_feature
    from atlas.web.ogc import _properties_text

    services = api_app.extensions["atlas"]
    rows = services.store.published_rows([row["id"] for row in services.store.rows()])
    rows += [rows[0]._replace(sprachen="", zielgruppen="", handlungsfelder="")]  # every list empty
    listed = ("handlungsfelder", "sprachen", "zielgruppen")
    with api_app.test_request_context():
        features = [project_feature(row, "https://example.org/projekt/1") for row in rows]
        again = [project_feature(row, "https://example.org/projekt/1") for row in rows]
        as_lists = [orjson.loads(jsontext.dumps_utf8(feature)) for feature in features]
        for feature, same, plain in zip(features, again, as_lists, strict=True):
            for name in listed:
                value = feature["properties"][name]
                assert type(value) is tuple and value is same["properties"][name]  # shared: made once per text
                assert list(value) == plain["properties"][name]
            assert str(_properties_text(feature["properties"])) == api_app.jinja_env.from_string(TEMPLATE_LOOP).render(
                properties=plain["properties"])
    assert any(feature["properties"][name] for feature in features for name in listed)
    assert all(not features[-1]["properties"][name] for name in listed)


def test_the_format_kept_per_accept_header_is_the_one_werkzeugs_match_gives_and_the_kept_ones_are_bounded(api_app):
    """atlas.web.ogc keeps the format an Accept header asks for (without `?f=`) per header: asked again, the same as
    the header parsed and matched anew by the request (werkzeug's accept_mimetypes); at most HEADERS kept, a long
    header never; `?f=` decides before the header."""
    from flask import request

    from atlas.web.ogc import _accepted_format, _asked_format
    from atlas.web.per_header import HEADERS, LONGEST

    def werkzeugs() -> str:
        best = request.accept_mimetypes.best_match(["application/json", "application/geo+json", "text/html"])
        return "html" if best == "text/html" else "json"

    headers = ["text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", "*/*",
               "application/geo+json, application/json;q=0.9", "text/html;q=0.5, application/json", "TEXT/HTML",
               "text/*", "application/*", "text/html;q=0", "image/png", "", ";;,,q=", "x" * LONGEST + ", text/html"]
    headers += [f"text/html;q=0.{i % 9 + 1}, application/json;q=0.5, x/y-{i}" for i in range(HEADERS + 50)]
    assert_kept_per_header(api_app, "Accept", headers, _accepted_format, _asked_format, werkzeugs)
    with api_app.test_request_context():  # no header: JSON
        assert _asked_format() == werkzeugs() == "json"
    for asked, expected in (("html", "html"), ("json", "json"), ("xml", ""), ("", "html")):
        with api_app.test_request_context(query_string={"f": asked}, headers={"Accept": "text/html"}):
            assert _asked_format() == expected, asked


def test_the_number_matched_kept_per_version_follows_each_publication_and_archiving(tmp_path):
    app = make_app(tmp_path)
    add_facts_projects(app)
    client, store = app.test_client(), app.extensions["atlas"].store
    place = app.extensions["atlas"].geocoder.geocode("Hildesheim").place

    def matched(query: str = "") -> int:
        return client.get(f"/ogc/collections/projekte/items?limit=1{query}").get_json()["numberMatched"]

    assert (matched(), matched("&offset=2"), matched("&hf=sprache")) == (4, 4, 3)
    [new] = store.add_many([(facts(name="Neu", handlungsfelder="arbeit-ausbildung"), place)], PUBLISHED)
    assert (matched(), matched("&offset=3"), matched("&hf=sprache")) == (5, 5, 3)
    store.set_status(new, ARCHIVED)
    assert (matched(), matched("&hf=arbeit-ausbildung")) == (4, 1)


@pytest.mark.parametrize(("stored", "expected"), [
    ("2026-12-06 17:44:26.870608", "2026-12-06T17:44:26.870608Z"),  # SQLite's text as SQLAlchemy writes it
    ("2026-12-06 17:44:26.000000", "2026-12-06T17:44:26Z"),  # a fraction of zero left out, as isoformat does
    ("2026-12-06 17:44:26", "2026-12-06T17:44:26Z"),
    ("2026-12-06T17:44:26.5", "2026-12-06T17:44:26.500000Z"),
    ("2026-12-06 17:44:26.870608+02:00", "2026-12-06T15:44:26.870608Z"),
    ("2026-W49-7 17:44:26.870608", "2026-12-06T17:44:26.870608Z"),  # a week date of the same length, read as such
    (datetime(2026, 12, 6, 17, 44, 26, tzinfo=UTC), "2026-12-06T17:44:26Z"),  # PostgreSQL's
    (datetime(2026, 12, 6, 18, 44, 26, tzinfo=ZoneInfo("Europe/Berlin")), "2026-12-06T17:44:26Z"),  # in its zone
    (None, ""), ("", ""),
])
def test_the_time_of_a_change_is_written_in_rfc3339(stored, expected):
    from atlas.database import rfc3339

    assert rfc3339(stored) == expected


def test_a_stored_text_that_is_no_time_is_refused_as_before():
    from atlas.database import rfc3339

    with pytest.raises(ValueError):
        rfc3339("2026-13-06 17:44:26.870608")
