"""The operator upgrades: `atlas db upgrade` makes or upgrades the schema; a wave-1 database keeps its data."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import PASSWORD, SEED_CSV, SQLITE_FILE, WAVE1, html, kept, login, make_app, old_database

from atlas import create_app
from atlas.migrate import SchemaNotCurrent, head, upgrade


@SQLITE_FILE
def test_a_database_made_by_the_first_release_upgrades_in_place(tmp_path):
    database = tmp_path / "atlas.db"
    with sqlite3.connect(database) as db:
        db.executescript(WAVE1.read_text())
    before, after = upgrade(f"sqlite:///{database}")
    assert (before, after) == ("0001", head())
    app = make_app(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    store = app.extensions["atlas"].store
    assert store.count() == 7
    assert [c["status"] for c in store.history(1)][-2:] == ["rejected", "published"]
    assert store.get(1)["row_version"] == 1
    published = store.get(1)
    assert published["status"] == "published"
    assert published["confirmed_at"] == published["updated_at"] == published["published_at"], "counted as confirmed"
    assert 1 in app.extensions["atlas"].searcher.search(published["name"]).ids, "existing projects are searchable"
    client = app.test_client()
    assert login(client, "leine-weser@arl.example", PASSWORD).status_code == 302, "old accounts still sign in"
    assert client.get("/amt/").status_code == 200
    assert client.get("/projekt/1").status_code == 200


def test_the_schema_check_reads_the_revisions_as_alembic_does(tmp_path):
    """A process checks its database's schema without Alembic: the same newest revision, the same known ones, and
    the same revision of a database at any step of the way."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    from atlas.migrate import _revisions, alembic_config, current_revision

    scripts = ScriptDirectory.from_config(alembic_config(None))
    assert head() == scripts.get_current_head()
    assert _revisions() == {script.revision for script in scripts.walk_revisions()}
    engine = create_engine(f"sqlite:///{tmp_path / 'schritte.db'}")
    with engine.connect() as connection:
        assert current_revision(connection) is None
        for script in reversed(list(scripts.walk_revisions())):
            command.upgrade(alembic_config(connection), script.revision)
            connection.commit()
            assert current_revision(connection) == MigrationContext.configure(connection).get_current_revision() \
                == script.revision
    engine.dispose()  # that a start imports no Alembic: tests/test_kept.py


@SQLITE_FILE
def test_db_upgrade_creates_the_schema_once(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'neu.db'}",
                      "TILES": "none"})
    runner = app.test_cli_runner()
    first = runner.invoke(args=["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert f"auf Stand {head()}" in first.output
    again = runner.invoke(args=["db", "upgrade"])
    assert again.exit_code == 0 and "schon auf Stand" in again.output


@SQLITE_FILE
def test_nothing_creates_tables_on_the_way_and_an_old_schema_is_refused(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'leer.db'}",
                      "TILES": "none"})
    with pytest.raises(SchemaNotCurrent, match="atlas db upgrade"):
        app.extensions["atlas"].store  # noqa: B018
    served = app.test_client().get("/")
    assert served.status_code == 500
    with sqlite3.connect(tmp_path / "leer.db") as db:
        assert db.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone() == (0,)
    result = app.test_cli_runner().invoke(args=["serve", "--port", "1"])
    assert result.exit_code == 1 and "atlas db upgrade" in result.output


@SQLITE_FILE
def test_seeding_twice_at_once_loads_the_sample_data_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    upgrade(url)
    env = {"ATLAS_DATABASE_URL": url, "ATLAS_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin",
           "ATLAS_SEED_CSV": SEED_CSV, **kept()}  # the gazetteer that locates the seed, made once per run
    command = [sys.executable, "-c", "from atlas.cli import main; main()", "seed"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sorted("7 Projekte aus" in out for out in outputs) == [False, True], outputs
    app = make_app(tmp_path, DATABASE_URL=url)
    assert app.extensions["atlas"].store.count() == 7


@SQLITE_FILE
def test_upgrades_started_together_on_a_new_file_all_succeed(tmp_path):
    """Before the migration lock was taken ahead of the first connection, processes failed here with "database
    is locked": SQLite refuses the switch of a new file to WAL at once, without waiting for the busy timeout."""
    command = [str(Path(sys.executable).with_name("atlas")), "db", "upgrade"]
    for round_ in range(8):
        env = {"ATLAS_DATABASE_URL": f"sqlite:///{tmp_path / f'neu-{round_}.db'}", "PATH": "/usr/bin:/bin",
               "ATLAS_INSTANCE_PATH": str(tmp_path / "instance"), "ATLAS_TILES": "none"}
        runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                for _ in range(2)]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs


def test_the_search_facets_written_by_the_migration_are_those_the_code_writes(app):
    """Migration 0007 writes the facets of existing projects in SQL; every later write makes them in Python."""
    from alembic import command
    from helpers import add_facts_projects
    from sqlalchemy import text

    from atlas.migrate import alembic_config
    from atlas.search_index import facets

    add_facts_projects(app)
    store = app.extensions["atlas"].store
    written = _facets(store, text)
    assert len(written) == 4
    with store.read() as connection:
        command.downgrade(alembic_config(connection), "0006")
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    assert _facets(store, text) == written == {i: sorted(facets(store.get(i), store.dialect).split())
                                                for i in written}


