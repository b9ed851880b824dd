"""Migration 0011_team on yesterday's database (at 0010_workspace, with projects, accounts and history in it):
everything stays; holds, notes, „kein Duplikat“ and merges start empty and work; down and up again keeps the
projects."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect
from team_setup import ANNA, team_fixture  # noqa: F401

from atlas.migrate import alembic_config, head, upgrade

TABLES = {"holds", "notes", "distinct_pairs", "replaced"}


def tables(store) -> set[str]:
    with store.read() as db:
        return set(inspect(db).get_table_names())


def test_yesterdays_database_gets_the_team_tables_and_keeps_its_projects(team):
    store = team.store
    store.set_status(team.submission, "rejected", "Bitte Adresse ergänzen", actor=ANNA)
    before = {row["id"]: (row["name"], row["status"], row["row_version"]) for row in store.rows()}
    history = store.history(team.submission)
    with store.read() as connection:
        command.downgrade(alembic_config(connection), "0010_workspace")
        connection.commit()
    assert not tables(store) & TABLES
    assert upgrade(team.app.config["DATABASE_URL"]) == ("0010_workspace", head())
    assert TABLES <= tables(store)
    assert {row["id"]: (row["name"], row["status"], row["row_version"]) for row in store.rows()} == before
    assert store.history(team.submission) == history
    assert store.hold_of(team.submission) is None and store.notes_of(team.submission) == []
    assert store.distinct() == set() and store.replacements() == []
    anna = team.client(ANNA)
    page = anna.get(f"/amt/projekt/{team.source}")
    assert page.status_code == 200
    store.set_hold(team.source, team.anna, team.anna, ANNA, None)
    store.add_note(team.source, team.anna, ANNA, "Nach dem Upgrade", [])
    assert store.hold_of(team.source).email == ANNA
    assert [n["body"] for n in store.notes_of(team.source)] == ["Nach dem Upgrade"]
