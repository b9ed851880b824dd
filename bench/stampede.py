"""After a publication: the first visitor of `/`, and 16 simultaneous first requests, against gunicorn with 2 workers
× 4 threads – each worker making its own pages, and both sharing them through Redis (ATLAS_PAGE_CACHE_URI).

    .venv/bin/python bench/stampede.py                    # 10k and 100k published projects
    .venv/bin/python bench/stampede.py --sizes 100000 --rounds 5

Each round publishes one project (from this process, into the same database) – every worker sees the new version
with its next request (atlas.web.moment) – then sends 16 requests for `/` at once and
measures until the last is answered; the workers' CPU seconds over the round; and, after the next publication, the
first visitor alone; then the first visitor in one process (no HTTP, no other requests). Targets at 100k: the
first visitor within 100 ms of a publication, the 16 all answered within 2× one render (the first visitor's time).
redis-server and gunicorn start on loopback ports and stop again.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from common import app_with_projects, arguments, unlimited_env

from atlas.districts import Assignment
from atlas.places import Place
from atlas.projects import ProjectInput
from atlas.store import PUBLISHED

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import RedisServer, free_port, wait_for_port  # noqa: E402

CLIENTS = 16


def main() -> None:
    parser = arguments(__doc__, [10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3, help="publications measured per setting")
    args = parser.parse_args()
    redis = RedisServer()
    print(f"{'projects':>9} {'pages':<10} {'first visitor ms':>16} {'16 at once s':>12} {'ratio':>6} "
          f"{'worker CPU s':>12}")
    try:
        for n in args.sizes:
            app = app_with_projects(n, texts=args.texts)
            for shared in ("per worker", "redis"):
                redis.stop()  # empty again (it keeps nothing on disk)
                redis.start()
                first, stampede, cpu = measure(app, redis.url if shared == "redis" else "", args.rounds)
                print(f"{n:>9} {shared:<10} {first * 1000:>16.0f} {stampede:>12.2f} {stampede / first:>6.1f} "
                      f"{cpu:>12.2f}", flush=True)
            print(f"{n:>9} in one process, first visitor ms (per worker / redis): "
                  + ", ".join(f"{a * 1000:.0f}/{b * 1000:.0f}" for a, b in one_process(app, redis.url, args.rounds)))
    finally:
        redis.close()


def measure(app, cache_uri: str, rounds: int) -> tuple[float, float, float]:
    """Medians over the rounds: the first visitor alone, the last of 16 at once, the workers' CPU seconds."""
    port = free_port()
    directory = Path(app.config["INSTANCE_PATH"])
    env = {**os.environ, **unlimited_env(), "ATLAS_DATABASE_URL": app.config["DATABASE_URL"],
           "ATLAS_INSTANCE_PATH": str(directory), "ATLAS_TILES": "none", "ATLAS_LOG_LEVEL": "WARNING",
           "ATLAS_BASE_URL": f"http://127.0.0.1:{port}", "ATLAS_PAGE_CACHE_URI": cache_uri,
           "ATLAS_FRESHNESS_DAYS": "100000"}
    command = [str(Path(sys.executable).with_name("gunicorn")), "--workers", "2", "--threads", "4",
               "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "atlas:create_app()"]
    server = subprocess.Popen(command, env=env, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    firsts, stampedes, cpus = [], [], []
    try:
        wait_for_port(port, seconds=300, process=server)
        for _ in range(5):  # every worker has its copy and its page (the kernel hands connections to either)
            at_once(base)
        for round_ in range(rounds):
            publish(app, f"Stampede {round_}")
            before = worker_cpu(server.pid)
            stampedes.append(at_once(base))
            cpus.append(worker_cpu(server.pid) - before)
            publish(app, f"Erster Besuch {round_}")
            started = time.perf_counter()
            assert requests.get(base, timeout=600).status_code == 200
            firsts.append(time.perf_counter() - started)
            at_once(base)  # the other worker too
    finally:
        server.terminate()
        server.wait(timeout=60)
    return statistics.median(firsts), statistics.median(stampedes), statistics.median(cpus)


def one_process(app, redis_url: str, rounds: int) -> list[tuple[float, float]]:
    """The first visitor of `/` after a publication in one process without HTTP and without other requests: what
    the page and the copy's update cost, without the server's load."""
    from atlas import create_app

    config = {"TILES": "none", "DATABASE_URL": app.config["DATABASE_URL"],
              "INSTANCE_PATH": app.config["INSTANCE_PATH"]}
    apps = create_app(config), create_app({**config, "PAGE_CACHE_URI": redis_url})
    for each in apps:
        each.test_client().get("/")
    times = []
    for round_ in range(rounds):
        publish(app, f"Ein Prozess {round_}")
        pair = []
        for each in apps:
            started = time.perf_counter()
            assert each.test_client().get("/").status_code == 200
            pair.append(time.perf_counter() - started)
        times.append(tuple(pair))
    return times


def at_once(url: str) -> float:
    """Seconds until the last of CLIENTS simultaneous requests is answered."""
    start = threading.Barrier(CLIENTS)

    def ask(_):
        with requests.Session() as session:
            start.wait()
            began = time.perf_counter()
            assert session.get(url, timeout=600).status_code == 200
            return began, time.perf_counter()

    with ThreadPoolExecutor(CLIENTS) as pool:
        times = list(pool.map(ask, range(CLIENTS)))
    return max(end for _, end in times) - min(began for began, _ in times)


def publish(app, name: str) -> None:
    project = ProjectInput(name=name, traeger="Verein", description="", handlungsfelder=["sprache"], ort="Lüneburg")
    place = Place("Lüneburg", 53.25, 10.41, "place", "bench", Assignment(None, None))
    app.extensions["atlas"].store.add_many([(project, place)], PUBLISHED)


def worker_cpu(master: int) -> float:
    """User and system CPU seconds of the master's worker processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


if __name__ == "__main__":
    main()
