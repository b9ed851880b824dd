"""Shared by the benchmarks: an app on a throw-away database filled with n synthetic published projects.

Every synthetic project has a made-up name ("<WORD> <Ort> <i>", which bench/search.py's queries look for), Träger
("Verein <i % 500>"), place and one or two Handlungsfelder. What else it holds is chosen by `--texts`:

- `real` (the default): the texts and facts of a real row of data/projects.csv (row i % 391, read as `atlas
  import` reads it): its description (median 302 characters), languages, target groups, costs, times,
  barrier-freedom, public contact, website and source with its date (unconfirmed, as every row of the data set) –
  so the search index, the lists and the pages hold documents of a real one's size, and words occur about as often
  across 100k projects as across the real ones. From stop 51 on.
- `thin`: nothing else – an empty description and no facts, as every benchmark measured up to stop 50 (documents
  about a tenth of a real one's size); for comparison with those figures.
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import json
import re
import shutil
import sys
import tempfile
import time
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from atlas import create_app, sources  # noqa: E402
from atlas.districts import Assignment  # noqa: E402
from atlas.handlungsfelder import HANDLUNGSFELDER  # noqa: E402
from atlas.migrate import upgrade  # noqa: E402
from atlas.places import Place  # noqa: E402
from atlas.projects import ProjectInput, validate_project  # noqa: E402
from atlas.settings import SETTINGS  # noqa: E402
from atlas.store import PUBLISHED  # noqa: E402
from atlas.text import clean_text  # noqa: E402
from atlas.transfer import COLUMNS, SOURCE_COLUMNS, ImportReport, read_rows  # noqa: E402

DATA_SET = Path(__file__).resolve().parent.parent / "data" / "projects.csv"
TEXTS = ("real", "thin")  # what a synthetic project holds besides its name, Träger, place and fields (docstring)

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
    the same server costs to send a body as large as a page's compressed one (random bytes are sent as large)."""
    path = Path(__file__).resolve().parent.parent / "static" / f"_bench_reference_{size}.html"
    path.write_bytes(np.random.default_rng(size).integers(0, 256, size, dtype=np.uint8).tobytes())
    return path


# The Accept-Encoding a benchmark's requests send (`--accept`): a browser's (Chromium and Firefox send this over HTTPS
# and to loopback; the atlas answers zstd, atlas.web.prepared), or that of a client that takes gzip only (a script, an
# older browser, a proxy: the figures of every stop up to 51)
ACCEPT = {"browser": "gzip, deflate, br, zstd", "gzip": "gzip"}


def accept_option(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--accept", choices=ACCEPT, default="browser",
                        help="the requests' Accept-Encoding: a browser's (zstd answered) or gzip only")
    return parser


def unlimited_env() -> dict[str, str]:
    """UNLIMITED as an `atlas serve` or gunicorn process reads it."""
    return {f"ATLAS_{name}": value for name, value in UNLIMITED.items()}


def arguments(doc: str, sizes: list[int], texts: bool = True) -> argparse.ArgumentParser:
    """A benchmark's command line: its docstring's first line, `--sizes N [N ...]` (numbers of projects) and, for
    one that fills its database by app_with_projects, `--texts real|thin` (texts_option)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=sizes, help="numbers of projects to measure at")
    return texts_option(parser) if texts else parser


def texts_option(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """`--texts real|thin`: the projects' texts and facts (this module's docstring), for app_with_projects."""
    parser.add_argument("--texts", choices=TEXTS, default="real",
                        help="real: each project the texts and facts of a row of data/projects.csv; thin: none, "
                             "as measured up to stop 50")
    return parser


def app_with_projects(n: int, directory: Path | None = None, texts: str = "real", **config):
    """A fresh app whose database holds n published projects at random places in Niedersachsen, with the texts
    and facts of real rows or none (`texts`, this module's docstring)."""
    if texts not in TEXTS:
        raise ValueError(f"expected texts to be one of {', '.join(TEXTS)}, got {texts!r}")
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
    real = real_projects() if texts == "real" else ()
    items = []
    for i in range(n):
        fields = list(rng.choice(SLUGS, size=rng.integers(1, 3), replace=False))
        made_up = {"name": f"{WORDS[i % len(WORDS)]} {orte[i % len(orte)]} {i}", "traeger": f"Verein {i % 500}",
                   "handlungsfelder": fields, "ort": str(orte[(i * 7) % len(orte)])}
        # a real row's place would contradict the random position: its street and PLZ are left out
        project = (dataclasses.replace(real[i % len(real)], street="", plz="", **made_up) if real
                   else ProjectInput(description="", **made_up))
        items.append((project, Place(project.ort, float(lat[i]), float(lon[i]), "place", "bench",
                                     Assignment(None, None))))
    services.store.add_many(items, PUBLISHED)
    return app


@lru_cache(maxsize=1)
def real_rows() -> tuple[dict, ...]:
    """The rows of data/projects.csv keyed by column, as `atlas import` reads a file (atlas.transfer.read_rows)."""
    report = ImportReport()
    rows = tuple(row for _, row in read_rows(DATA_SET, report))
    bad = [row for row in rows if isinstance(row, str)]
    if bad:
        raise ValueError(f"data/projects.csv: a row does not fit its header: {bad[0]}")
    return rows


@lru_cache(maxsize=1)
def real_projects() -> tuple[ProjectInput, ...]:
    """The rows of data/projects.csv as projects, checked as an import checks them (atlas.transfer: the columns
    by atlas.projects.validate_project, the source by atlas.sources.check)."""
    projects = []
    for row in real_rows():
        project, errors = validate_project({field: row.get(column) for column, field in COLUMNS.items()})
        source, problems = sources.check(*(clean_text(row.get(column)) for column in SOURCE_COLUMNS), date.today())
        if errors or problems:
            raise ValueError(f"data/projects.csv, {row.get('name')!r}: {'; '.join({**errors, **problems}.values())}")
        projects.append(dataclasses.replace(project, **source))
    return tuple(projects)


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
