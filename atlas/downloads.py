"""Public downloads of exactly what a page shows: GeoJSON, and CSV that German Excel opens as it is (UTF-8 with
BOM, semicolons, decimal commas, German headings and values), formula cells defused, licence in every file."""

from __future__ import annotations

import csv
import io

from atlas import facts, jsontext, notices, sources
from atlas.districts import ARLS, BOUNDARIES
from atlas.labels import STATUS_LABELS
from atlas.places import PRECISION_LABELS
from atlas.present import hf_names, local_time
from atlas.transfer import spreadsheet_cell

SOURCE = "Gemeinsame Sache – Projektatlas des Bündnisses „Niedersachsen packt an“"
CSV_COLUMNS = ["Name", "Träger", "Beschreibung", "Handlungsfelder", "Straße", "PLZ", "Ort", "Kreis", "Amt",
               "Website", "Kontakt", "Angebotssprachen", "Zielgruppe", "Kosten", "Wann", "Barrierefrei", "Breite",
               "Länge", "Projektseite", "Zusammengetragen aus", "Stand dieser Quelle", "Vom Träger bestätigt",
               "Quelle", "Lizenz"]


def geojson(features: list[dict], licence: str, licence_url: str) -> str:
    """The features (atlas.ogc.project_feature) as a FeatureCollection that names its source and licence."""
    return jsontext.dumps({"type": "FeatureCollection", "name": "projekte",
                           "attribution": SOURCE, "license": licence, "license_url": licence_url,
                           "boundaries": f"Kreise und Ämter: {BOUNDARIES}", "features": features})


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
            _decimal(lat), _decimal(lon), p["url"], p["quelle"], p["quelle_stand"], _yes(p["bestaetigt"]), SOURCE,
            licence)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


OFFICE_COLUMNS = ["Nummer", "Status", "Name", "Träger", "Beschreibung", "Handlungsfelder", "Straße", "PLZ", "Ort",
                  "Kreis", "Amt", "Breite", "Länge", "Genauigkeit", "Öffentlich nur ungefähr", "Website", "E-Mail",
                  "Öffentlicher Kontakt", "Angebotssprachen", "Zielgruppe", "Kosten", "Wann", "Barrierefrei",
                  "Eingereicht", "Veröffentlicht", "Letzte Entscheidung", "Letzte Änderung", "Zusammengetragen aus",
                  "Stand dieser Quelle", "Vom Träger bestätigt"]


def office_csv(rows: list[dict], decided: dict) -> bytes:
    """An office's projects of every status for German Excel, as the public CSV is written, with exact positions,
    the submitters' addresses and the dates of submission, publication, last decision and last change
    (Europe/Berlin); `decided` maps a project to its last decision."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(OFFICE_COLUMNS)
    for row in rows:
        p = dict(row, sprachen=[c for c in row["sprachen"].split(";") if c],
                 barrierefrei={"ja": True, "nein": False}.get(row["barrierefrei"]))
        writer.writerow([spreadsheet_cell("" if v is None else str(v)) for v in (
            notices.reference(row["id"]), STATUS_LABELS.get(row["status"], row["status"]), row["name"],
            row["traeger"], row["description"], ", ".join(hf_names(row["handlungsfelder"])), row["street"],
            row["plz"], row["ort"], row["kreis_name"], ARLS[row["arl"]].name if row["arl"] in ARLS else "",
            _decimal(row["lat"]), _decimal(row["lon"]), PRECISION_LABELS.get(row["precision"], row["precision"]),
            "ja" if row["approximate"] else "nein", row["website"], row["email"], facts.national(row["kontakt"]),
            ", ".join(facts.language_in(c, "de") for c in p["sprachen"]),
            ", ".join(facts.ZIELGRUPPEN[z].name for z in row["zielgruppen"].split(";") if z in facts.ZIELGRUPPEN),
            _german(facts.KOSTEN, row["kosten"]), _when(p), {True: "ja", False: "nein"}.get(p["barrierefrei"], ""),
            _moment(row["created_at"]), _moment(row["published_at"]), _moment(decided.get(row["id"])),
            _moment(row["updated_at"]), row["quelle"], row["quelle_stand"], _yes(not sources.unconfirmed(row)))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _yes(value: bool) -> str:
    return "ja" if value else "nein"


def _moment(value) -> str:
    return local_time(value) if value else ""


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

