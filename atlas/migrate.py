"""The schema, in Alembic migrations: `atlas db upgrade` creates or upgrades it; nothing else creates tables.

A database made by the first release (tables, but no alembic_version) is recognised and upgraded in place.
Several processes upgrading at once are serialised: PostgreSQL by an advisory lock, SQLite by a file lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine, make_url

from atlas import postgis
from atlas.database import open_engine
from atlas.i18n import german

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST_RELEASE = "0001"
ADVISORY_LOCK = 0x61746C6173  # "atlas"


class SchemaNotCurrent(RuntimeError):
    """The database is older (or newer) than this code; the message says which command helps."""


def upgrade(url: str) -> tuple[str | None, str]:
    """Bring the database at url to the newest schema; returns the revisions before and after."""
    engine = open_engine(url)
    try:
        with _exclusive(engine) as connection:
            before = _revision(connection)
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
            return before, _revision(connection)
    finally:
        engine.dispose()


@functools.cache
def head() -> str:
    """The newest revision of this code's migrations (read once per process: they do not change under it)."""
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def check_current(engine: Engine) -> None:
    """Refuse to work on a database whose schema is not this code's."""
    with engine.connect() as connection:
        current = _revision(connection)
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
    return {script.revision for script in ScriptDirectory.from_config(alembic_config(None)).walk_revisions()}


def _revision(connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def alembic_config(connection) -> Config:
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
