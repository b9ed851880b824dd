"""A newcomer learns before going there: the languages, who it is for, what it costs, when it takes place, whether
it is barrier-free, and whom to ask; and filters by them on the maps, the lists, the near search and the search."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from helpers import (
    FACTS_BASE,
    PAYLOADS,
    add_facts_projects,
    create_account,
    csrf_token,
    facts,
    form_values,
    hours_from_now,
    html,
    login,
    make_app,
)
from werkzeug.datastructures import MultiDict

from atlas.facts import parse_times
from atlas.filters import Filter, parse_filter
from atlas.present import local_now
from atlas.projects import validate_project
from atlas.store import PUBLISHED
from atlas.transfer import export_csv, import_csv


def mistake(**fields) -> dict:
    project, errors = validate_project(dict(FACTS_BASE, **fields))
    assert project is None
    return errors


# --- the facts as a submitter types them --------------------------------------------------------------------

def test_german_day_names_and_dashes_are_read_and_stored_in_the_osm_syntax():
    project = facts(zeiten="Mo, Mi 17:00–19:00 Uhr; Sa 10:00-12:00")
    assert (project.wann, project.zeiten) == ("zeiten", "Mo,We 17:00-19:00; Sa 10:00-12:00")


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"zeiten": "montags abends"}, "zeiten", "Mo-Fr 17:00-19:00"),
    ({"zeiten": "Mo 25:00-26:00"}, "zeiten", "nicht lesbar"),
    ({"zeiten": "Mo 17:00-19:00", "wann": "laufend"}, "zeiten", "regelmäßige Zeiten"),
    ({"wann": "zeiten"}, "zeiten", "Bitte geben Sie die regelmäßigen Zeiten an"),
    ({"zeiten": "Mo 10:00-12:00;" * 40}, "zeiten", "höchstens 300 Zeichen"),
    ({"sprachen": ["de", "klingonisch"]}, "sprachen", "unbekannt ist „klingonisch“"),
    ({"zielgruppen": "senioren"}, "zielgruppen", "unbekannt ist „senioren“"),
    ({"kosten": "teuer"}, "kosten", "„teuer“ ist nicht vorgesehen"),
    ({"barrierefrei": "vielleicht"}, "barrierefrei", "„vielleicht“ ist nicht vorgesehen"),
    ({"kontakt": "0000"}, "kontakt", "weder eine Telefonnummer noch eine E-Mail-Adresse"),
    ({"kontakt": "0511 12345 67 (Mo-Fr)"}, "kontakt", "„0511 12345 67 (Mo-Fr)“ ist weder eine Telefonnummer"),
    ({"kontakt": "+49 5141 123456 App. 12"}, "kontakt", "„+49 5141 123456 App. 12“ ist weder eine Telefonnummer"),
    ({"kontakt": "info@"}, "kontakt", "keine gültige E-Mail-Adresse"),
])
def test_a_wrong_fact_is_named_with_what_to_write(fields, field, message):
    assert message in mistake(**fields)[field]


def test_a_phone_number_is_checked_and_written_internationally_and_an_address_stays():
    assert facts(kontakt="05121 123456").kontakt == "+49 5121 123456"
    assert facts(kontakt="Tel.: 05121 123456").kontakt == "+49 5121 123456"
    assert facts(kontakt="tel:+495121123456").kontakt == "+49 5121 123456"
    assert facts(kontakt="'+49 5121 123456").kontakt == "+49 5121 123456"  # as an export protects it
    assert facts(kontakt="info@sprachcafe.example").kontakt == "info@sprachcafe.example"


@pytest.mark.parametrize("payload", PAYLOADS[:12])
def test_hostile_text_in_times_or_contact_is_refused_and_named_as_text(payload):
    errors = mistake(zeiten=payload, kontakt=payload)
    assert set(errors) == {"zeiten", "kontakt"}


@pytest.mark.parametrize(("times", "german", "english"), [
    ("Mo 25:00-26:00", "sind nicht lesbar", "cannot be read"),
    ("week 01-53/53 Mo 10:00-12:00", "nicht genau so speichern", "cannot store exactly"),
])
def test_times_refused_before_are_refused_again_in_the_language_of_each_request(app, times, german, english):
    """parse_times keeps what it found out about a text (the rows of an import repeat their times), not the
    message: that is written in the language of the page, or German on the command line."""
    for code, expected in (("de", german), ("en", english), ("de", german)):
        with app.test_request_context("/", headers={"Accept-Language": code}), pytest.raises(ValueError) as error:
            parse_times(times)
        assert expected in str(error.value) and times in str(error.value)
    with pytest.raises(ValueError, match=german):
        parse_times(times)


def test_times_read_again_are_read_as_the_first_time_and_long_ones_are_not_kept():
    from atlas.facts import _kept_times

    for _ in range(2):
        assert parse_times("Mo-Fr 17:00-19:00") == "Mo-Fr 17:00-19:00"  # its normal form already
        assert parse_times("Di, Do 15:00–17:00 Uhr") == "Tu,Th 15:00-17:00"
        assert parse_times("Mo 10:00-12:00; Mo 14:00-16:00") == "Mo 14:00-16:00"  # OSM: the later rule of a day
    long = "; ".join(f"{day} 10:00-12:00" for day in ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So") * 5)
    before = _kept_times.cache_info()
    assert parse_times(long) == "10:00-12:00"
    after = _kept_times.cache_info()
    assert (after.hits, after.misses, after.currsize) == (before.hits, before.misses, before.currsize)  # not asked


# --- the public sees them ------------------------------------------------------------------------------------

@pytest.fixture
def atlas_app(tmp_path):
    app = make_app(tmp_path)
    add_facts_projects(app)
    return app


def listed(response) -> list[str]:
    return sorted(a.get_text(strip=True) for a in html(response).select("#projektliste .projekt-name, "
                                                                          "#treffer .projekt-name"))


def test_the_project_page_shows_the_facts_in_the_readers_language(atlas_app):
    client = atlas_app.test_client()
    page = html(client.get("/projekt/1"))
    facts_text = page.select_one("dl.facts").get_text(" ", strip=True)
    for words in ("العربية (Arabisch)", "Deutsch", "Zielgruppe alle", "kostenlos", "barrierefrei",
                  "täglich", "Heute geöffnet"):
        assert words in facts_text, words
    assert page.select_one("dl.facts a[href^='tel:']")["href"] == "tel:+495121123456"
    english = html(client.get("/projekt/2?lang=en")).select_one("dl.facts").get_text(" ", strip=True)
    assert "فارسی (Persian)" in english and "daily" in english and "Women" in english
    assert "Heute" not in html(client.get("/projekt/4")).select_one("dl.facts").get_text()


def test_holidays_closed_are_said_in_words(atlas_app):
    store = atlas_app.extensions["atlas"].store
    store.update(3, facts(name="Jobberatung", zeiten="Mo-Fr 10:00-12:00; PH off"), _place(atlas_app), "test")
    shown = html(atlas_app.test_client().get("/projekt/3")).select_one("#zeiten").get_text(" ", strip=True)
    assert "Montag–Freitag 10:00–12:00" in shown and "an Feiertagen geschlossen" in shown


@pytest.mark.parametrize(("language", "expected"), [
    ("de", "Dienstag und Donnerstag 15:00–17:00 und 18:00–20:00"),
    ("en", "Tuesday and Thursday 15:00–17:00 and 18:00–20:00"),
    ("ar", "الثلاثاء والخميس \u206815:00–17:00\u2069 و\u206818:00–20:00\u2069"),
])
def test_times_are_joined_as_the_readers_language_joins_them(atlas_app, language, expected):
    """Lists of days and hours with the language's own words; in Arabic each span of hours is set apart, so it
    is not read backwards inside a right-to-left line."""
    store = atlas_app.extensions["atlas"].store
    store.update(3, facts(name="Jobberatung", zeiten="Tu,Th 15:00-17:00,18:00-20:00"), _place(atlas_app), "test")
    shown = html(atlas_app.test_client().get(f"/projekt/3?lang={language}")).select_one("#zeiten .zeit").get_text()
    assert shown == expected


def test_times_spelled_out_before_are_spelled_in_the_language_of_each_page_and_the_command_line(app):
    """times_text keeps each schedule's lines per language (a list shows the same times again and again): a page,
    a reader asked for on the page and the command line (where the messages stay German) each get their own."""
    from atlas.facts import times_text

    schedule = "10:00-12:00; Tu,Th 15:00-17:00; PH off"
    command_line = times_text(schedule, "en")
    pages = {}
    for code in ("en", "de", "ar", "en"):
        with app.test_request_context("/", headers={"Accept-Language": code}):
            pages[code] = times_text(schedule)
            assert times_text(schedule, "de") == ("täglich 10:00–12:00", "Dienstag und Donnerstag 15:00–17:00",
                                                  "an Feiertagen geschlossen")
    assert pages["en"] == ("daily 10:00–12:00", "Tuesday and Thursday 15:00–17:00", "closed on public holidays")
    assert pages["ar"][0] == "يوميًا \u206810:00–12:00\u2069"
    assert times_text(schedule, "en") == command_line != pages["en"]
    assert isinstance(command_line, tuple)  # kept for the next caller: no list to change


def test_a_project_not_open_today_says_so(atlas_app):
    store = atlas_app.extensions["atlas"].store
    day = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")[(local_now() + timedelta(days=1)).weekday()]
    row = store.get(2)
    store.update(2, facts(name=row["name"], zeiten=f"{day} 10:00-12:00"), _place(atlas_app), "test")
    assert "Heute nicht geöffnet" in html(atlas_app.test_client().get("/projekt/2")).get_text()


def _place(app):
    return app.extensions["atlas"].geocoder.geocode("Hildesheim").place


@pytest.mark.parametrize(("query", "expected"), [
    ("sprache=ar", ["Sprachcafé Arabisch"]),
    ("sprache=fa&sprache=en", ["Frauentreff", "Jobberatung"]),
    ("zielgruppe=frauen", ["Frauentreff", "Sprachcafé Arabisch"]),  # "für alle" is for women too
    ("kostenlos=1", ["Jobberatung", "Sprachcafé Arabisch"]),
    ("zeit=jetzt", ["Sprachcafé Arabisch"]),
    ("zeit=woche", ["Frauentreff", "Sprachcafé Arabisch"]),
    ("kostenlos=1&hf=arbeit-ausbildung", ["Jobberatung"]),
    ("sprache=de&zeit=woche&kostenlos=1", ["Sprachcafé Arabisch"]),
])
def test_the_filters_select_the_list_on_the_maps_the_near_search_and_the_search(atlas_app, query, expected):
    client = atlas_app.test_client()
    assert listed(client.get(f"/?{query}")) == expected
    assert listed(client.get(f"/region/leine-weser?{query}")) == expected
    assert listed(client.get(f"/in-der-naehe?ort=Hildesheim&{query}")) == expected
    assert listed(client.get(f"/suche?q=Hildesheim&{query}")) == expected


def test_the_filter_stays_in_the_form_the_page_shows(atlas_app):
    page = html(atlas_app.test_client().get("/?sprache=ar&zielgruppe=frauen&kostenlos=1&zeit=woche"))
    assert page.select_one("#f-sprache option[selected]")["value"] == "ar"
    assert page.select_one("#f-zielgruppe option[selected]")["value"] == "frauen"
    assert page.select_one("input[name=kostenlos]").has_attr("checked")
    assert page.select_one("input[name=zeit][checked]")["value"] == "woche"


def test_the_maps_ask_which_projects_are_open_and_get_their_ids(atlas_app):
    client = atlas_app.test_client()
    assert client.get("/karte/offen.json?zeit=jetzt").get_json() == [1]
    assert sorted(client.get("/karte/offen.json?zeit=woche&arl=leine-weser").get_json()) == [1, 2]
    assert client.get("/karte/offen.json?zeit=woche&arl=lueneburg").get_json() == []
    data = client.get("/karte/projekte.json").get_json()
    assert dict(zip(data["id"], data["kostenlos"], strict=True)) == {1: 1, 2: 0, 3: 1, 4: 0}
    first = data["sprachen_mask"][data["id"].index(1)]
    words = json.loads(html(client.get("/")).select_one("#atlas-data").get_text())["labels"]  # from the page
    assert [s["name"] for s in words["sprachen"] if first & s["bit"]] == ["Deutsch", "العربية (Arabisch)"]


@pytest.mark.parametrize(("url", "message"), [
    ("/?sprache=klingonisch", "Unbekannter Wert „klingonisch“ für Sprache"),
    ("/?zielgruppe=<script>alert(1)</script>", "Unbekannter Wert „<script>alert(1)</script>“ für Zielgruppe"),
    ("/?zeit=gestern", "Unbekannter Wert „gestern“ für Zeit"),
    ("/?kostenlos=ja", "„kostenlos“ ist 1 oder fehlt"),
    ("/?sprache=" + "x" * 5000, "Unbekannter Wert „" + "x" * 40 + "“"),
    ("/?sprache=ar\u202e", "für Sprache"),
    ("/karte/offen.json", "Bitte „zeit“ angeben"),
    ("/karte/offen.json?zeit=jetzt&arl=mond", "Unbekannter Amtsbezirk „mond“"),
])
def test_a_wrong_filter_is_a_page_that_names_it_as_text(atlas_app, url, message):
    response = atlas_app.test_client().get(url)
    assert response.status_code == 400
    assert message in html(response).get_text()
    assert "<script>alert(1)" not in response.get_data(as_text=True)


def test_the_near_search_names_a_wrong_filter_and_searches_without_it(atlas_app):
    page = html(atlas_app.test_client().get("/in-der-naehe?ort=Hildesheim&sprache=xx&kostenlos=1"))
    assert "Unbekannter Wert „xx“ für Sprache" in page.get_text()
    assert sorted(a.get_text(strip=True) for a in page.select("#treffer .projekt-name")) == [
        "Jobberatung", "Sprachcafé Arabisch"]


def test_the_list_says_free_languages_and_times_at_a_glance(atlas_app):
    notes = [n.get_text(strip=True) for n in html(atlas_app.test_client().get("/")).select(".facts-note")]
    assert any(n.startswith("kostenlos · Deutsch und العربية (Arabisch) · täglich") for n in notes), notes


def test_filtering_evaluates_each_schedule_once_not_each_project():
    import pandas as pd

    schedules = ["Mo-Su 00:00-24:00", "Mo 10:00-11:00", ""] * 1000
    frame = pd.DataFrame({"hf_mask": 1, "sprachen_mask": 1, "zg_mask": 0, "kosten": "", "zeiten": schedules})
    asked: list[str] = []
    wanted = Filter(zeit="jetzt")
    original = wanted.open_schedules

    def counting(found, now):
        asked.extend(found)
        return original(found, now)

    object.__setattr__(wanted, "open_schedules", counting)
    kept = wanted.keep(frame, datetime(2026, 11, 23, 10, 30))  # a Monday
    assert kept.sum() == 2000 and len(asked) == 3


def test_the_filter_reads_every_parameter_and_writes_them_back():
    args = MultiDict([("hf", "sprache"), ("sprache", "ar"), ("zielgruppe", "frauen"), ("kostenlos", "1"),
                      ("zeit", "jetzt")])
    chosen, problems = parse_filter(args)
    assert not problems and MultiDict(chosen.params()) == args


# --- submitters and offices write them -----------------------------------------------------------------------

def test_a_submitter_gives_the_facts_and_they_appear_once_the_office_approves(tmp_path):
    app = make_app(tmp_path)
    client = app.test_client()
    page = html(client.get("/einreichen"))
    assert [i["value"] for i in page.select("input[name=sprachen][checked]")] == ["de"]  # German preselected
    data = dict(form_values(page, "einreichen"), name="Hausaufgabenhilfe", ort="Hildesheim",
                handlungsfelder=["teilhabe"], consent="y", sprachen=["de", "uk"], zielgruppen=["kinder"],
                kosten="kostenlos", zeiten="Mo-Do 15:00-17:00", barrierefrei="nein", kontakt="05121 123456")
    step = client.post("/einreichen", data=data)
    assert step.status_code == 200, html(step).select_one(".error-summary")
    client.post("/einreichen", data=form_values(html(step), "einreichen"), follow_redirects=True)
    row = app.extensions["atlas"].store.get(1)
    assert (row["sprachen"], row["zielgruppen"], row["kosten"], row["zeiten"], row["barrierefrei"],
            row["kontakt"]) == ("de;uk", "kinder", "kostenlos", "Mo-Th 15:00-17:00", "nein", "+49 5121 123456")
    app.extensions["atlas"].store.set_status(1, PUBLISHED)
    shown = html(client.get("/projekt/1")).select_one("dl.facts").get_text(" ", strip=True)
    assert "українська (Ukrainisch)" in shown and "Montag–Donnerstag 15:00–17:00" in shown
    assert "nicht barrierefrei" in shown and "Kinder und Jugendliche" in shown


def test_a_wrong_fact_comes_back_with_everything_typed(tmp_path):
    app = make_app(tmp_path)
    client = app.test_client()
    data = dict(form_values(html(client.get("/einreichen")), "einreichen"), name="Treff", ort="Hildesheim",
                handlungsfelder=["teilhabe"], consent="y", sprachen=["ar"], zeiten="abends", kontakt="123")
    page = html(client.post("/einreichen", data=data))
    summary = page.select_one(".error-summary").get_text()
    assert "„abends“ sind nicht lesbar" in summary and "weder eine Telefonnummer" in summary
    assert page.select_one("#zeiten")["value"] == "abends" and page.select_one("#kontakt")["value"] == "123"
    assert [i["value"] for i in page.select("input[name=sprachen][checked]")] == ["ar"]
    assert app.extensions["atlas"].store.count() == 0


def test_the_office_changes_the_facts_and_the_history_names_them(atlas_app):
    create_account(atlas_app, "amt@leine-weser.example", "--arl", "leine-weser")
    client = atlas_app.test_client()
    login(client, "amt@leine-weser.example")
    seen = html(client.get("/amt/projekt/2")).select_one("dl.facts").get_text(" ", strip=True)
    assert "فارسی (Persisch)" in seen and "gegen Gebühr" in seen  # the office checks them before approving
    assert form_values(html(client.get("/amt/projekt/4/bearbeiten")), "bearbeiten")["sprachen"] == []  # nothing known
    form = html(client.get("/amt/projekt/2/bearbeiten"))
    data = form_values(form, "bearbeiten")
    assert data["zeiten"] == parse_times(hours_from_now(12)) and data["sprachen"] == ["de", "fa"]
    data.update(kosten="kostenlos", sprachen=["de", "fa", "ar"], csrf_token=csrf_token(client.get(
        "/amt/projekt/2/bearbeiten")))
    client.post("/amt/projekt/2/bearbeiten", data=data, follow_redirects=True)
    row = atlas_app.extensions["atlas"].store.get(2)
    assert (row["kosten"], row["sprachen"]) == ("kostenlos", "de;ar;fa")
    history = " ".join(html(client.get("/amt/projekt/2")).select_one("#verlauf").get_text(" ").split())
    assert "Kosten: gegen Gebühr → kostenlos" in history  # in words, never the stored slugs
    assert ("Angebotssprachen: Deutsch und فارسی (Persisch) → Deutsch, العربية (Arabisch) und فارسی (Persisch)"
            in history), history


def test_the_facts_go_out_and_come_back_in_through_csv(atlas_app, tmp_path):
    services = atlas_app.extensions["atlas"]
    exported = tmp_path / "export.csv"
    exported.write_text(export_csv(services.store.rows()), encoding="utf-8")
    again = make_app(tmp_path / "again")
    other = again.extensions["atlas"]
    report = import_csv(exported, other.store, other.geocoder)
    assert report.ok, report.errors
    keys = ("name", "sprachen", "zielgruppen", "kosten", "wann", "zeiten", "barrierefrei", "kontakt")
    assert [{k: r[k] for k in keys} for r in other.store.rows()] == [{k: r[k] for k in keys}
                                                                      for r in services.store.rows()]


def test_a_csv_row_with_a_wrong_fact_names_line_and_field_and_nothing_is_stored(app, tmp_path):
    services = app.extensions["atlas"]
    path = tmp_path / "projekte.csv"
    path.write_text("name;handlungsfelder;ort;sprachen;zeiten\nA;sprache;Hildesheim;de;Mo 10:00-12:00\n"
                    "B;sprache;Hildesheim;de;Dienstags\n", encoding="utf-8")
    report = import_csv(path, services.store, services.geocoder)
    assert report.errors and report.errors[0][0] == 3 and "„Dienstags“ sind nicht lesbar" in report.errors[0][1]
    assert services.store.count() == 0


def test_a_row_without_facts_gets_what_checking_empty_facts_makes():
    """Most rows of an import give no facts and skip their checks: they must come out as if every fact were checked
    and found empty (a blank is checked, as a form sends it)."""
    from atlas.projects import FACTS, _facts

    errors: dict[str, str] = {}
    assert _facts({}, errors) == _facts(dict.fromkeys(FACTS, " "), errors) and not errors
