"""Memory of each app server's worker process: gunicorn with 2 workers × 4 threads, as docs/operating.md runs it,
after every worker has answered each kind of public page once (start page, map data, a district, near search,
search, a project, an OGC page).

    .venv/bin/python bench/memory.py                      # 10k and 100k published projects
    .venv/bin/python bench/memory.py --sizes 1000000
    .venv/bin/python bench/memory.py --preload            # the app made once in gunicorn's master, then forked
    .venv/bin/python bench/memory.py --steps              # in one process: what each kind of page adds

Each size is measured at a first start and at a restart, which reads the published projects from the copy the
first start kept in the cache folder (atlas.published) instead of from the database.

Per worker: RSS (every page it touches, shared ones too) and PSS (shared pages divided among the processes that
share them: what the worker adds to the machine), from /proc/<pid>/smaps_rollup, in MB; and the same for a worker
just started (nothing asked yet). Target of issue 26: ≤ 500 MB per worker at 1M. The database is SQLite, filled
by bench/common.py; which worker answered is read from the access log's process id.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests
from common import app_with_projects, arguments, first_map_requests, unlimited_env

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port, wait_for_port  # noqa: E402

WORKERS = 2
PAGES = ["/", "DATA", "/region/leine-weser", "/in-der-naehe?ort=Hannover", "/suche?q=Sprachcaf%C3%A9", "/projekt/1",
         "/ogc/collections/projekte/items"]


def main() -> None:
    parser = arguments(__doc__, [10_000, 100_000])
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload: workers share the app's pages")
    parser.add_argument("--steps", action="store_true", help="in one process, RSS after each kind of page")
    args = parser.parse_args()
    if args.steps:
        for n in args.sizes:
            steps(n, args.texts)
        return
    print(f"{'projects':>9} {'start':>8} {'worker':>7} {'started RSS':>12} {'PSS':>6} {'warm RSS':>9} {'PSS':>6}")
    for n in args.sizes:
        app = app_with_projects(n, texts=args.texts)
        app.extensions["atlas"].close()
        for kept in Path(app.config["CACHE_DIR"]).glob("published-*.pickle"):
            kept.unlink()  # the first start reads the published projects from the database
        for start in ("first", "restart"):  # a restart reads the copy the first one kept (atlas.published)
            for row in measure(app, ["--preload"] if args.preload else []):
                print(f"{n:>9} {start:>8} {row[0]:>7} {row[1]:>12.0f} {row[2]:>6.0f} {row[3]:>9.0f} {row[4]:>6.0f}",
                      flush=True)


def measure(app, options: list[str]) -> list[tuple]:
    port = free_port()
    directory = Path(app.config["INSTANCE_PATH"])
    log = directory / f"gunicorn-{port}.log"
    env = {**os.environ, **unlimited_env(), "ATLAS_DATABASE_URL": app.config["DATABASE_URL"],
           "ATLAS_INSTANCE_PATH": str(directory), "ATLAS_TILES": "none",
           "ATLAS_BASE_URL": f"http://127.0.0.1:{port}", "ATLAS_FRESHNESS_DAYS": "100000"}
    command = [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(WORKERS), "--threads", "4",
               "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", *options, "atlas:create_app()"]
    with open(log, "wb") as out:
        server = subprocess.Popen(command, env=env, cwd=directory, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, seconds=300, process=server)
        workers = children(server.pid)
        while len(workers) < WORKERS:
            time.sleep(0.2)
            workers = children(server.pid)
        time.sleep(2)  # each worker has made its app (the port answers when the first one listens)
        started = {pid: memory(pid) for pid in workers}
        data = first_map_requests(requests.get(base + "/", timeout=600).text)
        paths = [path for page in PAGES for path in (data if page == "DATA" else [page])]
        for path in paths:
            for _ in range(200):  # until each worker answered it (the kernel hands a connection to either)
                if all(answered(log, pid, path) for pid in workers):
                    break
                with requests.Session() as session:
                    assert session.get(base + path, timeout=600).status_code == 200, path
            else:
                # the folder goes when the benchmark ends (common.scratch): the log's end is shown here
                raise RuntimeError(f"not every worker answered {path}; gunicorn's log ends:\n"
                                   + "\n".join(log.read_text().splitlines()[-20:]))
        warm = {pid: memory(pid) for pid in workers}
    finally:
        server.terminate()
        server.wait(timeout=60)
    return [(i + 1, *started[pid], *warm[pid]) for i, pid in enumerate(workers)]


def steps(n: int, texts: str) -> None:
    """In a fresh process of its own: RSS after the app is made and after each kind of page is first asked."""
    app = app_with_projects(n, texts=texts)
    app.extensions["atlas"].close()
    run = subprocess.run([sys.executable, __file__, "--in-one-process", app.config["DATABASE_URL"],
                          app.config["INSTANCE_PATH"]], capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    print(f"{n:>9} RSS after imports, then MB added by: {run.stdout.strip()}", flush=True)


def in_one_process(database_url: str, directory: str) -> None:
    import logging

    from atlas import create_app

    seen = [("imports", memory(os.getpid())[0])]
    app = create_app({"TILES": "none", "DATABASE_URL": database_url, "INSTANCE_PATH": directory})
    logging.getLogger("atlas.access").setLevel(logging.WARNING)
    client = app.test_client()
    seen.append(("app made", memory(os.getpid())[0]))
    for path in [path for page in PAGES for path in (
            first_map_requests(client.get("/").get_data(as_text=True)) if page == "DATA" else [page])]:
        assert client.get(path).status_code == 200, path
        seen.append((path.split("?")[0], memory(os.getpid())[0]))
    print(f"imports {seen[0][1]:.0f}  " + "  ".join(
        f"{name} +{mb - before:.0f}" for (name, mb), (_, before) in zip(seen[1:], seen, strict=False))
        + f"  = {seen[-1][1]:.0f} MB")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def memory(pid: int) -> tuple[float, float]:
    """RSS and PSS in MB."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    kb = {key: int(value) for key, value in re.findall(r"^(Rss|Pss):\s+(\d+) kB", rollup, re.MULTILINE)}
    return kb["Rss"] / 1024, kb["Pss"] / 1024


def answered(log: Path, pid: int, path: str) -> bool:
    # the access log names the path without its query string (atlas.web.operations)
    return f"[{pid}] atlas.access: GET {path.split('?')[0]} 200 " in log.read_text(errors="replace")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--in-one-process"]:
        in_one_process(*sys.argv[2:4])
    else:
        main()
