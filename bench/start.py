"""How long until the atlas answers: `atlas locate` as a whole process, and `atlas serve` until `/` answers,
with 7 and 100,000 projects stored (the reference: the start with 7, what a start costs without data); and the
first near search after a start against the ones after it. Issue 26's target: `/` within 2 s at 100k.

    .venv/bin/python bench/start.py
    .venv/bin/python bench/start.py --sizes 7

The gazetteer's cache in the instance folder is warm (a first start builds it: shown as "cold").
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from common import app_with_projects, arguments, scratch, unlimited_env

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port  # noqa: E402

ATLAS = str(Path(sys.executable).with_name("atlas"))


def main() -> None:
    options = parse_args()
    directory = scratch("atlas-bench-start-")
    env = {**os.environ, **unlimited_env(),
           "ATLAS_INSTANCE_PATH": str(directory), "ATLAS_TILES": "none", "ATLAS_LOG_LEVEL": "WARNING",
           "ATLAS_DATABASE_URL": f"sqlite:///{directory / 'leer.db'}"}
    cold = timed([ATLAS, "locate", "Hemmingen"], env)
    warm = statistics.median(timed([ATLAS, "locate", "Hemmingen"], env) for _ in range(5))
    print(f"atlas locate: {warm:.2f} s (median of 5; the first start, building the gazetteer's cache: {cold:.2f} s)")
    smallest = None
    for size in sorted(options.sizes):
        database = directory / f"atlas-{size}.db"
        app_with_projects(size, directory=directory, texts=options.texts, DATABASE_URL=f"sqlite:///{database}").extensions["atlas"].close()
        env["ATLAS_DATABASE_URL"] = f"sqlite:///{database}"
        starts = [serve_until_answered(env) for _ in range(options.starts)]
        answered = statistics.median(start[0] for start in starts)
        first_near = statistics.median(start[1] for start in starts)
        later_near = statistics.median(start[2] for start in starts)
        smallest = smallest or (size, answered)
        ratio = f" ({answered / smallest[1]:.1f}× the start with {smallest[0]})" if smallest[0] != size else ""
        print(f"{size} projects: atlas serve answers / after {answered:.2f} s{ratio}; first near search "
              f"{first_near * 1000:.0f} ms, the next ones {later_near * 1000:.0f} ms (medians of {options.starts} "
              "starts)", flush=True)


def parse_args():
    parser = arguments(__doc__, [7, 100_000])
    parser.add_argument("--starts", type=int, default=3, help="starts of `atlas serve` per size (the median is shown)")
    return parser.parse_args()


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def serve_until_answered(env: dict) -> tuple[float, float, float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    server = subprocess.Popen([ATLAS, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if requests.get(base + "/", timeout=60).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.02)
        answered = time.perf_counter() - start
        near = []
        for ort in ("Hildesheim", "Celle", "Aurich", "Meppen", "Goslar", "Stade"):
            began = time.perf_counter()
            assert requests.get(base + "/in-der-naehe", params={"ort": ort}, timeout=60).status_code == 200
            near.append(time.perf_counter() - began)
        return answered, near[0], statistics.median(near[1:])
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
