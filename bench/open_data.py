"""Open data as a client waits for it: the API's pages, the downloads, the embedded map and the poster, over HTTP
from `atlas serve`'s server (waitress, 4 threads), at 10k and 100k projects.

    .venv/bin/python bench/open_data.py                     # 10,000 and 100,000 projects
    .venv/bin/python bench/open_data.py --sizes 10000 --repeat 5

Each URL is asked once (printed as "first": downloads, the embedded map and the poster are made then and kept until
the next publication) and then `--repeat` times (with `Accept-Encoding: gzip`, the body read in full); p50 is
printed with the size sent. The reference is the limit of this server: a static file of this site
(atlas.css) asked the same way; the ratio says how many static files one answer costs. A GIS client reading every
project pages through the API 1,000 at a time: the last line times that walk as GDAL does it, following `next`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import requests
from common import app_with_projects, arguments

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import served  # noqa: E402

URLS = ["/ogc/collections/projekte/items?limit=1000",
        "/ogc/collections/projekte/items?bbox=9.6,52.3,9.9,52.5&limit=1000",
        "/ogc/collections/projekte/items?limit=1000&offset=50000",
        "/ogc/collections/kreise/items",
        "/daten/projekte.csv?arl=leine-weser",
        "/daten/projekte.geojson?arl=leine-weser&kostenlos=1",
        "/einbetten?kreis=03241",
        "/einbetten?hf=sprache",
        "/aushang/03241",
        "/aushang/03241.pdf",
        "/ogc/dcat.jsonld"]
REFERENCE = "/static/atlas.css"


def timed(session: requests.Session, url: str, repeat: int) -> tuple[float, float, int]:
    """(first request, p50 of the repeats, bytes sent): answers kept per store version cost only the first."""
    start = time.perf_counter()
    session.get(url).raise_for_status()
    first = (time.perf_counter() - start) * 1000
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = session.get(url)
        size = len(response.content)
        times.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return first, statistics.median(times), size


def walk(session: requests.Session, base: str) -> tuple[float, int]:
    """Every project, page by page, as a GIS client follows `next`."""
    start, url, count = time.perf_counter(), f"{base}/ogc/collections/projekte/items?limit=1000", 0
    while url:
        page = session.get(url, headers={"Accept": "application/geo+json"}).json()
        count += page["numberReturned"]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    return (time.perf_counter() - start) * 1000, count


def main() -> None:
    parser = arguments(__doc__, [10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    for n in args.sizes:
        app = app_with_projects(n, texts=args.texts, API_RATE_LIMIT="1000000 per minute")
        with served(app) as base, requests.Session() as session:
            session.headers["Accept-Encoding"] = "gzip"
            _first, reference, reference_size = timed(session, base + REFERENCE, args.repeat)
            print(f"{n} projects; reference {REFERENCE}: p50 {reference:.1f} ms ({reference_size} bytes)")
            for url in URLS:
                first, ms, size = timed(session, base + url, args.repeat)
                print(f"  {url:<66} first {first:7.1f} ms, then p50 {ms:6.1f} ms {size:>9} bytes "
                      f"({ms / reference:.0f}× the static file)")
            ms, count = walk(session, base)
            print(f"  every project through the API, 1,000 a page: {count} in {ms / 1000:.1f} s")
        app.extensions["atlas"].close()


if __name__ == "__main__":
    main()
