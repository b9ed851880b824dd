"""`atlas import` (all or nothing, every bad row named) and `atlas export` (safe CSV, GeoJSON)."""

from __future__ import annotations

import csv
import gc
import io
import json
from pathlib import Path

import pytest
from helpers import facts, make_app

HEADER = "name,traeger,beschreibung,handlungsfelder,strasse,plz,ort,website,email\n"


def write_csv(tmp_path, body: str):
    path = tmp_path / "projekte.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def test_the_seed_file_imports_completely(runner, services, app):
    result = runner.invoke(args=["import", app.config["SEED_CSV"]])
    assert result.exit_code == 0, result.output
    assert "7 Projekte importiert" in result.output
    by_name = {r["name"]: r for r in services.store.rows()}
    assert by_name["Netzwerk Nachbarschaft Asendorf"]["kreis_name"] == "Diepholz"
    assert by_name["Ich kann helfen"]["kreis_rs"] == "03159"
    assert by_name["Gewerkepass"]["arl"] == "weser-ems"
    assert by_name["Gewerkepass"]["website"].startswith("https://www.jobcenter-osnabrueck.de/")


def test_a_file_imported_again_is_refused_and_a_later_version_adds_only_its_new_projects(runner, services, app,
                                                                                        tmp_path):
    """An office imports the seed file a second time by mistake: every row names the project it would double, and
    nothing is imported. A later version of the file – one project more – adds that one with --skip-existing, and
    says which lines it left out."""
    seed = app.config["SEED_CSV"]
    assert runner.invoke(args=["import", seed]).exit_code == 0
    again = runner.invoke(args=["import", seed])
    assert again.exit_code == 1
    first = min(services.store.rows(), key=lambda row: row["id"])
    assert (f"Zeile 2: Steht schon im Atlas (Projekt {first['id']}: gleicher Name, Träger und Ort). Mit "
            "--skip-existing wird eine solche Zeile übersprungen.") in again.output
    assert "Nichts importiert: 7 fehlerhafte Zeile(n)" in again.output
    assert services.store.count() == 7

    later = tmp_path / "neuer.csv"
    text = Path(seed).read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    row = dict.fromkeys(header, "")
    row.update(name="Neues Sprachcafé", traeger="Verein", handlungsfelder="sprache", ort="Meppen")
    with later.open("w", encoding="utf-8", newline="") as file:
        file.write(text)
        csv.DictWriter(file, header).writerow(row)
    added = runner.invoke(args=["import", "--skip-existing", str(later)])
    assert added.exit_code == 0, added.output
    assert "1 Projekte importiert" in added.output
    assert "7 Zeile(n) übersprungen, ihr Projekt steht schon im Atlas: Zeile 2, 3, 4, 5, 6, 7, 8" in added.output
    assert services.store.count() == 8


def test_the_same_project_twice_in_a_file_is_named_with_the_line_of_the_first(runner, services, tmp_path):
    """Name, Träger and Ort make a project, whatever the capitals and spaces: a row that repeats one is a bad row
    (the same name of another Träger, or in another Ort, is another project)."""
    path = write_csv(tmp_path, (
        "Sprachcafé,Kirchengemeinde St. Martin,Text,sprache,,,Meppen,,\n"
        "Sprachcafé,Verein Brücke,Text,sprache,,,Meppen,,\n"
        "Sprachcafé,Kirchengemeinde St. Martin,Text,sprache,,,Lingen (Ems),,\n"
        "SPRACHCAFÉ , Kirchengemeinde  St. Martin,Anderer Text,teilhabe,,,meppen,,\n"
    ))
    result = runner.invoke(args=["import", path])
    assert result.exit_code == 1
    assert "Zeile 5: Dasselbe Projekt (Name, Träger und Ort) wie in Zeile 2." in result.output
    assert "Nichts importiert: 1 fehlerhafte Zeile(n)" in result.output
    assert services.store.count() == 0


