"""A search ranks its matches as SQLite's bm25() ranks them, without bm25()'s reading every match of the words in the
whole index on every query (atlas.ranking): the same answers, the same scores to the bit – also after the published
projects changed, and for hostile counts handed to the ranking function."""

from __future__ import annotations

import dataclasses
import logging
import random
import sqlite3
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from helpers import SQLITE_FILE, make_app

from atlas import ranking
from atlas.districts import Assignment
from atlas.filters import Filter
from atlas.places import Place
from atlas.present import local_now
from atlas.projects import validate_project
from atlas.search_cells import Area
from atlas.store import ARCHIVED, PUBLISHED
from atlas.transfer import ImportReport, read_rows

pytestmark = SQLITE_FILE

WORDS = ["Sprache", "Deutsch", "Kinder", "Beratung", "Frauen", "Verein", "Café", "Hilfe", "Treff", "Arbeit", "Jugend",
         "Familie", "Netzwerk", "Begegnung", "Sprachcafe", "Hausaufgaben", "Kinderbetreuung Deutsch", "Verein Hilfe",
         "Frauen Treff Café", "Beratng", "Integration", "Nähen", "Fahrrad", "Patenschaft", "31134", "Ehrenamt"]
FIELDS = ["sprache", "teilhabe", "arbeit-ausbildung"]
PLACES = [(52.37, 9.73), (52.15, 9.95), (52.32, 10.1), (52.6, 10.08), (52.1, 9.4)]
DATA_SET = Path(__file__).resolve().parent.parent / "data" / "projects.csv"  # real rows, with sources
HERE = (52.37, 9.73)  # Hannover: the projects below lie around it, many in every circle
TUESDAY_EVENING = datetime(2026, 12, 8, 18, 30)  # local time in Niedersachsen


@pytest.fixture(scope="module")
def crowded(tmp_path_factory):
    """1,500 projects with the texts of data/projects.csv's real rows, at random places around Hannover."""
    app = make_app(tmp_path_factory.mktemp("ranking"))
    services = app.extensions["atlas"]
    real = []
    for _line, row in read_rows(DATA_SET, ImportReport()):
        project, errors = validate_project({"handlungsfelder": "sprache", **row, "street": "", "plz": ""})
        if not errors:
            real.append(project)
    rng = random.Random(26)
    items = []
    for i in range(1_500):
        project = dataclasses.replace(real[i % len(real)], name=f"{real[i % len(real)].name[:120]} {i}")
        lat, lon = HERE[0] + rng.uniform(-0.35, 0.35), HERE[1] + rng.uniform(-0.5, 0.5)
        items.append((project, Place(project.ort or "Hannover", lat, lon, "place", "test", Assignment(None, None))))
    services.store.add_many(items, PUBLISHED)
    return app


def searches(count: int, seed: int, filtered: bool = False) -> list[dict]:
    rng = random.Random(seed)
    asked = []
    for _ in range(count):
        place = rng.choice([None, *PLACES])
        asked.append({
            "query": rng.choice(WORDS),
            "area": None if place is None else Area(*place, rng.choice([5, 10, 25, 50])),
            "wanted": Filter(fields=tuple(rng.sample(FIELDS, rng.choice([0, 0, 1, 2]))),
                             **({"sprachen": rng.choice([(), ("en",), ("ar", "fa")]), "kostenlos": rng.random() < 0.3,
                                 "zeit": rng.choice(["", "jetzt", "woche"])} if filtered else {})),
            "now": TUESDAY_EVENING,  # what is open "now" or this week: the same answers at any hour the tests run
            "language": rng.choice(["de", "de", "ar", "en"]),
            "offset": rng.choice([0, 0, 0, 50]),
        })
    return asked


def answers(searcher, asked: list[dict]) -> list[tuple[list[int], int]]:
    found = []
    for search in asked:
        searcher.forget()
        answer = searcher.search(**search)
        found.append((answer.ids, answer.total))
    return found


def by_bm25(searcher, asked, monkeypatch) -> list[tuple[list[int], int]]:
    with monkeypatch.context() as patched:
        patched.setattr(ranking, "available", lambda: False)  # SQLite's own bm25(), counting every match
        return answers(searcher, asked)


