"""A Landkreis puts „its“ map on its own website: /einbetten in a frame of any site, with its filter, no cookie;
every other page still refuses to be framed. A real browser embeds it from another origin and clicks a marker."""

from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from conftest import served
from helpers import PAYLOADS, add_facts_projects, html, make_app, on_map
from playwright.sync_api import expect
from servers import LoopbackHttp


@pytest.fixture(scope="module")
def embed_app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("embed"))
    add_facts_projects(app)
    return app


def names(response) -> list[str]:
    return sorted(a.get_text(strip=True) for a in html(response).select(".embed-list a[lang=de]"))


def test_only_the_embedded_map_may_be_framed_by_other_sites(embed_app):
    client = embed_app.test_client()
    embedded = client.get("/einbetten?arl=leine-weser")
    assert embedded.status_code == 200 and "X-Frame-Options" not in embedded.headers
    assert "frame-ancestors *" in embedded.headers["Content-Security-Policy"]
    for url in ("/", "/region/leine-weser", "/projekt/1", "/einreichen", "/ogc?f=html"):
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url


def test_the_embedded_map_of_each_atlas_allows_its_own_tiles(embed_app, tmp_path):
    """Two atlases in one process (tests, or an operator's second site): the second's tile server is allowed on
    its embedded map too, not the first's policy kept on the view."""
    assert embed_app.test_client().get("/einbetten").status_code == 200  # the first (no tiles) answered it first
    with_tiles = make_app(tmp_path, TILES="osm").test_client()
    for url in ("/", "/einbetten"):
        policy = with_tiles.get(url).headers["Content-Security-Policy"]
        assert "img-src 'self' data: https://tile.openstreetmap.org" in policy, url


def test_the_embedded_map_sets_no_cookie_and_speaks_the_language_asked(embed_app):
    response = embed_app.test_client().get("/einbetten?lang=ar")
    assert "Set-Cookie" not in response.headers
    page = html(response)
    assert page.html["lang"] == "ar" and page.html["dir"] == "rtl"


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["Altes Projekt", "Frauentreff", "Jobberatung", "Sprachcafé Arabisch"]),
    ("hf=arbeit-ausbildung", ["Jobberatung"]),
    ("kostenlos=1&arl=leine-weser", ["Jobberatung", "Sprachcafé Arabisch"]),
    ("kreis=03254&sprache=fa", ["Frauentreff"]),
    ("kreis=03355", []),
    ("ort=Hildesheim&umkreis=5&zeit=woche", ["Frauentreff", "Sprachcafé Arabisch"]),
    ("arl=lueneburg", []),
])
def test_the_embedded_map_shows_its_filter_and_links_to_the_full_atlas(embed_app, query, expected):
    response = embed_app.test_client().get(f"/einbetten?{query}")
    assert names(response) == expected
    full = html(response).select_one(".embed-head a")
    assert full["target"] == "_blank" and full["href"].startswith(("/region/", "/in-der-naehe", "/"))


def test_an_embedded_map_around_a_place_lists_how_far_each_project_is(embed_app):
    client = embed_app.test_client()
    around = html(client.get("/einbetten?ort=Hildesheim&umkreis=5&zeit=woche"))
    assert [node.get_text() for node in around.select(".entfernung")] == ["0,0\xa0km", "0,0\xa0km"]
    assert html(client.get("/einbetten?kreis=03254")).select(".entfernung") == []  # a Kreis has no centre


def test_the_filter_form_keeps_the_language_of_the_page_however_it_was_chosen(embed_app):
    client = embed_app.test_client()
    client.get("/einbetten", headers={"Accept-Language": "de"})  # by the browser's language: kept for its readers
    asked = html(client.get("/einbetten?lang=de", headers={"Accept-Language": "en"}))
    assert asked.select_one("#filter input[name=lang]")["value"] == "de"
    by_browser = html(client.get("/einbetten", headers={"Accept-Language": "ar"}))
    assert by_browser.select_one("#filter input[name=lang]")["value"] == "ar"


def test_an_unknown_kreis_is_named_without_the_characters_that_turn_text_around(embed_app):
    response = embed_app.test_client().get("/einbetten?kreis=%E2%80%AE99999")
    assert response.status_code == 400 and "Unbekannter Kreis „99999“" in html(response).get_text()


