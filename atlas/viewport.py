"""Map data by viewport: above a threshold of projects a map no longer gets every project, but per map tile (zoom,
x, y of the Web Mercator tiles that Leaflet uses) clusters of the projects there, and the projects themselves
where the tile holds few of them – and the list beside the map gets the projects in view, a page at a time.

The index is made once per version of the published data and district (a snapshot is never changed): every
project's place on a Z-order (Morton) curve of the world at zoom QUAD, sorted. The projects of a tile are then
one contiguous run of that order (two binary searches), and the cells of a tile are runs inside it, so a tile
costs numpy work over its own projects only, and its answer is bounded: at most CELLS² clusters and projects,
or from POINTS_ZOOM on POINTS_MAX projects. Plain numpy, no Flask.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

QUAD = 26  # the finest grid: 2^26 units around the world (a pixel at zoom 18), so codes fit in 52 bits
MAX_ZOOM = 18  # the maps' own limit (atlas.maps)
CELLS = 4  # a tile of 256 px is 4 × 4 cells of 64 px: at most 16 clusters per tile
POINTS_ZOOM = 15  # from this zoom on (as supercluster's maxZoom 14) a tile sends its projects themselves …
POINTS_MAX = 200  # … if it holds at most this many (after the filter); below it only a cell's single project
MASKS_KEPT = 8  # filters whose answer (a bit per project) is kept per snapshot
MAX_LAT = 85.05112878  # Web Mercator's edge


@dataclass(frozen=True)
class Tile:
    """What a map tile shows: `points`, positions in the snapshot (in list order); `clusters` as rows of
    (lat, lon, count), each the mean place of the projects of a cell."""

    points: np.ndarray
    clusters: list[tuple[float, float, int]]


class TileIndex:
    """Projects (by id) in Z-order with their places, for the tiles of a map."""

    def __init__(self, ids: np.ndarray, lat: np.ndarray, lon: np.ndarray, codes: np.ndarray | None = None):
        """Of these projects; with their `codes`, they are in Z-order already."""
        ids, lat, lon = (np.asarray(a) for a in (ids, lat, lon))
        if codes is None:
            codes = morton(*world_units(lat, lon))
            order = np.argsort(codes)  # ties in any order: a tile lists its projects by position
            ids, lat, lon, codes = ids[order], lat[order], lon[order], codes[order]
        self.ids, self.lat, self.lon, self.codes = ids.astype(np.int64), lat, lon, codes

    @classmethod
    def of(cls, snapshot) -> TileIndex:
        """Every project of a snapshot of the published data (atlas.published)."""
        return cls(snapshot["id"], snapshot["lat"], snapshot["lon"])

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, chosen: np.ndarray) -> TileIndex:
        """The projects `chosen` (a bit per entry of this index): already in order."""
        return TileIndex(self.ids[chosen], self.lat[chosen], self.lon[chosen], self.codes[chosen])

    def followed(self, snapshot) -> TileIndex:
        """This index (of every project of an earlier snapshot) brought to `snapshot`: the projects gone or moved
        taken out, the new and moved ones put in at their places – numpy passes over the index, no sort of it."""
        size = max(len(snapshot.pos_of), int(self.ids.max()) + 1 if len(self) else 0)
        now_at = np.full(size, -1, dtype=np.int64)
        now_at[:len(snapshot.pos_of)] = snapshot.pos_of
        at = now_at[self.ids]
        lat, lon = snapshot["lat"], snapshot["lon"]
        leaving = at < 0
        somewhere = np.where(leaving, 0, at)
        leaving |= (lat[somewhere] != self.lat) | (lon[somewhere] != self.lon)  # gone, or moved
        staying = [self.ids, self.lat, self.lon, self.codes]
        if leaving.any():
            staying = [column[~leaving] for column in staying]
        known = np.zeros(size, dtype=bool)
        known[staying[0]] = True
        ids = snapshot["id"]
        arriving = np.flatnonzero(~known[ids])  # positions of the new and the moved
        if not len(arriving):
            return TileIndex(*staying)
        come = TileIndex(ids[arriving], lat[arriving], lon[arriving])
        where = np.searchsorted(staying[3], come.codes)
        return TileIndex(*(np.insert(mine, where, theirs) for mine, theirs in zip(
            staying, (come.ids, come.lat, come.lon, come.codes), strict=True)))

    def tile(self, z: int, x: int, y: int, pos_of: np.ndarray, keep: np.ndarray | None = None) -> Tile:
        """The tile (z, x, y), of the projects that `keep` (a bit per snapshot position; None: all) lets through;
        `pos_of` is the snapshot's position of each id."""
        check_tile(z, x, y)
        shift = 2 * (QUAD - z)
        first = int(morton(np.array([x]), np.array([y]))[0])
        lo, hi = np.searchsorted(self.codes, [first << shift, (first + 1) << shift])
        positions, codes = pos_of[self.ids[lo:hi]], self.codes[lo:hi]
        lat, lon = self.lat[lo:hi], self.lon[lo:hi]
        if keep is not None:
            passing = keep[positions]
            positions, codes, lat, lon = positions[passing], codes[passing], lat[passing], lon[passing]
        if not len(positions) or (z >= POINTS_ZOOM and len(positions) <= POINTS_MAX):
            return Tile(np.sort(positions), [])
        cells = codes >> (shift - 2 * int(math.log2(CELLS)))
        starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]])
        counts = np.diff(np.r_[starts, len(cells)])
        single = counts == 1
        many = ~single
        mean_lat = np.add.reduceat(lat, starts)[many] / counts[many]
        mean_lon = np.add.reduceat(lon, starts)[many] / counts[many]
        clusters = [(round(float(a), 5), round(float(b), 5), int(n))
                    for a, b, n in zip(mean_lat, mean_lon, counts[many], strict=True)]
        return Tile(np.sort(positions[starts[single]]), clusters)


