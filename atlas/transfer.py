"""Import projects from CSV (all or nothing) and export the published ones as CSV or GeoJSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from atlas.geocode import Geocoder
from atlas.places import AMBIGUOUS, Place
from atlas.present import hf_names
from atlas.projects import ProjectInput, validate_project
from atlas.store import PUBLISHED, Store

# CSV columns (German, as in data/projects.csv) -> project fields
COLUMNS = {"name": "name", "traeger": "traeger", "beschreibung": "description", "handlungsfelder": "handlungsfelder",
           "strasse": "street", "plz": "plz", "ort": "ort", "website": "website", "email": "email"}
EXPORT_COLUMNS = ["id", "name", "traeger", "beschreibung", "handlungsfelder", "strasse", "plz", "ort", "lat", "lon",
                  "genauigkeit", "kreis_rs", "kreis", "arl", "website", "email", "status"]
SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class ImportReport:
    ids: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, German reason)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_csv(path: Path | str, store: Store, geocoder: Geocoder, status: str = PUBLISHED,
               progress: Callable[[Iterable], Iterable] = lambda rows: rows, into_empty: bool = False) -> ImportReport:
    """Geocode and assign every row; write all of them, or none if any row is bad (or, with `into_empty`, if the
    store already holds projects)."""
    report = ImportReport()
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        report.errors.append((0, f"Die Datei kann nicht gelesen werden: {error}"))
        return report
    reader = csv.DictReader(io.StringIO(text))
    missing = {"name", "handlungsfelder", "ort"} - set(reader.fieldnames or [])
    if missing:
        report.errors.append((1, f"Spalten fehlen: {', '.join(sorted(missing))}"))
        return report
    numbered, start = [], reader.line_num + 1
    for row in reader:
        numbered.append((start, row))  # the line a record starts on, as a spreadsheet shows it
        start = reader.line_num + 1
    located: list[tuple[ProjectInput, Place]] = []
    for line, row in progress(numbered):
        outcome = _locate_row(row, geocoder)
        if isinstance(outcome, str):
            report.errors.append((line, outcome))
        else:
            located.append(outcome)
    if not numbered:
        report.errors.append((1, "Die Datei enthält keine Projekte."))
    if not report.errors:
        report.ids = store.add_many(located, status, into_empty=into_empty)
    return report


def _locate_row(row: dict, geocoder: Geocoder) -> tuple[ProjectInput, Place] | str:
    project, errors = validate_project({field_: row.get(column) for column, field_ in COLUMNS.items()})
    if errors:
        return "; ".join(errors.values())
    result = geocoder.geocode(street=project.street, plz=project.plz, ort=project.ort)
    if result.status == AMBIGUOUS:
        return f"Ort mehrdeutig: {result.message}"
    if not result.ok:
        return f"Ort nicht gefunden: {result.message}"
    if not result.place.in_niedersachsen:
        return f"{result.place.name} {result.place.assignment.reason}."
    return project, result.place


def export_csv(rows: list[dict]) -> str:
    """CSV that is safe to open in a spreadsheet: cells that could start a formula are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([_cell(value) for value in _export_values(row)])
    return out.getvalue()


def export_geojson(rows: list[dict]) -> str:
    features = [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(row["lon"], 6), round(row["lat"], 6)]},
        "properties": dict(zip(EXPORT_COLUMNS, _export_values(row), strict=True)),
    } for row in rows]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1)


def _export_values(row: dict) -> list:
    return [row["id"], row["name"], row["traeger"], row["description"], ";".join(hf_names(row["handlungsfelder"])),
            row["street"], row["plz"], row["ort"], round(row["lat"], 6), round(row["lon"], 6), row["precision"],
            row["kreis_rs"], row["kreis_name"], row["arl"], row["website"], row["email"], row["status"]]


def _cell(value):
    if isinstance(value, str) and value.startswith(SPREADSHEET_FORMULA):
        return "'" + value
    return value

