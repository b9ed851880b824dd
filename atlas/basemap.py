"""The atlas's own light basemap, drawn under every map by static/js/basemap.js: it shows where one is while map
tiles are slow or switched off.

The shapes come from data/basemap/ (made by scripts/build_basemap.py from BKG VG250): an overview up to zoom 9,
and from zoom 10 finer tiles of 0.5° × 0.25° with the Gemeinde borders. The place names come from the gazetteer
(GeoNames places with their inhabitants): the larger a place, the further out it is named; the index names the
places of 10,000 inhabitants and more (and says which tiles there are), each tile the smaller ones in it. A map
close in never needs the overview's shapes, so they are a part of their own. Which names overlap is decided in
the browser, the larger place first. Everything is made once per process, as JSON texts named by one version.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

OVERVIEW_BOX = (5.0, 47.0, 15.5, 55.1)  # west, south, east, north: all of Germany, as far out as a map goes
DETAIL_BOX = (6.0, 51.0, 12.0, 54.25)  # where tiles exist: Niedersachsen and about 25 km around it
TILE_WIDTH, TILE_HEIGHT = 0.5, 0.25  # degrees: about 34 × 28 km
DETAIL_ZOOM = 10  # from here on the tiles: Gemeinde borders, finer shapes, the smaller places
PLACE_SCALE = 10_000  # coordinates of places as integers of 1e-4° (about 10 m)
# From which zoom a place is named, by its inhabitants (the state map starts at zoom 7, a project page at 12)
NAMED_FROM = ((500_000, 5), (200_000, 6), (50_000, 7), (20_000, 8), (10_000, 9), (5_000, 10), (2_000, 11),
              (1_000, 12), (0, 13))
LARGE_ZOOM = 7  # places named from this zoom on or further out are named in all the overview; smaller ones only
# around Niedersachsen (DETAIL_BOX), where the maps look


@dataclass(frozen=True)
class Basemap:
    index: str  # JSON: the larger places and the tiles there are – every map needs it first
    overview: str  # GeoJSON: the overview's shapes, for a map further out than DETAIL_ZOOM
    tiles: dict[tuple[int, int], str]  # JSON per tile (column, row): its shapes and smaller places
    version: str  # names all of it: a browser may keep every part for a year under it


def build_basemap(directory: Path, gazetteer_entries: pd.DataFrame) -> Basemap:
    """The index, the overview and the tiles from the shapes in `directory` and the places of the gazetteer."""
    places = named_places(gazetteer_entries)
    tile_features: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for feature in _read(directory / "kacheln.geojson")["features"]:
        properties = feature["properties"]
        tile_features[(properties.pop("x"), properties.pop("y"))].append(feature)
    detail = places[places.zoom >= DETAIL_ZOOM]
    by_tile = detail.groupby([(detail.lon // TILE_WIDTH).astype(int), (detail.lat // TILE_HEIGHT).astype(int)])
    tiles = {key: _json({"type": "FeatureCollection", "features": features,
                         "places": _columns(by_tile.get_group(key) if key in by_tile.groups else places[:0])})
             for key, features in sorted(tile_features.items())}
    index = _json({"places": _columns(places[places.zoom < DETAIL_ZOOM]),
                   "tiles": {"zoom": DETAIL_ZOOM, "size": [TILE_WIDTH, TILE_HEIGHT], "box": DETAIL_BOX,
                             "have": list(tiles)}})
    overview = _json(_read(directory / "uebersicht.geojson"))
    digest = hashlib.sha256(index.encode())
    for text in (overview, *tiles.values()):
        digest.update(text.encode())
    return Basemap(index, overview, tiles, digest.hexdigest()[:20])


def named_places(entries: pd.DataFrame) -> pd.DataFrame:
    """The gazetteer's inhabited places around Niedersachsen, largest first, with the zoom they are named from
    and their rank (0: the largest). `entries` has name, lat, lon, precision, population and kreis_rs (None
    outside Niedersachsen)."""
    places = entries[(entries.precision == "place") & (entries.population > 0) & _within(entries, OVERVIEW_BOX)]
    places = places.sort_values(["population", "name"], ascending=[False, True], kind="stable")
    thresholds = np.array([n for n, _zoom in NAMED_FROM])
    zooms = np.array([zoom for _n, zoom in NAMED_FROM])
    zoom = zooms[np.argmax(places.population.to_numpy()[:, None] >= thresholds[None, :], axis=1)]
    zoom = zoom + places.kreis_rs.isna().to_numpy()  # the atlas is about Niedersachsen: the others one zoom later
    places = places.assign(zoom=zoom)[(zoom <= LARGE_ZOOM) | _within(places, DETAIL_BOX)]
    return pd.DataFrame({"name": places.name.astype(str).to_numpy(), "lat": places.lat.to_numpy(),
                         "lon": places.lon.to_numpy(), "zoom": places.zoom.to_numpy(), "rank": np.arange(len(places))})


def _within(frame: pd.DataFrame, box: tuple[float, float, float, float]) -> pd.Series:
    west, south, east, north = box
    return frame.lon.between(west, east) & frame.lat.between(south, north)


def tile_of(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lon / TILE_WIDTH), math.floor(lat / TILE_HEIGHT)


def _columns(places: pd.DataFrame) -> dict:
    """Compact columns, as the projects travel (atlas.mapdata): the names are text for textContent, nothing else."""
    return {"name": places.name.tolist(), "lat": np.round(places.lat.to_numpy() * PLACE_SCALE).astype(int).tolist(),
            "lon": np.round(places.lon.to_numpy() * PLACE_SCALE).astype(int).tolist(),
            "zoom": places.zoom.astype(int).tolist(), "rank": places["rank"].astype(int).tolist(),
            "scale": PLACE_SCALE}


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
