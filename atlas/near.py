"""Nearest projects: a KD-tree over the published projects in EPSG:25832, built once per store version, picks the
candidates; geo.distances measures them, as it measures every distance the atlas shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd
from pyproj import Transformer

from atlas.bands import Bands
from atlas.filters import Filter, parse_filter
from atlas.geo import distance_km, distances, in_box_around, inside_circle
from atlas.i18n import _
from atlas.places import parse_position
from atlas.present import local_now
from atlas.text import clean_text, whole_number
from atlas.versioned import Versioned

RADII_KM = (5, 10, 25, 50)
DEFAULT_RADIUS_KM = 25
NEAREST_BEYOND = 5
RESULTS_SHOWN = 50  # a page of the list, as every public list has (atlas.web.params.LIST_PAGE)
SURELY_INSIDE = 0.998  # of the radius in the tree's metres: within it, within the radius on the ellipsoid too
SPARE = 8  # candidates beyond those asked for: the tree's order in metres may differ from the ellipsoid's at the end
# ETRS89 / UTM 32N: the official metric CRS of Niedersachsen; its scale error here stays below 0.1 %.
@lru_cache(maxsize=1)
def _to_metres() -> Transformer:
    """WGS84 to ETRS89 / UTM 32N (EPSG:25832), Niedersachsen's official metric CRS."""
    return Transformer.from_crs(4326, 25832, always_xy=True)


class Hit(NamedTuple):  # a tuple: a page makes dozens, a frozen dataclass cost three times as much each
    row: int  # row in the index's projects (NearIndex.rows)
    km: float


class NearIndex:
    def __init__(self, projects):
        """An index over public projects: a frame of PUBLIC_COLUMNS, or all of atlas.published's Snapshot, which
        lends its columns without a copy (a million projects: no second table per process) and hands out its rows
        with when each was confirmed, so a list needs no query for it."""
        framed = isinstance(projects, pd.DataFrame)
        self.projects = projects.reset_index(drop=True) if framed else projects
        self.version = None if framed else projects.version  # of the published projects it holds (a Snapshot's)
        self.lats = np.asarray(self.projects["lat"], dtype=float)
        self.lons = np.asarray(self.projects["lon"], dtype=float)
        x, y = _to_metres().transform(self.lons, self.lats)
        from scipy.spatial import cKDTree  # a third of a second to import: only where an index is built

        self.tree = cKDTree(np.column_stack([x, y])) if len(self.projects) else None
        self.bands = Bands(x, y)  # for count_within: 2.8 MB at 100k projects

    def rows(self, rows: list[int]) -> list[dict]:
        """These rows of the index's projects as dicts (one step for all of them, not one per row)."""
        if not rows:
            return []
        if isinstance(self.projects, pd.DataFrame):
            return self.projects.iloc[rows].to_dict("records")
        return self.projects.rows(rows)

    def keep(self, wanted: Filter, now: datetime | None = None) -> np.ndarray | None:
        """Which of the index's projects pass a filter (None: all), for within, nearest and count_within."""
        return wanted.keep_columns(self.projects, now or local_now()) if wanted.active else None

    def within(self, lat: float, lon: float, radius_km: float, keep: np.ndarray | None = None,
               limit: int | None = None) -> list[Hit]:
        """Projects within the radius, nearest first (at most `limit`), only those `keep` marks if given."""
        return self._nearest(lat, lon, limit or len(self.projects), keep, radius_km)

    def nearest(self, lat: float, lon: float, count: int, keep: np.ndarray | None = None) -> list[Hit]:
        """The `count` nearest projects that `keep` marks, however far."""
        return self._nearest(lat, lon, count, keep, np.inf)

    def count_within(self, lat: float, lon: float, radius_km: float, keep: np.ndarray | None = None) -> int:
        if self.tree is None:
            return 0
        px, py = _to_metres().transform(lon, lat)
        # the rows around the place with their squared metres, as arrays (the bands: a KD-tree hands the rows of
        # its ball out one by one, a few thousand here, and costs ten times as much)
        rows, squares = self.bands.around(px, py, _tree_bound(radius_km))
        if keep is not None:
            kept = keep[rows]
            rows, squares = rows[kept], squares[kept]
        # well inside the ball the two measures cannot disagree: only the rim is measured on the ellipsoid
        inside = squares <= (radius_km * 1000.0 * SURELY_INSIDE) ** 2
        rim = ~inside & (squares <= _tree_bound(radius_km) ** 2)
        return int(inside.sum() + (self._km(lat, lon, rows[rim]) <= radius_km).sum())

    def _km(self, lat: float, lon: float, rows: np.ndarray) -> np.ndarray:
        """The distances that count (on the ellipsoid, as everywhere in the atlas), for these rows of the index: its
        positions are public ones already, which geo.distances would only copy (a third of its time here)."""
        if not len(rows):
            return np.zeros(0)
        return distance_km(np.full(len(rows), lat), np.full(len(rows), lon), self.lats[rows], self.lons[rows])

    def _nearest(self, lat: float, lon: float, count: int, keep: np.ndarray | None, radius_km: float) -> list[Hit]:
        """The tree picks candidates in metres of EPSG:25832; the distances on the ellipsoid decide and order, ties
        by the row (one order for every page of a list). The two measures differ by less than 0.1 % here: the
        candidates are enough once the `count`th lies surely nearer than any the tree left out – not so while
        projects at one place, as far away as the `count`th, may lie beyond them."""
        total = len(self.projects)
        if self.tree is None or count <= 0:
            return []
        point = _to_metres().transform(lon, lat)
        upper = _tree_bound(radius_km)
        k = min((count if keep is None else count * 4) + SPARE, total)
        while True:
            metres, rows = self.tree.query(point, k=k, distance_upper_bound=upper)
            metres, rows = np.atleast_1d(metres), np.atleast_1d(rows)
            inside = np.isfinite(metres)  # beyond the bound, the tree answers inf and row == total
            exhausted = k == total or not inside.all()
            farthest_km = metres[-1] / 1000.0 if inside.all() else np.inf  # every row left out lies at least this far
            rows = rows[inside]
            if keep is not None:
                rows = rows[keep[rows]]
            km = self._km(lat, lon, rows)
            order = np.lexsort((rows, km))
            rows, km = rows[order], km[order]
            rows, km = rows[km <= radius_km], km[km <= radius_km]
            if exhausted or (len(rows) >= count and km[count - 1] < farthest_km * SURELY_INSIDE):
                return list(map(Hit, rows[:count].tolist(), km[:count].tolist()))  # Python's ints and floats
            k = min(k * 4, total)


