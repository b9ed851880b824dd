"""Entries gathered from public sources are shown for what they are: the source and its date on the project page,
in the popup data and the lists, until the Träger (or the office) confirms them; imports and exports carry them."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from helpers import OFFICE, create_account, form_values, html, login, make_app

from atlas import sources
from atlas.present import local_now
from atlas.transfer import import_csv

HEADER = "name;traeger;beschreibung;handlungsfelder;ort;quelle;quelle_stand;bestaetigt\n"
OLD = "https://www.example.org/2019/sprachcafe-lamspringe"
NEW = "https://www.example.org/2024/frauentreff"


def source_file(tmp_path, *lines: str) -> str:
    path = tmp_path / "quellen.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def add_sources(app, tmp_path) -> list[int]:
    """Three published projects: from a source of 2019, from one of 2024-03, and one its Träger confirmed."""
    services = app.extensions["atlas"]
    report = import_csv(source_file(
        tmp_path,
        f"Sprachcafé Lamspringe;Kirchengemeinde;Deutsch üben bei Kaffee.;sprache;Lamspringe;{OLD};2019;",
        f"Frauentreff Hildesheim;Verein;Ein Treff für Frauen.;teilhabe;Hildesheim;{NEW};2024-03;nein",
        "Fahrradwerkstatt Hildesheim;Verein;Räder für alle.;wohnen-leben;Hildesheim;https://example.org/rad;"
        "2023-05-02;ja"), services.store, services.geocoder)
    assert report.ok, report.errors
    return report.ids


@pytest.fixture
def sources_app(tmp_path):
    app = make_app(tmp_path)
    app.config["source_ids"] = add_sources(app, tmp_path)
    return app


def test_an_import_marks_rows_from_sources_unconfirmed_unless_they_say_confirmed(sources_app):
    store = sources_app.extensions["atlas"].store
    old, new, confirmed = (store.get(i) for i in sources_app.config["source_ids"])
    assert (old["quelle"], old["quelle_stand"], old["source_confirmed_at"]) == (OLD, "2019", None)
    assert (new["quelle_stand"], new["source_confirmed_at"]) == ("2024-03", None)
    assert confirmed["quelle"] == "https://example.org/rad" and confirmed["source_confirmed_at"] is not None


@pytest.mark.parametrize(("quelle", "stand", "bestaetigt", "message"), [
    ("www.example.org/x", "2019", "", "Die Quelle muss eine Webadresse sein, die mit http:// oder https:// beginnt"),
    ("javascript:alert(1)", "2019", "", "Die Quelle muss eine Webadresse sein"),
    ("https://example.org/x", "2019-13", "", "Der Stand der Quelle ist ein Jahr, ein Monat oder ein Tag"),
    ("https://example.org/x", "19.03.2019", "", "Der Stand der Quelle ist ein Jahr, ein Monat oder ein Tag"),
    ("https://example.org/x", "2019-02-30", "", "Der Stand der Quelle ist ein Jahr, ein Monat oder ein Tag"),
    ("https://example.org/x", "", "", "Quelle und Stand der Quelle gehören zusammen"),
    ("", "2019", "", "Quelle und Stand der Quelle gehören zusammen"),
    ("https://example.org/x", "2019", "vielleicht", "Bestätigt: „vielleicht“ ist nicht vorgesehen"),
])
def test_a_source_without_a_web_address_or_a_date_is_refused_with_its_line(app, tmp_path, quelle, stand, bestaetigt,
                                                                          message):
    services = app.extensions["atlas"]
    report = import_csv(source_file(tmp_path, f"Treff;;;teilhabe;Hildesheim;{quelle};{stand};{bestaetigt}"),
                        services.store, services.geocoder)
    [(line, reason)] = report.errors
    assert line == 2 and message in reason, reason
    assert services.store.count() == 0


WRONG_STAND = "Der Stand der Quelle ist ein Jahr, ein Monat oder ein Tag (2019, 2019-03 oder 2019-03-14), nicht „{}“."


@pytest.mark.parametrize(("stand", "problem"), [
    ("2019", ""), ("2019-03", ""), ("2019-03-14", ""), ("1990", ""), ("2026-12-07", ""), ("2026-12", ""),
    ("1989", WRONG_STAND), ("0000", WRONG_STAND), ("2019-3", WRONG_STAND), ("2019-02-29", WRONG_STAND),
    ("2019-03-14 ", WRONG_STAND), ("2019-03-140", WRONG_STAND), ("x" * 50, WRONG_STAND),
    ("2026-12-08", "Der Stand der Quelle liegt in der Zukunft: „{}“."),
    ("2027", "Der Stand der Quelle liegt in der Zukunft: „{}“."),
])
def test_a_source_date_is_judged_the_same_however_often_it_is_given(stand, problem):
    today = date(2026, 12, 7)
    expected = problem.format(stand[:20] if problem == WRONG_STAND else stand)
    assert [sources.stand_problem(stand, today) for _ in range(3)] == [expected] * 3
    assert sources.stand_problem(stand, date(2031, 1, 1)) == ("" if "Zukunft" in problem else expected)


def test_a_source_date_longer_than_a_day_is_refused_and_not_kept():
    kept = sources._first_day.cache_info().currsize
    assert sources.stand_problem("2019" + " " * 100_000, date(2026, 12, 7)) == WRONG_STAND.format("2019" + " " * 16)
    assert sources._first_day.cache_info().currsize == kept


def test_a_source_dated_in_the_future_is_refused(app, tmp_path):
    services = app.extensions["atlas"]
    tomorrow = (local_now() + timedelta(days=1)).date().isoformat()
    report = import_csv(source_file(tmp_path, f"Treff;;;teilhabe;Hildesheim;https://example.org;{tomorrow};"),
                        services.store, services.geocoder)
    assert report.errors == [(2, f"Der Stand der Quelle liegt in der Zukunft: „{tomorrow}“.")]


def test_a_file_without_source_columns_is_imported_as_confirmed(seeded):
    rows = seeded.extensions["atlas"].store.rows()
    assert len(rows) == 7 and all(r["quelle"] == "" and r["source_confirmed_at"] is not None for r in rows)


def test_the_export_carries_the_source_and_reads_back_in(sources_app, tmp_path):
    exported = sources_app.test_cli_runner().invoke(args=["export"])
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [(r["quelle"], r["quelle_stand"], r["bestaetigt"]) for r in rows] == [
        (OLD, "2019", "nein"), (NEW, "2024-03", "nein"), ("https://example.org/rad", "2023-05-02", "ja")]
    again = make_app(tmp_path / "wieder")
    (tmp_path / "export.csv").write_text(exported.output, encoding="utf-8")
    services = again.extensions["atlas"]
    report = import_csv(tmp_path / "export.csv", services.store, services.geocoder)
    assert report.ok, report.errors
    assert [(r["quelle_stand"], r["source_confirmed_at"] is None) for r in services.store.rows()] == [
        ("2019", True), ("2024-03", True), ("2023-05-02", False)]


def test_the_project_page_says_where_it_comes_from_and_how_old_that_is(sources_app):
    client = sources_app.test_client()
    old, new, confirmed = sources_app.config["source_ids"]
    page = html(client.get(f"/projekt/{old}"))
    note = page.select_one("#aus-quellen")
    assert "Aus öffentlichen Quellen zusammengetragen, Stand 2019 – vom Träger noch nicht bestätigt" in \
        note.get_text(" ", strip=True)
    link = note.select_one("a#quelle")
    assert link["href"] == OLD and link["rel"] == ["nofollow", "noopener"]
    assert "Die Quelle stammt aus 2019: Die Angaben können inzwischen veraltet sein." in \
        note.select_one("#veraltet").get_text()
    assert note.select_one("a#uebernehmen")["href"] == f"/projekt/{old}/bestaetigen"
    assert note.select_one("a#uebernehmen").get_text() == "Ist das Ihr Projekt? Angaben bestätigen oder ändern"
    recent = html(client.get(f"/projekt/{new}")).select_one("#aus-quellen")
    assert "Stand 03/2024" in recent.get_text() and recent.select_one("#veraltet") is None
    assert html(client.get(f"/projekt/{confirmed}")).select_one("#aus-quellen") is None


def test_lists_and_map_data_mark_only_the_unconfirmed_entries(sources_app):
    client = sources_app.test_client()
    old, new, confirmed = sources_app.config["source_ids"]
    items = {a["href"]: a.find_parent("li") for a in html(client.get("/region/leine-weser")).select(
        "#projektliste a.projekt-name")}
    assert items[f"/projekt/{old}"].select_one(".source-mark").get_text() == "aus öffentlichen Quellen, unbestätigt"
    assert items[f"/projekt/{confirmed}"].select_one(".source-mark") is None
    data = client.get("/karte/projekte.json?arl=leine-weser").get_json()
    marked = {data["id"][i]: (data["quellen"][data["quelle_index"][i]], data["staende"][data["stand_index"][i]])
              for i in range(len(data["id"]))}
    assert marked == {old: (OLD, "2019"), new: (NEW, "03/2024"), confirmed: ("", "")}
    texts = json.loads(html(client.get("/")).select_one("#atlas-text").get_text())
    assert texts["fromSources"] == "Aus öffentlichen Quellen zusammengetragen, Stand {stand} – vom Träger noch " \
                                   "nicht bestätigt"


def test_an_office_edit_keeps_the_source_and_does_not_confirm(sources_app):
    old = sources_app.config["source_ids"][0]
    create_account(sources_app, OFFICE, "--arl=leine-weser")
    office = sources_app.test_client()
    login(office, OFFICE)
    form = form_values(html(office.get(f"/amt/projekt/{old}/bearbeiten")), "bearbeiten")
    form["description"] = "Deutsch üben bei Kaffee und Kuchen."
    assert office.post(f"/amt/projekt/{old}/bearbeiten", data=form).status_code == 302
    row = sources_app.extensions["atlas"].store.get(old)
    assert row["description"].endswith("Kuchen.")
    assert (row["quelle"], row["quelle_stand"], row["source_confirmed_at"]) == (OLD, "2019", None)


def test_the_open_data_carries_the_source_and_whether_it_is_confirmed(sources_app):
    client = sources_app.test_client()
    old, new, confirmed = sources_app.config["source_ids"]
    items = client.get("/ogc/collections/projekte/items?f=json").get_json()["features"]
    found = {f["id"]: (f["properties"]["quelle"], f["properties"]["quelle_stand"], f["properties"]["bestaetigt"])
             for f in items}
    assert found == {old: (OLD, "2019", False), new: (NEW, "2024-03", False),
                     confirmed: ("https://example.org/rad", "2023-05-02", True)}
    table = client.get("/daten/projekte.csv").get_data().decode("utf-8-sig")
    rows = {r["Name"]: r for r in csv.DictReader(io.StringIO(table), delimiter=";")}
    assert rows["Sprachcafé Lamspringe"]["Zusammengetragen aus"] == OLD
    assert rows["Sprachcafé Lamspringe"]["Stand dieser Quelle"] == "2019"
    assert (rows["Sprachcafé Lamspringe"]["Vom Träger bestätigt"], rows["Fahrradwerkstatt Hildesheim"][
        "Vom Träger bestätigt"]) == ("nein", "ja")
    catalogue = client.get("/ogc/dcat.jsonld").get_data(as_text=True)
    assert "quelle_stand" in catalogue and "bestaetigt" in catalogue
