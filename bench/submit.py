"""Submissions under load, against the app served as `make run` serves it (`atlas serve`, waitress).

    .venv/bin/python bench/submit.py                        # 2,000 submissions from 8 clients
    .venv/bin/python bench/submit.py --existing 100000      # the same with 100k projects already stored

A submission is what a person does: load the form, send it, look at the location step (pin, Kreis, ArL,
duplicates), send it again, read the confirmation with its reference. The places are random PLZ of Niedersachsen.

The server runs in its own process on a throw-away database, with one change to the configuration: all clients
come from 127.0.0.1, which the per-client rate limit counts as one client, so ATLAS_SUBMIT_RATE_LIMIT is raised.
The naive way to compare with is one client after the other (1 client instead of 8).
Checked at the end: rows stored equal submissions accepted, and no request failed.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import requests
from common import app_with_projects, scratch, texts_option

from atlas.gazetteer import PLZ_CENTROIDS
from atlas.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
INPUT = re.compile(r'<input[^>]*\bname="(csrf_token|geprueft|lat|lon)"[^>]*\bvalue="([^"]*)"')
REFERENCE = re.compile(r"GS-\d{6}")


def main() -> None:
    options = parse_args()
    directory = scratch("atlas-bench-submit-")
    if options.existing:
        app_with_projects(options.existing, directory=directory, texts=options.texts)
    else:  # an empty database, prepared as `make run` prepares it (`atlas serve` refuses one without schema)
        upgrade(f"sqlite:///{directory / 'atlas.db'}")
    plz = niedersachsen_plz()
    print(f"{options.existing} projects stored before; {options.submissions} submissions per run")
    print(f"{'clients':>7} {'accepted':>8} {'errors':>6} {'rows added':>10} {'seconds':>8} {'per s':>7} "
          f"{'p50 ms':>7} {'p95 ms':>7}")
    results = {}
    for clients in (1, options.clients):
        with server(directory) as (url, count_rows):
            before = count_rows()
            run = submit_all(url, options.submissions if clients > 1 else options.submissions // 4, clients, plz)
            added = count_rows() - before
        results[clients] = run
        rate = run["accepted"] / run["seconds"]
        print(f"{clients:>7} {run['accepted']:>8} {run['errors']:>6} {added:>10} {run['seconds']:>8.1f} "
              f"{rate:>7.1f} {run['p50'] * 1000:>7.0f} {run['p95'] * 1000:>7.0f}")
        if added != run["accepted"] or run["errors"]:
            sys.exit(f"FAILED: {added} rows added for {run['accepted']} accepted, {run['errors']} errors")
    single, many = results[1], results[options.clients]
    ratio = (many["accepted"] / many["seconds"]) / (single["accepted"] / single["seconds"])
    print(f"{options.clients} clients give {ratio:.1f}× the submissions per second of one client alone")


def parse_args():
    parser = texts_option(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--submissions", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--existing", type=int, default=0, help="published projects stored before the run")
    return parser.parse_args()


def niedersachsen_plz() -> list[str]:
    from atlas.regions import load_regions

    regions = load_regions(ROOT / "data" / "regions")
    codes = sorted(PLZ_CENTROIDS)
    lat = np.array([PLZ_CENTROIDS[c][0] for c in codes])
    lon = np.array([PLZ_CENTROIDS[c][1] for c in codes])
    inside = regions.assign_lonlat(lon, lat).kreis_rs.notna().to_numpy()
    return [c for c, ok in zip(codes, inside, strict=True) if ok]


class server:
    """`atlas serve` in a subprocess on a free port, as `make run` starts it."""

    def __init__(self, directory: Path):
        self.directory = directory

    def __enter__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = dict(os.environ, ATLAS_DATABASE_URL=f"sqlite:///{self.directory / 'atlas.db'}",
                   ATLAS_INSTANCE_PATH=str(self.directory), ATLAS_TILES="none",
                   ATLAS_SUBMIT_RATE_LIMIT="1000000 per minute")
        atlas = Path(sys.executable).with_name("atlas")
        self.process = subprocess.Popen([str(atlas), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:  # a server that ended is told at once
            try:
                if requests.get(url + "/einreichen", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            self.process.kill()
            raise RuntimeError(self.process.stderr.read().decode())

        def count_rows() -> int:
            from sqlalchemy import create_engine, text

            engine = create_engine(env["ATLAS_DATABASE_URL"])
            with engine.connect() as db:
                return db.execute(text("SELECT count(*) FROM projects")).scalar_one()

        return url, count_rows

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def submit_all(url: str, n: int, clients: int, plz: list[str]) -> dict:
    local = threading.local()
    rng = np.random.default_rng(n + clients)
    codes = rng.choice(plz, size=n)

    def one(i: int) -> tuple[float, bool, bool]:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        start = time.perf_counter()
        try:
            accepted = submit_one(local.session, url, i, str(codes[i]))
            return time.perf_counter() - start, accepted, False
        except (requests.RequestException, AssertionError) as error:
            print(f"submission {i} failed: {error!r}", file=sys.stderr)
            return time.perf_counter() - start, False, True

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        outcomes = list(pool.map(one, range(n)))
    seconds = time.perf_counter() - start
    times = sorted(t for t, _a, _e in outcomes)
    return {"accepted": sum(a for _t, a, _e in outcomes), "errors": sum(e for _t, _a, e in outcomes),
            "seconds": seconds, "p50": statistics.median(times), "p95": times[int(len(times) * 0.95)]}


def submit_one(session: requests.Session, url: str, i: int, plz: str) -> bool:
    form = session.get(url + "/einreichen", timeout=30)
    assert form.status_code == 200, form.status_code
    data = {"name": f"Lastprobe {i} {plz}", "traeger": "Bench e. V.", "description": "Eine Zeile.",
            "handlungsfelder": ["sprache", "wohnen-leben"], "plz": plz, "consent": "y",
            "csrf_token": fields(form.text)["csrf_token"]}
    step = session.post(url + "/einreichen", data=data, timeout=30)
    assert step.status_code == 200, step.status_code
    for _look in range(3):  # a similar project may arrive from another client meanwhile: look, confirm again
        data.update(fields(step.text))
        if 'id="doppelt"' in step.text:
            data["duplicate_ok"] = "y"
        step = session.post(url + "/einreichen", data=data, timeout=30)
        if step.url.endswith("/einreichen/danke"):
            break
    assert step.status_code == 200 and step.url.endswith("/einreichen/danke"), (step.status_code, step.url)
    assert REFERENCE.search(step.text)
    return True


def fields(page: str) -> dict:
    return dict(INPUT.findall(page))


if __name__ == "__main__":
    main()