def test_one_bad_row_stops_the_whole_import_and_every_bad_row_is_named(runner, services, tmp_path):
    path = write_csv(tmp_path, (
        "Gutes Projekt,Verein,Text,sprache,,,Meppen,,\n"
        ",Verein,ohne Namen,sprache,,,Meppen,,\n"
        "Projekt B,Verein,Text,kochen,,,Meppen,,\n"
        "Projekt C,Verein,Text,sprache,,,Qwxzrtplk,,\n"
        "Projekt D,Verein,Text,sprache,,,Asendorf,,\n"
        "Projekt E,Verein,Text,sprache,,,Bremen,,\n"
        '"Projekt F","Verein","Zeile eins\nZeile zwei",sprache,,,Meppen,javascript:alert(1),\n'
    ))
    result = runner.invoke(args=["import", path])
    assert result.exit_code == 1
    out = result.output
    assert "Zeile 3: Bitte geben Sie den Namen" in out
    assert "Zeile 4: Handlungsfelder: unbekanntes Handlungsfeld: kochen" in out
    assert "Zeile 5: Ort nicht gefunden" in out
    assert "Zeile 6: Ort mehrdeutig" in out and "Landkreis Diepholz" in out
    assert "Zeile 7: Bremen liegt im Land Bremen" in out
    assert "Zeile 8: Die Website muss mit http:// oder https:// beginnen" in out
    assert "Nichts importiert: 6 fehlerhafte Zeile(n)" in out
    assert services.store.count() == 0


def test_a_row_whose_plz_and_ort_lie_apart_is_refused_not_put_at_the_plz_in_another_kreis(runner, services, tmp_path):
    """One of the two is wrong, and which one decides the office that looks after the project: the file is fixed."""
    output = refused_import(runner, services, tmp_path, "name;handlungsfelder;strasse;plz;ort\n"
                                                        "A;sprache;;49074;Göttingen\n"
                                                        "B;sprache;;49074;Osnabrück\n"
                                                        "C;sprache;Weender Straße 1;49074;Göttingen\n".encode())
    assert ("Zeile 2: PLZ und Ort passen nicht zusammen: „Göttingen“ liegt nicht bei der PLZ 49074 (49074 Osnabrück, "
            "Stadt Osnabrück). Bitte PLZ oder Ort berichtigen.") in output
    assert "Zeile 3" not in output
    assert "Zeile 4: PLZ und Ort passen nicht zusammen" in output, "a street does not hide it"
    own_position = import_file(runner, tmp_path, "name;handlungsfelder;plz;ort;lat;lon;genauigkeit\n"
                                                 "A;sprache;49074;Göttingen;51.5413;9.9158;pin\n".encode())
    assert own_position.exit_code == 0, own_position.output  # as exported: it lies where it was, not at the PLZ
    assert services.store.rows()[0]["kreis_rs"] == "03159"


def test_rows_at_one_plz_and_ort_share_its_place_offline_and_a_street_no_address_has_is_still_refused(
        runner, services, tmp_path):
    """Offline the street does not move a project (it is noted as unread): the rows of a PLZ and Ort get one
    place. A street with characters no address has is refused for each row that has it, even after a row of the
    same PLZ and Ort was placed."""
    two_streets = ("Projekt A,Verein,Text,sprache,Hauptstraße 1,49716,Meppen,,\n"
                   "Projekt B,Verein,Text,sprache,Am Markt 3,49716,Meppen,,\n")
    assert runner.invoke(args=["import", write_csv(tmp_path, two_streets)]).exit_code == 0
    first, second = sorted(services.store.rows(), key=lambda row: row["name"])
    assert (first["street"], second["street"]) == ("Hauptstraße 1", "Am Markt 3")
    assert (first["lat"], first["lon"], first["kreis_rs"]) == (second["lat"], second["lon"], second["kreis_rs"])

    refused = write_csv(tmp_path, "Projekt C,Verein,Text,sprache,Hauptstraße 1,49716,Meppen,,\n"
                                  "Projekt D,Verein,Text,sprache,Am Markt {3},49716,Meppen,,\n")
    result = runner.invoke(args=["import", refused])
    assert result.exit_code == 1
    assert "Zeile 3: Ort nicht gefunden: Die Straße enthält Zeichen, die in Adressen nicht vorkommen" in result.output
    assert services.store.count() == 2


def test_a_phone_number_with_words_is_refused_not_stored_as_another_number(runner, services, tmp_path):
    """A phone library reads letters as keypad digits: "(Mo-Fr)" would have become the digits 6637."""
    output = refused_import(runner, services, tmp_path, b"name;handlungsfelder;ort;kontakt\n"
                                                        b"A;sprache;Celle;0511 12345 67 (Mo-Fr)\n"
                                                        b"B;sprache;Celle;+49 5141 123456 App. 12\n"
                                                        b"C;sprache;Celle;Tel. 05141 123456\n")
    assert "Zeile 2: „0511 12345 67 (Mo-Fr)“ ist weder eine Telefonnummer noch eine E-Mail-Adresse" in output
    assert "Zeile 3: „+49 5141 123456 App. 12“ ist weder eine Telefonnummer" in output
    assert "Zeile 4" not in output


