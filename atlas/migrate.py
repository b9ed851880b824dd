"""The schema, in Alembic migrations: `atlas db upgrade` creates or upgrades it; nothing else creates tables.

A database made by the first release (tables, but no alembic_version) is recognised and upgraded in place.
Several processes upgrading at once are serialised: PostgreSQL by an advisory lock, SQLite by a file lock.

Whether a database's schema is this code's is asked at every start of a process (`check_current`), so it is
answered without Alembic: importing any part of it loads every database's DDL, a third of a second. The revision a
database is at is read from Alembic's table, the newest one from the migration files as Alembic reads them (their
`revision` and `down_revision`, without running them); tests/test_migrations.py checks both against Alembic.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import functools
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine, make_url

from atlas import postgis
from atlas.database import open_engine
from atlas.i18n import german

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST_RELEASE = "0001"
ADVISORY_LOCK = 0x61746C6173  # "atlas"
VERSION_TABLE = "alembic_version"  # where Alembic notes the revision a database is at


class SchemaNotCurrent(RuntimeError):
    """The database is older (or newer) than this code; the message says which command helps."""


def upgrade(url: str) -> tuple[str | None, str]:
    """Bring the database at url to the newest schema; returns the revisions before and after."""
    from alembic import command

    engine = open_engine(url)
    try:
        with _exclusive(engine) as connection:
            before = current_revision(connection)
            first_release = before is None and inspect(connection).has_table("projects")
            connection.commit()
            if first_release:  # made by the first release, before there were migrations
                command.stamp(alembic_config(connection), FIRST_RELEASE)
                connection.commit()
                before = FIRST_RELEASE
            command.upgrade(alembic_config(connection), "head")
            connection.commit()
            if not postgis.enabled(connection):  # the spatial part, where the server has PostGIS (also installed later)
                postgis.install(connection)
                connection.commit()
            return before, current_revision(connection)
    finally:
        engine.dispose()


@functools.cache
def head() -> str:
    """The newest revision of this code's migrations: the one no other follows (read once per process: they do not
    change under it)."""
    steps = _steps()
    newest = set(steps) - set(steps.values())
    if len(newest) != 1:
        raise RuntimeError(f"the migrations have {len(newest)} newest revisions: {sorted(newest)}")
    return newest.pop()


def check_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is not this code's."""
    with engine.connect() as connection:
        current = current_revision(connection)
    newest = head()
    if current == newest:
        return
    if current is None:
        raise SchemaNotCurrent(german("Die Datenbank hat noch kein Schema: zuerst `atlas db upgrade` ausführen."))
    if current not in _revisions():
        raise SchemaNotCurrent(german("Die Datenbank ist auf Stand %(current)s, den dieses Programm nicht kennt "
                                      "(von einer neueren Version?): die Version des Atlas verwenden, die sie "
                                      "angelegt hat.", current=current))
    raise SchemaNotCurrent(german("Die Datenbank ist auf Stand %(current)s, dieses Programm braucht %(newest)s: "
                                  "zuerst `atlas db upgrade` ausführen.", current=current, newest=newest))


def _revisions() -> set[str]:
    return set(_steps())


@functools.cache
def _steps() -> dict[str, str | None]:
    """Each migration's revision and the one it follows: its module's `revision` and `down_revision`."""
    steps = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        names = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                names.update({target.id: node.value.value for target in node.targets if isinstance(target, ast.Name)})
        steps[names["revision"]] = names["down_revision"]
    return steps


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, as Alembic notes it; None for a database without schema."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    found = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()  # noqa: S608
    if len(found) > 1:  # Alembic's branches, which these migrations never make
        raise RuntimeError(f"the database is at several revisions at once: {found}")
    return found[0] if found else None


def alembic_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@contextlib.contextmanager
def _exclusive(engine: Engine):
    url = make_url(engine.url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        lock_path = Path(url.database).with_suffix(".migrate-lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # before connecting: the first connection turns a new file to WAL
            with engine.connect() as connection:
                yield connection
        return
    with engine.connect() as connection:
        if url.get_backend_name() == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK})
            connection.commit()
        yield connection
