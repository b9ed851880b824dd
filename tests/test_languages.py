"""Every newcomer can read it: nine languages, each complete; the reader's language from the link, a cookie or
the browser; no German UI word left on a page in another language; mails in the submitter's language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from helpers import html, submit

from atlas.i18n import LANGUAGES

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "atlas" / "translations"
OTHERS = [code for code in LANGUAGES if code != "de"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
# Words of the German interface that must not appear on a page in another language (project texts, marked
# lang="de", are the submitters' and stay as they are).
GERMAN_UI = ["Projekt einreichen", "Projekte", "Handlungsfeld", "Karte", "Benachrichtigung", "In der Nähe", "Bitte",
             "Straße", "Umkreis", "Ortsmitte", "Amt für regionale", "Landkreis", "Zum Inhalt", "Suchen", "Impressum",
             "Datenschutzerklärung", "Barrierefreiheit", "Kartenhintergrund", "Veröffentlicht", "Eingereicht"]


def messages_in_the_code(pot: Path) -> set:
    """What `make translations` would collect from the code and templates now."""
    subprocess.run([Path(sys.executable).parent / "pybabel", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "N_", "-k", "lazy", "-k", "plural:1,2", "--no-location", "-o", str(pot), str(ROOT)],
                   check=True, cwd=ROOT, capture_output=True)
    with pot.open("rb") as file:
        return {m.id for m in read_po(file) if m.id}


@pytest.fixture(scope="module")
def code_messages(tmp_path_factory):
    return messages_in_the_code(tmp_path_factory.mktemp("pot") / "messages.pot")


@pytest.mark.parametrize("code", OTHERS)
def test_every_message_is_translated_with_its_placeholders(code, code_messages):
    with (CATALOGUES / code / "LC_MESSAGES" / "messages.po").open("rb") as file:
        catalogue = read_po(file, locale=code)
    entries = {m.id: m for m in catalogue if m.id}
    assert code_messages <= set(entries), f"not in the {code} catalogue (make translations): " \
                                          f"{sorted(map(str, code_messages - set(entries)))[:5]}"
    for message in entries.values():
        assert not message.fuzzy, (code, message.id)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(f.strip() for f in forms), f"empty in {code}: {message.id!r}"
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        wanted = set(PLACEHOLDER.findall(source))
        for form in forms:
            optional = {"%(num)s"} if isinstance(message.id, tuple) else set()  # "ein Projekt", "مشروعان"
            missing = wanted - set(PLACEHOLDER.findall(form)) - optional
            assert not missing and set(PLACEHOLDER.findall(form)) <= wanted, (code, message.id, form)
        if isinstance(message.id, tuple):
            assert len(forms) == catalogue.num_plurals, (code, message.id)
    assert not list(catalogue.check()), f"{code}: Babel's checks fail"
    assert (CATALOGUES / code / "LC_MESSAGES" / "messages.mo").exists(), "compiled by make"


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    from helpers import make_app

    app = make_app(tmp_path_factory.mktemp("sprachen"), seeded=True)
    return app


def pages(app) -> list[str]:
    return ["/", "/region/leine-weser", "/region/weser-ems", "/projekt/1", "/einreichen", "/in-der-naehe",
            "/in-der-naehe?ort=Hildesheim&umkreis=25", "/in-der-naehe?ort=Bremen", "/in-der-naehe?ort=Xyzzy",
            "/benachrichtigung", "/impressum", "/datenschutz", "/barrierefreiheit", "/amt/anmelden",
            "/gibt-es-nicht", "/?hf=unbekannt", "/mein-projekt/falsch", "/suche?q=Gewerkepass&ort=Osnabr%C3%BCck",
            "/suche?q=Quantenphysik"]


@pytest.mark.parametrize("code", OTHERS)
def test_no_german_interface_word_on_any_page(reader, code):
    client = reader.test_client()
    for path in pages(reader):
        response = client.get(path + ("&" if "?" in path else "?") + f"lang={code}")
        page = html(response)
        assert page.html["lang"] == code and page.html["dir"] == LANGUAGES[code].direction, path
        for node in page.select("body [lang=de], script, style, nav.languages, .brand"):
            node.decompose()
        text = " ".join(page.get_text(" ").split())
        found = [word for word in GERMAN_UI if word in text]
        assert not found, f"{path} in {code} still says {found}: …{text[:300]}"


@pytest.mark.parametrize("code", ["uk", "ar", "fa"])
def test_every_radius_to_choose_is_written_in_the_readers_units(reader, code):
    """The alert form offered „5 км“, „5 كم“, while the start page's, the near search's and the search's forms
    offered „5 km“ in every language."""
    client = reader.test_client()
    alerts = html(client.get(f"/benachrichtigung?lang={code}"))
    written = [option.get_text() for option in alerts.select("select[name=umkreis] option")]
    assert len(written) == 4 and not any(text.endswith(" km") for text in written), written
    for path in ("/", "/in-der-naehe", "/in-der-naehe?ort=Hildesheim&umkreis=10", "/suche", "/suche?q=Gewerkepass"):
        page = html(client.get(path + ("&" if "?" in path else "?") + f"lang={code}"))
        offered = [option.get_text() for option in page.select("select[name=umkreis] option")]
        assert offered == written, f"{path}: {offered}"


@pytest.mark.parametrize(("code", "comma"), [("de", ", "), ("uk", ", "), ("ar", "، "), ("fa", "، "), ("ps", "، ")])
def test_a_projects_place_and_district_are_joined_by_the_readers_comma(reader, code, comma):
    """An Arabic, Farsi or Pashto reader saw „31134 Hildesheim, Landkreis Hildesheim“ with a Latin comma, as in
    German, where their language writes „،“ (as its catalogue does in „%(ort)s، …“ elsewhere)."""
    page = html(reader.test_client().get(f"/projekt/1?lang={code}"))
    kreis = page.select_one("#kreis")
    between = kreis.find_previous_sibling("bdi").next_sibling  # „31134 Hildesheim“ | between | „Landkreis …“
    assert between.next_sibling is kreis and " ".join(between.split()) + " " == comma, repr(between)
    start = html(reader.test_client().get(f"/in-der-naehe?ort=Hildesheim&lang={code}")).select_one("#ausgangspunkt")
    assert f"){comma}" in " ".join(start.get_text().split()), start.get_text()  # „um Hildesheim (…), Landkreis …“


def test_the_language_comes_from_the_link_then_the_cookie_then_the_browser(reader):
    client = reader.test_client()
    assert html(client.get("/", headers={"Accept-Language": "tr-TR,tr;q=0.9,en;q=0.5"})).html["lang"] == "tr"
    assert html(client.get("/", headers={"Accept-Language": "nl-NL, it;q=0.8"})).html["lang"] == "de"
    response = client.get("/?lang=uk", headers={"Accept-Language": "tr"})
    assert html(response).html["lang"] == "uk"
    assert "sprache=uk" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert html(client.get("/region/lueneburg", headers={"Accept-Language": "tr"})).html["lang"] == "uk"
    assert html(client.get("/?lang=xx")).html["lang"] == "uk", "an unknown language changes nothing"
    assert "Accept-Language" in client.get("/").headers["Vary"]


def test_the_link_names_the_language_by_its_first_lang_and_babel_gets_its_locale(reader):
    from babel import Locale
    from flask_babel import get_locale

    assert html(reader.test_client().get("/?lang=ar&lang=tr")).html["lang"] == "ar"
    none_named = reader.test_client().get("/?lang=&lang=tr", headers={"Accept-Language": "fa"})
    assert html(none_named).html["lang"] == "fa" and "Set-Cookie" not in none_named.headers, "an empty first names none"
    for code in LANGUAGES:
        with reader.test_request_context(f"/?lang={code}"):
            assert get_locale() == Locale.parse(code) and str(get_locale()) == code
    with reader.app_context():  # the mail sender: no request, German unless it forces another
        assert str(get_locale()) == "de"


def test_a_pages_vary_header_names_the_language_as_werkzeug_writes_it_each_time(reader):
    """The page's Vary after the language's hook (kept per header as the view sent it) is what werkzeug's
    vary.update makes of it, the first time and every time after."""
    from flask import Response

    keep_choice = next(f for f in reader.after_request_funcs[None] if f.__name__ == "keep_choice")
    for _ in range(2):
        for sent in (None, "Accept-Encoding", "Accept-Encoding, Cookie", "cookie, accept-language", "*", "X-A, X-B"):
            with reader.test_request_context("/"):
                ours, werkzeugs = (Response("<p>", mimetype="text/html") for _ in range(2))
                for response in (ours, werkzeugs):
                    if sent is not None:
                        response.headers["Vary"] = sent
                    response.headers["ETag"] = "after"
                keep_choice(ours)
                werkzeugs.vary.update(("Accept-Language", "Cookie"))
                assert list(ours.headers.items()) == list(werkzeugs.headers.items()), sent


@pytest.mark.parametrize("header, expected", [
    ("tr-TR,tr;q=0.9,en;q=0.5", "tr"), ("nl-NL, it;q=0.8", "de"), ("", "de"), ("*", "de"), ("en-GB", "en"),
    ("fa;q=0.1, ar;q=0.2", "ar"), ("ps, uk;q=1.0", "uk"), ("ru;q=0", "de"), ("x" * 300, "de"),
    ("fr-CA;q=0.5, de", "de"),
    ("UK", "uk"), ("ar-EG,ar;q=0.9,en-US;q=0.8,en;q=0.7", "ar"), (";;,,q=", "de")])
def test_a_browsers_language_is_werkzeugs_best_match_asked_or_kept(header, expected):
    """atlas.web.language.browser_language keeps the best match per header: the first answer and the kept one are
    werkzeug's best_match of the header, as the request's accept_languages finds it."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from atlas.web.language import browser_language
    from atlas.web.per_header import LONGEST

    werkzeugs = Request(EnvironBuilder(headers={"Accept-Language": header}).get_environ()).accept_languages.best_match(
        list(LANGUAGES), default="de")
    browser_language.kept.cache_clear()
    assert browser_language(header) == browser_language(header) == werkzeugs == expected, header
    kept = browser_language.kept.cache_info()
    assert (kept.currsize, kept.hits) == ((1, 1) if len(header) <= LONGEST else (0, 0)), "a long one not kept"