def test_export_csv_is_safe_in_a_spreadsheet(runner, services, tmp_path):
    path = write_csv(tmp_path, '"=HYPERLINK(""http://x"")","@SUM(A1)","-1+1",sprache,,,Meppen,,\n'
                               "Normal,+49 Verein,Text,teilhabe,,,Hemmingen,,\n")
    assert runner.invoke(args=["import", path]).exit_code == 0
    result = runner.invoke(args=["export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {r["name"] for r in rows} == {"'=HYPERLINK(\"http://x\")", "Normal"}
    by_name = {r["name"]: r for r in rows}
    assert by_name["'=HYPERLINK(\"http://x\")"]["traeger"] == "'@SUM(A1)"
    assert by_name["'=HYPERLINK(\"http://x\")"]["beschreibung"] == "'-1+1"
    assert by_name["Normal"]["traeger"] == "'+49 Verein"


def test_an_export_imports_unchanged_though_it_protected_cells_from_the_spreadsheet(runner, services, tmp_path):
    """An office moves its projects to another atlas: the ' that kept a spreadsheet from reading "-Verein" as a
    formula does not stay in the name; an apostrophe of the text's own does."""
    path = write_csv(tmp_path, "-Verein e.V.,@home Treff,+ Deutsch lernen,sprache,,,Meppen,,\n"
                               "=Summe,'Tach,'-) heißt „zwinker“,sprache,,,Meppen,,\n")
    assert runner.invoke(args=["import", path]).exit_code == 0
    exported = tmp_path / "export.csv"
    exported.write_text(runner.invoke(args=["export"]).output, encoding="utf-8")
    again = make_app(tmp_path / "wieder")
    assert again.test_cli_runner().invoke(args=["import", str(exported)]).exit_code == 0
    texts = [(r["name"], r["traeger"], r["description"]) for r in again.extensions["atlas"].store.rows()]
    assert texts == [("-Verein e.V.", "@home Treff", "+ Deutsch lernen"), ("=Summe", "'Tach", "-) heißt „zwinker“")]
    assert texts == [(r["name"], r["traeger"], r["description"]) for r in services.store.rows()]


def test_an_export_keeps_a_pin_the_rough_position_and_the_summary_when_imported_elsewhere(
        runner, services, tmp_path):
    """A pin placed on the map is not geocoded again, and a project shown only roughly (its street hidden) stays
    so: what the public sees does not change when an office moves its projects to another atlas."""
    from dataclasses import replace

    from atlas.store import PUBLISHED

    meppen = services.geocoder.geocode("Meppen").place
    pin = replace(meppen, lat=52.701234, lon=7.301234, precision="pin",
                  assignment=services.regions.locate(52.701234, 7.301234))
    services.store.add_many([(facts(name="Treff am Pin", street="Am Hang 3", ort="Meppen", approximate=True,
                                    summary="Deutsch üben bei Tee"), pin)], PUBLISHED)
    exported = tmp_path / "export.csv"
    exported.write_text(runner.invoke(args=["export"]).output, encoding="utf-8")
    again = make_app(tmp_path / "wieder")
    result = again.test_cli_runner().invoke(args=["import", str(exported)])
    assert result.exit_code == 0, result.output
    assert "Nicht verwendete Spalten: id, kreis_rs, kreis, arl, status." in result.output
    keys = ("lat", "lon", "precision", "approximate", "summary", "street", "kreis_rs")
    [moved] = again.extensions["atlas"].store.rows()
    assert {k: moved[k] for k in keys} == {"lat": 52.701234, "lon": 7.301234, "precision": "pin",
                                           "approximate": True, "summary": "Deutsch üben bei Tee",
                                           "street": "Am Hang 3", "kreis_rs": "03454"}


@pytest.mark.parametrize(("columns", "message"), [
    ("53.0793;8.8017;pin;nein", "Zeile 2: Die Position 53.0793, 8.8017 liegt im Land Bremen, außerhalb "
                                "Niedersachsens."),
    ("52,7;;pin;nein", "Zeile 2: Die Koordinaten sind ungültig"),
    ("52.7;7.3;irgendwo;nein", "Zeile 2: Genauigkeit: „irgendwo“ ist nicht vorgesehen"),
    ("52.7;7.3;pin;vielleicht", "Zeile 2: Ungefähr: „vielleicht“ ist nicht vorgesehen; erlaubt sind ja und nein."),
])
def test_a_position_of_the_file_is_checked_like_any_other(runner, services, tmp_path, columns, message):
    output = refused_import(runner, services, tmp_path, f"name;handlungsfelder;ort;lat;lon;genauigkeit;ungefaehr\n"
                                                        f"Treff;sprache;Meppen;{columns}\n".encode())
    assert message in output


def test_export_geojson_filters_by_arl_and_handlungsfeld(runner, app):
    assert runner.invoke(args=["import", app.config["SEED_CSV"]]).exit_code == 0
    result = runner.invoke(args=["export", "--format", "geojson", "--arl", "weser-ems"])
    data = json.loads(result.output)
    assert {f["properties"]["name"] for f in data["features"]} == {"Gewerkepass", "Willkommenskultur Meppen"}
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert 6.5 < lon < 9 and 52 < lat < 53.5
    result = runner.invoke(args=["export", "--format", "geojson", "--hf", "arbeit-ausbildung"])
    assert {f["properties"]["name"] for f in json.loads(result.output)["features"]} == {"Gewerkepass", "Stark im Beruf"}
    assert runner.invoke(args=["export", "--arl", "bayern"]).exit_code == 2


def test_pending_projects_are_not_exported(runner, services, tmp_path):
    path = write_csv(tmp_path, "Wartet,Verein,Text,sprache,,,Meppen,,\n")
    assert runner.invoke(args=["import", "--status", "pending", path]).exit_code == 0
    assert "Wartet" not in runner.invoke(args=["export"]).output


GERMAN_EXCEL = ("Name;Träger;Beschreibung;Handlungsfelder;Straße;PLZ;Ort;Website;E-Mail\r\n"
                "Sprachcafé Süd;Kirchengemeinde St. Bärbel;Dienstags „offen“ – für alle;sprache;;;Hildesheim;;\r\n"
                "Begegnung am Fluss;Verein;Text;teilhabe;;49074;Osnabrück;;\r\n")


def import_file(runner, tmp_path, data: bytes, name="projekte.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["import", str(path)])


def refused_import(runner, services, tmp_path, data: bytes) -> str:
    """What an import of a file it refuses says: it ends with an error and imports nothing."""
    result = import_file(runner, tmp_path, data)
    assert result.exit_code == 1, result.output
    assert services.store.count() == 0
    return result.output


def test_a_file_saved_by_german_excel_imports(runner, services, tmp_path):
    result = import_file(runner, tmp_path, GERMAN_EXCEL.encode("cp1252"))
    assert result.exit_code == 0, result.output
    assert "Gelesen als Windows-1252 (wie Excel speichert), Trennzeichen: Semikolon." in result.output
    names = {r["name"]: r for r in services.store.rows()}
    assert names["Sprachcafé Süd"]["traeger"] == "Kirchengemeinde St. Bärbel"
    assert names["Sprachcafé Süd"]["description"] == "Dienstags „offen“ – für alle"


def test_utf8_with_a_byte_order_mark_and_tabs_imports(runner, services, tmp_path):
    data = ("\ufeff" + GERMAN_EXCEL.replace(";", "\t")).encode("utf-8")
    result = import_file(runner, tmp_path, data)
    assert result.exit_code == 0, result.output
    assert "Gelesen als UTF-8, Trennzeichen: Tabulator." in result.output
    assert services.store.count() == 2


def test_a_file_of_old_mac_excel_with_lines_ended_by_cr_alone_imports(runner, services, tmp_path):
    result = import_file(runner, tmp_path, "name;handlungsfelder;ort\rTreff;sprache;Göttingen\r"
                                           "Café;sprache;Hannover\r".encode("cp1252"))
    assert result.exit_code == 0, result.output
    assert sorted(r["ort"] for r in services.store.rows()) == ["Göttingen", "Hannover"]


def test_a_bad_row_is_named_by_the_line_a_spreadsheet_shows_after_blank_lines_and_lines_within_a_text(
        runner, services, tmp_path):
    result = import_file(runner, tmp_path, b'name,handlungsfelder,ort,beschreibung\nA,sprache,Celle,"eins\nzwei"\n'
                                           b"B,kochen,Celle,\n\n\nC,sprache,Qwxzrtplk,\n")
    assert result.exit_code == 1
    assert "Zeile 4: Handlungsfelder: unbekanntes Handlungsfeld: kochen" in result.output
    assert "Zeile 7: Ort nicht gefunden" in result.output


def test_a_file_with_plz_but_no_ort_column_imports(runner, services, tmp_path):
    result = import_file(runner, tmp_path, b"name,handlungsfelder,plz\nTreff,sprache,31195\n")
    assert result.exit_code == 0, result.output
    assert services.store.rows()[0]["kreis_name"] == "Hildesheim"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Die Datei ist leer"),
    (b"\xef\xbb\xbf\r\n  \n", "Die Datei ist leer"),
    (b"name,handlungsfelder,ort\n", "nur die Kopfzeile"),
    (b"name;ort;Ort;handlungsfelder\nA;B;C;sprache\n", "Die Spalte „ort“ kommt mehrmals vor (Spalten 2, 3)"),
    (b"titel;bereich\nA;B\n", "Spalten fehlen: name, handlungsfelder, ort oder plz. Gefunden mit Trennzeichen "
                             "Semikolon: „titel“, „bereich“."),
    (b"name,handlungsfelder,ort\n\"A,sprache,Celle\n", "kein gültiges CSV"),
    (b'name,handlungsfelder,"ort\nA,sprache,Celle\n', "Die Kopfzeile ist kein gültiges CSV (ein Anführungszeichen wird "
                                                   "nicht geschlossen)"),
    (b"name,handlungsfelder,ort\nA,sprache,Cel\rle\n", "Ab Zeile 2 ist die Datei kein gültiges CSV (ein Zeilenumbruch "
                                                     "mitten in einem Feld ohne Anführungszeichen)"),
    (b"name,handlungsfelder,ort\nA\x00,sprache,Celle\n", "keine Textdatei"),
    (b"name,handlungsfelder,ort\n" + b"x" * 200_000 + b",sprache,Celle\n", "kein gültiges CSV"),
])
def test_a_bad_file_gets_a_german_message_and_nothing_is_imported(runner, services, tmp_path, data, message):
    output = refused_import(runner, services, tmp_path, data)
    assert message in output
    assert "Traceback" not in output and "Error" not in output


def test_a_row_with_more_fields_than_the_header_is_refused_with_how_to_quote_the_text(runner, services, tmp_path):
    """A comma in a text that is not in quotes splits it: the rest of the description must not be lost quietly."""
    output = refused_import(runner, services, tmp_path, b"name,handlungsfelder,ort,beschreibung\n"
                                                        b"X,sprache,Hannover,Wir helfen, und beraten\n"
                                                        b'Y,sprache,Hannover,"Wir helfen, und beraten"\n'
                                                        b"Z,sprache,Hannover,Text,,\n")
    assert ("Zeile 2: Die Zeile hat 5 Felder, die Kopfzeile nur 4 (zu viel: „ und beraten“). Steht in einem Text ein "
            'Komma, gehört der Text in Anführungszeichen, etwa "Wir helfen, und beraten".') in output
    assert "Zeile 3" not in output and "Zeile 4" not in output  # quoted; empty fields lose nothing


def test_a_missing_file_is_named_in_german(runner, tmp_path):
    from atlas.transfer import ImportReport, UnreadableFile, read_rows

    with pytest.raises(UnreadableFile, match="gibt es nicht"):
        read_rows(tmp_path / "fehlt.csv", ImportReport())


def test_an_import_s_fewer_collections_are_set_back_after_it_also_when_it_fails():
    """`atlas import` and `atlas seed` collect their garbage less often meanwhile; the process is as before after."""
    from atlas.collector import IMPORT_YOUNG_COLLECTED_AFTER, fewer_collections

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with fewer_collections():
        assert gc.get_threshold()[0] == IMPORT_YOUNG_COLLECTED_AFTER and gc.get_freeze_count() > frozen
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, frozen)
    with pytest.raises(ValueError), fewer_collections():
        raise ValueError("a bad file")
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, frozen)
