"""Plain data for templates: a project with its Handlungsfelder, and the counts per Kreis of a district."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd

from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.regions import Regions


def project_view(row: dict) -> dict:
    """A project row with its Handlungsfelder as objects (name, colour, letter) for display."""
    slugs = [s for s in str(row.get("handlungsfelder", "")).split(";") if s in HANDLUNGSFELDER]
    return dict(row, fields=[HANDLUNGSFELDER[s] for s in slugs])


def hf_names(slugs: str) -> list[str]:
    """ "sprache;wohnen" → the German names, as files and exports carry them."""
    return [HANDLUNGSFELDER[s].name for s in slugs.split(";") if s in HANDLUNGSFELDER]


def hf_labels(slugs: str) -> list[str]:
    """ "sprache;wohnen" → the names in the reader's language."""
    return [HANDLUNGSFELDER[s].label for s in slugs.split(";") if s in HANDLUNGSFELDER]


def kreis_counts(regions: Regions, projects: pd.DataFrame, arl: str) -> dict:
    """Projects per Kreis and Handlungsfeld of one district, every Kreis listed, with totals."""
    kreise = regions.kreise[regions.kreise.arl == arl].sort_values("name")
    rows = []
    for kreis in kreise.itertuples():
        mine = projects[projects.kreis_rs == kreis.rs]
        rows.append({
            "rs": kreis.rs,
            "label": regions.by_rs[kreis.rs].label,
            "fields": [int(((mine.hf_mask & hf.bit) != 0).sum()) for hf in HANDLUNGSFELDER.values()],
            "total": len(mine),
        })
    totals = [int(((projects.hf_mask & hf.bit) != 0).sum()) for hf in HANDLUNGSFELDER.values()]
    return {"rows": rows, "totals": totals, "total": len(projects)}


BERLIN = ZoneInfo("Europe/Berlin")


def local_time(moment: datetime) -> str:
    """A stored time in Europe/Berlin, as „26.11.2026 15:32“; times without a zone are UTC (SQLite drops it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