def test_the_kept_browser_languages_are_bounded():
    """However many distinct headers clients send, at most HEADERS answers are kept, and each is still right."""
    from atlas.web.language import browser_language
    from atlas.web.per_header import HEADERS

    for i in range(HEADERS + 50):
        assert browser_language(f"ar;q=0.{i % 9 + 1}, x-{i}") == "ar"
        assert browser_language.kept.cache_info().currsize <= HEADERS
    assert browser_language("tr") == "tr" and browser_language("tr") == "tr"
    before = browser_language.kept.cache_info()
    huge = "ar, " + ", ".join(f"x-{i};q=0.1" for i in range(50_000))  # no browser's: answered, never kept
    assert browser_language(huge) == "ar" and browser_language.kept.cache_info() == before


def test_every_page_offers_every_language_named_in_itself(reader):
    page = html(reader.test_client().get("/projekt/1?lang=ar"))
    links = {a["lang"]: a for a in page.select("nav.languages a")}
    assert [a.get_text() for a in links.values()] == [language.name for language in LANGUAGES.values()]
    assert links["ar"].has_attr("aria-current") and links["de"]["href"].endswith("lang=de")


def office_pages(app) -> list[str]:
    """Every page of the office that answers GET with HTML: a project's pages for project 1, its translation into
    Ukrainian (a language neither reader below reads)."""
    return [rule.rule.replace("<id:project_id>", "1").replace("<code>", "uk") for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/amt") and "GET" in rule.methods and not rule.rule.endswith((".csv", ".json"))
            and set(rule.arguments) <= {"project_id", "code"} and rule.endpoint not in ("office.login_code",
                                                                                        "office.export")]