def _facets(store, text) -> dict[int, list[str]]:
    postgres = store.dialect == "postgresql"
    sql = ("SELECT project_id, array_to_string(tsvector_to_array(facets), ' ') FROM project_search" if postgres
           else "SELECT rowid, facets FROM project_search")
    with store.read() as db:
        rows = db.execute(text(sql)).all()
    return {i: sorted(value.split()) for i, value in rows}



@SQLITE_FILE
def test_the_search_index_learns_long_prefixes_and_finds_the_same_before_and_after(tmp_path):
    """Migration 0017 adds prefix indexes of 13 to 20 characters: long words, whole and cut short, match as before,
    ranked as before; down to 0016 and up again keeps them."""
    from alembic import command
    from sqlalchemy import create_engine

    from atlas.migrate import alembic_config

    database = old_database(tmp_path, "0016_search_prefixes", "UPDATE projects SET status = 'published'")
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO project_search (rowid, document, facets, texts) VALUES (900, "
                   "'fluechtlingshilfe hausaufgabenbetreuung hausaufgabenbetreu', 'c521x65', '')")
        db.execute("INSERT INTO project_search (rowid, document, facets, texts) VALUES (901, "
                   "'hausaufgabenhilfe hausaufgabenhilf fluechtlingshilfen', 'c521x65', '')")

    def index_sql() -> str:
        with sqlite3.connect(database) as db:
            return db.execute("SELECT sql FROM sqlite_master WHERE name = 'project_search'").fetchone()[0]

    def found() -> list[tuple[str, list[tuple[int, float]]]]:
        with sqlite3.connect(database) as db:
            return [(word, db.execute(
                "SELECT rowid, bm25(project_search, 1.0, 0.0, 0.0) FROM project_search WHERE project_search MATCH ? "
                "ORDER BY bm25(project_search, 1.0, 0.0, 0.0), rowid", (f'document : ("{word}"*)',)).fetchall())
                for word in ("fluechtlingshilfe", "fluechtlingshilf", "hausaufgabenbetreuung", "hausaufgabenb",
                             "hausaufgabenhilf", "hausaufgabe", "sprachcafe")]

    before = found()
    assert all(ids for word, ids in before if word != "sprachcafe")
    assert upgrade(f"sqlite:///{database}") == ("0016_search_prefixes", head())
    assert f"prefix = '{' '.join(map(str, range(4, 21)))}'" in index_sql()
    assert found() == before
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0016_search_prefixes")
        connection.commit()
        assert "prefix = '4 5 6 7 8 9 10 11 12'" in index_sql() and found() == before
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    engine.dispose()
    assert found() == before



def test_facets_without_a_cell_first_are_left_as_they_are_by_migration_0018():
    """No code writes facets without a cell first, but such a row must not stop the upgrade or gain a wrong cell."""
    from importlib import import_module

    migration = import_module("atlas.migrations.versions.0018_search_field_cells")
    for facets in ("", None, "hf1 sp2", "kostenlos hf3"):
        assert migration.in_cells(facets) == migration.plain(facets) == (facets or "")
    assert migration.in_cells("c521x65 hf1 hf16 sp2") == "c521x65 hf1c521x65 hf16c521x65 sp2"
    assert migration.plain("c521x65 hf1c521x65 hf16c521x65 sp2") == "c521x65 hf1 hf16 sp2"


@SQLITE_FILE
def test_the_search_index_names_the_cell_in_a_handlungsfeld_and_finds_and_ranks_the_same(tmp_path):
    """Migration 0018 writes a Handlungsfeld's facet with the project's cell ("hf8c521x65"): the Handlungsfeld in a
    cell, in ten cells of a row and anywhere finds what the two facets found, the scores stay (every document keeps
    its length), the facets are those the code writes; down to 0017 and up again gives back each."""
    from alembic import command
    from sqlalchemy import create_engine

    from atlas.migrate import alembic_config
    from atlas.search_index import facets

    database = old_database(tmp_path, "0017_search_long_prefixes", "UPDATE projects SET status = 'published'")

    def rows(sql: str, *args) -> list[tuple]:
        with sqlite3.connect(database) as db:
            return db.execute(sql, args).fetchall()

    written = dict(rows("SELECT rowid, facets FROM project_search"))
    asked = sorted({(token, value.split()[0]) for value in written.values() for token in value.split()[1:]
                    if token.startswith("hf")})
    assert asked

    def scored(match: str) -> list[tuple[int, float]]:
        return rows("SELECT rowid, bm25(project_search, 1.0, 0.0, 0.0) FROM project_search WHERE project_search "
                    "MATCH ? ORDER BY rowid", match)

    def words(field: str, place: str, plain: bool) -> str:
        return 'document : ("de"* OR "sprach"* OR "hann"*) AND ' + (
            f'facets : ({field}) AND facets : ("{place[:-1]}"*)' if plain else f'facets : ("{field}{place[:-1]}"*)')

    before = [(scored(f"facets : ({field}) AND facets : ({place})"), scored(f"facets : ({field})"),
               scored(words(field, place, True))) for field, place in asked]
    def found_after() -> list[tuple]:
        return [(scored(f"facets : ({field}{place})"), scored(f'facets : ("{field}c"*)'),
                 scored(words(field, place, False))) for field, place in asked]

    assert upgrade(f"sqlite:///{database}") == ("0017_search_long_prefixes", head())
    after = found_after()
    assert after == before and any(found for _cell, _anywhere, found in after)
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        projects = {row["id"]: dict(row) for row in db.execute("SELECT * FROM projects")}
    assert dict(rows("SELECT rowid, facets FROM project_search")) == {i: facets(projects[i], "sqlite") for i in written}
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0017_search_long_prefixes")
        connection.commit()
        assert dict(rows("SELECT rowid, facets FROM project_search")) == written
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    engine.dispose()
    assert found_after() == before


