"""The search's ranking on SQLite: FTS5's bm25 with each phrase's document count known beforehand.

SQLite's bm25() counts, at the start of every query, the documents of the whole index that hold each of its phrases,
running each over the whole index: "Verein" (in every document of 100k) cost a search around Hannover 2.2 ms before
the 0.8 ms of reading its matches there, and ten times that at 1M – a cost that grew with the atlas, not with what a
search shows. bm25_counted (atlas/_ranking.c, which `pip install` compiles: setup.py) takes the counts as arguments;
atlas.search has them counted by phrase_documents, as bm25() counts them, on the first match of a search that scores,
once per phrase and version of the published data (a statement that reads other data than they were counted of
counts again itself, as bm25() does). A word shorter than the shortest prefix index is the exception: its count is
handed over as NULL and counted by bm25_counted in every statement, as bm25() would (counting it apart would read its
terms once more). Its scores are bm25()'s to the bit for the same counts on x86-64
(tests/test_search_ranking.py).
Where the module is not built (no compiler: the build goes on without it), or Python's sqlite3 brings its own SQLite,
the search ranks with bm25() itself: the same order, at bm25()'s cost. The atlas's SQLite URLs (sqlite:///…) use
Python's sqlite3; another driver's SQLite would lack the function."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import import_module

SCORED = "bm25(project_search, 1.0, 0.0, 0.0)"  # the document's words weigh; the facets and the tagged texts nothing
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether the SQLite connections this process opens from now on have bm25_counted. Asked before the store's
    engine opens its first connection (atlas.database)."""
    try:
        _ranking = import_module("atlas._ranking")
    except ImportError:
        log.warning("atlas._ranking is not built (`pip install` compiles it with gcc, against libsqlite3-dev): the "
                    "search ranks with SQLite's bm25(), which reads every match of a query's words in the whole index")
        return False
    _ranking.register()
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(document)")
        probe.execute("INSERT INTO probe VALUES ('eins zwei')")
        probe.execute("SELECT bm25_counted(probe, 1, 2, 1) FROM probe WHERE probe MATCH 'eins'").fetchall()
    except sqlite3.Error as error:  # another SQLite than the one the module was built against
        log.warning("bm25_counted is not available to Python's sqlite3 (%s): the search ranks with SQLite's bm25()",
                    error)
        return False
    finally:
        probe.close()
    return True


def score(phrases: int) -> str:
    """The SQL of a match's score (lower is better) for a query whose first phrases are the document's words, where
    bm25_counted is available: the index's rows and tokens in the parameters cr, ct and the phrases' counts in c0,
    c1 … (counts); a count None (NULL) is counted by the function on the statement's first match, as bm25() counts
    it."""
    return f"bm25_counted(project_search, :cr, :ct{''.join(f', :c{i}' for i in range(phrases))})"


def counts(run: Callable[[str, dict], list[tuple]], where: str, params: dict,
           phrases: Sequence[int]) -> dict[str, int] | None:
    """The parameters of score() for the query's phrases numbered `phrases` (from 0): the index's rows and tokens and
    how many documents of the whole index hold each of them (c0 for phrase 0 …), as bm25() counts them – read on the
    first match of the query (`where`: its FROM … WHERE; `run`: how the caller runs a statement). None where nothing
    matches: there is nothing to score."""
    numbers = ", ".join(str(int(number)) for number in phrases)
    found = run(f"SELECT phrase_documents(project_search, {numbers}) {where} LIMIT 1", params)
    if not found:
        return None
    rows, tokens, *documents = (int(number) for number in found[0][0].split())
    return {"cr": rows, "ct": tokens, **{f"c{i}": count for i, count in zip(phrases, documents, strict=True)}}