@pytest.mark.parametrize("code", ["de", "ar"])
def test_every_page_of_the_public_and_the_office_speaks_the_readers_language_and_offers_every_other(reader, code):
    """A page's own words (a translation's language on the office's translation pages, the languages of a reason
    template) never take the place of the reader's: the page's language and direction, and its language menu."""
    from helpers import create_account, signed_in

    create_account(reader, f"admin-{code}@ml.example", "--admin")
    client = signed_in(reader, f"admin-{code}@ml.example")
    for path in pages(reader) + office_pages(reader):
        page = html(client.get(path, headers={"Accept-Language": code}, follow_redirects=True))
        assert (page.html.get("lang"), page.html.get("dir")) == (code, LANGUAGES[code].direction), path
        menu = page.select("nav.languages a")
        assert [a.get_text() for a in menu] == [language.name for language in LANGUAGES.values()], path
        assert [a["lang"] for a in menu if a.has_attr("aria-current")] == [code], path


def test_the_offer_languages_are_named_in_themselves_as_cldr_names_them():
    from babel import Locale

    from atlas.facts import AUTONYMS, language_name

    assert AUTONYMS == {code: Locale.parse(code).get_display_name(code) for code in AUTONYMS}
    assert language_name("ar", "de") == "العربية (Arabisch)" and language_name("de", "de") == "Deutsch"