def test_the_ranking_function_is_built_and_the_store_s_connections_have_it(crowded):
    assert ranking.available(), "atlas._ranking is not built or not seen by Python's sqlite3: run `make install`"
    with crowded.extensions["atlas"].store.read() as db:
        raw = db.connection.driver_connection
        counts = raw.execute("SELECT phrase_documents(project_search, 0) FROM project_search "
                             "WHERE project_search MATCH 'document : deutsch' LIMIT 1").fetchone()[0]
        assert raw.execute(f"SELECT bm25_counted(project_search, {counts.replace(' ', ', ')}) FROM project_search "
                           "WHERE project_search MATCH 'document : deutsch' LIMIT 1").fetchone()[0] < 0


def test_a_search_finds_and_orders_what_bm25_would(crowded, monkeypatch):
    searcher = crowded.extensions["atlas"].searcher
    asked = searches(300, seed=1)
    counted = answers(searcher, asked)
    assert counted == by_bm25(searcher, asked, monkeypatch)
    assert sum(total for _ids, total in counted) > 4_000  # the searches found much to rank
    assert sum(len(ids) > 1 for ids, _total in counted) > 100  # and ranked it


def test_with_the_other_filters_too(crowded, monkeypatch):
    """Languages offered, free of charge, open now or this week: the filters that join the projects' table."""
    searcher = crowded.extensions["atlas"].searcher
    asked = searches(200, seed=4, filtered=True)
    counted = answers(searcher, asked)
    assert counted == by_bm25(searcher, asked, monkeypatch)
    assert sum(len(ids) > 1 for ids, _total in counted) >= 5  # fixed: the same moment every run
    assert scored_as_bm25(crowded, asked) >= 50


def test_each_match_scores_as_with_bm25_to_the_bit(crowded):
    assert scored_as_bm25(crowded, searches(200, seed=2)) > 2_000


def scored_as_bm25(app, asked: list[dict]) -> int:
    """Asserts that each match of each search scores as bm25() scores it, with the counts the searcher keeps;
    returns how many matches were compared."""
    services = app.extensions["atlas"]
    searcher, store = services.searcher, services.store
    compared = 0
    for search in asked:
        query = searcher._query(searcher.terms(search["query"]), search["wanted"], search["area"], search["now"],
                                search["language"], covered=True)
        assert query.counted_phrases and query.score.startswith("bm25_counted("), search  # never bm25() itself
        with store.read() as db:
            counts = searcher._counts(db, store.version_of(db), query)
            if counts is None:
                continue  # no match: nothing scored
            raw = db.connection.driver_connection
            rows = raw.execute(f"SELECT s.rowid, {query.score}, {ranking.SCORED} {query.where}",
                               {**query.params, **counts}).fetchall()
        assert all(ours == theirs for _id, ours, theirs in rows), search
        compared += len(rows)
    return compared


def test_after_publications_and_archivings_the_counts_follow(crowded, monkeypatch):
    services = crowded.extensions["atlas"]
    store, searcher = services.store, services.searcher
    asked = searches(80, seed=3)
    answers(searcher, asked)  # the words counted for this version
    more = []
    for i in range(120):  # more documents with the words: every count changes
        project, errors = validate_project({"name": f"Sprachcafé Deutsch Verein {i}", "traeger": "Familie Hilfe",
                                            "description": "Frauen Treff Café, Kinder, Beratung, Arbeit, Jugend. "
                                                           * (1 + i % 3), "handlungsfelder": "sprache",
                                            "ort": "Hannover"})
        assert not errors
        more.append((project, Place("Hannover", HERE[0] + i / 1000, HERE[1], "place", "test", Assignment(None, None))))
    ids = store.add_many(more, PUBLISHED)
    for project_id in ids[:40]:
        store.set_status(project_id, ARCHIVED)
    assert answers(searcher, asked) == by_bm25(searcher, asked, monkeypatch)
    assert scored_as_bm25(crowded, asked) > 1_000


