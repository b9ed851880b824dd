"""How fast points are assigned to Kreis and ArL, against the naive per-point loop over the polygons.

    .venv/bin/python bench/assign.py            # 10k, 100k, 1M points; offline geocoding lookups per second

The naive way tests each point against each Kreis polygon in Python (shapely, unprepared); it is timed on
a sample and scaled, because running it on 1M points would take hours. Single-threaded throughout.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from atlas import create_app  # noqa: E402

NAIVE_SAMPLE = 1000


def main() -> None:
    services = create_app({"TILES": "none"}).extensions["atlas"]
    regions = services.regions
    print(f"{'points':>9} {'assign (best of 3)':>19} {'per point':>10} {'naive (scaled)':>15} {'ratio':>7}")
    for n in (10_000, 100_000, 1_000_000):
        points = random_points_in(regions, n)
        best = min(timed(lambda p=points: regions.assign(p)) for _ in range(3))
        naive = naive_seconds(regions, points) * n / NAIVE_SAMPLE
        print(f"{n:>9,} {best * 1000:>16.1f} ms {best / n * 1e6:>7.2f} µs {naive:>13.1f} s {naive / best:>6.0f}x")

    single = [timed(lambda: regions.locate(52.3143, 9.7236)) for _ in range(2000)]
    print(f"single point (locate): median {statistics.median(single) * 1e6:.0f} µs")

    geocoder = services.geocoder
    queries = ["Hemmingen", "30169", "Lueneburg", "Asendorf", "27330 Asendorf", "München", "Hann. Münden",
               "Rhede (Ems)", "Meppen", "Qwxzrtplk"]
    geocoder.geocode("Hannover")
    start = time.perf_counter()
    rounds = 200
    for _ in range(rounds):
        for q in queries:
            geocoder.geocode(q)
    per_second = rounds * len(queries) / (time.perf_counter() - start)
    print(f"offline geocoding: {per_second:,.0f} lookups per second (mixed names, PLZ, ambiguous, not found)")


def random_points_in(regions, n: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(n)
    minx, miny, maxx, maxy = regions.kreise.total_bounds
    lon, lat = rng.uniform(minx, maxx, n * 2), rng.uniform(miny, maxy, n * 2)
    inside = regions.assign_lonlat(lon, lat).kreis_rs.notna().to_numpy()
    lon, lat = lon[inside][:n], lat[inside][:n]
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)


def naive_seconds(regions, points: gpd.GeoDataFrame) -> float:
    # Fresh copies: the loaded polygons are prepared for the fast path, the naive way has no such help.
    polygons = list(shapely.from_wkb(shapely.to_wkb(regions.kreise.geometry.values)))
    sample = list(points.geometry.iloc[:NAIVE_SAMPLE])

    def loop():
        for point in sample:
            for polygon in polygons:
                if polygon.contains(point):
                    break

    return timed(loop)


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
