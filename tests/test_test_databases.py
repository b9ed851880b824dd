"""The PostgreSQL run hands every test a database as new (servers.DatabasePool): a copy a test gave back is emptied to
the template's rows and sequences before the next test gets it, and a copy whose schema or settings a test changed is
dropped, never handed out again.

Its own PostgreSQL server on either run: marked `once`, it runs with the SQLite run.
"""

from __future__ import annotations

import psycopg
import pytest
from helpers import make_app
from servers import DatabasePool, PostgresServer, alive

from atlas.migrate import upgrade

pytestmark = pytest.mark.once


@pytest.fixture(scope="module")
def pool():
    server = PostgresServer()
    template = server.create_database()
    upgrade(template)
    server.trim_postgis(template.rsplit("/", 1)[1])
    pool = DatabasePool(server, template.rsplit("/", 1)[1])
    yield pool
    pool.close()
    server.stop()


def contents(pool: DatabasePool, url: str) -> dict[str, object]:
    """Every table's rows (as COPY writes them, in a fixed order) and every sequence's state."""
    with psycopg.connect(pool.server.dsn(pool.name_of(url)), autocommit=True) as db:
        found: dict[str, object] = {}
        tables = db.execute("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'").fetchall()
        for (table,) in tables:
            with db.cursor().copy(f"COPY (SELECT * FROM {table} ORDER BY 1) TO STDOUT") as copy:
                found[table] = b"".join(bytes(block) for block in copy)
        found["sequences"] = db.execute("SELECT sequencename, last_value FROM pg_sequences ORDER BY 1").fetchall()
        return found


def databases(pool: DatabasePool) -> set[str]:
    with psycopg.connect(pool.server.dsn(), autocommit=True) as db:
        return {name for (name,) in db.execute("SELECT datname FROM pg_database")}


def test_a_database_given_back_is_handed_out_again_as_new(pool, tmp_path):
    url = pool.take()
    app = make_app(tmp_path, DATABASE_URL=url)
    result = app.test_cli_runner().invoke(args=["import", app.config["SEED_CSV"]])
    assert result.exit_code == 0, result.output
    app.extensions["atlas"].close()
    name = pool.name_of(url)
    lingering = psycopg.connect(pool.server.dsn(name))  # a connection the test left open, in a transaction
    lingering.execute("UPDATE kreis_shapes SET name = 'verändert' WHERE rs = (SELECT min(rs) FROM kreis_shapes)")
    lingering.execute("CREATE TEMPORARY TABLE scratch (x int)")  # a session's own: no change to the schema
    used = contents(pool, url)
    assert used["projects"] and used["public_changes"], "the test wrote nothing the reset could miss"

    pool.give_back(url)
    assert not alive(lingering)
    lingering.close()
    again = pool.take()
    assert pool.name_of(again) == name, "the copy was dropped instead of reset"
    assert again != url, "a new URL: what an app kept by its database's URL stays with the test that kept it"
    fresh = pool.server.create_database(pool.template)
    assert contents(pool, again) == contents(pool, fresh)
    pool.give_back(again)


@pytest.mark.parametrize("change", [
    "ALTER TABLE projects ADD COLUMN extra text",
    "DROP TABLE notes",
    "CREATE INDEX ix_extra ON projects (name)",
    "ALTER DATABASE {name} SET timezone TO 'America/New_York'",
])
def test_a_database_whose_schema_a_test_changed_is_dropped(pool, change):
    url = pool.take()
    name = pool.name_of(url)
    with psycopg.connect(pool.server.dsn(name), autocommit=True) as db:
        db.execute(change.format(name=f'"{name}"'))
    pool.give_back(url)
    assert name not in pool.idle and name not in databases(pool)
