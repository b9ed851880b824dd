"""Project texts in the reader's language: the states of a translation (by a person, by a machine, outdated), what
the reader gets on the project page and in lists, the forms that take translations, the office's review and
translation view, XLIFF 2.0 round trips, search by translated words, and the summary in area alerts."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
from helpers import create_account, csrf_token, form_values, html, signed_in, submit

from atlas.projects import validate_project
from atlas.store import PUBLISHED
from atlas.texts import MACHINE, shown
from atlas.xliff import export, read

OFFICE = "leine-weser@arl.example"
ARABIC_SUMMARY = "مقهى اللغة لتعلم الألمانية"
ARABIC_DESCRIPTION = "نلتقي كل يوم اثنين لتعلم اللغة الألمانية معا."


def published(app, **fields) -> int:
    fields = {"description": "Wir treffen uns jeden Montag und lernen gemeinsam Deutsch.",
              "summary": "Deutsch lernen beim Kaffee", **fields}
    project_id, _link = submit(app, **fields)
    app.extensions["atlas"].store.set_status(project_id, PUBLISHED, actor=OFFICE)
    return project_id


def office_client(app, email=OFFICE, *options):
    create_account(app, email, *(options or ("--arl", "leine-weser")))
    return signed_in(app, email)


def edit_german(app, project_id, **changes):
    services = app.extensions["atlas"]
    row = services.store.get(project_id)
    project, errors = validate_project(dict(row, **changes))
    assert not errors, errors
    services.store.update(project_id, project, services.geocoder.geocode(row["ort"]).place, actor=OFFICE)


def test_a_submitter_s_translation_is_current_until_the_german_text_changes(app):
    project_id = published(app, summary_ar=ARABIC_SUMMARY, description_ar=ARABIC_DESCRIPTION)
    store = app.extensions["atlas"].store
    row = store.get(project_id)
    [description, summary] = sorted(store.translations(project_id), key=lambda t: t.field)
    assert (summary.origin, summary.text, summary.current(row)) == ("submitter", ARABIC_SUMMARY, True)
    assert shown(row, [summary], "ar", "summary").translated
    assert not shown(row, [summary], "fa", "summary").translated, "Persian readers get the German text"
    edit_german(app, project_id, summary="Deutsch lernen bei Kaffee und Kuchen")
    row = store.get(project_id)
    summary = next(t for t in store.translations(project_id) if t.field == "summary")
    assert not summary.current(row)
    outdated = shown(row, [summary], "ar", "summary")
    assert (outdated.text, outdated.lang, outdated.outdated) == ("Deutsch lernen bei Kaffee und Kuchen", "de", True)
    assert next(t for t in store.translations(project_id) if t.field == "description").current(row), \
        "the description did not change"


def test_the_project_page_shows_the_reader_s_language_with_lang_dir_and_the_original(app):
    project_id = published(app, summary_ar=ARABIC_SUMMARY, description_ar=ARABIC_DESCRIPTION)
    client = app.test_client()
    page = html(client.get(f"/projekt/{project_id}?lang=ar"))
    description = page.select_one("#beschreibung")
    assert description.get_text() == ARABIC_DESCRIPTION
    assert (description["lang"], description["dir"]) == ("ar", "rtl")
    assert page.select_one("#kurzbeschreibung").get_text() == ARABIC_SUMMARY
    original = description.find_next("details", class_="original")
    assert original.summary.get_text() == "عرض النص الأصلي (بالألمانية)" or original.summary.get_text()
    assert original.p["lang"] == "de" and "lernen gemeinsam Deutsch" in original.p.get_text()
    assert page.select_one(".machine-mark") is None, "a person translated it"
    german = html(client.get(f"/projekt/{project_id}?lang=de"))
    assert german.select_one("#beschreibung")["lang"] == "de" and german.select_one("details.original") is None


def test_a_machine_translation_is_marked_and_an_outdated_one_is_not_shown(app):
    project_id = published(app)
    store = app.extensions["atlas"].store
    from atlas.store import texts as stored_texts

    with store.change(project_id) as unit:
        stored_texts.apply(unit.db, unit.row, {"description:ps": "موږ هره دوشنبه ګډ الماني زده کوو."}, MACHINE,
                           "LibreTranslate (test)", unit.now, engine="libretranslate")
        unit.renew_public()
    client = app.test_client()
    page = html(client.get(f"/projekt/{project_id}?lang=ps"))
    assert page.select_one("#beschreibung")["lang"] == "ps" and page.select_one("#beschreibung")["dir"] == "rtl"
    assert page.select_one(".machine-mark") is not None
    edit_german(app, project_id, description="Wir treffen uns jeden Dienstag.")
    page = html(client.get(f"/projekt/{project_id}?lang=ps"))
    assert page.select_one("#beschreibung").get_text() == "Wir treffen uns jeden Dienstag."
    assert page.select_one("#beschreibung")["lang"] == "de"
    assert page.select_one(".translation-note.outdated") is not None
    assert page.select_one(".machine-mark") is None


def test_lists_and_the_map_data_carry_the_summary_in_the_reader_s_language(app):
    project_id = published(app, summary_ar=ARABIC_SUMMARY)
    client = app.test_client()
    item = html(client.get("/region/leine-weser?lang=ar")).select_one(".projekt-summary")
    assert item.span.get_text() == ARABIC_SUMMARY and item.span["lang"] == "ar" and item.span["dir"] == "rtl"
    block = json.loads(html(client.get("/region/leine-weser?lang=ar")).select_one("#atlas-data").get_text())
    data, summaries = client.get(block["src"]).get_json(), client.get(block["summaries"]).get_json()
    i = data["id"].index(project_id)  # the summaries follow the data's order, in the reader's language
    assert summaries["summaries"][summaries["summary_index"][i]] == {
        "text": ARABIC_SUMMARY, "lang": "ar", "dir": "rtl", "machine": False, "translated": True, "outdated": False,
        "original": "Deutsch lernen beim Kaffee"}
    german = client.get("/karte/kurztexte.json?arl=leine-weser&lang=de").get_json()
    summary = german["summaries"][german["summary_index"][i]]
    assert (summary["text"], summary["lang"], summary["translated"]) == ("Deutsch lernen beim Kaffee", "de", False)


def test_a_near_search_asks_for_its_projects_translations_once_for_its_items_and_its_map(app, monkeypatch):
    project_id = published(app, summary_ar=ARABIC_SUMMARY)
    store = app.extensions["atlas"].store
    place = store.get(project_id)
    asked = []
    real = type(store).translations_of
    monkeypatch.setattr(type(store), "translations_of", lambda self, ids: asked.append(list(ids)) or real(self, ids))
    page = html(app.test_client().get(f"/in-der-naehe?lat={place['lat']:.5f}&lon={place['lon']:.5f}&lang=ar"))
    item = page.select_one("#treffer .projekt-summary")
    assert item.span.get_text() == ARABIC_SUMMARY and item.span["lang"] == "ar"
    data = json.loads(page.select_one("#atlas-data").get_text())
    i = data["id"].index(project_id)
    assert data["summaries"][data["summary_index"][i]]["text"] == ARABIC_SUMMARY
    assert len(asked) == 1 and project_id in asked[0]
    asked.clear()
    with app.app_context():  # as the background's mails are made: one app context, many requests
        for _ in range(2):
            app.test_client().get(f"/in-der-naehe?lat={place['lat']:.5f}&lon={place['lon']:.5f}&lang=ar")
    assert len(asked) == 2  # each request asks anew: a translation changed meanwhile is not missed


def test_the_submission_form_takes_translations_and_names_what_is_too_long(app):
    client = app.test_client()
    page = html(client.get("/einreichen"))
    assert page.select_one("details#uebersetzungen textarea[name=description_ar]")["dir"] == "rtl"
    assert page.select_one("input[name=summary_ps]")["lang"] == "ps"
    values = form_values(page, "einreichen")
    values.update(name="Nähcafé", ort="Hildesheim", handlungsfelder="sprache", consent="y",
                  summary="Gemeinsam nähen", summary_ar="الخياطة معا", description_ar="x" * 2001)
    answer = client.post("/einreichen", data=values)
    assert answer.status_code == 400
    answered = html(answer)
    assert answered.select_one("#description_ar-fehler") is not None
    assert answered.select_one("details#uebersetzungen").has_attr("open")
    assert answered.select_one("input[name=summary_ar]")["value"] == "الخياطة معا"


def test_a_translation_without_its_german_text_is_named_at_the_german_field_and_kept(app):
    client = app.test_client()
    values = form_values(html(client.get("/einreichen")), "einreichen")
    values.update(name="Nähcafé", ort="Hildesheim", handlungsfelder="sprache", consent="y", description="",
                  description_ar=ARABIC_DESCRIPTION)
    answer = client.post("/einreichen", data=values)
    assert answer.status_code == 400, "not silently dropped"
    answered = html(answer)
    assert answered.select_one("#description-fehler").get_text() == (
        "Bitte geben Sie die Beschreibung auch auf Deutsch an: Die Übersetzungen gehören zu ihr.")
    assert answered.select_one("textarea[name=description_ar]").get_text().strip() == ARABIC_DESCRIPTION
    assert app.extensions["atlas"].store.rows() == []


def test_the_office_is_told_to_write_the_german_text_before_its_translation(app):
    project_id = published(app, summary="")
    client = office_client(app)
    values = dict(form_values(html(client.get(f"/amt/uebersetzungen/{project_id}/ar")), "uebersetzung"),
                  summary=ARABIC_SUMMARY)
    answer = client.post(f"/amt/uebersetzungen/{project_id}/ar", data=values)
    assert answer.status_code == 400
    page = html(answer)
    assert "gespeichert" not in page.get_text()
    assert page.select_one("#summary-fehler").get_text() == (
        "Es gibt keine deutsche Kurzbeschreibung, zu der diese Übersetzung gehören kann: Bitte tragen Sie sie zuerst "
        "unter „Bearbeiten“ ein. Ihre Übersetzung ist hier erhalten.")
    assert page.select_one("input[name=summary]")["value"] == ARABIC_SUMMARY
    assert app.extensions["atlas"].store.translations(project_id) == []


def test_an_office_edit_records_translations_field_by_field(app):
    project_id = published(app)
    client = office_client(app)
    page = html(client.get(f"/amt/projekt/{project_id}/bearbeiten"))
    values = form_values(page, "bearbeiten")
    values["summary_ar"] = ARABIC_SUMMARY
    values["handlungsfelder"] = "sprache"
    assert client.post(f"/amt/projekt/{project_id}/bearbeiten", data=values).status_code == 302
    store = app.extensions["atlas"].store
    [summary] = store.translations(project_id)
    assert (summary.origin, summary.made_by) == ("office", OFFICE)
    entry = html(client.get(f"/amt/projekt/{project_id}")).select("#verlauf li")[-1].get_text(" ", strip=True)
    assert "Kurzbeschreibung (العربية)" in entry and ARABIC_SUMMARY in entry


def test_a_submitter_proposes_a_translation_and_the_office_sees_it_before_taking_it(app):
    project_id, token = submit(app, summary="Deutsch lernen beim Kaffee")
    store = app.extensions["atlas"].store
    store.set_status(project_id, PUBLISHED, actor=OFFICE)
    submitter = app.test_client()
    page = html(submitter.get(f"/mein-projekt/{token}/aendern"))
    values = form_values(page, "vorschlagen")
    values.update(handlungsfelder="sprache", summary_fr="Apprendre l’allemand autour d’un café")
    assert submitter.post(f"/mein-projekt/{token}/aendern", data=values).status_code == 302
    assert store.translations(project_id) == [], "published only once the office takes it"
    client = office_client(app)
    page = html(client.get(f"/amt/projekt/{project_id}"))
    rows = [r.get_text(" ", strip=True) for r in page.select("#vorschlag tbody tr")]
    assert any("Kurzbeschreibung (Français)" in r and "Apprendre" in r for r in rows), rows
    form = page.select_one("#vorschlag-entscheiden")
    client.post(form["action"], data={"csrf_token": csrf_token(client.get(f"/amt/projekt/{project_id}")),
                                      "version": form.select_one("input[name=version]")["value"],
                                      "entscheidung": "uebernehmen"})
    [french] = store.translations(project_id)
    assert (french.language, french.origin) == ("fr", "submitter")


def test_the_translation_view_lists_what_is_missing_and_saves_side_by_side(app):
    first = published(app, summary_ar=ARABIC_SUMMARY, description_ar=ARABIC_DESCRIPTION)
    second = published(app, name="Hausaufgabenhilfe Alfeld", ort="Alfeld")
    client = office_client(app)
    page = html(client.get("/amt/uebersetzungen/?sprache=ar"))
    listed = [row["id"] for row in page.select("#uebersetzungen-liste tbody tr[id]")]
    assert listed == [f"projekt-{second}"], "only what is missing or outdated"
    every = html(client.get("/amt/uebersetzungen/?sprache=ar&alle=1"))
    assert {row["id"] for row in every.select("#uebersetzungen-liste tbody tr[id]")} == {f"projekt-{first}",
                                                                                         f"projekt-{second}"}
    side = html(client.get(f"/amt/uebersetzungen/{second}/ar"))
    assert side.select_one("#feld-description p[lang=de]").get_text() == \
        "Wir treffen uns jeden Montag und lernen gemeinsam Deutsch."
    values = form_values(side, "uebersetzung")
    values.update(summary="تعلم الألمانية", description=ARABIC_DESCRIPTION)
    assert client.post(f"/amt/uebersetzungen/{second}/ar", data=values).status_code == 302
    stale = client.post(f"/amt/uebersetzungen/{second}/ar", data=values)
    assert stale.status_code == 400 and "geändert" in html(stale).select_one("#fehler").get_text()
    assert {t.origin for t in app.extensions["atlas"].store.translations(second)} == {"office"}
    assert client.get(f"/amt/uebersetzungen/{second}/xx").status_code == 404
    other = office_client(app, "weser-ems@arl.example", "--arl", "weser-ems")
    assert other.get(f"/amt/uebersetzungen/{second}/ar").status_code == 403


def test_an_xliff_round_trip_brings_an_agency_s_translation_back(app):
    first = published(app, summary_ar=ARABIC_SUMMARY)
    second = published(app, name="Hausaufgabenhilfe Alfeld", ort="Alfeld", summary="")
    client = office_client(app)
    page = client.get("/amt/uebersetzungen/?sprache=ar&alle=1")
    answer = client.post("/amt/uebersetzungen/xliff", data={"csrf_token": csrf_token(page), "sprache": "ar",
                                                           "projekt": [str(first), str(second)]})
    assert answer.status_code == 200 and answer.mimetype == "application/xliff+xml"
    body = answer.get_data()
    assert b'version="2.0"' in body and b'srcLang="de"' in body and b'trgLang="ar"' in body
    from lxml import etree

    tree = etree.fromstring(body)
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    units = {u.get("id"): u for u in tree.iterfind(".//x:unit", ns)}
    assert set(units) == {f"GS-{first:06d}.summary", f"GS-{first:06d}.description", f"GS-{second:06d}.description"}
    assert units[f"GS-{first:06d}.summary"].find("x:segment", ns).get("state") == "translated"
    assert units[f"GS-{first:06d}.summary"][0].tag.endswith("notes"), "notes first in the unit, as XLIFF 2.0 wants"
    for unit_id in (f"GS-{first:06d}.description", f"GS-{second:06d}.description"):  # the agency translates
        segment = units[unit_id].find("x:segment", ns)
        target = etree.SubElement(segment, "{urn:oasis:names:tc:xliff:document:2.0}target")
        target.text = f"ترجمة {unit_id} <b>&amp;</b>"
    returned = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    edit_german(app, second, description="Neuer Text seit dem Export.")
    page = client.get("/amt/uebersetzungen/")
    done = client.post("/amt/uebersetzungen/xliff-einlesen", follow_redirects=True, data={
        "csrf_token": csrf_token(page), "datei": (io.BytesIO(returned), "zurueck.xlf")},
        content_type="multipart/form-data")
    notices = [n.get_text() for n in html(done).select(".notice")]
    assert any("2 Übersetzungen übernommen" in n for n in notices), notices
    assert any(f"GS-{second:06d}" in n and "seit dem Export geändert" in n for n in notices), notices
    store = app.extensions["atlas"].store
    texts = {(t.field, t.language): t for t in store.translations(first)}
    assert texts[("description", "ar")].text == f"ترجمة GS-{first:06d}.description <b>&amp;</b>", "text, not markup"
    assert texts[("description", "ar")].origin == "office"
    assert texts[("summary", "ar")].text == ARABIC_SUMMARY
    assert not [t for t in store.translations(second) if t.field == "description"]


def test_a_german_text_changed_while_the_agency_s_file_is_read_in_keeps_its_translation_out(app, monkeypatch):
    project_id = published(app)
    client = office_client(app)
    store = app.extensions["atlas"].store
    answer = client.post("/amt/uebersetzungen/xliff", data={
        "csrf_token": csrf_token(client.get("/amt/uebersetzungen/")), "sprache": "ar", "projekt": [str(project_id)]})
    returned = answer.get_data().replace(b"</source>", b"</source><target>" + ARABIC_DESCRIPTION.encode() +
                                         b"</target>")
    write = type(store).set_translations

    def colleague_edits_first(self, *args, **kwargs):  # a colleague saves the project between check and write
        edit_german(app, project_id, description="Das Angebot ist beendet.")
        return write(self, *args, **kwargs)

    monkeypatch.setattr(type(store), "set_translations", colleague_edits_first)
    done = client.post("/amt/uebersetzungen/xliff-einlesen", follow_redirects=True, data={
        "csrf_token": csrf_token(client.get("/amt/uebersetzungen/")), "datei": (io.BytesIO(returned), "z.xlf")},
        content_type="multipart/form-data")
    notices = [n.get_text() for n in html(done).select(".notice")]
    assert "0 Übersetzungen übernommen." in notices
    assert (f"GS-{project_id:06d}: Das Projekt wurde während des Einlesens geändert; keine seiner Übersetzungen wurde "
            "übernommen. Bitte prüfen Sie es und lesen Sie die Datei dann erneut ein.") in notices
    assert store.translations(project_id) == [], "no translation vouches for a German text it never saw"


@pytest.mark.once
def test_xliff_that_is_hostile_or_no_xliff_reads_as_problems_never_as_texts():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
            b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" '
            b'version="2.0" srcLang="de" trgLang="ar"><file id="f"><unit id="GS-000001.summary"><segment>'
            b'<source>x</source><target>&c;</target></segment></unit></file></xliff>')
    assert read(bomb).texts == {} or all(len(t) < 100 for e in read(bomb).texts.values() for _s, t in e.values())
    external = bomb.replace(b'<!ENTITY a "aaaaaaaaaa">', b'<!ENTITY a SYSTEM "file:///etc/passwd">')
    assert "root:" not in str(read(external).texts)
    assert read(b"kein xml").problems and read(b"kein xml").texts == {}
    xliff12 = b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file/></xliff>'
    assert read(xliff12).problems
    wrong = export([{"id": 1, "name": "A", "summary": "Hallo", "description": ""}], {}, "ar").replace(
        b'srcLang="de"', b'srcLang="en"')
    assert read(wrong).problems and not read(wrong).texts
    unknown = export([{"id": 1, "name": "A", "summary": "Hallo", "description": ""}], {}, "ar").replace(
        b"GS-000001.summary", b"javascript:alert(1)")
    assert read(unknown).problems == ["Unbekannte Einheit „javascript:alert(1)“."]


def test_an_arabic_query_on_an_arabic_page_finds_the_arabic_translation_first(app):
    translated = published(app, summary_ar=ARABIC_SUMMARY, description_ar=ARABIC_DESCRIPTION)
    persian = published(app, name="Sprachtreff Alfeld", ort="Alfeld", description_fa="مقهى اللغة الألمانية")
    published(app, name="Fahrradwerkstatt", ort="Hildesheim", description="Wir reparieren Fahrräder.", summary="")
    searcher = app.extensions["atlas"].searcher
    assert searcher.search("مقهى اللغة", language="ar").ids == [translated, persian]
    assert searcher.search("مقهى اللغة", language="fa").ids == [persian, translated]
    page = html(app.test_client().get("/suche?q=%D9%85%D9%82%D9%87%D9%89&lang=ar"))
    assert [a["href"] for a in page.select("#treffer a.projekt-name")] == [f"/projekt/{translated}",
                                                                           f"/projekt/{persian}"]
    edit_german(app, translated, description="Ganz neuer Text.", summary="Neu")
    assert searcher.search("مقهى اللغة", language="ar").ids == [persian], "an outdated translation is not found"


def test_around_a_place_the_reader_s_language_comes_first_too(app):
    """In a circle the matches are ordered in Python (atlas.search._by_rank) as the database orders them elsewhere:
    the translation into the reader's language first, whichever language that is."""
    from atlas.search import Area

    translated = published(app, summary_ar=ARABIC_SUMMARY, description_ar=ARABIC_DESCRIPTION)
    persian = published(app, name="Sprachtreff Alfeld", ort="Alfeld", description_fa="مقهى اللغة الألمانية")
    services = app.extensions["atlas"]
    place = services.geocoder.geocode("Hildesheim").place
    around = Area(place.lat, place.lon, 50)
    assert services.searcher.search("مقهى اللغة", area=around, language="ar").ids == [translated, persian]
    assert services.searcher.search("مقهى اللغة", area=around, language="fa").ids == [persian, translated]


