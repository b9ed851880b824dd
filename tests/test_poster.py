"""A reception centre prints the poster of its Kreis; a newcomer scans its QR code and lands on the near search
there, in the language of the phone."""

from __future__ import annotations

import io
import re

import pytest
from conftest import served
from helpers import add_facts_projects, html, make_app
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def poster_app(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("poster"))
    add_facts_projects(app)
    return app


def test_the_poster_counts_the_projects_of_its_kreis_by_handlungsfeld(poster_app):
    page = html(poster_app.test_client().get("/aushang/03254"))
    assert page.select_one(".poster-area").get_text() == "Landkreis Hildesheim"
    counts = {row.th.get_text(" ", strip=True)[2:]: int(row.td.get_text()) for row in page.select(".poster-counts tr")}
    assert counts == {"Sprache": 3, "Arbeit & Ausbildung": 1, "Wohnen & Leben": 0, "Bürgerschaftliches Engagement": 0,
                      "Gesellschaftliche Teilhabe": 0}
    assert len(page.select(".poster-map circle")) == 4
    assert page.select_one(".poster-url").get_text().startswith("http://127.0.0.1:5000/in-der-naehe?lat=")


def test_a_district_has_its_poster_and_an_unknown_key_is_not_found(poster_app):
    client = poster_app.test_client()
    assert "Leine-Weser" in html(client.get("/aushang/leine-weser")).select_one(".poster-area").get_text()
    for key in ("99999", "<script>", "03254x" * 100):
        assert client.get(f"/aushang/{key}").status_code == 404


@pytest.mark.browser
def test_the_printed_poster_is_one_a4_page_whose_qr_code_opens_the_near_search(chromium, poster_app):
    import zxingcpp
    from PIL import Image

    context = chromium.new_context(locale="ar")  # the phone that scans speaks Arabic
    page = context.new_page()
    with served(poster_app) as url:
        poster_app.config["BASE_URL"] = url  # the public address the QR code names
        page.goto(url + "/aushang/03254")
        pdf = page.pdf(format="A4", print_background=True)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one A4 sheet
        page.emulate_media(media="print")
        shot = Image.open(io.BytesIO(page.locator("#qr svg").screenshot()))
        [code] = zxingcpp.read_barcodes(shot)
        assert code.text.startswith(url + "/in-der-naehe?lat=")
        page.goto(code.text)  # what the phone opens
        expect(page.locator("#ausgangspunkt")).to_contain_text("Hildesheim")
        assert page.locator("html").get_attribute("lang") == "ar"
        expect(page.locator("#treffer li")).to_have_count(4)
    context.close()
