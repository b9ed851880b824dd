"""`atlas import` (all or nothing, every bad row named) and `atlas export` (safe CSV, GeoJSON)."""

from __future__ import annotations

import csv
import io
import json

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
    assert "Zeile 7: Bremen liegt in Bremen" in out
    assert "Zeile 8: Die Website muss mit http:// oder https:// beginnen" in out
    assert "Nichts importiert: 6 fehlerhafte Zeile(n)" in out
    assert services.store.count() == 0


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