@SQLITE_FILE
def test_yesterdays_database_learns_sources_and_claims_and_its_projects_count_as_confirmed(tmp_path):
    """Migration 0009 on a database at 0008 with projects in it: each was submitted or imported by an office, so it
    is confirmed since it was made; no claims yet. Down to 0008 and up again keeps the projects."""
    from alembic import command
    from sqlalchemy import create_engine, inspect, text

    from atlas.migrate import alembic_config

    database = old_database(tmp_path, "0008")
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert "quelle" not in {c["name"] for c in inspect(connection).get_columns("projects")}
    assert upgrade(f"sqlite:///{database}") == ("0008", head())
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT quelle, quelle_stand, source_confirmed_at, created_at FROM projects"))
        assert [(q, s, c == m) for q, s, c, m in rows] == [("", "", True)] * 7
        assert connection.execute(text("SELECT count(*) FROM claims")).scalar_one() == 0
        command.downgrade(alembic_config(connection), "0008")
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    engine.dispose()
    app = make_app(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    store = app.extensions["atlas"].store
    assert store.count() == 7 and all(r["source_confirmed_at"] is not None for r in store.rows())
    client = app.test_client()
    assert html(client.get("/projekt/1")).select_one("#aus-quellen") is None
    assert client.get("/projekt/1/bestaetigen").status_code == 404


def test_yesterdays_history_learns_the_district_each_decision_was_made_in(tmp_path):
    """Migration 0015 on a database at 0014: every history entry gets its project's district (the best there is
    for entries written before), so the dashboard's figures count them as before; new entries carry their own.
    Down to 0014 and up again keeps the history."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from atlas.migrate import alembic_config

    database = old_database(tmp_path, "0014")
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM changes")).scalar_one()
    assert before > 0
    assert upgrade(f"sqlite:///{database}") == ("0014_change_tokens", head())
    with engine.connect() as connection:
        assert connection.execute(text(
            "SELECT count(*) FROM changes c JOIN projects p ON p.id = c.project_id WHERE c.arl = p.arl")
        ).scalar_one() == before
        command.downgrade(alembic_config(connection), "0014")
        assert connection.execute(text("SELECT count(*) FROM changes")).scalar_one() == before
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
        assert connection.execute(text(
            "SELECT count(*) FROM changes c JOIN projects p ON p.id = c.project_id WHERE c.arl = p.arl")
        ).scalar_one() == before
    engine.dispose()


@SQLITE_FILE
def test_the_search_index_learns_prefixes_and_finds_the_same_before_and_after(tmp_path):
    """Migration 0016 makes the SQLite index anew with prefix indexes from the documents it holds: the same matches
    for a word whole, cut short and of two letters; down to 0015 and up again keeps them."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from atlas.migrate import alembic_config

    database = old_database(tmp_path, "0015_change_districts", "UPDATE projects SET status = 'published'")

    def index_sql() -> str:
        with sqlite3.connect(database) as db:
            return db.execute("SELECT sql FROM sqlite_master WHERE name = 'project_search'").fetchone()[0]

    def found() -> list[tuple[str, list[int]]]:
        with sqlite3.connect(database) as db:
            return [(word, [row[0] for row in db.execute(
                "SELECT rowid FROM project_search WHERE project_search MATCH ? ORDER BY bm25(project_search), rowid",
                (f'document : ("{word}"*)',))]) for word in ("sprachcafe", "sprach", "de", "hannover", "hann")]

    before = found()
    assert any(ids for _word, ids in before) and "prefix" not in index_sql()
    assert upgrade(f"sqlite:///{database}") == ("0015_change_districts", head())
    assert "prefix = '4 5 6 7 8 9 10 11 12" in index_sql()  # and the longer ones of migration 0017
    assert found() == before
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0015_change_districts")
        connection.commit()
        assert "prefix" not in index_sql() and found() == before
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
        assert connection.execute(text("SELECT count(*) FROM project_search_vocabulary")).scalar_one() > 0
    engine.dispose()
    assert found() == before