def test_a_word_is_counted_once_per_version_and_a_search_without_matches_counts_nothing(crowded, monkeypatch):
    searcher = crowded.extensions["atlas"].searcher
    made = []
    counts = ranking.counts
    monkeypatch.setattr(ranking, "counts", lambda *args: made.append(args[-1]) or counts(*args))
    searcher.forget(counts=True)
    # other searches, the same words: counted for the first only. Circles wide enough for the fixture's own projects
    # (4 match in 40 km): tests before this one on its worker add more around Hannover, or none
    for radius in (40, 60, 100):
        searcher.forget()
        assert searcher.search("Deutsch Kinder", area=Area(*HERE, radius)).total
    assert made == [[0, 1]]
    searcher.forget()
    assert searcher.search("Deutsch Quantenphysik", area=Area(*HERE, 25)).total == 0
    assert searcher.search("Deutsch Quantenphysik").total == 0
    assert made == [[0, 1], [1]] and len(searcher._counts_kept) == 2  # asked on the first match, found none: none kept


def test_a_search_without_a_place_counts_its_words_once_and_keeps_them(crowded, monkeypatch):
    """Not bm25(), which would count every phrase of the expression (a Handlungsfeld's in every cell too) on every
    search: the words counted once per version, for the searches around a place as well."""
    searcher = crowded.extensions["atlas"].searcher
    made = []
    counts = ranking.counts
    monkeypatch.setattr(ranking, "counts", lambda *args: made.append(args[-1]) or counts(*args))
    searcher.forget(counts=True)
    for wanted in (Filter(), Filter(fields=("sprache",))):
        searcher.forget()
        assert 0 < searcher.search("Deutsch Kinder", wanted).total <= 5_000  # ranked, not the newest first
        assert made == [[0, 1]]
    searcher.forget()
    assert searcher.search("Deutsch Kinder", area=Area(*HERE, 100)).total
    assert made == [[0, 1]]


def test_a_word_shorter_than_the_prefix_index_is_counted_by_the_score_itself(crowded, monkeypatch):
    """Counting it apart would read every term it begins once more than the score's own counting (bm25()'s way)
    does: its count is left to bm25_counted (NULL), the other words' counted apart and kept. The same answers and
    scores as bm25()'s."""
    searcher = crowded.extensions["atlas"].searcher
    made = []
    counts = ranking.counts
    monkeypatch.setattr(ranking, "counts", lambda *args: made.append(args[-1]) or counts(*args))
    searcher.forget(counts=True)
    asked = [{"query": typed, "area": area, "wanted": Filter(), "now": TUESDAY_EVENING, "language": "de", "offset": 0}
             for typed in ("de", "B1", "Job Deutsch", "Kinder de") for area in (None, Area(*HERE, 25))]
    for search in asked:
        query = searcher._query(searcher.terms(search["query"]), Filter(), search["area"], local_now(), covered=True)
        assert query.score.startswith("bm25_counted(") and query.counted_phrases, search
    assert answers(searcher, asked) == by_bm25(searcher, asked, monkeypatch)
    assert made == [[1], [0]]  # "deutsch"* (the second phrase of "Job Deutsch"), "kinder"*; each once, then kept
    assert sum(total for _ids, total in answers(searcher, asked)) > 100
    assert scored_as_bm25(crowded, asked) > 100


def test_the_score_takes_the_counts_kept(crowded):
    """A word's count kept for the version is handed to the score with the index's rows and tokens, and the score
    uses it as given: a count kept wrong on purpose scores otherwise than bm25()."""
    services = crowded.extensions["atlas"]
    store, searcher = services.store, services.searcher
    searcher.forget(counts=True)
    area = Area(*HERE, 40)
    assert searcher.search("Deutsch Kinder", area=area).total
    query = searcher._query(searcher.terms("Deutsch Kinder"), Filter(), area, local_now(), covered=True)
    deutsch = query.counted_phrases[0]
    with store.read() as db:
        version = store.version_of(db)
        rows, tokens, documents = searcher._counts_kept.get((version, deutsch))
        searcher._counts_kept.put((version, deutsch), (rows, tokens, documents * 7 + 3))
        counts = searcher._counts(db, version, query)
        assert (counts["cr"], counts["ct"], counts["c0"]) == (rows, tokens, documents * 7 + 3)
        scored = db.connection.driver_connection.execute(f"SELECT {query.score}, {ranking.SCORED} {query.where}",
                                                         {**query.params, **counts}).fetchall()
    searcher.forget(counts=True)
    assert scored and all(ours != theirs for ours, theirs in scored)


