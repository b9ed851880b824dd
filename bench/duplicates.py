"""The offices' duplicate finder: one district's pairs, against comparing every pair of the district in Python.

    .venv/bin/python bench/duplicates.py                  # the real data set, then 1k, 5k and 25k in one district

The real data set is data/projects.csv (each district on its own, as the page asks). The synthetic districts put
half their projects around the district's five largest places (about 3 km spread, as projects cluster in towns)
and half anywhere in the district, with names and Träger drawn from a small vocabulary, so pairs are common. The
finder reads the district from the store (SQLite) and pairs it; the reference compares every pair of the district
with the same rapidfuzz scorer one pair at a time and measures each pair's distance (the naive way), timed on a
sample of pairs and scaled to all of them.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from common import UNLIMITED, WORDS, arguments, scratch

from atlas import create_app
from atlas.districts import Assignment
from atlas.duplicates import FINDER_KM, find_pairs
from atlas.geo import distance_km
from atlas.likeness import SIMILAR_NAME, likeness, shares_words
from atlas.migrate import upgrade
from atlas.places import Place
from atlas.projects import ProjectInput
from atlas.store import PUBLISHED
from atlas.transfer import import_csv

DISTRICT = "leine-weser"
NAIVE_SAMPLE = 200_000  # pairs the naive way is timed on
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    options = arguments(__doc__, [1_000, 5_000, 25_000], texts=False).parse_args()
    print(f"{'district':>24} {'projects':>9} {'read':>8} {'pair':>8} {'pairs':>6} {'naive (scaled)':>15} "
          f"{'ratio':>7}")
    real = fresh_app()
    services = real.extensions["atlas"]
    report = import_csv(str(ROOT / "data" / "projects.csv"), services.store, services.geocoder)
    assert report.ok, report.errors[:3]
    for arl in ("braunschweig", "leine-weser", "lueneburg", "weser-ems"):
        measure(services.store, arl, f"data/projects.csv {arl}")
    for n in options.sizes:
        app = fresh_app()
        fill_district(app, n)
        measure(app.extensions["atlas"].store, DISTRICT, f"synthetic {DISTRICT}")


def measure(store, arl: str, label: str) -> None:
    read_times, pair_times = [], []
    for _ in range(3):
        start = time.perf_counter()
        rows = store.finder_rows(arl)
        read = time.perf_counter()
        pairs = find_pairs(rows, store.distinct())
        read_times.append(read - start)
        pair_times.append(time.perf_counter() - read)
    naive = naive_seconds(rows)
    finder = statistics.median(read_times) + statistics.median(pair_times)
    print(f"{label:>24} {len(rows):>9,} {statistics.median(read_times) * 1000:>6.0f}ms "
          f"{statistics.median(pair_times) * 1000:>6.0f}ms {len(pairs):>6,} {naive:>14,.2f}s {naive / finder:>6.0f}x",
          flush=True)


def naive_seconds(rows: list[dict]) -> float:
    """Every pair compared in Python by the finder's rule, a rapidfuzz call or two and one distance per pair: timed
    on a sample, scaled."""
    n = len(rows)
    total = n * (n - 1) // 2
    rng = random.Random(1)
    sample = [(rng.randrange(n), rng.randrange(n)) for _ in range(min(NAIVE_SAMPLE, total))]
    start = time.perf_counter()
    found = 0
    for i, j in sample:
        a, b = rows[i], rows[j]
        if likeness(a["name"], b["name"]) >= SIMILAR_NAME or (likeness(a["traeger"], b["traeger"]) >= SIMILAR_NAME
                                                              and shares_words(a["name"], b["name"])):
            found += distance_km(a["lat"], a["lon"], b["lat"], b["lon"]) <= FINDER_KM
    return (time.perf_counter() - start) / len(sample) * total


def fresh_app():
    directory = scratch("atlas-bench-")
    app = create_app({"DATABASE_URL": f"sqlite:///{directory / 'atlas.db'}", "INSTANCE_PATH": str(directory),
                      "TILES": "none", **UNLIMITED})
    upgrade(app.config["DATABASE_URL"])
    return app


def fill_district(app, n: int) -> None:
    """n published projects in DISTRICT: half around its five largest places, half anywhere in it."""
    services = app.extensions["atlas"]
    rng = np.random.default_rng(n)
    places = services.gazetteer.entries
    places = places[places.kreis_rs.isin([k.rs for k in services.regions.by_rs.values() if k.arl == DISTRICT])]
    names = places["name"].to_numpy()
    centres = places.sort_values("population", ascending=False).head(5)
    district = services.regions.kreise[services.regions.kreise.arl == DISTRICT]
    minx, miny, maxx, maxy = district.total_bounds
    lon, lat = [], []
    while len(lon) < n:
        clustered = rng.random(4 * n) < 0.5
        centre = rng.integers(0, len(centres), 4 * n)
        x = np.where(clustered, centres.lon.to_numpy()[centre] + rng.normal(0, 0.04, 4 * n),
                     rng.uniform(minx, maxx, 4 * n))
        y = np.where(clustered, centres.lat.to_numpy()[centre] + rng.normal(0, 0.027, 4 * n),
                     rng.uniform(miny, maxy, 4 * n))
        inside = services.regions.assign_lonlat(x, y).arl.to_numpy() == DISTRICT
        lon += list(x[inside])
        lat += list(y[inside])
    traeger = [f"{kind} {place}" for kind in ("Caritas", "Diakonie", "AWO", "DRK", "Kirchengemeinde", "Verein")
               for place in names[:200]]
    items = []
    for i in range(n):
        ort = str(names[rng.integers(0, len(names))])
        project = ProjectInput(name=f"{WORDS[rng.integers(0, len(WORDS))]} {ort}", handlungsfelder=["sprache"],
                               traeger=traeger[rng.integers(0, len(traeger))], description="", ort=ort)
        items.append((project, Place(ort, float(lat[i]), float(lon[i]), "place", "bench", Assignment(None, None))))
    services.store.add_many(items, PUBLISHED)


if __name__ == "__main__":
    sys.exit(main())
