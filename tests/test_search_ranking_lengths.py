"""The ranking keeps each scored document's length per connection (atlas/_ranking.c), so that a search does not look
up every match's docsize row again: the scores stay bm25()'s to the bit – on a fresh connection, for a query asked
again, after a publication or an edit by another connection or by the same one, inside the connection's own write
transaction and after its commit or rollback, for two tables on one connection, and for rowids the lengths are not
kept for."""

from __future__ import annotations

import sqlite3

import pytest

from atlas import ranking

KEPT_ROWIDS = 1 << 24  # atlas/_ranking.c: rowids from 1 to below this have their lengths kept
KEPT_LENGTH = 2 ** 16 - 2  # atlas/_ranking.c: the longest document whose length is kept
MOVED = ("UPDATE {table} SET document = CASE rowid WHEN 4 THEN 'deutsch lernen' ELSE 'deutsch lernen deutsch lernen "
         "deutsch lernen deutsch lernen deutsch lernen deutsch lernen deutsch lernen deutsch lernen' END "
         "WHERE rowid IN (4, 5)")  # 8 + 10 tokens, then 2 + 16: the index's rows and tokens stay


def test_a_fresh_connection_scores_as_bm25(office):
    scores = scored(office)
    assert len(scores) == 6 and len(set(scores.values())) == 6  # six lengths, six scores


def test_the_same_query_asked_again_scores_from_the_kept_lengths_as_bm25(office):
    first = scored(office)
    assert scored(office) == first


def test_after_another_connection_publishes_and_edits(office, public):
    """A publication, an edit that lengthens a document, one that shortens one, and a row deleted whose id comes again
    with another length."""
    scored(public)  # the public side's lengths are kept
    before = scored(public)
    changes = [
        "INSERT INTO t VALUES ('deutsch lernen im sprachcafe am markt', 'c1x1')",
        "UPDATE t SET document = 'deutsch ' || document || ' lernen lernen lernen' WHERE rowid = 2",
        "UPDATE t SET document = 'deutsch' WHERE rowid = 3",
        "DELETE FROM t WHERE rowid = 6",
        "INSERT INTO t(rowid, document, facets) VALUES (6, 'deutsch lernen deutsch lernen deutsch', 'c1x1')",
    ]
    for change in changes:
        office.execute(change)  # committed: the office works in autocommit
        now = scored(public)
        assert now != before, change
        before = now


def test_after_an_edit_that_keeps_the_index_s_rows_and_tokens(office, public):
    """Words moved from one document to another: only the two documents' lengths tell the edit."""
    index = "SELECT phrase_documents(t, 0) FROM t WHERE t MATCH 'deutsch' LIMIT 1"  # rows, tokens, documents
    rows_tokens = public.execute(index).fetchone()[0].split()[:2]
    before = scored(public)
    office.execute(MOVED.format(table="t"))
    assert public.execute(index).fetchone()[0].split()[:2] == rows_tokens
    assert scored(public) != before


def test_after_the_same_connection_changed_a_document(office):
    before = scored(office)
    office.execute("UPDATE t SET document = 'deutsch' WHERE rowid = 5")
    assert scored(office) != before


def test_inside_the_connection_s_own_write_transaction_and_after_its_commit(office):
    scored(office)
    office.execute("BEGIN")
    office.execute("UPDATE t SET document = document || ' lernen lernen lernen lernen' WHERE rowid = 2")
    inside = scored(office)  # bm25() reads the transaction's own lengths: so must the kept ones
    office.execute("COMMIT")
    assert scored(office) == inside


def test_after_the_connection_s_own_rollback(office, public):
    """A document the transaction changed and scored, not scored before by this connection: its length in the
    transaction must not be kept, the rollback takes it back."""
    before = scored(public)
    scored(office, "AND rowid <= 3")  # the other rows' lengths are not kept yet: first scored in the transaction
    office.execute("BEGIN")
    office.execute("UPDATE t SET document = 'deutsch' WHERE rowid = 5")
    assert scored(office) != before
    office.execute("ROLLBACK")
    assert scored(office) == before


def test_a_write_on_the_same_connection_while_a_statement_scores(office):
    """A statement scoring row after row, the same connection changing a document it has not reached yet."""
    office.execute("INSERT INTO t SELECT document, facets FROM t")  # 12 rows: the change lands mid statement
    scored(office)
    rows = office.execute(f"SELECT rowid, {counted(office)}, bm25(t, 1.0, 0.0) FROM t WHERE t MATCH "
                          "'document : deutsch' ORDER BY rowid")
    first = rows.fetchone()
    office.execute("UPDATE t SET document = 'deutsch' WHERE rowid = 11")
    rest = rows.fetchall()
    assert [row[0] for row in [first, *rest]] == list(range(1, 13))
    assert all(ours == theirs for _rowid, ours, theirs in [first, *rest])


def test_two_tables_on_one_connection(office):
    """The same rowids, other lengths: the kept lengths are of one table."""
    office.execute("CREATE VIRTUAL TABLE u USING fts5(document, facets)")
    office.executemany("INSERT INTO u(rowid, document, facets) VALUES (?, ?, 'c1x1')",
                       [(n, "deutsch " + "lernen " * (20 - n)) for n in range(1, 7)])
    for _ in range(2):
        assert len(scored(office, table="t")) == len(scored(office, table="u")) == 6


