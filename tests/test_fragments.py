"""The filters' fieldsets are written once per language and filter and kept (atlas.web.fragments): what is kept is
what the macros write, each filter gets its own checked boxes, each language its own words."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import render_template_string

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
