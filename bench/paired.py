"""Two versions of the atlas, request by request: is a change cheaper, and by more than this machine's noise?

    .venv/bin/python bench/paired.py /tmp/old --database DIR                 # the other version against this one
    .venv/bin/python bench/paired.py /tmp/old /tmp/old --database DIR        # the same twice: the noise floor
    .venv/bin/python bench/paired.py /tmp/old --database DIR --served --kinds near,items --requests 500
    .venv/bin/python bench/paired.py /tmp/old --database NEWDIR --old-database OLDDIR   # across a migration
    .venv/bin/python bench/paired.py . . --database REAL --old-database THIN --other-data  # one tree, two data sets

OLD (and NEW, by default this checkout) are source trees: e.g. `git worktree add /tmp/old <commit>` with the
catalogues compiled (`pybabel compile -d /tmp/old/atlas/translations`). DIR is an instance folder holding a database
with projects (`bench/http_load.py --sizes 100000 --database D` makes one in D/100000-real, with real texts:
bench/common.py); each side works on its own copy. Where the two versions' schemas differ, give the old one a
database of its own (`--old-database`), best each made by its own version from the same rows (a migrated copy may
be laid out otherwise than a fresh import).

Why: on this shared 2-core machine the same code's CPU per request moves by 2× within minutes (a new API page 3.3
and 6.3 ms in runs ten minutes apart, stop 49), so two runs one after the other cannot tell a change of 5 %. Here
both versions run at once, each in a process of its own (Flask's test client, as bench/request_cpu.py), and take
the same URLs in turn (old, new, then new, old): a drift of the machine hits both alike. Printed per kind of page:
each side's median CPU ms (time.process_time), the median of the paired differences and the interval it lies in
with about 95 % certainty: where that interval holds 0, the change is not told apart from the noise. Run the same
tree on both sides to see the floor. `--served`: each side warms up as its
`atlas serve` does once it listens (atlas.warming), with whatever that version does after. `--accept`: the
requests' Accept-Encoding, a browser's (the default; zstd answered since stop 52) or `gzip` only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
KINDS = ("near", "suche", "items", "kept", "static")


def main() -> None:
    from common import ACCEPT, scratch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=HERE.parent)
    parser.add_argument("--database", type=Path, required=True, help="an instance folder with projects")
    parser.add_argument("--old-database", type=Path, help="the old side's own instance folder (another schema)")
    parser.add_argument("--requests", type=int, default=300, help="requests per kind and side")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"of {', '.join(KINDS)}")
    parser.add_argument("--served", action="store_true", help="each side warmed up as `atlas serve` warms up")
    parser.add_argument("--accept", choices=ACCEPT, default="browser",
                        help="the requests' Accept-Encoding: a browser's (zstd answered) or gzip only")
    parser.add_argument("--other-data", "--other-bytes", action="store_true",
                        help="the databases hold other projects (e.g. bench/common.py's --texts thin and real), or "
                             "the versions compress otherwise: the answers' sizes may differ, their status may not")
    options = parser.parse_args()
    kinds = options.kinds.split(",")
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")

    work = scratch("atlas-paired-")
    sides = [Side(root.resolve(), copy_of(database, work / name), options.served, ACCEPT[options.accept])
             for name, root, database in (("old", options.old, options.old_database or options.database),
                                          ("new", options.new, options.database))]
    urls = urls_of(kinds, options.requests + 20)
    print(f"{'page':<8} {'old ms':>7} {'new ms':>7} {'new − old: paired median (95 % interval)':>43}  new/old")
    try:
        for kind in kinds:
            for url in urls[kind][:20]:  # templates compiled, indexes built, on both sides
                for side in sides:
                    side.ask(url)
            old, new = [], []
            for turn, url in enumerate(urls[kind][20:]):
                first, second = sides if turn % 2 == 0 else sides[::-1]
                answers = {first: first.ask(url), second: second.ask(url)}
                compared = slice(1, 2) if options.other_data else slice(1, None)  # (ms, status, size)
                if answers[sides[0]][compared] != answers[sides[1]][compared]:
                    sys.exit(f"{url}: the two versions answer differently (status, bytes): {list(answers.values())}")
                old.append(answers[sides[0]][0])
                new.append(answers[sides[1]][0])
            differences = sorted(n - o for o, n in zip(old, new, strict=True))
            low, high = median_interval(differences)
            print(f"{kind:<8} {statistics.median(old):7.2f} {statistics.median(new):7.2f} "
                  f"{statistics.median(differences):+26.2f} ({low:+.2f} to {high:+.2f})  "
                  f"{statistics.median(new) / statistics.median(old):.3f}", flush=True)
    finally:
        for side in sides:
            side.close()


def median_interval(ordered: list[float]) -> tuple[float, float]:
    """About 95 % sure that the median of the differences lies between these two (the sign test's order
    statistics: a difference is as likely above the median as below it, whatever the distribution)."""
    k = max(int(len(ordered) / 2 - 0.98 * len(ordered) ** 0.5), 0)
    return ordered[k], ordered[-k - 1]


def copy_of(database: Path, to: Path) -> Path:
    shutil.copytree(database, to)
    return to


def urls_of(kinds: list[str], count: int) -> dict[str, list[str]]:
    """The URLs of bench/request_cpu.py's pages made per request (each new), a kept page and a static file."""
    from common import random_points  # common puts this tree's atlas first
    from request_cpu import distinct_queries, new_offsets

    from atlas.regions import load_regions

    urls = {"kept": ["/projekt/1"] * count, "static": ["/static/atlas.css"] * count}
    if "near" in kinds:
        lon, lat = random_points(load_regions(HERE.parent / "data" / "regions", None), count, seed=11)
        urls["near"] = [f"/in-der-naehe?lat={y:.5f}&lon={x:.5f}" for y, x in zip(lat, lon, strict=True)]
    if "suche" in kinds:
        urls["suche"] = ["/suche?" + urlencode(query) for query in distinct_queries(count)]
    if "items" in kinds:
        urls["items"] = [f"/ogc/collections/projekte/items?offset={offset}" for offset in new_offsets(100_000, count)]
    return urls