def test_a_search_reads_one_snapshot_while_a_publication_lands(crowded, monkeypatch):
    """Another office archives the only match after the search counted its words: the search answers from the data
    it began with – no error, the scores of that data."""
    services = crowded.extensions["atlas"]
    store, searcher = services.store, services.searcher
    project, errors = validate_project({"name": "Quantenchor Linden", "traeger": "Verein", "handlungsfelder": "sprache",
                                        "description": "Ein Quantenchor singt.", "ort": "Hannover"})
    assert not errors
    [only] = store.add_many([(project, Place("Hannover", *HERE, "place", "test", Assignment(None, None)))], PUBLISHED)
    counts = ranking.counts

    def archived_meanwhile(*args):
        made = counts(*args)
        store.set_status(only, ARCHIVED)  # another connection, as another process would
        return made

    scored = []
    scored_rows = type(searcher)._scored_rows
    monkeypatch.setattr(ranking, "counts", archived_meanwhile)
    monkeypatch.setattr(type(searcher), "_scored_rows", lambda *args: scored.append(scored_rows(*args)) or scored[-1])
    searcher.forget(counts=True)
    shown = searcher.search("Quantenchor", area=Area(*HERE, 10)).ids
    assert [row[0] for row in scored[0]] == [only]  # scored in the snapshot it was counted in
    assert shown in ([only], [])  # where it is shown comes from the published copy, which may know it archived
    monkeypatch.setattr(ranking, "counts", counts)
    searcher.forget()
    assert searcher.search("Quantenchor", area=Area(*HERE, 10)).ids == []  # the next search: archived


def test_counts_kept_for_a_version_are_not_used_for_data_edited_since(crowded):
    """An edit that keeps the index's rows and tokens ("Chor" → "Chur") moves the version: the counts are made
    again for it."""
    store = crowded.extensions["atlas"].store
    edited = []
    for i in range(3):
        project, errors = validate_project({"name": f"Chorprobe {i}", "traeger": "Chorverein", "ort": "Hannover",
                                            "handlungsfelder": "engagement", "description": "Wir singen im Chor."})
        assert not errors
        edited.append((project, Place("Hannover", *HERE, "place", "test", Assignment(None, None))))
    ids = store.add_many(edited, PUBLISHED)
    asked = [{"query": "Chor", "area": Area(*HERE, 25), "wanted": Filter(), "language": "de", "offset": 0,
              "now": TUESDAY_EVENING}]
    assert scored_as_bm25(crowded, asked) >= 3
    project, place = edited[0]
    store.update(ids[0], replace(project, description="Wir singen im Chur."), place, actor="test")
    assert scored_as_bm25(crowded, asked) >= 2


@pytest.mark.parametrize(("counts", "message"), [
    ("1, 2, 3, 4, 5", "at most a count per phrase"),
    ("1", "the table, its rows and tokens"),
    ("5, 50, -1", "not a whole number"),
    ("5, 50, 'viele'", "not a whole number"),
    ("5, 50, 1.5", "not a whole number"),
    ("'<script>alert(1)</script>', 50, 1", "not a whole number"),
])
def test_counts_that_are_no_counts_are_refused(tiny, counts, message):
    with pytest.raises(sqlite3.OperationalError, match=message):
        tiny.execute(f"SELECT bm25_counted(t, {counts}) FROM t WHERE t MATCH 'deutsch'").fetchall()


@pytest.mark.parametrize("asked", ["", "-1", "1", "'eins'", "0, 1", "0.5", "NULL"])
def test_phrase_documents_refuses_what_is_no_number_of_the_query_s_phrases(tiny, asked):
    with pytest.raises(sqlite3.OperationalError, match="the numbers of the query's phrases"):
        tiny.execute(f"SELECT phrase_documents(t{', ' if asked else ''}{asked}) FROM t WHERE t MATCH 'deutsch'")\
            .fetchall()