def test_cached_pages_are_kept_per_language_and_hand_the_map_its_words(reader):
    client = reader.test_client()
    german, english = html(client.get("/?lang=de")), html(client.get("/?lang=en"))
    assert german.h1.get_text() != english.h1.get_text()
    assert html(client.get("/?lang=de")).h1.get_text() == german.h1.get_text()
    import json

    block = lambda page: json.loads(page.select_one("#atlas-data").get_text())  # noqa: E731
    assert block(german)["src"] == block(english)["src"], "one map-data body for every language"
    names = [field["label"] for field in block(english)["labels"]["fields"]]
    assert names[0] == "Language" and "Work & Training" in names


def test_mails_to_a_submitter_are_in_their_language(mail_app, smtp):
    from helpers import deliver, text_of

    services = mail_app.extensions["atlas"]
    project_id, _ = submit(mail_app, email="a@example.org")
    from atlas.projects import validate_project

    project, _ = validate_project({"name": "Sprachcafé", "ort": "Lamspringe", "email": "b@example.org",
                                   "handlungsfelder": "sprache"})
    services.store.submit(project, services.geocoder.geocode("Lamspringe").place, "ar")
    deliver(mail_app)
    [german] = smtp.to("a@example.org")
    [arabic] = smtp.to("b@example.org")
    assert german["Subject"].startswith("Eingangsbestätigung")
    assert arabic["Subject"].startswith("تأكيد الاستلام") and "مرحبًا" in text_of(arabic)
    assert 'lang="ar" dir="rtl"' in arabic.get_body(("html",)).get_content()


def test_a_page_that_writes_in_another_language_for_a_while_gets_that_language_then_its_own_again(reader):
    """A German file made on an Arabic page (atlas.i18n.speaking): the catalogue kept for the request is the one of
    the language being written, in Python and in templates, and the page's own again afterwards."""
    from flask import render_template_string

    from atlas.i18n import _, plural, speaking

    page = "{{ _('Projekt einreichen') }} {{ ngettext('%(num)s Projekt', '%(num)s Projekte', 1200) }}"
    with reader.test_request_context("/", headers={"Accept-Language": "ar"}):
        arabic = (_("Projekt einreichen"), render_template_string(page))
        with speaking("de"):
            assert _("Projekt einreichen") == "Projekt einreichen"
            assert plural("%(num)s Projekt", "%(num)s Projekte", 1200) == "1.200 Projekte"
            assert render_template_string(page) == "Projekt einreichen 1.200 Projekte"
            with speaking("fr"):
                assert render_template_string(page) == "Soumettre un projet 1\u202f200 projets"
            assert _("Projekt einreichen") == "Projekt einreichen"
        assert (_("Projekt einreichen"), render_template_string(page)) == arabic
        assert arabic[0] != "Projekt einreichen" and arabic[1].startswith(arabic[0])


def test_the_templates_messages_are_jinjas_whether_kept_or_not(reader):
    """The templates' `_` keeps what a message without values becomes (atlas.web.templating.messages_kept): the
    same text as Jinja's own gettext, asked once or again, with values, with "%%", escaped or not."""
    from flask import render_template_string

    page = ("{{ _('Suchen') }}|{{ _('Suchen')|e }}|{{ _('50 %% kostenlos') }}|{{ _('a < b & c') }}|"
            "{{ _('Seite %(page)s von %(pages)s', page='<1>', pages=2) }}")
    for code in ("de", "ar", "fr"):
        with reader.test_request_context("/", headers={"Accept-Language": code}):
            kept = reader.jinja_env.globals["_"]
            reader.jinja_env.globals["_"] = reader.jinja_env.globals["gettext"]  # Jinja's own, through its alias
            try:
                own = render_template_string(page)
            finally:
                reader.jinja_env.globals["_"] = kept
            assert render_template_string(page) == render_template_string(page) == own
            assert "50 % kostenlos|a < b & c|" in own and "&lt;1&gt;" in own  # the catalogue's text is markup
            text = "{% autoescape false %}{{ _('a < b') }} {{ _('a < b')|e }}{% endautoescape %}"  # as a mail's text
            assert render_template_string(text) == "a < b a &lt; b"


