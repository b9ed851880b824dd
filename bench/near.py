"""Near search: time per query against a naive loop, geocoding excluded.

    .venv/bin/python bench/near.py        # 1k, 10k, 100k published projects, 1,000 queries each

A query is what the page asks: the nearest 100 projects within 25 km, or the 5 nearest beyond when none is within.
The naive way computes the great-circle distance to every project in Python and sorts (timed on 100 queries).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import numpy as np
from common import app_with_projects, random_points, texts_option

from atlas.near import NearIndex

QUERIES = 1000
NAIVE_QUERIES = 100


def main() -> None:
    options = texts_option(argparse.ArgumentParser(description=__doc__.splitlines()[0])).parse_args()
    print(f"{'projects':>9} {'build':>8} {'p50':>9} {'p95':>9} {'naive p50':>10} {'ratio p50':>9} {'hits/query':>10}")
    for n in (1_000, 10_000, 100_000):
        app = app_with_projects(n, texts=options.texts)
        services = app.extensions["atlas"]
        frame = services.store.published()
        start = time.perf_counter()
        index = NearIndex(frame)
        build = time.perf_counter() - start
        lon, lat = random_points(services.regions, QUERIES, seed=7)
        times, hits = [], 0
        for y, x in zip(lat, lon, strict=True):
            t = time.perf_counter()
            found = index.within(y, x, 25, limit=100) or index.nearest(y, x, 5)
            times.append(time.perf_counter() - t)
            hits += len(found)
        naive = [timed_naive(frame, y, x) for y, x in zip(lat[:NAIVE_QUERIES], lon[:NAIVE_QUERIES], strict=True)]
        p50, p95 = statistics.median(times), float(np.percentile(times, 95))
        naive_p50 = statistics.median(naive)
        print(f"{n:>9,} {build * 1000:>6.0f}ms {p50 * 1000:>7.3f}ms {p95 * 1000:>7.3f}ms "
              f"{naive_p50 * 1000:>8.1f}ms {naive_p50 / p50:>8.0f}x {hits / QUERIES:>10.1f}")


def timed_naive(frame, lat: float, lon: float) -> float:
    rows = list(zip(frame.id, frame.lat, frame.lon, strict=True))
    start = time.perf_counter()
    distances = sorted((haversine(lat, lon, y, x), i) for i, y, x in rows)
    within = [d for d in distances if d[0] <= 25][:100] or distances[:5]
    assert within is not None
    return time.perf_counter() - start


def haversine(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


if __name__ == "__main__":
    main()
