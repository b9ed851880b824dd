"""Public downloads of exactly what a page shows: GeoJSON, and CSV that German Excel opens as it is (UTF-8 with
BOM, semicolons, decimal commas, German headings and values), formula cells defused, licence in every file."""

from __future__ import annotations

import csv
import io
import json

from atlas import facts
from atlas.regions import ARLS, BOUNDARIES
from atlas.transfer import spreadsheet_cell

SOURCE = "Gemeinsame Sache – Projektatlas des Bündnisses „Niedersachsen packt an“"
CSV_COLUMNS = ["Name", "Träger", "Beschreibung", "Handlungsfelder", "Straße", "PLZ", "Ort", "Kreis", "Amt",
               "Website", "Kontakt", "Angebotssprachen", "Zielgruppe", "Kosten", "Wann", "Barrierefrei", "Breite",
               "Länge", "Projektseite", "Quelle", "Lizenz"]


def geojson(features: list[dict], licence: str, licence_url: str) -> str:
    """The features (atlas.ogc.project_feature) as a FeatureCollection that names its source and licence."""
    return json.dumps({"type": "FeatureCollection", "name": "projekte",
                       "attribution": SOURCE, "license": licence, "license_url": licence_url,
                       "boundaries": f"Kreise und Ämter: {BOUNDARIES}", "features": features}, ensure_ascii=False)


def excel_csv(features: list[dict], licence: str) -> bytes:
    """CSV for German Excel: UTF-8 with BOM (or Excel guesses Windows-1252), ';' (Excel's separator where the
    decimal separator is a comma), CRLF, German values; a cell that Excel would run as a formula starts with '."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for feature in features:
        p = feature["properties"]
        lon, lat = feature["geometry"]["coordinates"]
        writer.writerow([spreadsheet_cell("" if v is None else str(v)) for v in (
            p["name"], p["traeger"], p["beschreibung"], ", ".join(p["handlungsfelder"]), p["strasse"], p["plz"],
            p["ort"], p["kreis"], ARLS[p["arl"]].name if p["arl"] in ARLS else "", p["website"],
            facts.national(p["kontakt"]),
            ", ".join(facts.language_in(c, "de") for c in p["sprachen"]), ", ".join(p["zielgruppen"]),
            _german(facts.KOSTEN, p["kosten"]), _when(p), {True: "ja", False: "nein"}.get(p["barrierefrei"], ""),
            _decimal(lat), _decimal(lon), p["url"], SOURCE, licence)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _when(p: dict) -> str:
    if p["zeiten"]:
        return "; ".join(facts.times_text(p["zeiten"], "de"))
    return _german(facts.WANN, p["wann"])


def _german(choices: dict, slug: str) -> str:
    return choices[slug].name if slug in choices else ""


def _decimal(value: float) -> str:
    return f"{value:.6f}".replace(".", ",")


def file_name(kind: str, arl: str | None, extension: str) -> str:
    return f"projekte-{arl or 'niedersachsen'}{'-' + kind if kind else ''}.{extension}"