def test_two_tables_scored_in_turn_by_two_statements(office):
    office.execute("CREATE VIRTUAL TABLE u USING fts5(document, facets)")
    office.executemany("INSERT INTO u(rowid, document, facets) VALUES (?, ?, 'c1x1')",
                       [(n, "deutsch " + "lernen " * (20 - n)) for n in range(1, 7)])
    on_t = office.execute(f"SELECT rowid, {counted(office)}, bm25(t, 1.0, 0.0) FROM t "
                          "WHERE t MATCH 'document : deutsch' ORDER BY rowid")
    on_u = office.execute(f"SELECT rowid, {counted(office, 'u')}, bm25(u, 1.0, 0.0) FROM u "
                          "WHERE u MATCH 'document : deutsch' ORDER BY rowid")
    rows = []
    for _ in range(6):
        rows += [on_t.fetchone(), on_u.fetchone()]
    assert all(ours == theirs for _rowid, ours, theirs in rows) and len(rows) == 12


def test_a_table_of_the_temp_database(tmp_path):
    """Its changes move the temp database's data version, not main's."""
    db = sqlite3.connect(tmp_path / "atlas.sqlite", isolation_level=None)
    db.execute("CREATE VIRTUAL TABLE temp.t USING fts5(document, facets)")
    db.executemany("INSERT INTO temp.t VALUES (?, 'c1x1')", [("deutsch lernen " * n,) for n in range(1, 7)])
    before = scored(db)
    assert scored(db) == before
    db.execute(MOVED.format(table="temp.t"))
    assert scored(db) != before
    db.close()


def test_a_table_of_an_attached_database(tmp_path):
    """Another connection changes it: the versions the lengths follow are main's and temp's only, so they are not
    kept where a database is attached."""
    office = sqlite3.connect(tmp_path / "other.sqlite", isolation_level=None)
    office.execute("PRAGMA journal_mode=WAL")
    office.execute("CREATE VIRTUAL TABLE t USING fts5(document, facets)")
    office.executemany("INSERT INTO t VALUES (?, 'c1x1')", [("deutsch lernen " * n,) for n in range(1, 7)])
    public = sqlite3.connect(tmp_path / "atlas.sqlite", isolation_level=None)
    public.execute("ATTACH DATABASE ? AS other", (str(tmp_path / "other.sqlite"),))
    before = scored(public)
    assert scored(public) == before
    office.execute(MOVED.format(table="t"))
    assert scored(public) != before
    office.close()
    public.close()


@pytest.mark.parametrize("rowid", [KEPT_ROWIDS, KEPT_ROWIDS + 2, 2 ** 32 + 2, 2 ** 62 + 2, 0, -2])
def test_rowids_the_lengths_are_not_kept_for(office, public, rowid):
    """Beyond the kept rowids, at 0 and below: each read from its docsize row, never taken for another's (row 2)."""
    office.execute("INSERT INTO t(rowid, document, facets) VALUES (?, ?, 'c1x1')",
                   (rowid, "deutsch lernen " * 30))
    for _ in range(2):
        assert rowid in scored(public) and 2 in scored(public)
    office.execute("UPDATE t SET document = 'deutsch' WHERE rowid = ?", (rowid,))
    assert rowid in scored(public)


@pytest.mark.parametrize("tokens", [KEPT_LENGTH, KEPT_LENGTH + 1, 70_000])
def test_documents_longer_than_the_lengths_kept(office, public, tokens):
    """A length is kept in two bytes: the longest kept, and longer ones read from their docsize row each time, never
    cut short."""
    office.execute("INSERT INTO t(rowid, document, facets) VALUES (7, ?, 'c1x1')",
                   ("deutsch " + "lernen " * (tokens - 1),))
    for _ in range(2):
        assert 7 in scored(public)


def scored(db: sqlite3.Connection, where: str = "", table: str = "t") -> dict[int, float]:
    """Each match's score by bm25_counted, asserted equal to bm25()'s to the bit in the same statement."""
    rows = db.execute(f"SELECT rowid, {counted(db, table)}, bm25({table}, 1.0, 0.0) FROM {table} "
                      f"WHERE {table} MATCH 'document : deutsch' {where} ORDER BY rowid").fetchall()
    assert rows and all(ours == theirs for _rowid, ours, theirs in rows), rows
    return {rowid: ours for rowid, ours, _theirs in rows}


def counted(db: sqlite3.Connection, table: str = "t") -> str:
    """bm25_counted with the true counts of the data the connection reads now."""
    counts = db.execute(f"SELECT phrase_documents({table}, 0) FROM {table} WHERE {table} MATCH 'document : deutsch' "
                        "LIMIT 1").fetchone()[0]
    return f"bm25_counted({table}, {counts.replace(' ', ', ')})"


@pytest.fixture
def office(tmp_path):
    """A connection that writes (autocommit, as the atlas's store runs its SQLite), to a database of six documents of
    six lengths."""
    assert ranking.available()
    db = sqlite3.connect(tmp_path / "atlas.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(document, facets)")
    db.executemany("INSERT INTO t VALUES (?, 'c1x1')", [("deutsch lernen " * n,) for n in range(1, 7)])
    yield db
    db.close()


@pytest.fixture
def public(office, tmp_path):
    """Another connection to the same database, as a search of another process."""
    db = sqlite3.connect(tmp_path / "atlas.sqlite", isolation_level=None)
    yield db
    db.close()