def test_the_true_counts_give_bm25_s_scores_and_any_count_a_ranking(tiny):
    def scores(function: str, match: str = "document : deutsch") -> list[float]:
        return [row[0] for row in tiny.execute(f"SELECT {function} FROM t WHERE t MATCH '{match}' ORDER BY rowid")]

    counted = tiny.execute("SELECT phrase_documents(t, 0) FROM t WHERE t MATCH 'document : deutsch' LIMIT 1")\
        .fetchone()[0].replace(" ", ", ")
    assert scores(f"bm25_counted(t, {counted})") == scores("bm25(t, 1.0, 0.0)")
    rows, tokens, _documents = counted.split(", ")
    for hits in (0, 1, 10 ** 12, 2 ** 62):  # bm25()'s formula: an IDF of at least 1e-6
        ranked = scores(f"bm25_counted(t, {rows}, {tokens}, {hits})")
        assert all(score < 0 for score in ranked) and ranked == sorted(ranked, reverse=True)


def test_a_count_not_given_is_counted_as_bm25_counts_it(tiny):
    """NULL for a phrase's count: counted by the function; NULL for the index's rows or tokens: every phrase counted
    (counts of unknown data). Scores equal to bm25()'s to the bit either way."""
    tiny.executemany("INSERT INTO t VALUES (?, 'c1x1')", [("deutsch kurs " * n,) for n in range(1, 4)])
    # rows without either word: in more than half of the rows a word's IDF is floored (1e-6), and any count from
    # about half the rows up – or none at all – would score as bm25()
    tiny.executemany("INSERT INTO t VALUES (?, 'c1x1')", [("kurs " * n,) for n in range(1, 21)])
    counted = tiny.execute("SELECT phrase_documents(t, 0, 1) FROM t WHERE t MATCH 'document : (deutsch AND lernen)' "
                           "LIMIT 1").fetchone()[0]
    rows, tokens, deutsch, lernen = counted.split()
    assert (int(deutsch), int(lernen)) == (8, 5)
    for given in (f"{rows}, {tokens}, {deutsch}, NULL", f"{rows}, {tokens}, NULL, NULL", f"NULL, NULL, {deutsch}, 1",
                  f"{rows}, NULL, 1, 1", f"{rows}, {tokens}, NULL, {lernen}"):
        ours = tiny.execute(f"SELECT bm25_counted(t, {given}), bm25(t, 1.0, 0.0) FROM t "
                            "WHERE t MATCH 'document : (deutsch AND lernen)'").fetchall()
        assert len(ours) == 5 and all(a == b for a, b in ours), given
        assert all(score < -0.1 for score, _bm25 in ours)  # the IDFs weigh: not bm25()'s floor
    wrong = tiny.execute(f"SELECT bm25_counted(t, {rows}, {tokens}, {deutsch}, 1), bm25(t, 1.0, 0.0) FROM t "
                         "WHERE t MATCH 'document : (deutsch AND lernen)'").fetchall()
    assert all(a != b for a, b in wrong)  # a count given is used as given: the NULL above was counted


def test_only_the_first_column_weighs(tiny):
    """A phrase of any column: its instances in the facets weigh nothing, as in bm25(t, 1.0, 0.0)."""
    tiny.execute("INSERT INTO t VALUES ('lernen', 'deutsch deutsch deutsch')")
    counted = tiny.execute("SELECT phrase_documents(t, 0) FROM t WHERE t MATCH 'deutsch' LIMIT 1").fetchone()[0]
    ours = tiny.execute(f"SELECT bm25_counted(t, {counted.replace(' ', ', ')}), bm25(t, 1.0, 0.0) FROM t "
                        "WHERE t MATCH 'deutsch'").fetchall()
    assert len(ours) == 6 and all(a == b for a, b in ours)


def test_counts_of_other_data_are_counted_again_as_bm25_counts(tiny):
    """A publication landed between the counting and the scoring: the index's rows or tokens differ, and the ranking
    counts the phrases itself."""
    counted = tiny.execute("SELECT phrase_documents(t, 0) FROM t WHERE t MATCH 'document : deutsch' LIMIT 1")\
        .fetchone()[0]
    tiny.executemany("INSERT INTO t VALUES (?, 'c1x1')", [("deutsch " * n,) for n in range(1, 40)])
    rows, tokens, documents = counted.split()
    ours = tiny.execute(f"SELECT bm25_counted(t, {rows}, {tokens}, {documents}), bm25(t, 1.0, 0.0) FROM t "
                        "WHERE t MATCH 'document : deutsch'").fetchall()
    assert len(ours) == 44 and all(a == b for a, b in ours)
    stale = tiny.execute(f"SELECT bm25_counted(t, {int(rows) + 39}, {tokens}, 1) FROM t "  # tokens differ only
                         "WHERE t MATCH 'document : deutsch'").fetchall()
    assert [row[0] for row in stale] == [b for _a, b in ours]


