"""Pages under a crowd: requests per second, p50 and p99, against `atlas serve` as `make run` starts it.

    .venv/bin/python bench/http_load.py                          # 10k and 100k projects, 20 s per kept URL
    .venv/bin/python bench/http_load.py --sizes 10000 --seconds 5 --rounds 6 --window 1   # shorter: 5 s per kept URL
    .venv/bin/python bench/http_load.py --sizes 100000 --made-only --rounds 20 --window 2   # the pages made per request

wrk (Debian's package; `make bench` installs it): 16 connections sending a browser's Accept-Encoding (answered in
zstd; `--accept gzip`: a client's that takes gzip only, as up to stop 51), warm caches. The
reference is the limit of this machine: the same server sending a static file of the same size as `/` (a copy of
the start page put beside atlas.css for the run). Server and wrk share the 2 cores. wrk asks one URL again and
again: those are kept pages. Then the pages made per request, as a crowd asks them: every request a new place for
the near search, a new query for `/suche` (bench/request_cpu.py's mixes) and a new page of the API, none asked
twice (a Lua script hands wrk's threads the paths in turn). Each is set against the same server sending a static
file of its size (random bytes as many as the page's compressed body; no coding makes them smaller): issue 26 asks
for at least 0.3× under 16 clients. Beside each rate, the server's CPU per request (its processes' user and system
time over the run, from /proc) and wrk's: where the server has less than a core, the rate says more about the
machine's other load than about the page.

The machine's other load moves by the minute (stop 52: one run's static references 1,328 to 3,302 requests a
second), so a page and its static file are not measured one after the other for 20 s each, but in `--rounds` short
windows of `--window` seconds taken in turn: page, file; file, page in the next round; one kind after the other.
Each round gives a ratio of two adjacent windows; printed are the medians of the windows and the median of
the rounds' ratios with the interval it lies in with about 95 % certainty (bench/paired.py's), for the requests a
second and for the server's CPU per request. The paths of a page go on from window to window, none asked twice;
where they run out (the API's pages at 10k: 9,900 offsets), that page's rounds end, and the table says how many.
`--made-only` leaves out the kept pages (wrk asking one URL again and again for `--seconds` each). The server's
output goes to server.log in the database's folder; where a request is answered neither 2xx nor 3xx, the run stops
and shows its end.

    .venv/bin/python bench/http_load.py --sizes 100000 --server gunicorn    # as docs/operating.md deploys it
    .venv/bin/python bench/http_load.py --sizes 100000 --database /tmp/load # the database kept for the next run

`--server gunicorn` measures the deployment of docs/operating.md and deploy/ (gunicorn, 2 workers × 4 threads,
gthread: a process per core) instead of one waitress process: the figures of issue 26 were taken so. `--workers N
--threads M` start it with other numbers (stop 54: fewer threads under 16 clients). Static file
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
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
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
from paired import median_interval
from request_cpu import distinct_queries, new_offsets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port, wait_for_port  # noqa: E402

from atlas import create_app, gunicorn_conf  # noqa: E402 - after common, which puts the checkout first on the path

URLS = ["/", "/?hf=sprache", "/region/leine-weser", "/in-der-naehe?ort=Hannover", "/projekt/1",
        "/suche?q=Sprachcafe&ort=Hannover&umkreis=25", "/ogc/collections/projekte/items",
        "/static/atlas.css", "/static/_bench_reference.html"]
REFERENCE = ROOT / "static" / "_bench_reference.html"
# as deploy/ starts it (WEB_CONCURRENCY 2, 4 threads each: atlas.gunicorn_conf); --workers and --threads add theirs
GUNICORN = ["-c", "python:atlas.gunicorn_conf", "--workers", "2"]
# per kind of page: more than wrk asks in a run (a path asked again would be a kept page); the search's mix has
# fewer than 16,000 distinct queries, the API's pages and the places are asked faster
NEW_PATHS = {"near": 30_000, "suche": 12_000, "items": 30_000}
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
               "ATLAS_BASE_URL": f"http://127.0.0.1:{port}",  # gunicorn refuses to start without it
               "PYTHONUNBUFFERED": "1"}  # all of its output in server.log when a failure shows it
        log = directory / "server.log"  # what the server writes (its errors): shown where a request fails
        with open(log, "wb") as written:
            server = subprocess.Popen(server_command(options, port), env=env, cwd=directory,
                                      stdout=written, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, seconds=180, process=server)
            base = f"http://127.0.0.1:{port}"
            REFERENCE.write_bytes(requests.get(base + "/", timeout=120).content)
            if options.server == "gunicorn":  # warm caches in both workers, as waitress's one process has them
                for url in ("/in-der-naehe?ort=Hannover", "/suche?q=Sprachcafe&ort=Hannover&umkreis=25"):
                    subprocess.run(["wrk", "-t2", "-c16", "-d6s", base + url], capture_output=True)
            print(f"\n{size} projects, {server_label(options)}; `/` is {REFERENCE.stat().st_size / 1e6:.2f} MB "
                  f"({sent_size(base + '/', options.accept) / 1e3:.0f} kB sent, {options.accept}'s Accept-Encoding)")
            if not options.made_only:
                kept_pages(base, options, server.pid)
            made_per_request(base, made, options, directory, server.pid)
        except Failed as failed:
            sys.exit(f"FAILED: {failed}\nThe server's log ({log}), its end:\n"
                     + "\n".join(log.read_text(errors="replace").splitlines()[-60:]))
        finally:
            REFERENCE.unlink(missing_ok=True)
            for copy in REFERENCE.parent.glob("_bench_reference_*.html"):
                copy.unlink()
            server.terminate()
            server.wait(timeout=30)


def kept_pages(base: str, options, server: int) -> None:
    """wrk asking one URL again and again: kept pages, against the static file of `/`'s size."""
    print("| URL | req/s | p50 ms | p99 ms | server CPU ms/req | against the static file of `/`'s size |\n"
          "|---|---|---|---|---|---|")
    rows = {url: wrk(base + url, options.seconds, options.accept, server=server) for url in URLS}
    limit = rows["/static/_bench_reference.html"][0]
    for url, (rate, p50, p99, cpu) in rows.items():
        print(f"| `{url}` | {rate:.0f} | {p50:.1f} | {p99:.1f} | {cpu:.2f} | {rate / limit:.2f}× |", flush=True)