def test_the_browser_code_counts_in_each_language(reader):
    import json

    for code, expected in (("ru", {"one": "{n} проект", "few": "{n} проекта", "many": "{n} проектов"}),
                           ("ar", {"two": "مشروعان"})):
        page = html(reader.test_client().get(f"/?lang={code}"))
        words = json.loads(page.select_one("#atlas-text").get_text())
        assert expected.items() <= words["projects"].items(), words["projects"]


AUTOCOMPLETE = {"on", "off", "name", "email", "username", "current-password", "new-password", "street-address",
                "address-line1", "postal-code", "address-level1", "address-level2", "country", "tel", "url",
                "organization"}


@pytest.mark.parametrize("code", ["de", "ar"])
def test_pages_are_valid_html_without_duplicate_ids_and_with_valid_autocomplete(reader, code):
    client = reader.test_client()
    for path in pages(reader):
        page = html(client.get(path + ("&" if "?" in path else "?") + f"lang={code}"))
        ids = [node["id"] for node in page.select("[id]")]
        assert len(ids) == len(set(ids)), (path, sorted({i for i in ids if ids.count(i) > 1}))
        for node in page.select("[autocomplete]"):
            assert set(node["autocomplete"].split()) <= AUTOCOMPLETE and len(node["autocomplete"].split()) == 1, \
                (path, node)
        for label in page.select("label[for]"):
            assert page.find(id=label["for"]) is not None, (path, label)


def test_web_addresses_and_the_embed_code_read_left_to_right_on_an_arabic_page(tmp_path):
    """In a right-to-left page an address keeps its order („https://verein.de/“, not „/https://verein.de“), the
    code to embed reads as code, and the lists of choices lose their indent on the side they start."""
    from helpers import make_app

    from atlas.store import PUBLISHED

    app = make_app(tmp_path)
    project_id, _ = submit(app, ort="Hildesheim", website="https://verein.de/")
    app.extensions["atlas"].store.set_status(project_id, PUBLISHED, actor="test")
    client = app.test_client()
    page = html(client.get(f"/projekt/{project_id}?lang=ar"))
    assert page.html["dir"] == "rtl"
    assert page.find("a", string="https://verein.de/")["dir"] == "ltr"
    region = html(client.get("/region/leine-weser?lang=ar"))
    assert region.select_one("#einbetten-code")["dir"] == "ltr"
    css = (Path(__file__).parent.parent / "static" / "atlas.css").read_text()
    [choices] = re.findall(r"fieldset\.choices ul \{([^}]*)\}", css)
    assert "padding-inline-start: 0" in choices and "padding-left" not in choices


@pytest.mark.parametrize("km", [0.0, 0.04, 0.05, 0.15, 0.25, 0.35, 2.25, 2.45, 3.349999, 3.35, 12.0, 49.95, 1e-05,
                                7.049999999999999, 7.05, 24.999999999999996, 18.750000000000004])
def test_a_distance_is_rounded_as_babel_rounds_its_decimal(km):
    """Half to even on the decimal that str(km) writes – "0.15" is 0,2 km, although the float lies below 0.15."""
    from decimal import Decimal

    from atlas.i18n import TENTH, tenths

    assert tenths(km) == str(Decimal(str(km)).quantize(TENTH))


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_number_is_written_as_babels_format_decimal_writes_it(reader, code):
    """atlas.i18n.number parses its pattern and locale once: what it writes is still format_decimal's, in every
    language, for every number of decimals it is asked for."""
    from babel.numbers import format_decimal

    from atlas.i18n import number

    with reader.test_request_context("/", headers={"Accept-Language": code}):
        reader.preprocess_request()
        for value in (0, 1, 7, 1200, 1234567, -3, 12.5, 3.25, 0.123456, 52.314299):
            for decimals in (0, 1, 5):
                pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
                assert number(value, decimals) == format_decimal(value, format=pattern, locale=code)
