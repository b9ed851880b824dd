"""Pages under a crowd: requests per second, p50 and p99, against `atlas serve` as `make run` starts it.

    .venv/bin/python bench/http_load.py                          # 10k and 100k projects, 20 s per URL
    .venv/bin/python bench/http_load.py --sizes 10000 --seconds 5

wrk (Debian's package; `make bench` installs it): 16 connections, `Accept-Encoding: gzip`, warm caches. The
reference is the limit of this machine: the same server sending a static file of the same size as `/` (a copy of
the start page put beside atlas.css for the run). Server and wrk share the 2 cores. wrk asks one URL again and
again: `/suche` is then a kept answer (bench/request_cpu.py times new queries and places, in one process).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import requests
from common import app_with_projects, arguments, scratch, unlimited_env

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port, wait_for_port  # noqa: E402

URLS = ["/", "/?hf=sprache", "/region/leine-weser", "/in-der-naehe?ort=Hannover", "/projekt/1",
        "/suche?q=Sprachcafe&ort=Hannover&umkreis=25", "/ogc/collections/projekte/items",
        "/static/atlas.css", "/static/_bench_reference.html"]
REFERENCE = ROOT / "static" / "_bench_reference.html"


def main() -> None:
    options = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs Debian's wrk")
    for size in options.sizes:
        directory = scratch("atlas-bench-http-")
        app_with_projects(size, directory=directory).extensions["atlas"].close()
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
            zipped = requests.get(base + "/", headers={"Accept-Encoding": "gzip"}, stream=True).raw.read()
            print(f"\n{size} projects; `/` is {REFERENCE.stat().st_size / 1e6:.2f} MB "
                  f"({len(zipped) / 1e3:.0f} kB gzipped)")
            print("| URL | req/s | p50 ms | p99 ms | against the static file of `/`'s size |\n|---|---|---|---|---|")
            rows = {url: wrk(base + url, options.seconds) for url in URLS}
            limit = rows["/static/_bench_reference.html"][0]
            for url, (rate, p50, p99) in rows.items():
                print(f"| `{url}` | {rate:.0f} | {p50:.1f} | {p99:.1f} | {rate / limit:.2f}× |", flush=True)
        finally:
            REFERENCE.unlink(missing_ok=True)
            server.terminate()
            server.wait(timeout=30)


def parse_args():
    parser = arguments(__doc__, [10_000, 100_000])
    parser.add_argument("--seconds", type=int, default=20)
    return parser.parse_args()


def wrk(url: str, seconds: int) -> tuple[float, float, float]:
    subprocess.run(["wrk", "-t2", "-c16", "-d2s", "-H", "Accept-Encoding: gzip", url], capture_output=True)
    output = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip", url],
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