@dataclass
class Pairs:
    """One kind of page made per request and the static file of its size, window after window."""

    label: str
    script: Path  # the page's paths, each asked once: the next window starts where the last one ended
    static: str
    size: int  # bytes sent of a page, and of the static file
    paths: int  # how many
    start: int = 0
    page: list[Window] = field(default_factory=list)
    reference: list[Window] = field(default_factory=list)

    def ask_page(self, base: str, seconds: int, options, server: int) -> Window | None:
        """A window of the page, or None where its new paths ran out in it (a path asked again is a kept page)."""
        measured = window(base, seconds, options.accept, server, self.script, self.start)
        self.start = measured.last + 1
        return measured if measured.last < self.paths else None


def made_per_request(base: str, made: dict[str, list[str]], options, directory: Path, server: int) -> None:
    """Each page made per request against a static file of its size, in windows of `--window` seconds taken in
    turn (page, file; in the next round file, page), so that the machine's other load falls on both sides of each
    pair: the ratio of a page's window to its file's next to it, median of the rounds."""
    kinds = []
    for label, paths in made.items():
        size = sent_size(base + paths[-1], options.accept)
        kinds.append(Pairs(label, paths_script(paths, directory / f"paths-{len(kinds)}.lua"),
                           f"{base}/static/{static_reference_file(size).name}", size, len(paths)))
    load = os.getloadavg()
    # one kind after the other, as the script asked them before: with the kinds' order rotating in each round, a
    # round's ratio scattered more (a new API page 0.05-0.29x, one kind after the other 0.09-0.13x)
    for kind in kinds:
        kind.ask_page(base, 2, options, server)  # 2 s of each, not counted: templates, connections, caches
        window(kind.static, 2, options.accept, server)
        for turn in range(options.rounds):
            first = window(kind.static, options.window, options.accept, server) if turn % 2 else None
            if (page := kind.ask_page(base, options.window, options, server)) is None:
                print(f"{kind.label}: the new paths ran out in round {turn + 1}; the rounds before it are counted",
                      flush=True)
                break
            kind.page.append(page)
            kind.reference.append(first or window(kind.static, options.window, options.accept, server))
    print(f"\n{options.rounds} rounds of {options.window:g} s windows; load average "
          f"{' '.join(f'{x:.1f}' for x in load)} before, {' '.join(f'{x:.1f}' for x in os.getloadavg())} after; "
          "medians of the windows; CPU ms per request of the server (its processes) and of wrk")
    print("| made per request | rounds | req/s | p50 ms | p99 ms | server CPU | wrk CPU | kB sent "
          "| static file of that size: req/s | server CPU | wrk CPU "
          "| req/s against it: median of the rounds (95 % interval) | server CPU per request, the file's against "
          "the page's |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for kind in kinds:
        pairs = list(zip(kind.page, kind.reference, strict=True))
        if not pairs:
            print(f"| {kind.label} | 0 |")
            continue
        page, reference = medians(kind.page), medians(kind.reference)
        print(f"| {kind.label} | {len(pairs)} | {page.rate:.0f} | {page.p50:.1f} | {page.p99:.1f} "
              f"| {page.server_cpu:.2f} | {page.wrk_cpu:.2f} | {kind.size / 1e3:.1f} | {reference.rate:.0f} "
              f"| {reference.server_cpu:.2f} "
              f"| {reference.wrk_cpu:.2f} | {with_interval([p.rate / r.rate for p, r in pairs])} "
              f"| {with_interval([r.server_cpu / p.server_cpu for p, r in pairs])} |", flush=True)
    for kind in kinds:
        print(f"{kind.label}, each round's ratio: "
              + " ".join(f"{p.rate / r.rate:.2f}" for p, r in zip(kind.page, kind.reference, strict=True)))


def with_interval(ratios: list[float]) -> str:
    """The median of the rounds' ratios and the interval it lies in with about 95 % certainty (bench/paired.py).
    Below 6 rounds the interval is the rounds' whole range and holds the median with less certainty (2 rounds:
    50 %, 4: 88 %): said so."""
    low, high = median_interval(sorted(ratios))
    fewer = "" if len(ratios) >= 6 else f", all {len(ratios)} rounds: less than 95 %"
    return f"{statistics.median(ratios):.2f}× ({low:.2f} to {high:.2f}{fewer})"


def medians(windows: list[Window]) -> Window:
    return Window(*(statistics.median(values) for values in zip(*windows, strict=True)))


def parse_args():
    parser = accept_option(arguments(__doc__, [10_000, 100_000]))
    parser.add_argument("--seconds", type=int, default=20, help="per kept page (wrk asking one URL)")
    parser.add_argument("--rounds", type=int, default=20,
                        help="windows of each page made per request and of its static file, taken in turn")
    parser.add_argument("--window", type=int, default=2, help="seconds of each such window")
    parser.add_argument("--made-only", action="store_true", help="only the pages made per request")
    parser.add_argument("--server", choices=["waitress", "gunicorn"], default="waitress",
                        help="one `atlas serve` process (as `make run`), or gunicorn 2 × 4 threads (as deploy/)")
    parser.add_argument("--workers", type=int, help="gunicorn's workers (default 2, as deploy/)")
    parser.add_argument("--threads", type=int, help="threads in each gunicorn worker (default 4: atlas.gunicorn_conf)")
    parser.add_argument("--database", type=Path, help="a folder to make the database in once and use again")
    options = parser.parse_args()
    if options.server != "gunicorn" and (options.workers or options.threads):
        parser.error("--workers and --threads are gunicorn's (--server gunicorn)")
    return options


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


def server_command(options, port: int) -> list[str]:
    if options.server == "waitress":
        return [str(Path(sys.executable).with_name("atlas")), "serve", "--port", str(port)]
    # later options override earlier ones in gunicorn's command line, and the command line the config file
    numbers = [*(["--workers", str(options.workers)] if options.workers else []),
               *(["--threads", str(options.threads)] if options.threads else [])]
    return [str(Path(sys.executable).with_name("gunicorn")), *GUNICORN, *numbers, "--bind", f"127.0.0.1:{port}",
            "atlas:create_app()"]


def server_label(options) -> str:
    if options.server == "waitress":
        return "waitress"
    workers = options.workers or int(GUNICORN[GUNICORN.index("--workers") + 1])
    return f"gunicorn {workers} workers × {options.threads or gunicorn_conf.threads} threads"


def per_request_paths(app, n: int) -> dict[str, list[str]]:
    """For each page made per request, NEW_PATHS paths none of which is asked twice."""
    lon, lat = random_points(app.extensions["atlas"].regions, NEW_PATHS["near"], seed=n + 1)
    offsets = new_offsets(n, min(NEW_PATHS["items"], n - 100))
    return {"near search, a new place each": [f"/in-der-naehe?lat={y:.5f}&lon={x:.5f}" for y, x in
                                              zip(lat, lon, strict=True)],
            "/suche, a new query each": ["/suche?" + urlencode(query)
                                         for query in distinct_queries(NEW_PATHS["suche"])],
            "/items, a new page each": [f"/ogc/collections/projekte/items?offset={offset}" for offset in offsets]}


def paths_script(paths: list[str], script: Path) -> Path:
    """A wrk script whose threads take the paths in turn, each path once, from the index given after `--`; at the
    end it writes the last index asked ("last path N"), where the next window goes on, and how many requests were
    sent ("sent N": also those still unanswered when wrk stopped, which the server makes all the same)."""
    assert all(path.isascii() for path in paths)
    script.write_text("local paths = {" + ",".join(json.dumps(path) for path in paths) + "}\n"
                      "local threads = {}\n"
                      "local turn = 0\n"
                      "function setup(thread) thread:set('first', turn); turn = turn + 1; "
                      "table.insert(threads, thread) end\n"
                      "function init(args) first = first + tonumber(args[1] or 0) end\n"
                      f"function request() i = i and i + {THREADS} or first; sent = (sent or 0) + 1; "
                      "return wrk.format('GET', paths[(i % #paths) + 1]) end\n"
                      # wrk asks the first thread for one request before the run, to see whether they change
                      "function done() local last, sent = -1, -1\n"
                      "  for _, thread in ipairs(threads) do last = math.max(last, thread:get('i') or -1); "
                      "sent = sent + (thread:get('sent') or 0) end\n"
                      "  io.write('last path ' .. last .. '\\nsent ' .. sent .. '\\n') end\n")
    return script


def sent_size(url: str, accept: str) -> int:
    """The bytes of the body as sent (compressed, not unpacked)."""
    return len(requests.get(url, headers={"Accept-Encoding": ACCEPT[accept]}, stream=True, timeout=60).raw.read())


def wrk(url: str, seconds: int, accept: str, server: int = 0) -> tuple[float, float, float, float]:
    """Requests per second, p50 and p99 ms of 16 connections asking `url` for `seconds`, after 2 s of warming up,
    and the CPU ms per request of the process `server` and its children."""
    window(url, 2, accept, server)
    measured = window(url, seconds, accept, server)
    return measured.rate, measured.p50, measured.p99, measured.server_cpu


class Failed(Exception):
    """A request answered neither 2xx nor 3xx."""


class Window(NamedTuple):
    rate: float  # requests per second
    p50: float  # ms
    p99: float
    server_cpu: float  # ms per request, the server's processes
    wrk_cpu: float  # ms per request, wrk's
    last: int  # the last index of the paths asked (-1 without paths)


def window(url: str, seconds: int, accept: str, server: int, script: Path | None = None, start: int = 0) -> Window:
    """16 connections asking `url` for `seconds`; with `script` (paths_script), each request the next path from
    `start` on under the base `url`."""
    asked = ["-t", str(THREADS), "-c16", "-H", f"Accept-Encoding: {ACCEPT[accept]}", f"-d{seconds}s", "--latency"]
    if script:
        asked += ["-s", str(script)]
    before, wrk_before = cpu_seconds(server), children_cpu_seconds()
    output = subprocess.run(["wrk", *asked, url, *(["--", str(start)] if script else [])],
                            capture_output=True, text=True, check=True).stdout
    wrk_used = children_cpu_seconds() - wrk_before
    used = settled(server) - before  # with the requests still being made when wrk stopped, not in the next window
    if "Non-2xx" in output:
        raise Failed(f"errors from {url}:\n{output}")
    answered = max(int(re.search(r"(\d+) requests in", output).group(1)), 1)
    last, sent = ((int(re.search(rf"{name} (-?\d+)", output).group(1)) for name in ("last path", "sent")) if script
                  else (-1, answered))  # without a script, the few unanswered of thousands are not counted
    return Window(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)), _ms(output, "50%"),
                  _ms(output, "99%"), used * 1000 / max(sent, answered), wrk_used * 1000 / answered, last)


def settled(server: int, seconds: float = 5, quiet: int = 4) -> float:
    """The server's CPU seconds once it has stopped using CPU (at most `seconds` on): the requests wrk left
    unanswered are still made, and would otherwise count in the next window. Stopped means unchanged for `quiet`
    readings 50 ms apart: /proc counts in ticks of 10 ms, and on a loaded machine a server with requests left can
    wait 50 ms for a core."""
    used, waited, unchanged = cpu_seconds(server), 0.0, 0
    while waited < seconds:
        time.sleep(0.05)
        waited += 0.05
        now = cpu_seconds(server)
        unchanged = unchanged + 1 if now == used else 0
        if unchanged == quiet:
            return now
        used = now
    return used


def children_cpu_seconds() -> float:
    """User and system CPU seconds of this process's children that have ended (wrk's runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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
