"""Does a second process help? Reads and submissions against one waitress process and against gunicorn with 2
workers, on SQLite and on PostgreSQL, on this 2-core machine.

    .venv/bin/python bench/scaling.py                     # 10,000 projects stored, 10 s per read run
    .venv/bin/python bench/scaling.py --existing 1000 --seconds 5 --submissions 200

Reads: wrk (Debian's package; `make bench` installs it) with 16 connections and `Accept-Encoding: gzip` on a
cached district page and on an uncached near search. Submissions: bench/submit.py's whole path of a person
(form, location step, confirmation) from 8 Python clients. The reference is the same server with one process.
The servers and the load generator share the 2 cores, so a perfect 2× is out of reach; the target is ≥ 1.7×.
PostgreSQL and the servers start on loopback ports under /tmp and stop again.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from common import app_with_projects, scratch, texts_option, unlimited_env
from submit import niedersachsen_plz, submit_all

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import PostgresServer, free_port, wait_for_port  # noqa: E402

READS = {"Bezirk (cached)": "/region/leine-weser", "Nähe (uncached)": "/in-der-naehe?ort=Hannover&umkreis=25"}


def main() -> None:
    options = parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench` installs Debian's wrk")
    postgres = PostgresServer()
    try:
        rows = []
        for backend in ("sqlite", "postgresql"):
            directory = scratch(f"atlas-scaling-{backend}-")
            url = f"sqlite:///{directory / 'atlas.db'}" if backend == "sqlite" else postgres.create_database()
            app = app_with_projects(options.existing, directory=directory, texts=options.texts, DATABASE_URL=url)
            app.extensions["atlas"].close()
            for kind in ("waitress ×1", "gunicorn ×2"):
                rows.append(measure(backend, kind, url, directory, options))
        report(rows)
    finally:
        postgres.stop()


def parse_args():
    parser = texts_option(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--existing", type=int, default=10_000, help="published projects stored before")
    parser.add_argument("--seconds", type=int, default=10, help="length of each read run")
    parser.add_argument("--submissions", type=int, default=400, help="submissions per run")
    return parser.parse_args()


def measure(backend: str, kind: str, url: str, directory: Path, options) -> dict:
    port = free_port()
    env = {**os.environ, **unlimited_env(), "ATLAS_DATABASE_URL": url, "ATLAS_INSTANCE_PATH": str(directory),
           "ATLAS_TILES": "none", "ATLAS_LOG_LEVEL": "WARNING", "ATLAS_BASE_URL": f"http://127.0.0.1:{port}"}
    bin_dir = Path(sys.executable).parent
    if kind.startswith("waitress"):
        command = [str(bin_dir / "atlas"), "serve", "--port", str(port), "--threads", "8"]
    else:
        command = [str(bin_dir / "gunicorn"), "--workers", "2", "--threads", "4", "--worker-class", "gthread",
                   "--bind", f"127.0.0.1:{port}", "atlas:create_app()"]
    server = subprocess.Popen(command, env=env, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, seconds=120, process=server)
        base = f"http://127.0.0.1:{port}"
        row = {"backend": backend, "kind": kind}
        for name, path in READS.items():
            wrk(base + path, 2)  # warm every process's caches
            row[name] = wrk(base + path, options.seconds)
        run = submit_all(base, options.submissions, 8, niedersachsen_plz())
        if run["errors"]:
            sys.exit(f"FAILED: {run['errors']} submissions failed on {backend} {kind}")
        row["Einreichungen"] = run["accepted"] / run["seconds"]
        print(f"{backend:<10} {kind:<12} " + " ".join(f"{k}: {v:.1f}/s" for k, v in row.items()
                                                      if isinstance(v, float)), flush=True)
        return row
    finally:
        server.terminate()
        server.wait(timeout=30)


def wrk(url: str, seconds: int) -> float:
    output = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "-H", "Accept-Encoding: gzip", url],
                            capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output:
        sys.exit(f"FAILED: errors from {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def report(rows: list[dict]) -> None:
    measures = [*READS, "Einreichungen"]
    print("\n| database | server | " + " | ".join(f"{m} per s" for m in measures) + " |")
    print("|---|---|" + "---|" * len(measures))
    for row in rows:
        print(f"| {row['backend']} | {row['kind']} | " + " | ".join(f"{row[m]:.1f}" for m in measures) + " |")
    for backend in ("sqlite", "postgresql"):
        one, two = (r for r in rows if r["backend"] == backend)
        ratios = ", ".join(f"{m} {two[m] / one[m]:.2f}×" for m in measures)
        print(f"{backend}: gunicorn with 2 workers against one waitress process: {ratios} (target ≥ 1.7×)")


if __name__ == "__main__":
    main()
