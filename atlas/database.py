"""One way to open the database, for the store and the migrations alike: SQLite (embedded) or PostgreSQL."""

from __future__ import annotations

import getpass
import os
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from atlas import ranking


def open_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    ranking.available()  # the search's ranking function, for every connection from now on
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
    if engine.url.database and engine.url.database != ":memory:":
        _owner_only(Path(engine.url.database))
    _sqlite_pragmas(engine)
    return engine


def dialect_of(db):
    """The SQLAlchemy dialect module of the connection's database, for its `insert(…).on_conflict_do_nothing()`:
    PostgreSQL's is imported only where the database is one (an `atlas import` on SQLite needs none of it)."""
    if db.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql
    from sqlalchemy.dialects import sqlite

    return sqlite


def _owner_only(path: Path) -> None:
    """The database file holds addresses and password hashes: readable by its owner only (0600), like the key.
    SQLite gives its -wal and -shm files the same mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileNotFoundError, PermissionError):
        return  # no such folder, or not ours: SQLite says so when it connects
    except FileExistsError:
        if path.stat().st_mode & 0o077 and path.owner() == getpass.getuser():
            path.chmod(0o600)


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL lets readers and one writer work at once; a busy database waits up to a minute, it never drops a write.

    SQLAlchemy, not the sqlite3 module, begins transactions here, so a writing one can BEGIN IMMEDIATE.
    """

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record):
        connection.isolation_level = None
        cursor = connection.cursor()
        cursor.execute("PRAGMA busy_timeout=60000")
        _wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get("atlas_write")
                                   else "BEGIN")


def _wal(cursor) -> None:
    """Switch a database file to WAL once. SQLite refuses the switch at once, without waiting for the busy
    timeout, while another process opens the same new file: then try again shortly."""
    for attempt in range(50):
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == 49:
                raise
            time.sleep(0.02 * (attempt + 1))


def as_utc(moment: datetime) -> datetime:
    """A stored time with its zone: SQLite hands back naive UTC times, PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rfc3339(stored: str | datetime | None) -> str:
    """A stored time in RFC 3339, in UTC as Z ("" for none): SQLite's text as SQLAlchemy reads it (naive UTC) and
    PostgreSQL's aware times (in the session's TimeZone, which a server may set to Europe/Berlin). Text as
    SQLAlchemy writes it ("2026-12-06 17:44:26.870608") is rewritten by its parts: datetime.isoformat cost a
    microsecond per project of a page of the API, the other steps a tenth."""
    if not stored:
        return ""
    if isinstance(stored, str):
        text, stored = stored, datetime.fromisoformat(stored)  # what SQLAlchemy's DateTime does with SQLite's text
        if stored.tzinfo is None and len(text) == 26 and text[10] == " " and text[19] == "." and text[7] == "-":
            return f"{text[:10]}T{text[11:] if stored.microsecond else text[11:19]}Z"  # isoformat drops a zero fraction
    return as_utc(stored).astimezone(UTC).isoformat().replace("+00:00", "Z")  # PostgreSQL's in the session's zone
