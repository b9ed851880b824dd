"""The offices' duplicate finder: pairs of projects of one district that may be one project – the same or nearly the
same name, or the same Träger where one name's words are within the other's, within FINDER_KM of each other –
pending, published and gathered from sources alike. Pairs an office found to be different („kein Duplikat“) are
not shown again.

Why the Träger alone is not enough: in the real data set (data/projects.csv, 391 entries) the same Träger within
3 km made 43 pairs, every one of them two different projects of one Träger (a Willkommensinitiative's language
café and its homework help); none of them shares its name's words. An entry from a source called „Sprachcafé“ and
a submission „Sprachcafé der Kirchengemeinde St. Martin“ of the same Träger do.

Names are compared as the submission's warning compares them (atlas.likeness). The work is split by a grid of
cells FINDER_KM wide: each cell's projects are compared with those of the cell and its eight neighbours in one
rapidfuzz call, so a district of thousands never compares every pair, and the exact distance (on the ellipsoid)
is measured only for pairs whose names or Träger match.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from atlas.geo import distance_km
from atlas.likeness import prepared, shares_words, similar

FINDER_KM = 3.0  # „within a few km“: a project and its duplicate are rarely farther apart than a town's width
KM_PER_DEGREE_LAT = 110.5


@dataclass(frozen=True)
class Pair:
    first: dict  # the project with the smaller id
    second: dict
    km: float
    name: int  # likeness of the names (0–100), 0 below the rule's threshold
    traeger: int  # likeness of the Träger, likewise

    @property
    def ids(self) -> tuple[int, int]:
        return self.first["id"], self.second["id"]


def find_pairs(rows: list[dict], distinct: set[tuple[int, int]], km: float = FINDER_KM) -> list[Pair]:
    """The likely duplicates among these projects (dicts with id, name, traeger, lat, lon): those with the most
    alike names first, then those of the same Träger whose names share their words, the nearer first; `distinct`
    holds the (smaller id, larger id) pairs not to show."""
    if len(rows) < 2:
        return []
    lats = np.array([row["lat"] for row in rows], dtype=float)
    lons = np.array([row["lon"] for row in rows], dtype=float)
    ids = np.array([row["id"] for row in rows])
    names, traeger = prepared([row["name"] for row in rows]), prepared([row["traeger"] for row in rows])
    found: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for members, around in _neighbourhoods(lats, lons, km):
        for which, texts in enumerate((names, traeger)):
            scores = similar([texts[i] for i in members], [texts[j] for j in around])
            rows_at, columns_at = np.nonzero(scores)
            for i, j, score in zip(members[rows_at], around[columns_at], scores[rows_at, columns_at], strict=True):
                if ids[i] < ids[j]:
                    found[(int(i), int(j))][which] = int(score)
    if not found:
        return []
    pairs = list(found)
    first, second = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    apart = distance_km(lats[first], lons[first], lats[second], lons[second])
    result = [Pair(rows[i], rows[j], float(d), *found[(i, j)]) for (i, j), d in zip(pairs, apart, strict=True)
              if d <= km and (int(ids[i]), int(ids[j])) not in distinct
              and (found[(i, j)][0] or shares_words(rows[i]["name"], rows[j]["name"]))]
    return sorted(result, key=lambda p: (-p.name, -p.traeger, p.km, p.ids))  # alike names first, then Träger


def pairs_with(project: dict, rows: list[dict], distinct: set[tuple[int, int]], km: float = FINDER_KM) -> list[Pair]:
    """The likely duplicates of one project among `rows` (those near it): what its page shows."""
    others = [row for row in rows if row["id"] != project["id"]]
    return [pair for pair in find_pairs([project, *others], distinct, km) if project["id"] in pair.ids]


def other(pair: Pair, project_id: int) -> dict:
    """The project of the pair that is not `project_id`."""
    return pair.second if pair.first["id"] == project_id else pair.first


def _neighbourhoods(lats: np.ndarray, lons: np.ndarray, km: float):
    """(indices in a cell, indices in that cell and the eight around it) for every occupied cell of a grid whose
    cells are at least `km` wide everywhere in the data (their width in degrees of longitude is taken at the
    northernmost latitude, where a degree is shortest)."""
    lat_step = km / KM_PER_DEGREE_LAT
    lon_step = km / (111.3 * max(math.cos(math.radians(float(np.abs(lats).max()))), 0.01))
    rows_at, columns_at = np.floor(lats / lat_step).astype(int), np.floor(lons / lon_step).astype(int)
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, cell in enumerate(zip(rows_at.tolist(), columns_at.tolist(), strict=True)):
        cells[cell].append(index)
    for (row, column), members in cells.items():
        around = [i for dr in (-1, 0, 1) for dc in (-1, 0, 1) for i in cells.get((row + dr, column + dc), ())]
        yield np.array(members), np.array(around)
