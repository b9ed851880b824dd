"""Pages under a crowd: requests per second, p50 and p99, against `atlas serve` as `make run` starts it.

    .venv/bin/python bench/http_load.py                          # 10k and 100k projects, 20 s per URL
    .venv/bin/python bench/http_load.py --sizes 10000 --seconds 5

wrk (Debian's package; `make bench` installs it): 16 connections, `Accept-Encoding: gzip`, warm caches. The
reference is the limit of this machine: the same server sending a static file of the same size as `/` (a copy of
the start page put beside atlas.css for the run). Server and wrk share the 2 cores. wrk asks one URL again and
again: those are kept pages. Then the pages made per request, as a crowd asks them: every request a new place for
the near search, a new query for `/suche` (bench/request_cpu.py's mixes) and a new page of the API, none asked
twice (a Lua script hands wrk's threads the paths in turn). Each is set against the same server sending a static
file of its size (random bytes as many as the page's gzipped body; gzip cannot make them smaller): issue 26 asks
for at least 0.3× under 16 clients.
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
from common import app_with_projects, arguments, random_points, scratch, static_reference_file, unlimited_env
from request_cpu import distinct_queries, new_offsets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port, wait_for_port  # noqa: E402

URLS = ["/", "/?hf=sprache", "/region/leine-weser", "/in-der-naehe?ort=Hannover", "/projekt/1",
        "/suche?q=Sprachcafe&ort=Hannover&umkreis=25", "/ogc/collections/projekte/items",
        "/static/atlas.css", "/static/_bench_reference.html"]
REFERENCE = ROOT / "static" / "_bench_reference.html"
NEW_PATHS = 12_000  # per kind of page: more than wrk asks in a run (a path asked again would be a kept page)
THREADS = 2


def main() -> None:
    options = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs Debian's wrk")
    for size in options.sizes:
        directory = scratch("atlas-bench-http-")
        app = app_with_projects(size, directory=directory)
        made = per_request_paths(app, size)
        app.extensions["atlas"].close()
        port = free_port()
        env = {**os.environ, **unlimited_env(),
               "ATLAS_DATABASE_URL": f"sqlite:///{directory / 'atlas.db'}", "ATLAS_TILES": "none",
               "ATLAS_INSTANCE_PATH": str(directory), "ATLAS_LOG_LEVEL": "WARNING"}
        server = subprocess.Popen([str(Path(sys.executable).with_name("atlas")), "serve", "--port", str(port)],
                                  env=env, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, seconds=180, process=server)
            base = f"http://127.0.0.1:{port}"
            REFERENCE.write_bytes(requests.get(base + "/", timeout=120).content)
            print(f"\n{size} projects; `/` is {REFERENCE.stat().st_size / 1e6:.2f} MB "
                  f"({gzipped_size(base + '/') / 1e3:.0f} kB gzipped)")
            print("| URL | req/s | p50 ms | p99 ms | against the static file of `/`'s size |\n|---|---|---|---|---|")
            rows = {url: wrk(base + url, options.seconds) for url in URLS}
            limit = rows["/static/_bench_reference.html"][0]
            for url, (rate, p50, p99) in rows.items():
                print(f"| `{url}` | {rate:.0f} | {p50:.1f} | {p99:.1f} | {rate / limit:.2f}× |", flush=True)
            print("\n| made per request | req/s | p50 ms | p99 ms | gzipped kB | static file of that size, req/s "
                  "| against it |\n|---|---|---|---|---|---|---|")
            for label, paths in made.items():
                rate, p50, p99 = wrk(base, options.seconds, paths, directory)
                size_ = gzipped_size(base + paths[-1])
                limit = wrk(f"{base}/static/{static_reference_file(size_).name}", options.seconds)[0]
                print(f"| {label} | {rate:.0f} | {p50:.1f} | {p99:.1f} | {size_ / 1e3:.1f} | {limit:.0f} "
                      f"| {rate / limit:.2f}× |", flush=True)
        finally:
            REFERENCE.unlink(missing_ok=True)
            for copy in REFERENCE.parent.glob("_bench_reference_*.html"):
                copy.unlink()
            server.terminate()
            server.wait(timeout=30)


def parse_args():
    parser = arguments(__doc__, [10_000, 100_000])
    parser.add_argument("--seconds", type=int, default=20)
    return parser.parse_args()


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


def gzipped_size(url: str) -> int:
    return len(requests.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=60).raw.read())


def wrk(url: str, seconds: int, paths: list[str] | None = None, directory: Path | None = None
        ) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 ms of 16 connections asking `url` for `seconds`, after 2 s of warming up;
    with `paths`, each request the next path of the list under the base `url` (the first 1,000 warm up)."""
    asked = ["-t", str(THREADS), "-c16", "-H", "Accept-Encoding: gzip"]
    if paths:
        warming = paths_script(paths[:1000], directory)
        subprocess.run(["wrk", *asked, "-d2s", "-s", str(warming), url], capture_output=True)
        asked += ["-s", str(paths_script(paths[1000:], directory))]
    else:
        subprocess.run(["wrk", *asked, "-d2s", url], capture_output=True)
    output = subprocess.run(["wrk", *asked, f"-d{seconds}s", "--latency", url],
                            capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        sys.exit(f"FAILED: errors from {url}:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rate, _ms(output, "50%"), _ms(output, "99%")


def _ms(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)\b", output).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


if __name__ == "__main__":
    main()