def test_the_documents_of_each_phrase_are_counted_as_bm25_counts_them(crowded):
    with crowded.extensions["atlas"].store.read() as db:
        raw = db.connection.driver_connection
        run = lambda sql, params: raw.execute(sql, params).fetchall()  # noqa: E731
        phrases = ['"deutsch"*', '"sprachcaf"*', '"quantenphysik"*', '"verein"*', '"deutsch"*']
        expression = "document : (" + " OR ".join(phrases) + ")"
        made = ranking.counts(run, "FROM project_search s WHERE project_search MATCH :q", {"q": expression},
                              range(5))
        assert [made[f"c{i}"] for i in range(5)] == [
            raw.execute("SELECT count(*) FROM project_search WHERE project_search MATCH ?",
                        (f"document : {phrase}",)).fetchone()[0] for phrase in phrases]
        some = ranking.counts(run, "FROM project_search s WHERE project_search MATCH :q", {"q": expression}, [3, 1])
        assert some == {"cr": made["cr"], "ct": made["ct"], "c3": made["c3"], "c1": made["c1"]}
        assert made["c2"] == 0 and made["c0"] > 50  # 62 of the fixture's 1,500; tests before on its worker add more
        assert made["cr"] == raw.execute("SELECT count(*) FROM project_search").fetchone()[0]
        assert ranking.counts(run, "FROM project_search s WHERE project_search MATCH :q",
                              {"q": 'document : "quantenphysik"*'}, [0]) is None  # no match: nothing to count


def test_a_search_with_too_many_matches_to_rank_counts_nothing(crowded, monkeypatch):
    searcher = crowded.extensions["atlas"].searcher
    monkeypatch.setattr("atlas.search.RANKED_AT_MOST", 20)
    searcher.forget(counts=True)
    found = searcher.search("Deutsch")  # in the whole state, more than are ranked: the newest first, unscored
    assert found.total > 20 and found.ids == sorted(found.ids, reverse=True)
    assert len(searcher._counts_kept) == 0
    searcher.search("Deutsch", area=Area(*HERE, 5))  # scored: counted
    assert len(searcher._counts_kept) > 0


def test_one_statement_takes_one_set_of_counts(tiny):
    with pytest.raises(sqlite3.OperationalError, match="one statement, one set of counts"):
        tiny.execute("SELECT bm25_counted(t, 5, 50, 1), bm25_counted(t, 5, 50, 3) FROM t WHERE t MATCH 'deutsch'")\
            .fetchall()


def test_without_the_module_the_ranking_function_is_said_missing(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "atlas._ranking", None)  # not built
    with caplog.at_level(logging.WARNING, logger="atlas.ranking"):
        assert ranking.available.__wrapped__() is False
    assert "not built" in caplog.text


def test_where_python_s_sqlite_lacks_the_function_it_is_said_missing(monkeypatch, caplog):
    connect = sqlite3.connect

    class Lacking:  # a connection of another SQLite than the one the module was built against
        def __init__(self, name):
            self.db = connect(name)

        def execute(self, sql, *parameters):
            if "bm25_counted" in sql:
                raise sqlite3.OperationalError("no such function: bm25_counted")
            return self.db.execute(sql, *parameters)

        def close(self):
            self.db.close()

    monkeypatch.setattr(sqlite3, "connect", Lacking)
    with caplog.at_level(logging.WARNING, logger="atlas.ranking"):
        assert ranking.available.__wrapped__() is False
    assert "not available to Python's sqlite3" in caplog.text


@pytest.fixture
def tiny():
    assert ranking.available()
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(document, facets)")
    db.executemany("INSERT INTO t VALUES (?, 'c1x1')", [("deutsch lernen " * n,) for n in range(1, 6)])
    yield db
    db.close()
