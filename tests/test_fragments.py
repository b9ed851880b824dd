"""The filters' fieldsets, the header, the near search's form and the download links are written once per language
(and filter, district) and kept (atlas.web.fragments): what is kept is what the macros write, each filter gets its own
checked boxes, each language its own words, and each page its own query and place written into what is kept."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import render_template_string
from helpers import add_facts_projects, html, make_app

from atlas.filters import Filter
from atlas.handlungsfelder import HANDLUNGSFELDER

KEPT = ('{% from "_partials.html" import hf_filter, fact_filters with context %}'
        '{{ hf_filter(fields, filter) }}{{ fact_filters(filter) }}')
WRITTEN = ('{% from "_partials.html" import hf_filter_written, fact_filters_written with context %}'
           '{{ hf_filter_written(fields, filter) }}{{ fact_filters_written(filter) }}')
FILTERS = [Filter(), Filter(fields=("sprache", "teilhabe")), Filter(sprachen=("ar", "uk"), kostenlos=True),
           Filter(zielgruppen=("frauen",), zeit="jetzt"), Filter(fields=("engagement",), zeit="woche")]


@pytest.mark.parametrize("lang", ["de", "ar", "en"])
def test_the_kept_fieldsets_are_those_the_macros_write(app, lang):
    for chosen in FILTERS:
        with app.test_request_context(f"/in-der-naehe?lang={lang}"):
            fresh = render_template_string(WRITTEN, fields=HANDLUNGSFELDER, filter=chosen)
            assert render_template_string(KEPT, fields=HANDLUNGSFELDER, filter=chosen) == fresh
            assert render_template_string(KEPT, fields=HANDLUNGSFELDER, filter=chosen) == fresh  # from the kept


def test_each_filter_and_language_is_kept_apart(client):
    def checked(query: dict) -> tuple[set, str]:
        page = BeautifulSoup(client.get("/in-der-naehe", query_string=query).get_data(as_text=True), "html.parser")
        return ({box["value"] for box in page.select("fieldset.filter input[checked]")},
                page.select_one("fieldset.filter legend").get_text())

    assert checked({"hf": "sprache"}) == ({"sprache"}, "Handlungsfelder")
    assert checked({"hf": ["teilhabe", "engagement"]})[0] == {"teilhabe", "engagement"}
    assert checked({})[0] == set()
    assert checked({"hf": "sprache", "lang": "en"}) == ({"sprache"}, "Fields of action")


def test_the_kept_map_files_are_those_the_macro_writes(app):
    with app.test_request_context("/?lang=uk"):
        fresh = render_template_string('{% from "_partials.html" import map_assets_written %}'
                                       '{{ map_assets_written() }}')
        kept = '{% from "_partials.html" import map_assets %}{{ map_assets() }}'
        assert render_template_string(kept) == render_template_string(kept) == fresh
        assert 'rel="modulepreload"' in fresh and "leaflet" in fresh


def test_the_kept_header_links_each_page_in_the_other_languages_with_its_own_query(client):
    def language_links(url: str) -> dict[str, str]:
        page = html(client.get(url))
        return {a["lang"]: a["href"] for a in page.select("nav.languages a")}

    assert language_links("/in-der-naehe?lang=ar")["en"] == "?lang=en"  # a page without parameters of its own
    first = client.get("/in-der-naehe?ort=Hildesheim&umkreis=10").get_data(as_text=True)
    assert 'href="?ort=Hildesheim&amp;umkreis=10&amp;lang=ar"' in first  # escaped in the page as written before
    assert language_links("/in-der-naehe?ort=Hannover&umkreis=5")["ar"] == "?ort=Hannover&umkreis=5&lang=ar"
    # a page that names its validated parameters links with those alone; another with what it was asked with
    assert language_links('/region/leine-weser?x=<script>"&kostenlos=1')["fa"] == "?kostenlos=1&lang=fa"
    assert language_links('/impressum?x=<script>"')["fa"] == "?x=%3Cscript%3E%22&lang=fa"
    assert language_links("/impressum?x=<!--abfrage-->&y=\u202e")["en"] == "?x=%3C%21--abfrage--%3E&y=%E2%80%AE&lang=en"
    assert language_links("/impressum")["uk"] == "?lang=uk"


def test_the_kept_form_shows_each_search_the_place_it_typed(client):
    for typed, shown in (("Hildesheim",) * 2, ('"><script>alert(1)</script>',) * 2, ("<!--ort-->",) * 2,
                         ("<!--abfrage&-->",) * 2, ("\u202eHannover", "Hannover"), ("Hannover",) * 2):
        response = client.get("/in-der-naehe", query_string={"ort": typed, "umkreis": "10"})
        assert html(response).select_one("input#ort")["value"] == shown  # a bidi control is taken out as it was
        assert "<script>alert" not in response.get_data(as_text=True)
    assert html(client.get("/in-der-naehe?umkreis=50")).select_one("#umkreis option[selected]")["value"] == "50"


def test_the_kept_download_links_carry_each_page_its_own_query(tmp_path):
    app = make_app(tmp_path)
    add_facts_projects(app)  # in Hildesheim
    client = app.test_client()

    def downloads(url: str) -> list[tuple[str, str]]:
        return [(a["data-download"], a["href"]) for a in html(client.get(url)).select("a[data-download]")]

    assert downloads("/in-der-naehe?ort=Hildesheim&umkreis=10")[1] == (
        "/daten/projekte.csv", "/daten/projekte.csv?ort=Hildesheim&umkreis=10")
    assert downloads("/in-der-naehe?ort=Hildesheim&umkreis=25&hf=sprache")[0] == (
        "/daten/projekte.geojson", "/daten/projekte.geojson?ort=Hildesheim&umkreis=25&hf=sprache")
    assert downloads("/region/leine-weser")[0] == ("/daten/projekte.geojson?arl=leine-weser",) * 2
    assert downloads("/region/leine-weser?kostenlos=1")[1] == (
        "/daten/projekte.csv?arl=leine-weser", "/daten/projekte.csv?arl=leine-weser&kostenlos=1")


def test_the_kept_search_form_shows_each_search_its_words_and_place(client):
    hostile = ('"><script>alert(1)</script>', "<!--q-->", "<!--ort-->", "<!--abfrage?-->", 'NEAR("a" b) OR -c*',
               "javascript:alert(1)", "café & 'x'")
    pairs = zip(hostile, reversed(hostile), strict=True)
    for words, place in [*pairs, ("Sprachcafé", "Hildesheim"), ("\u202eDeutsch", "")]:
        response = client.get("/suche", query_string={"q": words, "ort": place, "umkreis": "10"})
        form = html(response).select_one("form#suchformular")
        assert form.select_one("input#q")["value"] == words.replace("\u202e", "")  # a bidi control is taken out
        assert form.select_one("input#ort")["value"] == place
        assert "<script>alert" not in response.get_data(as_text=True)
        assert "<!--q-->" not in str(form) and "<!--ort-->" not in str(form)  # every mark written over


def test_the_kept_search_form_keeps_each_radius_filter_and_language_apart(client):
    def form(query: dict):
        return html(client.get("/suche", query_string={"q": "Sprachcafé", **query})).select_one("form#suchformular")

    assert form({"umkreis": "50"}).select_one("#umkreis option[selected]")["value"] == "50"
    assert form({"umkreis": "5"}).select_one("#umkreis option[selected]")["value"] == "5"
    chosen = form({"hf": "teilhabe"})
    assert {box["value"] for box in chosen.select("fieldset.filter input[checked]")} == {"teilhabe"}
    assert chosen.select_one("details.search-filters").has_attr("open")
    assert not form({}).select("fieldset.filter input[checked]")
    assert not form({}).select_one("details.search-filters").has_attr("open")
    assert form({"lang": "en"}).select_one("label[for=q]").get_text() == "What are you looking for?"
    assert form({"lang": "de"}).select_one("label[for=q]").get_text() == "Was suchen Sie?"  # (the choice stays)
    on_the_map = html(client.get("/")).select_one("form#suchformular")  # the map's page: no filters, 25 km
    assert on_the_map.select_one("input#q")["value"] == "" and not on_the_map.select("details.search-filters")
    assert on_the_map.select_one("#umkreis option[selected]")["value"] == "25"
