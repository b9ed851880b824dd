"""A reception centre prints the poster of its Kreis; a newcomer scans its QR code and lands on the near search
there, in the language of the phone."""

from __future__ import annotations

import ctypes
import functools
import io
import re
import subprocess

import pytest
from conftest import served
from helpers import add_facts_projects, html, make_app
from playwright.sync_api import expect

from atlas.i18n import LANGUAGES


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
    assert len(page.select(".poster-map circle")) == 1  # all four at the same place: one dot
    assert page.select_one(".poster-url").get_text().startswith("http://127.0.0.1:5000/in-der-naehe?lat=")


def test_a_poster_draws_a_dot_near_every_project_and_stays_small_however_many_there_are(poster_app, monkeypatch):
    """3,000 projects around Hildesheim: every one lies within half a grid cell's diagonal of a drawn dot, every dot
    stands for projects, and dots that would cover each other (a dot's radius is 4) are drawn once."""
    import numpy as np
    import pandas as pd
    from scipy.spatial import cKDTree

    from atlas import poster

    regions = poster_app.extensions["atlas"].regions
    area = regions.kreise_karte[regions.kreise_karte.rs == "03254"]
    rng = np.random.default_rng(3)
    projects = pd.DataFrame({"lat": 52.15 + rng.uniform(-0.02, 0.02, 3000),
                             "lon": 9.95 + rng.uniform(-0.03, 0.03, 3000)})

    def dots(grid: float) -> np.ndarray:
        monkeypatch.setattr(poster, "DOT_GRID", grid)
        svg = poster.area_svg(area, projects)
        return np.array([[float(x), float(y)] for x, y in re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', svg)])

    grid = poster.DOT_GRID
    exact, drawn = dots(0.001), dots(grid)
    assert len(exact) == 3000 and len(drawn) == len({(x // grid, y // grid) for x, y in drawn.tolist()}) < 500
    reach = grid * 2**0.5 / 2 + 1e-6
    assert cKDTree(drawn).query(exact)[0].max() <= reach  # every project near a dot
    assert cKDTree(exact).query(drawn)[0].max() <= reach  # no dot where no project is


def test_a_district_has_its_poster_and_an_unknown_key_is_not_found(poster_app):
    client = poster_app.test_client()
    assert "Leine-Weser" in html(client.get("/aushang/leine-weser")).select_one(".poster-area").get_text()
    for key in ("99999", "<script>", "03254x" * 100):
        assert client.get(f"/aushang/{key}").status_code == 404
        assert client.get(f"/aushang/{key}.pdf").status_code == 404


def read_pdf(body: bytes):
    """The PDF's pages: (width and height in points, text, image at 150 dpi)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(body)
    return [(tuple(round(side) for side in page.get_size()), page.get_textpage().get_text_range(),
             page.render(scale=150 / 72).to_pil()) for page in document]


def test_a_kept_poster_links_its_languages_without_the_query_of_whoever_asked_first(poster_app):
    """The poster is kept per Kreis and language: a query it does not know must not be written into everyone's copy."""
    first = poster_app.test_client().get("/aushang/03241?werbung=<b>hier</b>&lang=uk")  # no other test asks it
    assert first.status_code == 200
    again = html(poster_app.test_client().get("/aushang/03241?lang=uk"))
    links = {a["lang"]: a["href"] for a in again.select("nav.languages a")}
    assert links["ar"] == "?lang=ar", links


@pytest.mark.once  # the PDF drawn from the page: the same on either database
def test_the_poster_as_pdf_is_one_a4_page_whose_qr_code_opens_the_near_search_in_the_language_asked(poster_app):
    import zxingcpp

    client = poster_app.test_client()
    poster = html(client.get("/aushang/03254?lang=ar"))
    link = poster.select_one("a#pdf")["href"]
    response = client.get(link)
    assert response.mimetype == "application/pdf" and "Set-Cookie" not in response.headers
    assert response.headers["Content-Disposition"] == 'inline; filename="aushang-03254.pdf"'
    [(size, text, image)] = read_pdf(response.data)
    assert size == (595, 842)  # A4
    assert "مساعدة ولقاءات بالقرب منك" in text and "Hildesheim" in text  # the Arabic poster, not the German
    [code] = zxingcpp.read_barcodes(image)
    assert code.text == poster.select_one(".poster-url").get_text()
    assert client.get(link, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304  # made once


@pytest.mark.once  # the PDF drawn from the page: the same on either database
def test_the_pdf_of_a_district_counts_as_its_page_does(poster_app):
    client = poster_app.test_client()
    [(_, text, _)] = read_pdf(client.get("/aushang/leine-weser.pdf").data)
    page = html(client.get("/aushang/leine-weser"))
    for row in page.select(".poster-counts tr"):
        assert f"{row.th.get_text(' ', strip=True)[2:]} {row.td.get_text()}" in " ".join(text.split())


@pytest.mark.once  # the PDF drawn from the page: the same on either database
def test_making_a_pdf_fetches_nothing_but_the_sites_own_files(poster_app, nominatim):
    from atlas.web.pdf import render_pdf

    with poster_app.test_request_context("/aushang/03254.pdf"):  # another server listens, and records any request
        body = render_pdf(f'<link rel="stylesheet" href="{nominatim.url}/search?q=spy">'
                          f'<img src="file:///etc/passwd"><img src="{nominatim.url}/search?q=pixel">'
                          f'<link rel="stylesheet" href="/static/../../etc/passwd">'
                          f'<link rel="stylesheet" href="/static/atlas.css"><h1 class="poster">Aushang</h1>')
    [(_, text, _)] = read_pdf(body)
    assert text.strip() == "Aushang"
    assert nominatim.requests == []


@pytest.mark.browser
def test_the_printed_poster_is_one_a4_page_whose_qr_code_opens_the_near_search(chromium, tmp_path):
    import zxingcpp
    from PIL import Image

    context = chromium.new_context(locale="ar")  # the phone that scans speaks Arabic
    page = context.new_page()
    poster_app = make_app(tmp_path)  # its own: the public address is set before any poster is made
    add_facts_projects(poster_app)
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


def installed_fonts() -> dict[str, str]:
    """Every installed font's full name, squeezed („dejavusansbold“), to its file, as fontconfig lists them."""
    listing = subprocess.run(["fc-list", ":", "fullname", "file"], capture_output=True, text=True, check=True).stdout
    fonts = {}
    for line in listing.splitlines():
        path, _, names = line.partition(": :fullname=")
        for name in names.split(","):
            fonts.setdefault(re.sub(r"[^a-z0-9]", "", name.lower()), path)
    return fonts


def glyphs_by_font(body: bytes) -> dict[str, set[str]]:
    """The characters of a PDF's first page by the font each is drawn in (the subset prefix dropped)."""
    import pypdfium2
    import pypdfium2.raw as pdfium

    text = pypdfium2.PdfDocument(body)[0].get_textpage()
    found: dict[str, set[str]] = {}
    for index in range(pdfium.FPDFText_CountChars(text)):
        character = chr(pdfium.FPDFText_GetUnicode(text, index))
        name = ctypes.create_string_buffer(256)
        if character.isspace() or not pdfium.FPDFText_GetFontInfo(text, index, name, 256, None):
            continue
        found.setdefault(name.value.decode().partition("+")[2], set()).add(character)
    return found


@functools.cache
def characters_of(path: str) -> frozenset[int]:
    """The code points a font file has glyphs for (its first font, where the file holds several)."""
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, fontNumber=0).getBestCmap())


def assert_every_glyph_exists(body: bytes, code: str) -> None:
    fonts = installed_fonts()
    for font, characters in glyphs_by_font(body).items():
        path = fonts[re.sub(r"[^a-z0-9]", "", font.lower())]
        missing = {c for c in characters if ord(c) not in characters_of(path)}
        assert not missing, f"{code}: {font} ({path}) has no glyph for {sorted(missing)}"


@pytest.mark.once  # the PDF drawn from the page: the same on either database
@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_letter_of_the_poster_is_drawn_by_a_font_that_has_it(poster_app, code):
    """Pashto's ۍ or ښ in a font without them would print as empty boxes: each character's font must hold it."""
    assert_every_glyph_exists(poster_app.test_client().get(f"/aushang/03254.pdf?lang={code}").data, code)


@pytest.mark.once  # the PDF drawn from the page: the same on either database
def test_pashtos_own_letters_print(poster_app):
    """ۍ (in „کټګورۍ“) is in no DejaVu font: `make pango` installs one that has it, and the check above sees it."""
    from atlas.web.pdf import render_pdf

    with poster_app.test_request_context("/aushang/03254.pdf"):
        body = render_pdf('<p lang="ps" dir="rtl">د کټګورۍ ښار</p>')
    assert_every_glyph_exists(body, "ps")
