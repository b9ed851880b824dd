"""A visitor sends a form as the page loaded it: every GET form of every public page, found by walking the site's
own links (so a new page or form is covered without a new test), answers with its page – never a 400, never a
complaint about a choice the visitor left empty („alle Sprachen“); only the search, which needs words, asks for
them."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from helpers import form_data_set, html
from walk import TO_TYPE, get_forms, problems_on, public_pages

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = [pytest.mark.once, pytest.mark.usefixtures("seeded")]


def test_the_walk_finds_every_kind_of_public_page(client):
    pages = public_pages(client.get)
    for expected in ("/", "/region/leine-weser", "/in-der-naehe", "/suche", "/benachrichtigung", "/einreichen",
                     "/impressum", "/einbetten"):
        assert expected in pages, f"{expected} not reached from the start page: {sorted(pages)}"
    assert any(page.startswith("/projekt/") for page in pages)


def test_every_get_form_sent_as_loaded_answers_with_its_page(client):
    sent = 0
    for url in public_pages(client.get):
        page = html(client.get(url))
        for form, action in get_forms(page, url):
            params = form_data_set(form)
            if action in TO_TYPE:
                field, typed, asked = TO_TYPE[action]
                empty = client.get(action, query_string=params)
                assert empty.status_code == 400, f"form #{form.get('id')} of {url} sent empty to {action}"
                assert problems_on(html(empty)) == [asked], f"form #{form.get('id')} of {url}"
                params = [(name, typed if name == field else value) for name, value in params]
            answer = client.get(action, query_string=params)
            where = f"form #{form.get('id')} of {url} sent as loaded to {action}?{urlencode(params)}"
            assert answer.status_code == 200, f"{where}: HTTP {answer.status_code}"
            assert not problems_on(html(answer)), f"{where}: {problems_on(html(answer))}"
            sent += 1
    assert sent >= 8  # the filters of the maps, the search on each, the near search, the embed's filter …


@pytest.mark.parametrize("path", ["/?hf=sprache&sprache=&zielgruppe=&zeit=",
                                  "/region/leine-weser?hf=sprache&sprache=&zielgruppe=&zeit=&kostenlos=",
                                  "/in-der-naehe?ort=Hildesheim&umkreis=&sprache=&zielgruppe=&zeit=&lat=&lon=",
                                  "/suche?q=Netzwerk&ort=&umkreis=25&sprache=&zielgruppe=&zeit=",
                                  "/einbetten?sprache=&zielgruppe=&zeit=", "/?seite="])
def test_an_empty_choice_is_no_filter(client, path):
    answer = client.get(path)
    assert answer.status_code == 200
    assert not problems_on(html(answer))


def test_an_unknown_value_is_still_named(client):
    answer = client.get("/?sprache=xx")
    assert answer.status_code == 400
    assert "„xx“" in answer.get_data(as_text=True)
