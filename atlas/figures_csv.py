"""The dashboard's figures as CSV for German Excel (as the office's export: semicolons, a decimal comma, a BOM so
Excel reads UTF-8, every cell safe from formulas), headers in the office's language."""

from __future__ import annotations

import csv
import io

from atlas.dashboard import PER, Figures, TileValue
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _
from atlas.transfer import spreadsheet_cell

FIGURES = ("monate", "kreise", "aufgaben")  # the URL's names of the figures


def months_csv(figures: Figures) -> bytes:
    return _csv([_("Monat"), _("Eingänge"), _("Freigaben"), _("Ablehnungen")],
                [[m.key, m.came_in, m.published, m.rejected] for m in figures.months]
                + [[_("Median Tage bis zur ersten Entscheidung"), _decimal(figures.median_days), "", ""]])


def kreise_csv(figures: Figures) -> bytes:
    """Per Kreis: the published projects per Handlungsfeld and in all, the same per 100,000 inhabitants, the
    gaps."""
    fields = list(HANDLUNGSFELDER.values())
    header = ([_("Kreis"), _("Schlüssel"), _("Einwohner")] + [hf.label for hf in fields] + [_("Projekte gesamt")]
              + [_("%(field)s je %(per)s Einwohner", field=hf.label, per="100.000") for hf in fields]
              + [_("gesamt je %(per)s Einwohner", per="100.000"), _("Lücken")])
    rows = [[row.label, row.rs, row.population] + [row.counts[slug] for slug in HANDLUNGSFELDER] + [row.total]
            + [_decimal(row.per_inhabitants(row.counts[slug])) for slug in HANDLUNGSFELDER]
            + [_decimal(row.per_inhabitants(row.total)),
               ", ".join(HANDLUNGSFELDER[slug].label for slug in row.gaps)] for row in figures.kreise]
    return _csv(header, rows)


def tasks_csv(tiles: list[TileValue], now) -> bytes:
    return _csv([_("Aufgabe"), _("Anzahl"), _("Älteste wartet seit (Tagen)")],
                [[_(t.tile.label), t.count, "" if t.oldest is None else t.age_days(now)] for t in tiles])


def _decimal(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def _csv(header: list, rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(str(v)) for v in header])
    for row in rows:
        writer.writerow([spreadsheet_cell(str(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


__all__ = ["FIGURES", "PER", "kreise_csv", "months_csv", "tasks_csv"]
