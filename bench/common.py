"""Shared by the benchmarks: an app on a throw-away database filled with n synthetic published projects."""

from __future__ import annotations

import argparse
import atexit
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from atlas import create_app  # noqa: E402
from atlas.districts import Assignment  # noqa: E402
from atlas.handlungsfelder import HANDLUNGSFELDER  # noqa: E402
from atlas.migrate import upgrade  # noqa: E402
from atlas.places import Place  # noqa: E402
from atlas.projects import ProjectInput  # noqa: E402
from atlas.settings import SETTINGS  # noqa: E402
from atlas.store import PUBLISHED  # noqa: E402

WORDS = ["Sprachcafé", "Patenschaft", "Netzwerk", "Begegnung", "Willkommen", "Ausbildung", "Nachbarschaft",
         "Lernwerkstatt", "Frauentreff", "Fahrradwerkstatt", "Hausaufgabenhilfe", "Jobpaten", "Teilhabe"]
SLUGS = list(HANDLUNGSFELDER)
# The benchmarks measure the work, with one client standing for many: the per-client limits are raised for them
# (bench/flood.py, which measures what the limits do, keeps them): every limit of the settings table, so a new one
# is raised here too.
UNLIMITED = {setting.name: "1000000 per minute" for setting in SETTINGS if setting.kind == "limit"}


def scratch(prefix: str = "atlas-bench-") -> Path:
    """A folder for a run's throw-away files (a database of a million projects is 0.6 GB), removed when the
    benchmark ends, however it ends short of a kill."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def static_reference_file(size: int) -> Path:
    """A file of `size` random bytes among the app's static files (`/static/<name>`; the caller removes it): what
    the same server costs to send a body as large as a page's gzipped one (gzip cannot make random bytes smaller)."""
    path = Path(__file__).resolve().parent.parent / "static" / f"_bench_reference_{size}.html"
    path.write_bytes(np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes())
    return path


def unlimited_env() -> dict[str, str]:
    """UNLIMITED as an `atlas serve` or gunicorn process reads it."""
    return {f"ATLAS_{name}": value for name, value in UNLIMITED.items()}


def arguments(doc: str, sizes: list[int]) -> argparse.ArgumentParser:
    """A benchmark's command line: its docstring's first line, and `--sizes N [N ...]` (numbers of projects)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=sizes, help="numbers of projects to measure at")
    return parser


def app_with_projects(n: int, directory: Path | None = None, **config):
    """A fresh app whose database holds n published projects at random places in Niedersachsen."""
    directory = directory or scratch()
    config = {"DATABASE_URL": f"sqlite:///{directory / 'atlas.db'}", "INSTANCE_PATH": str(directory), **UNLIMITED,
              **config}
    app = create_app({"TILES": "none", **config})
    upgrade(app.config["DATABASE_URL"])
    services = app.extensions["atlas"]
    lon, lat = random_points(services.regions, n, seed=n)
    rng = np.random.default_rng(n)
    orte = services.gazetteer.entries
    orte = orte[orte.kreis_rs.notna()]["name"].to_numpy()
    items = []
    for i in range(n):
        fields = list(rng.choice(SLUGS, size=rng.integers(1, 3), replace=False))
        project = ProjectInput(name=f"{WORDS[i % len(WORDS)]} {orte[i % len(orte)]} {i}",
                               traeger=f"Verein {i % 500}", description="", handlungsfelder=fields,
                               ort=str(orte[(i * 7) % len(orte)]))
        items.append((project, Place(project.ort, float(lat[i]), float(lon[i]), "place", "bench",
                                     Assignment(None, None))))
    services.store.add_many(items, PUBLISHED)
    return app


def random_points(regions, n: int, seed: int):
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = regions.kreise.total_bounds
    lon, lat = rng.uniform(minx, maxx, n * 3), rng.uniform(miny, maxy, n * 3)
    inside = regions.assign_lonlat(lon, lat).kreis_rs.notna().to_numpy()
    return lon[inside][:n], lat[inside][:n]


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def map_sources(page: str) -> dict:
    """Where the map of a page fetches its projects (the #atlas-data block, atlas.web.public.data_sources)."""
    return json.loads(re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', page, re.S)[1])


def first_map_requests(page: str) -> list[str]:
    """What the state map of a start page asks for first: all its projects, or (a map by viewport, above
    ATLAS_MAP_CLUSTER_ABOVE) the tile of Niedersachsen at zoom 7 and the list in view."""
    sources = map_sources(page)
    if "tiles" not in sources:
        return [sources["src"]]
    joined = "&" if "?" in sources["tiles"] else "?"
    return [f"{sources['tiles']}{joined}z=7&x=67&y=41", f"{sources['inView']}{joined}bbox=6.6,51.3,11.6,53.9"]
