"""What it costs that every request reads the store's versions (atlas.web.moment), so that a publication in one
app server is seen by every other with its next request: the one query, against a cached page's whole request.

    .venv/bin/python bench/version_check.py               # 10k published projects, SQLite and PostgreSQL
    .venv/bin/python bench/version_check.py --sizes 100000 --repeat 2000

In one process (the Flask test client, no HTTP): the median CPU and wall microseconds of the versions' query
alone (`store.versions()` outside a request), and of a request for `/` and `/region/leine-weser` served from the
page cache – which includes that query. The share is what the query adds to such a request; before, a process
trusted the versions it had read for a second and a cached page asked the database nothing. PostgreSQL is a
cluster of its own on loopback (tests/servers.py), with the same projects.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from pathlib import Path

from common import app_with_projects, arguments

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import PostgresServer  # noqa: E402

PAGES = ["/", "/region/leine-weser"]


def main() -> None:
    parser = arguments(__doc__, [10_000])
    parser.add_argument("--repeat", type=int, default=1000)
    args = parser.parse_args()
    postgres = PostgresServer()
    try:
        print(f"{'projects':>9} {'database':>10} {'versions query':>22} " + " ".join(
            f"{page + ' (cached)':>30}" for page in PAGES) + "   query's share of the page", flush=True)
        for n in args.sizes:
            for name, url in (("SQLite", None), ("PostgreSQL", postgres.create_database())):
                app = app_with_projects(n, texts=args.texts, **({"DATABASE_URL": url} if url else {}))
                logging.getLogger("atlas.access").setLevel(logging.WARNING)  # a line per request is not measured
                store, client = app.extensions["atlas"].store, app.test_client()
                query = measure(store.versions, args.repeat)
                pages = []
                for page in PAGES:
                    assert client.get(page).status_code == 200
                    pages.append(measure(lambda page=page, client=client: client.get(page), args.repeat))
                print(f"{n:>9} {name:>10} {show(query):>22} " + " ".join(f"{show(p):>30}" for p in pages)
                      + "   " + ", ".join(f"{query[0] / p[0]:.0%} CPU, {query[1] / p[1]:.0%} wall" for p in pages),
                      flush=True)
                app.extensions["atlas"].close()
    finally:
        postgres.stop()


def measure(action, repeat: int) -> tuple[float, float]:
    """Median CPU and wall seconds of one call."""
    cpu, wall = [], []
    for _ in range(repeat):
        started, clock = time.process_time(), time.perf_counter()
        action()
        cpu.append(time.process_time() - started)
        wall.append(time.perf_counter() - clock)
    return statistics.median(cpu), statistics.median(wall)


def show(figures: tuple[float, float]) -> str:
    return f"{figures[0] * 1e6:.0f} µs CPU, {figures[1] * 1e6:.0f} µs"


if __name__ == "__main__":
    main()
