"""The boundaries of the Kreise of Niedersachsen: load them once, assign points to them (their names and their
ArL: atlas.districts)."""

from __future__ import annotations

import json
from functools import cached_property, lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from atlas.districts import OUTSIDE, Assignment, Kreis, reason_for
from atlas.kept import fingerprint, read_or_make

TILE_DEGREES = 0.1
REGION_FILES = ("kreise", "kreise_karte", "arl", "umgebung")  # <name>.geojson in the regions folder


def read_geojson(path: Path) -> gpd.GeoDataFrame:
    """A GeoJSON file of the atlas's data (RFC 7946: longitude and latitude in WGS84) as a frame of its properties
    and geometries, the same as geopandas.read_file gives for these files, without loading GDAL: that library alone
    adds about 28 MB to every process that reads a file with it. Only for the atlas's own files (scripts/ writes
    them): a feature's "id", a "crs" member and dates in properties are not read as GDAL would."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    return frame[[*(name for name in frame.columns if name != "geometry"), "geometry"]]


class Regions:
    """Kreise at full resolution (to assign), simplified Kreise and ArL (to draw), the neighbours, and the
    population of each Kreis."""

    def __init__(self, directory: Path, gemeinden: Path | None = None, cache_dir: Path | None = None):
        """`gemeinden`: the Gemeinden with their population, by default data/gazetteer/gemeinden_ni.csv beside
        the region files' folder. The files' frames are kept in `cache_dir` (atlas.kept): read from there in
        5 ms instead of 0.2 s of parsing GeoJSON, at every start that needs the boundaries."""
        self._gemeinden = gemeinden or directory.parent / "gazetteer" / "gemeinden_ni.csv"
        self._cache_dir, self._made_from = cache_dir, fingerprint(paths=(directory,))
        frames = read_or_make(cache_dir, "regions", self._made_from,
                              lambda: {name: read_geojson(directory / f"{name}.geojson") for name in REGION_FILES})
        self.kreise, self.kreise_karte, self.arl, self.umgebung = (frames[name] for name in REGION_FILES)
        self.by_rs = {
            row.rs: Kreis(row.rs, row.name, row.kind, row.arl)
            for row in self.kreise.drop(columns="geometry").itertuples()
        }
        # For single points: a tree over prepared polygons answers without building a frame.
        self._kreis_geoms = self.kreise.geometry.values
        self._umgebung_geoms = self.umgebung.geometry.values
        shapely.prepare(self._kreis_geoms)
        shapely.prepare(self._umgebung_geoms)
        self._kreis_tree = shapely.STRtree(self._kreis_geoms)
        self._umgebung_tree = shapely.STRtree(self._umgebung_geoms)
        # what locate answers, in the trees' order: a column of a GeoDataFrame costs 20 µs to reach
        self._kreis_at = [self.by_rs[rs] for rs in self.kreise.rs]
        self._umgebung_names = self.umgebung.name.tolist()

    @cached_property
    def population(self) -> pd.Series:
        """Inhabitants per Kreis key, in the order of `kreise`: the sum of its Gemeinden in the Destatis
        Gemeindeverzeichnis (GV100AD of 30 November 2023), for figures per inhabitant."""
        gemeinden = pd.read_csv(self._gemeinden, dtype={"ags": str}, usecols=["ags", "population"])
        sums = gemeinden.groupby(gemeinden.ags.str[:5]).population.sum()
        if set(sums.index) != set(self.kreise.rs):
            raise ValueError(f"the Gemeinden of {self._gemeinden} name other Kreise than the region files: "
                             f"{sorted(set(sums.index) ^ set(self.kreise.rs))}")
        return sums.reindex(self.kreise.rs).rename("population").rename_axis("rs")

    @cached_property
    def _tiles(self) -> gpd.GeoDataFrame:
        """The Kreise cut into grid tiles: tested against many points several times faster (same answers).

        Needed first by many points at once (one point at a time never needs them), and then kept in the cache
        folder like the region files: cutting them took each `atlas import` a quarter of a second of CPU, reading
        them back (1 MB) takes 6 ms.
        """
        return read_or_make(self._cache_dir, "kreise_tiles", self._made_from,
                            lambda: tiled(self.kreise[["rs", "name", "arl", "geometry"]], TILE_DEGREES))

    def assign(self, points: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.DataFrame:
        """Kreis key, Kreis name, ArL slug and reason for many points, by one spatial join to the Kreise."""
        if isinstance(points, gpd.GeoSeries):
            points = gpd.GeoDataFrame(geometry=points)
        if points.crs is not None and points.crs.to_epsg() != 4326:
            points = points.to_crs(4326)
        frame = gpd.GeoDataFrame(geometry=points.geometry.values, crs=4326)
        joined = gpd.sjoin(frame, self._tiles, how="left", predicate="within")
        # A point on a shared border touches two Kreise: keep one, as a person would expect one answer.
        joined = joined[~joined.index.duplicated(keep="first")]
        result = pd.DataFrame({
            "kreis_rs": joined["rs"].to_numpy(), "kreis_name": joined["name"].to_numpy(),
            "arl": joined["arl"].to_numpy(), "reason": np.full(len(joined), None, dtype=object),
        }, index=points.index)
        outside = result["kreis_rs"].isna().to_numpy()
        if outside.any():
            result.loc[outside, "reason"] = self._reasons(frame[outside])
        return result

    def assign_lonlat(self, lon, lat) -> pd.DataFrame:
        """The same for arrays of longitude and latitude."""
        return self.assign(gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326))

    def locate(self, lat: float, lon: float) -> Assignment:
        """One point, fast: no frame, a tree query over prepared polygons."""
        point = shapely.Point(lon, lat)
        hits = self._kreis_tree.query(point, predicate="within")
        if len(hits):
            return Assignment(self._kreis_at[int(hits.min())], None)
        around = self._umgebung_tree.query(point, predicate="within")
        name = self._umgebung_names[int(around.min())] if len(around) else None
        return Assignment(None, reason_for(name))

    def _reasons(self, frame: gpd.GeoDataFrame) -> np.ndarray:
        joined = gpd.sjoin(frame, self.umgebung[["name", "geometry"]], how="left", predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        names = joined["name"].astype(object)
        reasons = {name: reason_for(name) for name in names.dropna().unique()}
        return names.map(reasons).astype(object).fillna(OUTSIDE).to_numpy(dtype=object)


def tiled(kreise: gpd.GeoDataFrame, step: float) -> gpd.GeoDataFrame:
    """The Kreise cut along a grid of `step` degrees."""
    x0, y0, x1, y1 = kreise.total_bounds
    cells = [shapely.box(x, y, x + step, y + step) for x in np.arange(x0, x1, step) for y in np.arange(y0, y1, step)]
    grid = gpd.GeoDataFrame(geometry=cells, crs=kreise.crs)
    return gpd.overlay(kreise, grid, how="intersection", keep_geom_type=True)


@lru_cache(maxsize=4)
def load_regions(directory: str | Path, cache_dir: Path | None = None) -> Regions:
    """Load the region files once per directory (kept in `cache_dir`, if given, for the next start)."""
    return Regions(Path(directory), cache_dir=cache_dir)
