"""A new deployment: gunicorn with N workers starts on an empty cache folder, and 16 visitors ask for the start page,
a district and a near search at once. How long until all are answered, and how much CPU the server's processes
spent (the master and its workers, counted when they end), against the same start on the cache folder the first
one filled (the reference: what a start costs when nothing is made anew).

    .venv/bin/python bench/deploy_start.py
    .venv/bin/python bench/deploy_start.py --workers 4 --sizes 7 10000
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from common import app_with_projects, arguments, scratch, unlimited_env

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port  # noqa: E402

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
VISITS = ["/", "/region/leine-weser", "/in-der-naehe?ort=Hannover", "/region/weser-ems"] * 4


def main() -> None:
    parser = arguments(__doc__, [7, 10_000])
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()
    directory = scratch("atlas-bench-deploy-")
    for size in options.sizes:
        database = directory / f"atlas-{size}.db"
        app_with_projects(size, directory=directory, texts=options.texts, DATABASE_URL=f"sqlite:///{database}").extensions["atlas"].close()
        cache = directory / f"cache-{size}"
        env = {**os.environ, **unlimited_env(), "ATLAS_INSTANCE_PATH": str(directory), "ATLAS_TILES": "none",
               "ATLAS_LOG_LEVEL": "WARNING", "ATLAS_DATABASE_URL": f"sqlite:///{database}",
               "ATLAS_CACHE_DIR": str(cache)}
        shutil.rmtree(cache, ignore_errors=True)
        cold = start_and_visit(env, options.workers)
        warm = start_and_visit(env, options.workers)
        print(f"{size} projects, {options.workers} workers: empty cache folder: all {len(VISITS)} answered after "
              f"{cold[0]:.2f} s, {cold[1]:.1f} CPU s; the folder kept: {warm[0]:.2f} s, {warm[1]:.1f} CPU s "
              f"(cold {cold[1] / warm[1]:.1f}× the CPU)", flush=True)


def start_and_visit(env: dict, workers: int) -> tuple[float, float]:
    """(seconds from the start until every visit is answered, CPU seconds of the server's processes)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**env, "ATLAS_BASE_URL": base}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    log = sys.stderr if os.environ.get("BENCH_LOG") else subprocess.DEVNULL  # BENCH_LOG=1: gunicorn's log shown
    server = subprocess.Popen([GUNICORN, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                               "atlas:create_app()"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        while True:
            try:
                requests.get(base + "/healthz", timeout=60)
                break
            except requests.ConnectionError:
                assert server.poll() is None, "gunicorn ended before it answered (BENCH_LOG=1 shows why)"
                time.sleep(0.02)
        with ThreadPoolExecutor(len(VISITS)) as pool:
            codes = list(pool.map(lambda path: requests.get(base + path, timeout=120).status_code, VISITS))
        answered = time.perf_counter() - start
        assert codes == [200] * len(VISITS), codes
    finally:
        server.terminate()
        server.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return answered, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    main()
