"""SQLite's part of `atlas import` alone: the rows and search documents of an imported database written again into a
fresh, empty database, as atlas.store.imports writes them, with the CPU of each step.

    .venv/bin/python bench/import_sqlite.py --database /tmp/s52/db100k-real
    .venv/bin/python bench/import_sqlite.py --database DIR --rounds 3 --variants "" batch=1000 indexes=live \\
        prefix=4-12 prefix=none

The projects' rows (every column, as stored) and `project_search`'s rows of DIR/atlas.db (read only) are written
into a copy of an empty database of this tree's schema (`atlas db upgrade`): WAL, synchronous NORMAL, one BEGIN
IMMEDIATE transaction, FTS5's hashsize at 8 MB, the projects' indexes dropped, the rows in batches of 5,000 (a batch
of projects, then its documents), `optimize`, the indexes made again, the hashsize set back, COMMIT (with the WAL's
checkpoint), close. Python's share of an import (the checks, the documents' words) is not in it, nor the store's
version and its log (a few rows): a comparison of SQLite's ways of writing the same data. Run it pinned to one
core (taskset); the variants alternate, round by round:

    batch=N            rows per executemany (atlas.store.core.INSERT_BATCH)
    cache=N            PRAGMA cache_size for the transaction (negative: KiB)
    order=after        all projects first, then all documents
    indexes=live       the projects' indexes kept and written row by row
    prefix=A-B|none    the index's prefix lengths A to B, or none (not the atlas's schema: what the prefixes cost)
    journal=delete     a rollback journal instead of the WAL (not the atlas's: readers would wait for the import)
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from atlas.migrate import upgrade  # noqa: E402
from atlas.search_index import DEFAULT_HASHSIZE, IMPORT_HASHSIZE  # noqa: E402

DOCUMENTS = "INSERT INTO project_search (rowid, document, facets, texts) VALUES (?, ?, ?, ?)"


def main() -> None:
    options = parse_args()
    source = sqlite3.connect(f"file:{options.database / 'atlas.db'}?mode=ro", uri=True)
    columns = [row[1] for row in source.execute("PRAGMA table_info(projects)")]
    projects = source.execute(f"SELECT {', '.join(columns)} FROM projects ORDER BY id").fetchall()
    documents = source.execute("SELECT rowid, document, facets, texts FROM project_search ORDER BY rowid").fetchall()
    source.close()
    insert = f"INSERT INTO projects ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    with tempfile.TemporaryDirectory(prefix="atlas-bench-import-sqlite-") as folder:
        empty = Path(folder) / "empty.db"
        upgrade(f"sqlite:///{empty}")
        print(f"{len(projects)} projects, {len(documents)} documents; CPU s of each step")
        for _round in range(options.rounds):
            for variant in options.variants:
                settings = dict(pair.split("=", 1) for pair in variant.split(",") if pair)
                steps = write(empty, Path(folder) / "written.db", insert, projects, documents, settings)
                print(f"{variant or 'as the import':>24} " + "  ".join(f"{k} {v:5.2f}" for k, v in steps.items())
                      + f"  load {os.getloadavg()[0]:.1f}", flush=True)


def write(empty: Path, path: Path, insert: str, projects: list, documents: list, settings: dict) -> dict:
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copy(empty, path)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"PRAGMA journal_mode={settings.get('journal', 'WAL')}")
    db.execute("PRAGMA synchronous=NORMAL")
    if "prefix" in settings:
        _reprefixed(db, settings["prefix"])
    if "cache" in settings:
        db.execute(f"PRAGMA cache_size = {int(settings['cache'])}")
    batch = int(settings.get("batch", 5000))
    clock = time.process_time
    steps = {"projects": 0.0, "documents": 0.0}
    started = clock()
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO project_search (project_search, rank) VALUES ('hashsize', ?)", (IMPORT_HASHSIZE,))
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'projects' "
                         "AND sql IS NOT NULL ORDER BY rowid").fetchall()
    if settings.get("indexes") == "live":
        indexes = []
    for name, _sql in indexes:
        db.execute(f'DROP INDEX "{name}"')
    after = settings.get("order") == "after"
    for i in range(0, len(projects), batch):
        at = clock()
        db.executemany(insert, projects[i:i + batch])
        steps["projects"] += clock() - at
        if not after:
            at = clock()
            db.executemany(DOCUMENTS, documents[i:i + batch])
            steps["documents"] += clock() - at
    for i in range(0, len(documents), batch) if after else ():
        at = clock()
        db.executemany(DOCUMENTS, documents[i:i + batch])
        steps["documents"] += clock() - at
    at = clock()  # merge_after_import inside the import's `with`, before its indexes are made on leaving it
    db.execute("INSERT INTO project_search (project_search) VALUES ('optimize')")
    steps["optimize"] = clock() - at
    at = clock()
    for _name, sql in indexes:
        db.execute(sql)
    steps["indexes"] = clock() - at
    db.execute("INSERT INTO project_search (project_search, rank) VALUES ('hashsize', ?)", (DEFAULT_HASHSIZE,))
    db.execute("DELETE FROM project_search_config WHERE k = 'hashsize'")
    at = clock()
    db.execute("COMMIT")
    steps["commit"] = clock() - at
    at = clock()
    db.close()
    steps["close"] = clock() - at
    steps["all"] = clock() - started
    return steps


def _reprefixed(db, lengths: str) -> None:
    """The index made again with other prefix lengths ("4-12", "none"), its vocabulary table with it."""
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'project_search'").fetchone()[0]
    vocabulary = db.execute("SELECT sql FROM sqlite_master WHERE name = 'project_search_vocabulary'").fetchone()[0]
    db.execute("DROP TABLE project_search_vocabulary")
    db.execute("DROP TABLE project_search")
    plain = sql.split(", prefix")[0]
    if lengths == "none":
        db.execute(plain + ")")
    else:
        first, last = map(int, lengths.split("-"))
        db.execute(plain + f", prefix = '{' '.join(str(n) for n in range(first, last + 1))}')")
    db.execute(vocabulary)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True, help="an instance folder with atlas.db (read only)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--variants", nargs="+", default=[""], help="see the docstring; \"\": as the import writes")
    return parser.parse_args()


if __name__ == "__main__":
    main()