class Side:
    """One version in a process of its own, answering URLs with the CPU each took (`worker` below)."""

    def __init__(self, root: Path, database: Path, served: bool, accept: str):
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(database), accept,
             *(["--served"] * served)],
            cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, text=True, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE)
        ready = self.process.stdout.readline().split()
        if ready[:1] != ["ready"] or not ready[1].startswith(str(root)):
            raise RuntimeError(f"{root}: the worker did not start on that tree's atlas: {ready}")

    def ask(self, url: str) -> tuple[float, int, int]:
        self.process.stdin.write(url + "\n")
        self.process.stdin.flush()
        ms, status, size = self.process.stdout.readline().split()
        return float(ms), int(status), int(size)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def worker(database: Path, accept: str, served: bool) -> None:
    """Runs in the side's tree (PYTHONPATH): its atlas, its settings; no module of the tree that started it."""
    import logging
    import time

    import atlas
    from atlas import create_app
    from atlas.settings import SETTINGS

    unlimited = {setting.name: "1000000 per minute" for setting in SETTINGS if setting.kind == "limit"}
    app = create_app({"TILES": "none", "DATABASE_URL": f"sqlite:///{database / 'atlas.db'}",
                      "INSTANCE_PATH": str(database), **unlimited})
    client, services = app.test_client(), app.extensions["atlas"]
    logging.getLogger("atlas.access").setLevel(logging.WARNING)
    if served:
        from atlas.warming import warm_up_in_background

        warm_up_in_background(services).join()
    print("ready", atlas.__file__, flush=True)
    for line in sys.stdin:
        url = line.strip()
        services.searcher.forget()  # a search asked before is a new one here too
        started = time.process_time()
        response = client.get(url, headers={"Accept-Encoding": accept})
        print(f"{(time.process_time() - started) * 1000:.4f} {response.status_code} {len(response.data)}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(Path(sys.argv[2]), sys.argv[3], "--served" in sys.argv)
    else:
        sys.path.insert(0, str(HERE))
        main()
