"""Where a search looks: a circle around a place (Area) and the cells of the index's grid that may hold what lies
inside it. Every search document names its project's cell (atlas.search_index.facets); a search with a place asks the
index for the circle's cells (atlas.search) and leaves out afterwards what lies beyond the radius."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from atlas.geo import ROUGH_SLACK, box_around, distance_km
from atlas.near import RADII_KM

CELL_LAT, CELL_LON = 0.1, 0.15  # degrees: the grid of the index's place facets, about 11 × 10 km here
COVERED_FROM = 6  # of a row's ten cells in a circle, from which the ten are asked as one (cell_cover)


@dataclass(frozen=True)
class Area:
    """A circle around a place: only projects whose public position lies inside it."""
    lat: float
    lon: float
    radius_km: float


def cell(lat: float, lon: float) -> str:
    return f"c{math.floor(lat / CELL_LAT)}x{math.floor(lon / CELL_LON)}"


def cells_around(area: Area) -> tuple[str, ...]:
    """The grid cells that may hold a project whose public position lies within the circle: of those its box
    touches, the ones whose nearest point lies within the radius (a sixth fewer cells to ask the index for, the
    box's corners). A cell is widened by the most a public position differs from the exact one (geo.ROUGH_SLACK),
    and measured on the ellipsoid with a margin: the nearest point of a cell this small is its point nearest in
    latitude and longitude, to within metres. Kept per circle up to the widest radius a person chooses: people ask
    around the same towns in the same radii, and measuring 90 cells took 0.1–0.2 ms of a search. The wide circles
    of the way on beyond a radius are not kept: one of 400 km is 4,600 cells (290 kB)."""
    return _kept_cells(area) if area.radius_km <= max(RADII_KM) else _cells(area)


def _cells(area: Area) -> tuple[str, ...]:
    south, north, west, east = box_around(area.lat, area.lon, area.radius_km)
    rows, columns = np.meshgrid(np.arange(math.floor(south / CELL_LAT), math.floor(north / CELL_LAT) + 1),
                                np.arange(math.floor(west / CELL_LON), math.floor(east / CELL_LON) + 1),
                                indexing="ij")
    rows, columns = rows.ravel(), columns.ravel()
    nearest_lat = np.clip(area.lat, rows * CELL_LAT - ROUGH_SLACK, (rows + 1) * CELL_LAT + ROUGH_SLACK)
    nearest_lon = np.clip(area.lon, columns * CELL_LON - ROUGH_SLACK, (columns + 1) * CELL_LON + ROUGH_SLACK)
    km = distance_km(np.full(len(rows), area.lat), np.full(len(rows), area.lon), nearest_lat, nearest_lon)
    reached = km <= area.radius_km * 1.001 + 0.05
    return tuple(f"c{row}x{column}" for row, column in zip(rows[reached].tolist(), columns[reached].tolist(),
                                                           strict=True))


_kept_cells = lru_cache(maxsize=1_000)(_cells)  # at most about 100 cells each (50 km): a few MB in all


@lru_cache(maxsize=1_000)
def cell_cover(cells: tuple[str, ...]) -> tuple[str, ...]:
    """FTS5 phrases for at least these cells: where they hold most of the ten cells of a row whose columns differ in
    the last digit only (c521x60 … c521x69), the ten asked as one prefix ("c521x6"*). A phrase of the query costs
    FTS5 a doclist to merge into the match, and SQLite's bm25() also a count of its rows and a look at each match,
    although the facets weigh nothing: 50 km around Hannover are 89 cells, covered by 15 phrases (the benchmark's
    searches in 50 km at 100k: their matches scored in 8.5 → 6.9 ms, median), 25 km 29 cells by 14 phrases. The
    counted ranking (atlas.ranking) reads the words only, and the cover still pays at 100k (docs/benchmarks.md, "Stop
    53: /suche after the counted ranking"). What more the cover holds lies outside the circle and is
    left out with what the cells hold beyond it. Kept with the cells (at most a few kB each)."""
    tens: dict[str, list[str]] = {}
    for token in cells:
        tens.setdefault(token[:-1] if _TWO_DIGIT_COLUMN.fullmatch(token) else token, []).append(token)
    phrases = []
    for ten, members in tens.items():
        phrases += [f'"{ten}"*'] if len(members) >= COVERED_FROM else members
    return tuple(phrases)


_TWO_DIGIT_COLUMN = re.compile(r"c\d+x\d\d")  # a cell whose prefix without the last digit names a ten of one row

