"""The state map by viewport in headless Chromium at 100k and 1M projects, against the issue's targets and against
the same map sending every project (ATLAS_MAP_CLUSTER_ABOVE above the size) where that is bearable (≤ 100k).

    .venv/bin/python bench/browser_viewport.py                       # 100k and 1M, median of 3 fresh contexts
    .venv/bin/python bench/browser_viewport.py --sizes 100000 --runs 3
    .venv/bin/python bench/browser_viewport.py --sizes 1000000 --keep /tmp/atlas-1m   # the database kept for reuse

Per run, as bench/browser_map.py measures it (a fresh context: navigation start → first marker or cluster; → the
view drawn; JS heap after a garbage collection; bytes transferred, headers included; a filter tick; a repeat visit
in the same context, its bytes against the first visit's). Besides: Chrome's first contentful paint, and the
first answers of the server after its start, uncompressed: `/`, then one tile of the state view (the tile index is
made then, once per data version) or the whole data resource.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.request import urlopen

from browser_map import CHROMIUM_ARGS, atlas_server, visit
from common import app_with_projects, arguments, first_map_requests, scratch
from playwright.sync_api import sync_playwright

# The targets for 1M (#26) and today's figures at 100k with every project sent
TARGETS = {"first": 2000, "heap": 60, "bytes": 0.5, "repeat": 0.05}
TODAY_100K = {"first": 780, "heap": 31}
EVERY = str(10**9)  # a threshold no map reaches: every project sent, as below the threshold


def main() -> None:
    options = parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            for size in options.sizes:
                directory = database(size, options.keep, options.texts)
                modes = [("by viewport", "5000")] + ([("every project", EVERY)] if size <= 100_000 else [])
                for title, above in modes:
                    os.environ["ATLAS_MAP_CLUSTER_ABOVE"] = above
                    with atlas_server(directory) as url:
                        cold = first_answers(url)
                        runs = [measured(browser, url) for _ in range(options.runs)]
                    print(f"{size} projects, {title}, just started: {cold}", flush=True)
                    report(f"{size} projects, {title}", runs)
                    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
                    print(f"  (load average {load}: other work on the machine)", flush=True)
                    if title == "by viewport":
                        judge(size, runs)
        finally:
            browser.close()


def parse_args():
    parser = arguments(__doc__, [100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="a folder for the databases, reused when there (atlas-<n>-<texts>/)")
    return parser.parse_args()


def database(size: int, keep: Path | None, texts: str) -> Path:
    """A folder with atlas.db of `size` published projects (their texts: bench/common.py): made anew, or the kept
    one."""
    if keep is not None:
        folder = keep / f"atlas-{size}-{texts}"
        if (folder / "atlas.db").exists():
            return folder
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = scratch("atlas-bench-viewport-")
    started = time.perf_counter()
    app = app_with_projects(size, directory=folder, texts=texts)
    app.extensions["atlas"].close()
    print(f"  ({size} projects stored in {time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    return folder


def first_answers(url: str) -> str:
    """The page and then its map's first data after the server's start: the tile index is made then."""
    timings = []
    started = time.perf_counter()
    page = urlopen(url + "/").read().decode()
    timings.append(f"/ {1000 * (time.perf_counter() - started):.0f} ms")
    first = first_map_requests(page)[0]
    started = time.perf_counter()
    size = len(urlopen(url + first).read())
    timings.append(f"{first.split('?')[0]} {1000 * (time.perf_counter() - started):.0f} ms ({size / 1000:.1f} kB)")
    return ", then ".join(timings)


FCP = "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || 0"


def measured(browser, url: str) -> dict:
    result = visit(browser, url + "/")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url + "/", wait_until="load")
    result["fcp"] = page.evaluate(FCP)
    context.close()
    return result


def report(title: str, runs: list[dict]) -> None:
    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"{title}: first contentful paint {median('fcp'):.0f} ms, first marker {median('first'):.0f} ms, view "
          f"drawn {median('settled'):.0f} ms, JS heap {median('heap'):.0f} MB, transferred {median('bytes'):.3f} MB, "
          f"filter tick {median('tick'):.0f} ms, repeat visit {median('repeat') * 100:.1f} % of the bytes",
          flush=True)


def judge(size: int, runs: list[dict]) -> None:
    median = {key: statistics.median(r[key] for r in runs) for key in ("first", "heap", "bytes", "repeat")}
    if size >= 1_000_000:
        verdicts = [f"{name} {median[name]:.4g} (target ≤ {limit:g}: {'met' if median[name] <= limit else 'MISSED'})"
                    for name, limit in TARGETS.items()]
    else:
        verdicts = [f"{name} {median[name]:.4g} against today's {TODAY_100K[name]:g} "
                    f"({median[name] / TODAY_100K[name]:.2f}×)" for name in TODAY_100K]
    print("  → " + "; ".join(verdicts), flush=True)


if __name__ == "__main__":
    main()