def test_a_place_of_only_commas_asks_for_a_place(embed_app):
    response = embed_app.test_client().get("/einbetten?ort=,")
    assert response.status_code == 400
    assert "Bitte geben Sie einen Ort, eine Postleitzahl oder eine Adresse ein." in html(response).get_text()


@pytest.mark.parametrize("payload", PAYLOADS[:10])
def test_hostile_parameters_of_the_embedded_map_are_refused_as_text(embed_app, payload):
    for name in ("kreis", "arl", "sprache", "ort"):
        response = embed_app.test_client().get("/einbetten", query_string={name: payload})
        assert response.status_code == 400, name
        if any(c in payload for c in "<>\"'&"):  # without those, the payload is plain text wherever it stands
            assert payload not in response.get_data(as_text=True)


def map_data(response) -> dict:
    return json.loads(html(response).select_one("#atlas-data").get_text())


def test_an_embedded_map_of_the_state_or_a_district_shares_the_atlas_data_and_sets_no_cookie(embed_app):
    """The page stays small however many projects there are: the map fetches the versioned data the atlas's own
    maps use (one copy in the browser's cache); fetching it sets no language cookie in the other site's frame."""
    client = embed_app.test_client()
    for embedded, atlas in (("/einbetten?hf=sprache", "/"), ("/einbetten?arl=leine-weser&lang=ar",
                                                             "/region/leine-weser?lang=ar")):
        data = map_data(client.get(embedded))
        assert data == map_data(client.get(atlas)), embedded
        client.delete_cookie("sprache")
        response = client.get(data["src"])
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
        assert len(response.get_json()["id"]) == 4  # every project of the area; the browser applies the filter


def test_the_map_pages_offer_the_code_to_embed_their_view(embed_app):
    code = html(embed_app.test_client().get("/region/leine-weser?hf=sprache")).select_one("#einbetten-code")
    base = embed_app.config["BASE_URL"]  # the atlas's own address, never the Host of a request
    assert code.get_text().startswith(f'<iframe src="{base}/einbetten?arl=leine-weser&hf=sprache"')


@contextmanager
def framed_by_another_site(page, app, title: str, query: str):
    """The atlas served, and a page of another origin called `title` that frames `/einbetten?{query}`, opened."""
    with served(app) as atlas:
        body = (f'<!doctype html><html lang="de"><title>{title}</title><h1>Hilfe vor Ort</h1><iframe '
                f'src="{atlas}/einbetten?{query}" title="Karte" width="800" height="600"></iframe></html>').encode()
        # another origin: another loopback address, and another port
        site = LoopbackHttp(lambda path: (200, "text/html; charset=utf-8", body), host="127.0.0.2")
        try:
            page.goto(site.url + "/")
            yield page.frame_locator("iframe")
        finally:
            site.close()


@pytest.mark.browser
def test_a_landkreis_website_embeds_the_map_and_a_visitor_opens_a_project(page, embed_app):
    with framed_by_another_site(page, embed_app, "Landkreis Hildesheim", "kreis=03254&kostenlos=1") as frame:
        expect(frame.locator(".embed-head")).to_contain_text("2 Projekte")
        marker = frame.locator(".hf-marker[title=\"Sprachcafé Arabisch\"]")  # the markers lie on one spot
        marker.focus()
        page.keyboard.press("Enter")
        popup = frame.locator(".leaflet-popup-content")
        expect(popup).to_contain_text("kostenlos")
        assert popup.locator("a.popup-link").get_attribute("target") == "_blank"


@pytest.mark.browser
def test_a_visitor_filters_the_embedded_map_of_a_district_at_once(page, embed_app):
    with framed_by_another_site(page, embed_app, "ArL Leine-Weser", "arl=leine-weser") as frame:
        expect(frame.locator("#trefferzahl")).to_have_text("4 Projekte")
        frame.get_by_text("Filter", exact=True).click()
        frame.get_by_role("checkbox", name="Arbeit & Ausbildung").check()
        expect(frame.locator("#trefferzahl")).to_have_text("1 Projekt")
        frame.get_by_text("Projekte als Liste").click()
        link = frame.locator("#projektliste a")
        expect(link).to_have_text(["Jobberatung"])
        assert link.get_attribute("target") == "_blank"
        assert page.frames[-1].evaluate(f"{on_map('projects')}.shownCount()") == 1  # the map shows the same
        assert page.context.cookies() == []  # neither the page nor its data set a cookie in the frame