def test_an_area_alert_names_the_summary_in_the_subscriber_s_language(mail_app, smtp):
    from helpers import deliver, text_of

    from atlas.alerts import Request, send_digests, subscribe

    services = mail_app.extensions["atlas"]
    place = services.geocoder.geocode("Hildesheim").place
    subscription_id, _mailed = subscribe(services.store, Request("leserin@example.org", place, 25, [], "daily",
                                                                 "ar"))
    with services.store.write() as db:
        from sqlalchemy import update

        from atlas.schema import subscriptions

        db.execute(update(subscriptions).where(subscriptions.c.id == subscription_id).values(
            confirmed_at=datetime.now(UTC) - timedelta(days=2), digest_at=datetime.now(UTC) - timedelta(days=2)))
    published(mail_app, ort="Hildesheim", summary_ar=ARABIC_SUMMARY)
    published(mail_app, name="Nähcafé", ort="Hildesheim", summary="Gemeinsam nähen")
    assert send_digests(services.store) == 1
    deliver(mail_app)
    [digest] = [m for m in smtp.to("leserin@example.org") if "leserin" in m["To"] and m.get_body(("plain",))
                and "Lamspringe" not in m["Subject"]][-1:]
    text = text_of(digest)
    assert ARABIC_SUMMARY in text and "Gemeinsam nähen" in text


