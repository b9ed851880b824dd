"""The text search as a person waits for it: mixed queries against /suche, at 10k and 100k projects.

    .venv/bin/python bench/search.py                  # 10,000 and 100,000 projects
    .venv/bin/python bench/search.py --sizes 100000

The queries mix a word of a name or Träger (whole, cut short, or with a letter missing) alone, with a place and a
radius, with a Handlungsfeld or a language, and with both. Place, radius and filters narrow the matches in SQL
before they are ranked, and the count is exact. The headline is a query never asked before (the kept answers
forgotten before each), timed at the searcher and as the whole page through Flask's test client (view, database,
rendering; no network). The reference is the naive way doing the same work: one pass in Python over every
published project, matching each query word as the beginning of a word of name, Träger, summary, description or Ort,
checking the filters, measuring the distance to the place, then ranking the matches by how often the words occur
and counting them. Targets of issue 19: p50 ≤ 10 ms, p95 ≤ 30 ms for a new query at 100k.
"""

from __future__ import annotations

import random
import statistics
import time

import numpy as np
from common import WORDS, app_with_projects, arguments
from sqlalchemy import text

from atlas.filters import parse_filter
from atlas.gazetteer import normalise
from atlas.geo import distances
from atlas.handlungsfelder import mask
from atlas.near import parse_near_query
from atlas.search_cells import Area

ORTE = ["Hannover", "Osnabrück", "Lüneburg", "Hildesheim", "Oldenburg", "Göttingen", "Celle", "Stade"]


def queries(n: int) -> list[dict]:
    rng = random.Random(7)
    made = []
    for i in range(n):
        word = rng.choice(WORDS + [f"Verein {rng.randrange(500)}"])
        kind = i % 4
        if kind == 1:
            word = word[: max(4, len(word) - 3)]  # cut short
        elif kind == 2 and len(word) > 6:
            cut = rng.randrange(2, len(word) - 2)
            word = word[:cut] + word[cut + 1:]  # a letter missing
        query = {"q": word}
        if i % 2 == 0:
            query.update(ort=rng.choice(ORTE), umkreis=rng.choice(["10", "25", "50"]))
        if i % 3 == 0:
            query["hf"] = rng.choice(["sprache", "teilhabe", "engagement"])
        made.append(query)
    return made


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Naive:
    """Every published project in memory, searched by one pass in Python."""

    def __init__(self, store):
        frame = store.published()
        self.ids = frame.id.to_numpy()
        with store.read() as db:  # every field the search document holds (atlas.search_index.document)
            texts = dict(db.execute(text("SELECT id, name || ' ' || traeger || ' ' || summary || ' ' || "
                                         "description || ' ' || ort FROM projects WHERE status = 'published'")).all())
        self.words = [normalise(texts[int(i)]).split() for i in self.ids]
        self.hf = frame.hf_mask.to_numpy()
        self.lat, self.lon = frame.lat.to_numpy(), frame.lon.to_numpy()

    def search(self, query: dict, place) -> tuple[int, list[int]]:
        wanted = normalise(query["q"]).split()
        fields = mask(list(parse_filter_args(query).fields))
        close = np.ones(len(self.ids), dtype=bool)
        if place is not None:
            close = distances(place.lat, place.lon, self.lat, self.lon, np.zeros(len(self.ids))) <= float(
                query["umkreis"])
        scored = []
        for i, words in enumerate(self.words):
            if not close[i] or (fields and not self.hf[i] & fields):
                continue
            hits = [sum(w.startswith(q) for w in words) for q in wanted]
            if all(hits):
                scored.append((-sum(hits), int(self.ids[i])))
        scored.sort()
        return len(scored), [i for _s, i in scored[:50]]


def parse_filter_args(query: dict):
    from werkzeug.datastructures import MultiDict

    return parse_filter(MultiDict(query))[0]


def run(n: int, count: int, texts: str) -> None:
    app = app_with_projects(n, texts=texts)
    services = app.extensions["atlas"]
    client = app.test_client()
    asked = queries(count)
    places = {ort: services.geocoder.geocode(ort).place for ort in ORTE}
    parsed = []
    from werkzeug.datastructures import MultiDict

    for query in asked:
        near, _problems = parse_near_query(MultiDict(query))
        place = places.get(query.get("ort"))
        parsed.append((query, near.filter, Area(place.lat, place.lon, near.radius_km) if place else None, place))
    for query in asked[:20]:  # warm: templates compiled, vocabulary read
        client.get("/suche", query_string=query)
    new_ms, page_ms, totals = [], [], []
    for query, wanted, area, _place in parsed:  # every query as if it were new: no answer kept from before
        services.searcher.forget()
        start = time.perf_counter()
        found = services.searcher.search(query["q"], wanted, area)
        new_ms.append((time.perf_counter() - start) * 1000)
        totals.append(found.total)
    for query, *_rest in parsed[:300]:
        services.searcher.forget()
        start = time.perf_counter()
        response = client.get("/suche", query_string=query)
        page_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (query, response.status_code)
    naive = Naive(services.store)
    naive_ms, agree = [], 0
    for (query, _wanted, _area, place), total in list(zip(parsed, totals, strict=True))[:100]:
        start = time.perf_counter()
        naive_total, _ids = naive.search(query, place)
        naive_ms.append((time.perf_counter() - start) * 1000)
        agree += naive_total == total
    kinds: dict[str, list[float]] = {}
    for (query, *_rest), ms in zip(parsed, new_ms, strict=True):
        kind = ("text" + (" + place" if "ort" in query else "") + (" + filter" if "hf" in query else ""))
        kinds.setdefault(kind, []).append(ms)
    for kind, values in sorted(kinds.items()):
        print(f"        {kind:<22} {len(values):>4} queries: p50 {statistics.median(values):5.1f} ms, "
              f"p95 {percentile(values, 95):5.1f} ms, max {max(values):5.1f} ms")
    print(f"{n:>7} projects, {count} queries ({len({q['q'] for q in asked})} distinct words; half with a place, a "
          f"third with a filter), matches per query p50 {statistics.median(totals):.0f}, max {max(totals)}:\n"
          f"        a new query: search p50 {statistics.median(new_ms):.1f} ms, p95 {percentile(new_ms, 95):.1f} ms; "
          f"page p50 {statistics.median(page_ms):.1f} ms, p95 {percentile(page_ms, 95):.1f} ms\n"
          f"        naive scan p50 {statistics.median(naive_ms):.1f} ms, p95 {percentile(naive_ms, 95):.1f} ms "
          f"(ratio to the search's p50: {statistics.median(naive_ms) / statistics.median(new_ms):.0f}×); "
          f"the naive count equals the search's for {agree} of 100 queries (it does not know typos or stems)")


def main() -> None:
    parser = arguments(__doc__, [10_000, 100_000])
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    for n in args.sizes:
        run(n, args.queries, args.texts)


if __name__ == "__main__":
    main()
