"""A poster for the wall of a reception centre: a Kreis (or an ArL district) with its number of projects per
Handlungsfeld, a small map drawn as SVG from the boundaries, and a QR code (segno) that opens the near search."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import segno
import shapely

from atlas.handlungsfelder import HANDLUNGSFELDER

MAP_WIDTH = 400  # the SVG's width in its own units; the height follows the area's shape
# Projects are drawn on a grid of this many units (a dot's radius is 4), one dot per cell: dots that would cover each
# other are drawn once, so a poster stays the same size however many projects its area has (250,000 dots, 7 MB of
# page for a district at a million projects, before)
DOT_GRID = 2


@dataclass(frozen=True)
class Poster:
    title: str
    counts: list[tuple[object, int]]  # (Handlungsfeld, number of projects)
    total: int
    map_svg: str
    qr_svg: str
    url: str  # what the QR code opens


DRAWN = ("hf_mask", "lat", "lon")  # the columns of the projects make_poster reads


def make_poster(title: str, area: gpd.GeoDataFrame, projects: pd.DataFrame, url: str) -> Poster:
    """The poster of an area (one or more boundary rows) and its published projects."""
    counts = [(hf, int(((projects.hf_mask & hf.bit) != 0).sum())) for hf in HANDLUNGSFELDER.values()]
    return Poster(title, counts, len(projects), area_svg(area, projects), qr_svg(url), url)


def qr_svg(url: str) -> str:
    """The QR code as inline SVG (error correction M: a creased or partly covered poster still scans)."""
    return segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=4,
                                                 omitsize=True, title="QR")  # a viewBox: it scales with the CSS


def area_svg(area: gpd.GeoDataFrame, projects: pd.DataFrame) -> str:
    """The outline of the area and a dot per project, as SVG: sharp in print, no tiles, no script."""
    west, south, east, north = area.total_bounds
    squeeze = np.cos(np.radians((south + north) / 2))  # a degree of longitude is shorter than one of latitude
    scale = MAP_WIDTH / ((east - west) * squeeze)
    height = round((north - south) * scale)

    def xy(lon, lat):
        return (np.asarray(lon) - west) * squeeze * scale, (north - np.asarray(lat)) * scale

    paths = []
    for geometry in area.geometry:
        for polygon in getattr(geometry, "geoms", [geometry]):
            for ring in [polygon.exterior, *polygon.interiors]:
                coords = shapely.get_coordinates(ring)
                x, y = xy(coords[:, 0], coords[:, 1])
                paths.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y, strict=True)) + "Z")
    x, y = xy(projects.lon.to_numpy(), projects.lat.to_numpy())
    cells = np.unique(np.round(np.column_stack([x, y]) / DOT_GRID).astype(np.int64), axis=0) * DOT_GRID
    dots = "".join(f'<circle cx="{a}" cy="{b}" r="4"/>' for a, b in cells.tolist())
    return (f'<svg viewBox="-5 -5 {MAP_WIDTH + 10} {height + 10}" class="poster-map" aria-hidden="true">'
            f'<path d="{"".join(paths)}" fill="#eef3f8" stroke="#12355b" stroke-width="1.5" fill-rule="evenodd"/>'
            f'<g fill="#b35900" stroke="#fff" stroke-width="1">{dots}</g></svg>')