def test_the_datenschutz_page_names_the_engine_only_when_one_is_configured(app, tmp_path):
    from helpers import make_app

    assert "nicht maschinell übersetzt" in html(app.test_client().get("/datenschutz")).select_one(
        "#uebersetzung").find_next("p").get_text()
    configured = make_app(tmp_path / "mit", TRANSLATE_URL="http://127.0.0.1:9/", DEEPL_KEY="k:fx")
    text = html(configured.test_client().get("/datenschutz")).select_one("#uebersetzung").find_next("p").get_text()
    assert "LibreTranslate (http://127.0.0.1:9)" in text and "DeepL" in text


def test_translations_are_text_and_hostile_input_stays_text(app):
    from helpers import PAYLOADS

    project_id = published(app, summary_ar=PAYLOADS[0], description_ar="\u202e" + PAYLOADS[1] + "\u0000")
    store = app.extensions["atlas"].store
    description = next(t for t in store.translations(project_id) if t.field == "description")
    assert "\u202e" not in description.text and "\x00" not in description.text
    body = app.test_client().get(f"/projekt/{project_id}?lang=ar").get_data(as_text=True)
    assert "<img src=x" not in body and "<script>alert" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


def test_yesterdays_database_learns_texts_and_keeps_its_projects_searchable(tmp_path):
    """Migration 0012_texts on a database at 0009 with projects in it: no summary, no translation yet, the search
    index keeps its documents and facets (migration 0018 then names the cell in each Handlungsfeld) and gains the
    column of translated words; down and up again keeps all."""
    import sqlite3
    from pathlib import Path

    from alembic import command
    from helpers import make_app
    from sqlalchemy import create_engine, inspect, text

    from atlas.migrate import alembic_config, head, upgrade

    in_cells = import_module("atlas.migrations.versions.0018_search_field_cells").in_cells

    database = tmp_path / "atlas.db"
    with sqlite3.connect(database) as db:
        db.executescript((Path(__file__).parent / "data" / "atlas-wave1.sql").read_text())
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        command.stamp(alembic_config(connection), "0001")
        command.upgrade(alembic_config(connection), "0009")
        connection.commit()
        documents = connection.execute(text("SELECT rowid, document, facets FROM project_search")).all()
        assert "summary" not in {c["name"] for c in inspect(connection).get_columns("projects")}
    assert upgrade(f"sqlite:///{database}") == ("0009", head())
    with engine.connect() as connection:
        assert connection.execute(text("SELECT DISTINCT summary FROM projects")).scalars().all() == [""]
        assert connection.execute(text("SELECT count(*) FROM project_texts")).scalar_one() == 0
        # the facets as migration 0018 writes them at the head (its cell in each Handlungsfeld), as at 0009 below
        assert connection.execute(text("SELECT rowid, document, facets FROM project_search")).all() == [
            (rowid, document, in_cells(facets)) for rowid, document, facets in documents]
        command.downgrade(alembic_config(connection), "0009")
        assert connection.execute(text("SELECT rowid, document, facets FROM project_search")).all() == documents
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    engine.dispose()
    app = make_app(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    store = app.extensions["atlas"].store
    row = store.get(1)
    assert app.extensions["atlas"].searcher.search(row["name"], language="ar").ids[:1] == [1]
    project_id = published(app, ort="Hildesheim", summary_ar=ARABIC_SUMMARY)
    assert app.extensions["atlas"].searcher.search("مقهى", language="ar").ids == [project_id]