def check_tile(z: int, x: int, y: int) -> None:
    if not 0 <= z <= MAX_ZOOM:
        raise ValueError(f"zoom must be 0 to {MAX_ZOOM}, got {z}")
    if not (0 <= x < 2 ** z and 0 <= y < 2 ** z):
        raise ValueError(f"tile x and y must be 0 to {2 ** z - 1} at zoom {z}, got {x}, {y}")


def world_units(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator x and y (x east, y south) as integers 0 … 2^QUAD − 1."""
    size = 2 ** QUAD
    phi = np.radians(np.clip(np.asarray(lat, dtype=np.float64), -MAX_LAT, MAX_LAT))
    x = (np.asarray(lon, dtype=np.float64) + 180.0) / 360.0
    y = 0.5 - np.arctanh(np.sin(phi)) / (2 * math.pi)
    return (np.clip((x * size).astype(np.int64), 0, size - 1), np.clip((y * size).astype(np.int64), 0, size - 1))


def morton(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x and y interleaved bit by bit (x in the even bits): nearby places get nearby codes, and the units of a
    tile at any zoom one run of them."""
    both = _spread(np.asarray(x, dtype=np.uint64)) | (_spread(np.asarray(y, dtype=np.uint64)) << np.uint64(1))
    return both.astype(np.int64)


def _spread(v: np.ndarray) -> np.ndarray:
    v = v & np.uint64(0xFFFFFFFF)
    for shift, magic in ((16, 0x0000FFFF0000FFFF), (8, 0x00FF00FF00FF00FF), (4, 0x0F0F0F0F0F0F0F0F),
                         (2, 0x3333333333333333), (1, 0x5555555555555555)):
        v = (v | (v << np.uint64(shift))) & np.uint64(magic)
    return v


def in_view(lat: np.ndarray, lon: np.ndarray, positions: np.ndarray, bbox: tuple[float, float, float, float],
            keep: np.ndarray | None = None) -> np.ndarray:
    """Of these positions (in list order), those inside bbox (west, south, east, north) that `keep` lets through."""
    west, south, east, north = bbox
    at_lat, at_lon = lat[positions], lon[positions]
    inside = (at_lat >= south) & (at_lat <= north) & (at_lon >= west) & (at_lon <= east)
    if keep is not None:
        inside &= keep[positions]
    return positions[inside]


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """`west,south,east,north` in degrees, widened outward to 3 decimals (so that nearby views share an answer);
    ValueError names what is wrong."""
    parts = text.split(",")
    if len(text) > 100 or len(parts) != 4:
        raise ValueError("four numbers")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise ValueError("four numbers") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ValueError("four numbers")
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError("order")
    return (math.floor(west * 1000) / 1000, math.floor(south * 1000) / 1000,
            math.ceil(east * 1000) / 1000, math.ceil(north * 1000) / 1000)


class Viewports:
    """Per snapshot of the published data: the tile index of each district and the answers of recent filters,
    made once (a second request for the same waits for the first) and gone with the snapshot. The state's index
    of a new snapshot follows the last one made (TileIndex.followed): a publication costs what it changes, not a
    sort of every project."""

    def __init__(self):
        self._kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._latest: TileIndex | None = None  # the state's index last made, of whichever snapshot
        self.made = self.followed = 0

    def index(self, snapshot, arl: str | None) -> TileIndex:
        """The tile index of a district (None: the state); a district's is cut from the state's, not sorted again."""
        if arl is not None:
            return self._get(snapshot, ("index", arl), lambda: self._district(snapshot, arl))
        return self._get(snapshot, ("index", None), lambda: self._state(snapshot))

    def keep(self, snapshot, wanted, now, key: Hashable) -> np.ndarray | None:
        """A bit per project of the snapshot: whether it passes the filter `wanted` (None: no filter)."""
        if not wanted.active:
            return None
        return self._get(snapshot, ("keep", key), lambda: wanted.keep_columns(snapshot, now), bounded=True)

    def _state(self, snapshot) -> TileIndex:
        latest = self._latest
        if latest is None:
            index = TileIndex.of(snapshot)
            self.made += 1
        else:
            index = latest.followed(snapshot)
            self.followed += 1
        self._latest = index
        return index

    def _district(self, snapshot, arl: str) -> TileIndex:
        state = self.index(snapshot, None)
        return state.subset(snapshot.in_arl(arl)[snapshot.pos_of[state.ids]])

    def _get(self, snapshot, key: Hashable, make, bounded: bool = False):
        with self._lock:
            # reentrant: a district's index is made from the state's, under the same lock
            kept = self._kept.setdefault(snapshot, {"lock": threading.RLock(), "values": OrderedDict()})
        with kept["lock"]:  # one makes it, the others wait for it
            values = kept["values"]
            if key not in values:
                values[key] = make()
                masks = [k for k in values if k[0] == "keep"]
                if bounded and len(masks) > MASKS_KEPT:
                    values.pop(masks[0])
            values.move_to_end(key)
            return values[key]
