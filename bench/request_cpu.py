"""CPU per request of the pages made per request, in one process (Flask's test client, no HTTP): the near search,
the text search (`/suche`) and the API's pages of projects, each against a static file of the same size served by
the same app – the reference: what a page costs that is only sent.

    .venv/bin/python bench/request_cpu.py                       # 10k and 100k published projects
    .venv/bin/python bench/request_cpu.py --sizes 1000000 --requests 100

Every near search is a new place (random points in Niedersachsen, the position as a browser shares it); then 20
places asked again and again, whose list items are kept, so only the rest of the page is made; then towns typed
again and again, whose pages are kept whole until the next publication (atlas.web.near). Every search is a new
query (bench/search.py's mix: a word whole, cut short or misspelt, half with a place and radius, a third with a
Handlungsfeld; none asked twice, and the kept answers forgotten before each) – the words' document counts of the
ranking kept, as after the first searches of them since the last publication (atlas.ranking); then other new queries
with those counts forgotten too, as in the first search of its words after a publication; then 20 queries asked
again, whose pages are kept. The API's pages: first each a page never asked before (a new offset each time), then four
pages asked again and again – kept until the next publication, so these are answered from the page cache. Median
CPU milliseconds (time.process_time) after a first round that compiles templates and builds the indexes. Targets
of issue 26 at 100k: near search and `/suche` ≤ 5 ms, an OGC page ≤ 3 ms and flat from 10k to 1M. The requests
send a browser's Accept-Encoding (answered in zstd), or with `--accept gzip` a client's that takes gzip only.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np
from common import ACCEPT, accept_option, app_with_projects, arguments, random_points, static_reference_file
from search import ORTE, queries

ROOT = Path(__file__).resolve().parent.parent
OGC = ["/ogc/collections/projekte/items", "/ogc/collections/projekte/items?offset=5000",
       "/ogc/collections/projekte/items?hf=sprache&limit=100", "/ogc/collections/projekte/items?bbox=9.6,52.3,9.9,52.5"]


def main() -> None:
    parser = accept_option(arguments(__doc__, [10_000, 100_000]))
    parser.add_argument("--requests", type=int, default=300, help="requests per kind of page")
    options = parser.parse_args()
    headers = {"Accept-Encoding": ACCEPT[options.accept]}
    print(f"{'projects':>9} {'page':<44} {'CPU ms p50':>10} {'p90':>6} {'bytes':>7} {'static ms':>9} {'ratio':>6}")
    for n in options.sizes:
        app = app_with_projects(n, texts=options.texts)
        client = app.test_client()
        services = app.extensions["atlas"]
        lon, lat = random_points(services.regions, options.requests + 20, seed=11)
        near = [f"/in-der-naehe?lat={y:.5f}&lon={x:.5f}" for y, x in zip(lat, lon, strict=True)]
        asked = distinct_queries(2 * (options.requests + 20))
        found = [("/suche", query) for query in asked[:options.requests + 20]]
        kinds = {"near search, a new place each": [(url, None) for url in near],
                 # the same 20 places again and again: their list items are kept (atlas.web.items), the rest is made
                 "near search, 20 places again": [(url, None) for url in near[:20]] * (options.requests // 20 + 1),
                 # a place typed again (eight towns in four radii): the page is kept until a publication
                 "near search, a typed place again": [("/in-der-naehe", {"ort": ort, "umkreis": km}) for ort in ORTE
                                                      for km in ("5", "10", "25", "50")]
                 * (options.requests // (4 * len(ORTE)) + 1),
                 "/suche, a new query each": found,
                 "/suche, a new query, its words counted anew": [("/suche", query)
                                                                 for query in asked[options.requests + 20:]],
                 # 20 queries asked again and again: their pages are kept until a publication
                 "/suche, 20 queries again": found[:20] * (options.requests // 20 + 1)}
        # a page never asked before (each a new offset; a kept page is answered from the page cache)
        kinds["/items, a new page each"] = [("/ogc/collections/projekte/items", {"offset": str(offset)})
                                            for offset in new_offsets(n, options.requests + 20)]
        for url in OGC:
            kinds[url.removeprefix("/ogc/collections/projekte") + " (again)"] = [(url, None)] * (options.requests + 20)
        for label, requests in kinds.items():
            ms, sizes = measure(client, services, requests, headers, counts="counted anew" in label)
            reference = static_reference(client, int(statistics.median(sizes)), headers)
            print(f"{n:>9} {label:<44} {statistics.median(ms):>10.2f} {percentile(ms, 90):>6.2f} "
                  f"{int(statistics.median(sizes)):>7} {reference:>9.2f} {reference / statistics.median(ms):>5.2f}×",
                  flush=True)
        services.close()


def distinct_queries(count: int) -> list[dict]:
    """`count` queries of bench/search.py's mix, none asked twice: a query asked again is answered from the page
    cache (until the next publication), so the mix's repeats would count kept pages as new searches."""
    seen, distinct = set(), []
    for query in queries(count * 10):
        key = tuple(sorted(query.items()))
        if key not in seen:
            seen.add(key)
            distinct.append(query)
    assert len(distinct) >= count, "the mix has too few distinct queries"
    return distinct[:count]


def new_offsets(n: int, count: int) -> list[int]:
    """Distinct offsets spread over all n projects: every page a client asks for the first time."""
    return [int(offset) for offset in np.random.default_rng(n).choice(max(n - 100, count), count, replace=False)]


def measure(client, services, requests, headers: dict, counts: bool = False) -> tuple[list[float], list[int]]:
    for url, query in requests[:20]:  # templates compiled, indexes built, the searcher's vocabulary read
        assert client.get(url, query_string=query, headers=headers).status_code == 200, url
    ms, sizes = [], []
    for url, query in requests[20:]:
        services.searcher.forget(counts=counts)
        started = time.process_time()
        response = client.get(url, query_string=query, headers=headers)
        ms.append((time.process_time() - started) * 1000)
        assert response.status_code == 200, (url, query, response.status_code)
        sizes.append(len(response.get_data()))
    return ms, sizes


def static_reference(client, size: int, headers: dict, repeat: int = 200) -> float:
    """Median CPU ms of the same app sending a static file of `size` bytes: the size of the page's compressed body,
    of random bytes (no coding makes them smaller, so the static body sent is as large as the page's)."""
    path = static_reference_file(size)
    try:
        url = f"/static/{path.name}"
        client.get(url, headers=headers)
        times = []
        for _ in range(repeat):
            started = time.process_time()
            client.get(url, headers=headers)
            times.append(time.process_time() - started)
        return statistics.median(times) * 1000
    finally:
        path.unlink(missing_ok=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


if __name__ == "__main__":
    main()