def _tree_bound(radius_km: float) -> float:
    """The tree's ball and the bands' reach in metres: a little larger than the radius (the ellipsoid's distance then
    decides)."""
    return radius_km * 1000.0 * 1.002 if np.isfinite(radius_km) else np.inf


class NearIndexCache:
    """The index for the published projects as they are now (atlas.published): rebuilt only after a publication."""

    def __init__(self, public):
        self.public = public
        self._index: Versioned[NearIndex] = Versioned()

    @property
    def builds(self) -> int:
        return self._index.builds

    def current(self) -> NearIndex:
        snapshot = self.public.current()
        return self._index.get(snapshot.version, lambda: NearIndex(snapshot))


@dataclass
class NearQuery:
    ort: str = ""
    lat: float | None = None
    lon: float | None = None
    name: str = ""
    radius_km: int = DEFAULT_RADIUS_KM
    filter: Filter = Filter()

    @property
    def empty(self) -> bool:
        return not self.ort and self.lat is None

    def params(self) -> list[tuple[str, str]]:
        """The query as URL parameters, as parse_near_query reads them."""
        where = ([("lat", f"{self.lat:.5f}"), ("lon", f"{self.lon:.5f}")] + ([("name", self.name)] if self.name else [])
                 if self.lat is not None else [("ort", self.ort)])
        return where + [("umkreis", str(self.radius_km))] + self.filter.params()


@dataclass
class NearResult:
    status: str  # ok, ambiguous, not_found, invalid, empty
    message: str
    place: object = None
    candidates: list = None
    projects: list[dict] = None
    beyond: bool = False  # nothing within the radius: these are the nearest beyond it
    total: int = 0  # within the radius, listed RESULTS_SHOWN to a page, nearest first
    first: int = 0  # how many nearer ones the pages before this one list
    suggestions: list = None  # "Meinten Sie …?": places that exist, in or near Niedersachsen
    passing: bool = False  # the place is a fallback while the online geocoder was unreachable (atlas.places.Result)


