"""The open data's list of replaced projects: each once published record that an office merged into another,
with the project that replaces it – for whoever keeps the atlas's ids (a portal, a GIS layer, a link list).

JSON, and CSV for German Excel as the other downloads are written (atlas.downloads).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from atlas.database import rfc3339
from atlas.present import local_time
from atlas.transfer import spreadsheet_cell

CSV_COLUMNS = ["Nummer", "Ersetzt durch", "Projektseite", "Ersetzt durch Projektseite", "Seit", "Lizenz"]


def as_json(rows: list[dict], page: Callable[[int], str], licence: str, licence_url: str) -> str:
    """`rows` as the store lists them (id, kept_id, at); `page(id)` is a project's public address."""
    return json.dumps({"name": "ersetzte-projekte", "license": licence, "license_url": licence_url,
                       "ersetzt": [{"id": row["id"], "ersetzt_durch": row["kept_id"], "url": page(row["id"]),
                                    "ersetzt_durch_url": page(row["kept_id"]), "seit": rfc3339(row["at"])}
                                   for row in rows]}, ensure_ascii=False)


def as_csv(rows: list[dict], page: Callable[[int], str], licence: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([spreadsheet_cell(str(v)) for v in (
            row["id"], row["kept_id"], page(row["id"]), page(row["kept_id"]), local_time(row["at"]), licence)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
