"""The figures of an office's dashboard, as plain values (no Flask, no drawing: atlas.charts draws them, the view
shows them as tables too, atlas.figures_csv writes them for Excel).

- tasks: what waits, each a count with the age of its oldest task (TILES, a small registry: one entry per tile);
- per month, the last 12: projects that came in, and decisions (published, rejected);
- the median days from submission to the first decision, over the projects first decided in those 12 months;
- per Kreis × Handlungsfeld: the published projects, the gaps (a Kreis without any project of a Handlungsfeld),
  and the same per 100,000 inhabitants (the official population of each Kreis).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from statistics import median

from atlas.districts import ARLS
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import N_
from atlas.labels import PENDING, PUBLISHED, REJECTED
from atlas.present import BERLIN
from atlas.queue import CLAIMS, FROM_SOURCES, PROPOSALS, REPORTS, STALE, TABS
from atlas.regions import Regions

MONTHS = 12
PER = 100_000  # figures per this many inhabitants


@dataclass(frozen=True)
class Tile:
    """One count of the dashboard's „Zu tun“: the tab of the queue it links to (or its own count)."""

    key: str
    label: str  # German, translated where shown
    tab: str  # the queue's tab it opens
    count: Callable | None = None  # (store, arl, context) -> (count, oldest); None: the tab's count


TILES: list[Tile] = [
    Tile("eingereicht", N_("Neue Einreichungen"), PENDING),
    Tile("vorschlaege", N_("Änderungsvorschläge"), PROPOSALS),
    Tile("meldungen", N_("Meldungen aus der Öffentlichkeit"), REPORTS),
    Tile("veraltet", N_("Veraltet (nicht bestätigt)"), STALE),
    Tile("quellen", N_("Aus Quellen, unbestätigt"), FROM_SOURCES),
    Tile("anfragen", N_("Anfragen von Trägern"), CLAIMS),
    # issue 24 adds „Übernommen, nach Person“ here with its own `count`
]


@dataclass
class TileValue:
    tile: Tile
    count: int
    oldest: datetime | None

    def age_days(self, now: datetime) -> int | None:
        return (now - self.oldest).days if self.oldest else None


@dataclass
class Month:
    key: str  # 2026-03
    came_in: int = 0
    published: int = 0
    rejected: int = 0


@dataclass
class KreisRow:
    rs: str
    label: str
    arl: str
    population: int
    counts: dict[str, int]  # Handlungsfeld → published projects
    total: int  # published projects (each once, whatever its Handlungsfelder)

    @property
    def gaps(self) -> list[str]:
        return [slug for slug, n in self.counts.items() if n == 0]

    def per_inhabitants(self, count: int) -> float:
        return count * PER / self.population if self.population else 0.0


@dataclass
class Figures:
    months: list[Month]
    median_days: float | None
    decided: int  # how many projects the median is over
    kreise: list[KreisRow]
    status_counts: dict[str, int] = field(default_factory=dict)
    median_by_arl: dict[str, float | None] = field(default_factory=dict)

    def by_arl(self) -> dict[str, dict]:
        """The state's figures per district, side by side: published projects, inhabitants, gaps, median days."""
        found = {slug: {"total": 0, "population": 0, "gaps": 0, "median": self.median_by_arl.get(slug)}
                 for slug in ARLS}
        for row in self.kreise:
            entry = found[row.arl]
            entry["total"] += row.total
            entry["population"] += row.population
            entry["gaps"] += len(row.gaps)
        for entry in found.values():
            entry["per"] = entry["total"] * PER / entry["population"] if entry["population"] else 0.0
        return found

    @property
    def gap_count(self) -> int:
        return sum(len(row.gaps) for row in self.kreise)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.kreise)

    @property
    def population(self) -> int:
        return sum(row.population for row in self.kreise)


def tasks(store, arl: str | None, context) -> dict[str | None, list[TileValue]]:
    """The tiles of one district (key: its slug) or, for None, of the state (key None) and each district."""
    tabs = {tile.tab: TABS[tile.tab] for tile in TILES if tile.count is None}
    counted = store.tasks(tabs, arl, context)
    districts = [arl] if arl else list(ARLS)
    found: dict[str | None, list[TileValue]] = {}
    for district in districts + ([None] if arl is None else []):
        values = []
        for tile in TILES:
            if tile.count is not None:
                count, oldest = tile.count(store, district, context)
            else:
                per_arl = counted[tile.tab]
                chosen = [per_arl.get(district, (0, None))] if district else list(per_arl.values())
                count = sum(c for c, _o in chosen)
                oldest = min((o for _c, o in chosen if o), default=None)
            values.append(TileValue(tile, count, oldest))
        found[district] = values
    return found


def figures(store, regions: Regions, arl: str | None, now: datetime | None = None) -> Figures:
    now = now or datetime.now(UTC)
    start = first_month(now)
    months = {key: Month(key) for key in month_keys(now)}
    for hour, count in store.created_since(arl, start).items():
        key = _key(hour)
        if key in months:
            months[key].came_in += count
    for at, action in store.decisions_since(arl, start):
        month = months[_key(at)]
        if action == PUBLISHED:
            month.published += 1
        elif action == REJECTED:
            month.rejected += 1
    waits: dict[str, list[float]] = {}
    for district, made, decided in store.first_decisions(arl, start):
        waits.setdefault(district, []).append((decided - made).total_seconds() / 86400)
    every = [wait for district_waits in waits.values() for wait in district_waits]
    counts = store.figures_counts(arl)
    found = Figures(list(months.values()), _median(every), len(every), kreis_rows(counts, regions, arl),
                    _statuses(counts))
    found.median_by_arl = {district: _median(w) for district, w in waits.items()}
    return found


def _median(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def kreis_rows(counts: list[tuple[str, int, str, int]], regions: Regions, arl: str | None) -> list[KreisRow]:
    """Every Kreis of the district (or state), with its published projects per Handlungsfeld – also where none."""
    population = regions.population
    rows = {rs: KreisRow(rs, k.label, k.arl, int(population.get(rs, 0)), {slug: 0 for slug in HANDLUNGSFELDER}, 0)
            for rs, k in sorted(regions.by_rs.items(), key=lambda item: item[1].name) if arl is None or k.arl == arl}
    for rs, hf_mask, status, count in counts:
        if status != PUBLISHED or rs not in rows:
            continue
        row = rows[rs]
        row.total += count
        for slug, hf in HANDLUNGSFELDER.items():
            if hf_mask & hf.bit:
                row.counts[slug] += count
    return list(rows.values())


def _statuses(counts) -> dict[str, int]:
    found: dict[str, int] = {}
    for _rs, _mask, status, count in counts:
        found[status] = found.get(status, 0) + count
    return found


def first_month(now: datetime) -> datetime:
    """The first day of the month eleven months before this one, from midnight in Niedersachsen: the 12 months
    shown, as the offices' exports write their times (Europe/Berlin)."""
    here = now.astimezone(BERLIN)
    year, month = here.year, here.month - (MONTHS - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return datetime(year, month, 1, tzinfo=BERLIN)


def month_keys(now: datetime) -> list[str]:
    start, keys = first_month(now), []
    while len(keys) < MONTHS:
        keys.append(f"{start:%Y-%m}")
        start = (start + timedelta(days=32)).replace(day=1)
    return keys


def _key(at: datetime) -> str:
    """The month of a moment in Niedersachsen („2026-11“): 23:30 UTC on 31 October is 1 November there."""
    return f"{at.astimezone(BERLIN):%Y-%m}"
