"""The maps' data resource is one body for every language: the words to show it with (Handlungsfelder, languages,
times spelled out) come with the page, which is written in the reader's language anyway."""

from __future__ import annotations

import json

import pytest
from helpers import add_facts_projects, html, make_app


@pytest.fixture
def facts_app(tmp_path):
    app = make_app(tmp_path)
    add_facts_projects(app)
    return app


def page_data(client, url: str, **headers) -> dict:
    return json.loads(html(client.get(url, headers=headers)).select_one("#atlas-data").get_text())


def test_every_language_fetches_the_same_data_made_once(facts_app):
    client, pages = facts_app.test_client(), facts_app.extensions["atlas_pages"]
    german = page_data(client, "/")
    arabic = page_data(client, "/?lang=ar")
    persian = page_data(client, "/region/leine-weser", **{"Accept-Language": "fa"})
    assert german["src"] == arabic["src"] and "lang" not in german["src"]
    renders = pages.renders
    bodies = [client.get(german["src"], headers=headers) for headers in
              ({}, {"Accept-Language": "ar"}, {"Cookie": "sprache=uk"}, {"Accept-Language": "fr"})]
    assert pages.renders == renders + 1, "made once, for every language"
    assert len({body.headers["ETag"] for body in bodies}) == 1
    assert "Accept-Language" not in bodies[0].headers.get("Vary", "")
    assert "fields" not in bodies[0].get_json() and "sprachen" not in bodies[0].get_json()
    assert sorted(client.get(persian["src"]).get_json()["id"]) == [1, 2, 3, 4]
    labels = {code: {field["slug"]: field["label"] for field in block["labels"]["fields"]}
              for code, block in (("de", german), ("ar", arabic))}
    assert labels["de"]["sprache"] == "Sprache" and labels["ar"]["sprache"] != "Sprache"


def test_the_page_spells_out_the_times_the_data_carries_as_stored(facts_app):
    client = facts_app.test_client()
    data = client.get(page_data(client, "/")["src"]).get_json()
    stored = [raw for raw in data["zeiten"] if raw]
    assert len(stored) == 2 and all(":" in raw and "-" in raw for raw in stored)  # OSM, as stored: "08:00-09:30"
    german, arabic = page_data(client, "/")["labels"]["zeiten"], page_data(client, "/?lang=ar")["labels"]["zeiten"]
    assert set(german) == set(arabic) == set(stored)
    assert all(german[raw] == "täglich " + raw.replace("-", "–") for raw in stored)
    assert all(arabic[raw] != german[raw] for raw in stored)


def test_an_inline_map_carries_its_words_itself(facts_app):
    """The near search's map data is in its page: with the words of the page's language."""
    data = page_data(facts_app.test_client(), "/in-der-naehe?ort=Hildesheim&lang=ar")
    assert data["fields"] and data["sprachen"] and all(isinstance(text, str) for text in data["zeiten"])
    assert "zeiten_roh" not in data


def test_a_short_list_is_coded_as_the_statewide_data_is():
    """A list made per request (a near search) codes its repeated texts with a dict, the statewide data with
    pandas: both give each distinct text once in the order it first appears, and nothing (None, NaN, NA, NaT) as ""
    – a text like "nan" is a text."""
    import numpy as np
    import pandas as pd

    from atlas import mapdata

    texts = np.array(["Celle", None, "Aurich", "Celle", np.nan, "", pd.NA, "Aurich", "Ärzen", "<b>", pd.NaT, "nan"] * 3,
                     dtype=object)
    short = mapdata._table(texts)
    assert short == (["Celle", "", "Aurich", "Ärzen", "<b>", "nan"], [0, 1, 2, 0, 1, 1, 1, 2, 3, 4, 1, 5] * 3)
    assert len(texts) <= mapdata.SMALL_TABLE
    long = mapdata._table(np.concatenate([texts] * (mapdata.SMALL_TABLE // len(texts) + 1)))
    assert long[0] == short[0] and long[1][:len(texts)] == short[1]