def parse_near_query(args) -> tuple[NearQuery, list[str]]:
    """Read ?ort=…&umkreis=… and the filter (or lat/lon from the browser); say what was wrong and fall back."""
    problems: list[str] = []
    query = NearQuery(ort=clean_text(args.get("ort"))[:300])
    radius = args.get("umkreis") or str(DEFAULT_RADIUS_KM)  # a form may send it empty
    radius_km = whole_number(radius)
    if radius_km in RADII_KM:
        query.radius_km = radius_km
    else:
        problems.append(_("Der Umkreis muss 5, 10, 25 oder 50 km sein, nicht „%(value)s“; gesucht wird in 25 km.",
                          value=clean_text(radius)[:20]))
    query.filter, unknown = parse_filter(args)
    problems += unknown
    if args.get("lat") or args.get("lon"):
        try:
            query.lat, query.lon = parse_position(args.get("lat", ""), args.get("lon", ""))
            query.name = clean_text(args.get("name"))[:120]
        except ValueError as error:
            problems.append(str(error))
    return query, problems


def find_near(query: NearQuery, geocoder, index: NearIndex, now: datetime | None = None, page: int = 1) -> NearResult:
    """Where the person is, then the projects within the radius – the `page`th RESULTS_SHOWN of them, nearest
    first – or the nearest beyond it (open at `now`, if the filter asks). A page after the last lists none."""
    if query.lat is not None:
        located = geocoder.position(query.lat, query.lon, name=query.name or None)
    else:
        located = geocoder.geocode(query.ort)
    if located.status == "ambiguous":
        return NearResult("ambiguous", located.message, candidates=located.candidates)
    if not located.ok:
        return NearResult(located.status, located.message, suggestions=located.suggestions)
    place = located.place
    keep = index.keep(query.filter, now)
    first = (page - 1) * RESULTS_SHOWN
    hits = index.within(place.lat, place.lon, query.radius_km, keep, limit=first + RESULTS_SHOWN)
    beyond = not hits
    if beyond:
        hits = index.nearest(place.lat, place.lon, NEAREST_BEYOND, keep)
        total, first = len(hits), 0
    else:
        total = len(hits) if len(hits) < first + RESULTS_SHOWN else index.count_within(place.lat, place.lon,
                                                                                      query.radius_km, keep)
        hits = hits[first:]
    projects = index.rows([hit.row for hit in hits])
    for project, hit in zip(projects, hits, strict=True):
        project["km"] = hit.km
    return NearResult("ok", located.message, place=place, projects=projects, beyond=beyond, total=total, first=first,
                      candidates=[c for c in located.candidates if c != place], passing=located.passing)


def within_radius(published, positions: np.ndarray, place, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Those of these positions in the published projects (atlas.published, at their public positions already)
    that lie within the radius of a place, in the same order, and their distances in km – measured as
    geo.distances measures everywhere, for those in the box around it (geo.box_around) only."""
    lats, lons = published["lat"][positions], published["lon"][positions]
    boxed = in_box_around(place.lat, place.lon, radius_km, lats, lons)
    positions, lats, lons = positions[boxed], lats[boxed], lons[boxed]
    km = distances(place.lat, place.lon, lats, lons, None)
    return positions[km <= radius_km], km[km <= radius_km]


def in_radius(published, positions: np.ndarray, place, radius_km: float) -> np.ndarray:
    """Which of these positions lie within the radius (a mask), as within_radius decides, without the distances:
    for what is only counted or listed by id (the search's circle, downloads). geo.inside_circle measures only
    those near the edge (a search 50 km around a town reads about 1,600 matches: 1.2 → 0.1 ms)."""
    lats, lons = published["lat"][positions], published["lon"][positions]
    boxed = in_box_around(place.lat, place.lon, radius_km, lats, lons)
    boxed[boxed] = inside_circle(place.lat, place.lon, lats[boxed], lons[boxed], radius_km)
    return boxed


def circle(place, radius_km: float) -> dict:
    """What a map draws around a place: its centre, the radius in metres and its name."""
    return {"lat": place.lat, "lon": place.lon, "radius": radius_km * 1000, "name": place.name}
