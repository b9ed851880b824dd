"""Pages under a crowd: requests per second, p50 and p99, against `atlas serve` as `make run` starts it.

    .venv/bin/python bench/http_load.py                          # 10k and 100k projects, 20 s per URL
    .venv/bin/python bench/http_load.py --sizes 10000 --seconds 5

wrk (Debian's package; `make bench` installs it): 16 connections sending a browser's Accept-Encoding (answered in
zstd; `--accept gzip`: a client's that takes gzip only, as up to stop 51), warm caches. The
reference is the limit of this machine: the same server sending a static file of the same size as `/` (a copy of
the start page put beside atlas.css for the run). Server and wrk share the 2 cores. wrk asks one URL again and
again: those are kept pages. Then the pages made per request, as a crowd asks them: every request a new place for
the near search, a new query for `/suche` (bench/request_cpu.py's mixes) and a new page of the API, none asked
twice (a Lua script hands wrk's threads the paths in turn). Each is set against the same server sending a static
file of its size (random bytes as many as the page's compressed body; no coding makes them smaller): issue 26 asks
for at least 0.3× under 16 clients. Beside each rate, the server's CPU per request (its processes' user and system
time over the run, from /proc): where the server has less than a core, the rate says more about the machine's
other load than about the page.

    .venv/bin/python bench/http_load.py --sizes 100000 --server gunicorn    # as docs/operating.md deploys it
    .venv/bin/python bench/http_load.py --sizes 100000 --database /tmp/load # the database kept for the next run

`--server gunicorn` measures the deployment of docs/operating.md and deploy/ (gunicorn, 2 workers × 4 threads,
gthread: a process per core) instead of one waitress process: the figures of issue 26 were taken so. Static file
and page are then served by the same two processes, so their ratio still compares like with like. Its workers
warm up as deployed (`-c python:atlas.gunicorn_conf`: the near index and the gazetteer), and the run first asks a
near search and a search for 6 s each, so that both workers have also compiled what their first pages need.
`--database DIR` makes the database there once (in DIR/<size>-<texts>) and uses it again in later runs of the same
size and texts (its setup takes minutes at 100k).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import requests
from common import (
    ACCEPT,
    UNLIMITED,
    accept_option,
    app_with_projects,
    arguments,
    random_points,
    scratch,
    static_reference_file,
    unlimited_env,
)
from request_cpu import distinct_queries, new_offsets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port, wait_for_port  # noqa: E402

from atlas import create_app  # noqa: E402 - after common, which puts the checkout first on the path

URLS = ["/", "/?hf=sprache", "/region/leine-weser", "/in-der-naehe?ort=Hannover", "/projekt/1",
        "/suche?q=Sprachcafe&ort=Hannover&umkreis=25", "/ogc/collections/projekte/items",
        "/static/atlas.css", "/static/_bench_reference.html"]
REFERENCE = ROOT / "static" / "_bench_reference.html"
# as deploy/ starts it, WEB_CONCURRENCY 2
GUNICORN = ["-c", "python:atlas.gunicorn_conf", "--workers", "2"]  # 4 threads each (gthread): atlas.gunicorn_conf
NEW_PATHS = 12_000  # per kind of page: more than wrk asks in a run (a path asked again would be a kept page)
THREADS = 2


def main() -> None:
    options = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs Debian's wrk")
    for size in options.sizes:
        directory, app = database(size, options.database, options.texts)
        made = per_request_paths(app, size)
        app.extensions["atlas"].close()
        port = free_port()
        env = {**os.environ, **unlimited_env(),
               "ATLAS_DATABASE_URL": f"sqlite:///{directory / 'atlas.db'}", "ATLAS_TILES": "none",
               "ATLAS_INSTANCE_PATH": str(directory), "ATLAS_LOG_LEVEL": "WARNING",
               "ATLAS_BASE_URL": f"http://127.0.0.1:{port}"}  # gunicorn refuses to start without it
        server = subprocess.Popen(server_command(options.server, port), env=env, cwd=directory,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, seconds=180, process=server)
            base = f"http://127.0.0.1:{port}"
            REFERENCE.write_bytes(requests.get(base + "/", timeout=120).content)
            if options.server == "gunicorn":  # warm caches in both workers, as waitress's one process has them
                for url in ("/in-der-naehe?ort=Hannover", "/suche?q=Sprachcafe&ort=Hannover&umkreis=25"):
                    subprocess.run(["wrk", "-t2", "-c16", "-d6s", base + url], capture_output=True)
            print(f"\n{size} projects, {options.server}; `/` is {REFERENCE.stat().st_size / 1e6:.2f} MB "
                  f"({sent_size(base + '/', options.accept) / 1e3:.0f} kB sent, {options.accept}'s Accept-Encoding)")
            print("| URL | req/s | p50 ms | p99 ms | server CPU ms/req | against the static file of `/`'s size |\n"
                  "|---|---|---|---|---|---|")
            rows = {url: wrk(base + url, options.seconds, options.accept, server=server.pid) for url in URLS}
            limit = rows["/static/_bench_reference.html"][0]
            for url, (rate, p50, p99, cpu) in rows.items():
                print(f"| `{url}` | {rate:.0f} | {p50:.1f} | {p99:.1f} | {cpu:.2f} | {rate / limit:.2f}× |", flush=True)
            print("\n| made per request | req/s | p50 ms | p99 ms | server CPU ms/req | kB sent "
                  "| static file of that size, req/s (CPU ms/req) | against it |\n|---|---|---|---|---|---|---|---|")
            for label, paths in made.items():
                rate, p50, p99, cpu = wrk(base, options.seconds, options.accept, paths, directory, server=server.pid)
                size_ = sent_size(base + paths[-1], options.accept)
                limit, *_, limit_cpu = wrk(f"{base}/static/{static_reference_file(size_).name}", options.seconds,
                                           options.accept, server=server.pid)
                print(f"| {label} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {cpu:.2f} | {size_ / 1e3:.1f} "
                      f"| {limit:.0f} ({limit_cpu:.2f}) | {rate / limit:.2f}× |", flush=True)
        finally:
            REFERENCE.unlink(missing_ok=True)
            for copy in REFERENCE.parent.glob("_bench_reference_*.html"):
                copy.unlink()
            server.terminate()
            server.wait(timeout=30)


def parse_args():
    parser = accept_option(arguments(__doc__, [10_000, 100_000]))
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--server", choices=["waitress", "gunicorn"], default="waitress",
                        help="one `atlas serve` process (as `make run`), or gunicorn 2 × 4 threads (as deploy/)")
    parser.add_argument("--database", type=Path, help="a folder to make the database in once and use again")
    return parser.parse_args()


def database(size: int, kept: Path | None, texts: str):
    """The folder of a database of `size` projects (their texts: bench/common.py) and an app on it: made in a
    scratch folder, or in `kept` once (a later run of the same size and texts uses it as it is)."""
    if kept is None:
        directory = scratch("atlas-bench-http-")
        return directory, app_with_projects(size, directory=directory, texts=texts)
    directory = kept / f"{size}-{texts}"
    if (directory / "atlas.db").exists():
        return directory, create_app({"TILES": "none", "DATABASE_URL": f"sqlite:///{directory / 'atlas.db'}",
                                      "INSTANCE_PATH": str(directory), **UNLIMITED})
    directory.mkdir(parents=True)
    return directory, app_with_projects(size, directory=directory, texts=texts)


def server_command(server: str, port: int) -> list[str]:
    if server == "waitress":
        return [str(Path(sys.executable).with_name("atlas")), "serve", "--port", str(port)]
    return [str(Path(sys.executable).with_name("gunicorn")), *GUNICORN, "--bind", f"127.0.0.1:{port}",
            "atlas:create_app()"]


def per_request_paths(app, n: int) -> dict[str, list[str]]:
    """For each page made per request, NEW_PATHS paths none of which is asked twice."""
    lon, lat = random_points(app.extensions["atlas"].regions, NEW_PATHS, seed=n + 1)
    offsets = new_offsets(n, min(NEW_PATHS, n - 100))
    return {"near search, a new place each": [f"/in-der-naehe?lat={y:.5f}&lon={x:.5f}" for y, x in
                                              zip(lat, lon, strict=True)],
            "/suche, a new query each": ["/suche?" + urlencode(query) for query in distinct_queries(NEW_PATHS)],
            "/items, a new page each": [f"/ogc/collections/projekte/items?offset={offset}" for offset in offsets]}


def paths_script(paths: list[str], directory: Path) -> Path:
    """A wrk script whose threads take the paths in turn, each path once (until they run out)."""
    assert all(path.isascii() for path in paths)
    script = directory / "paths.lua"
    script.write_text("local paths = {" + ",".join(json.dumps(path) for path in paths) + "}\n"
                      "local turn = 0\n"
                      "function setup(thread) thread:set('first', turn); turn = turn + 1 end\n"
                      "local i = nil\n"
                      f"function request() i = i and i + {THREADS} or first; "
                      "return wrk.format('GET', paths[(i % #paths) + 1]) end\n")
    return script


def sent_size(url: str, accept: str) -> int:
    """The bytes of the body as sent (compressed, not unpacked)."""
    return len(requests.get(url, headers={"Accept-Encoding": ACCEPT[accept]}, stream=True, timeout=60).raw.read())


def wrk(url: str, seconds: int, accept: str, paths: list[str] | None = None, directory: Path | None = None,
        server: int = 0) -> tuple[float, float, float, float]:
    """Requests per second, p50 and p99 ms of 16 connections asking `url` for `seconds`, after 2 s of warming up,
    and the CPU ms per request of the process `server` and its children; with `paths`, each request the next path
    of the list under the base `url` (the first 1,000 warm up)."""
    asked = ["-t", str(THREADS), "-c16", "-H", f"Accept-Encoding: {ACCEPT[accept]}"]
    if paths:
        warming = paths_script(paths[:1000], directory)
        subprocess.run(["wrk", *asked, "-d2s", "-s", str(warming), url], capture_output=True)
        asked += ["-s", str(paths_script(paths[1000:], directory))]
    else:
        subprocess.run(["wrk", *asked, "-d2s", url], capture_output=True)
    before = cpu_seconds(server)
    output = subprocess.run(["wrk", *asked, f"-d{seconds}s", "--latency", url],
                            capture_output=True, text=True, check=True).stdout
    used = cpu_seconds(server) - before
    if "Non-2xx" in output:
        sys.exit(f"FAILED: errors from {url}:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    requests_ = int(re.search(r"(\d+) requests in", output).group(1))
    return rate, _ms(output, "50%"), _ms(output, "99%"), used * 1000 / max(requests_, 1)


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process and its children so far (Linux's /proc; gunicorn's workers are
    the children of its master)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:  # ended meanwhile
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") + sum(cpu_seconds(int(c)) for c in children)


def _ms(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)\b", output).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


if __name__ == "__main__":
    main()
