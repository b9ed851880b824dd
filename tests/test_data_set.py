"""The real data set, data/projects.csv: initiatives gathered from public sources (data/README.md). Every row names
its source and date, carries no one's personal address, and lies in Niedersachsen without a question."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from helpers import make_app
from sqlalchemy import func, select

from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.present import local_now
from atlas.schema import projects
from atlas.sources import stand_problem

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once

DATA_SET = Path(__file__).resolve().parent.parent / "data" / "projects.csv"
COLUMNS = ["name", "traeger", "beschreibung", "handlungsfelder", "strasse", "plz", "ort", "website", "email",
           "sprachen", "zielgruppen", "kosten", "wann", "zeiten", "barrierefrei", "kontakt", "quelle", "quelle_stand"]
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(\+49|\b0)[\s/()-]*\d([\s/()-]*\d){5,}")
# The mailboxes of an organisation, not of a person
ROLE_MAILBOXES = {"info", "kontakt", "post", "mail", "office", "buero", "team", "hallo", "verein"}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with open(DATA_SET, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The data set as `atlas import` loads it, into a database of its own."""
    app = make_app(tmp_path_factory.mktemp("datensatz"))
    result = app.test_cli_runner().invoke(args=["import", str(DATA_SET)])
    assert result.exit_code == 0, result.output
    return app


def test_the_columns_are_those_of_the_import(rows):
    with open(DATA_SET, encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == COLUMNS


def test_every_row_names_its_source_and_its_date(rows):
    today = local_now().date()
    for line, row in enumerate(rows, start=2):
        assert re.fullmatch(r"https?://[^\s<>\"']+\.[^\s<>\"']+", row["quelle"]), (line, row["quelle"])
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", row["quelle_stand"]), (line, row["quelle_stand"])
        assert stand_problem(row["quelle_stand"], today) == "", (line, row["quelle_stand"])


def test_no_project_is_there_twice(rows):
    descriptions = Counter(" ".join(row["beschreibung"].split()) for row in rows)
    assert [d for d, n in descriptions.items() if n > 1] == []
    pairs = Counter((row["name"].casefold(), row["ort"].casefold()) for row in rows)
    assert [p for p, n in pairs.items() if n > 1] == []


def test_nobodys_personal_address_or_number_is_in_it(rows):
    for line, row in enumerate(rows, start=2):
        assert row["email"] == "", (line, "the e-mail column is the Träger's own, once they confirm")
        for column in ("name", "traeger", "beschreibung"):
            assert not EMAIL.search(row[column]), (line, column)
            assert not PHONE.search(row[column]), (line, column, PHONE.search(row[column]))


def test_a_public_contact_is_an_organisations_mailbox(rows):
    contacts = [(line, row) for line, row in enumerate(rows, start=2) if row["kontakt"]]
    assert contacts, "some initiatives publish a general address"
    for line, row in contacts:
        assert EMAIL.fullmatch(row["kontakt"]), (line, row["kontakt"])
        mailbox = row["kontakt"].split("@")[0].casefold()
        named_after = re.sub(r"[^a-z]", "", (row["name"] + row["traeger"]).casefold().replace("é", "e"))
        assert mailbox in ROLE_MAILBOXES or mailbox in named_after, (line, row["kontakt"])


def test_every_row_lies_in_niedersachsen_without_a_question(rows, imported):
    """`atlas import` refuses the whole file if one row is ambiguous, not found or outside Niedersachsen."""
    store = imported.extensions["atlas"].store
    assert store.count("published") == len(rows)
    with store.read() as db:
        unconfirmed = db.execute(select(func.count()).select_from(projects).where(
            projects.c.quelle != "", projects.c.source_confirmed_at.is_(None))).scalar_one()
    assert unconfirmed == len(rows), "gathered from sources: none is confirmed by its Träger yet"


def test_it_covers_the_state_and_every_handlungsfeld(rows, imported):
    assert len(rows) >= 250
    with imported.extensions["atlas"].store.read() as db:
        kreise = db.execute(select(func.count(func.distinct(projects.c.kreis_rs)))).scalar_one()
    assert kreise >= 40
    fields = Counter(slug for row in rows for slug in row["handlungsfelder"].split(";"))
    assert set(fields) == set(HANDLUNGSFELDER)


def test_seeding_loads_it_into_an_empty_database_only(tmp_path, rows):
    app = make_app(tmp_path, SEED_CSV=str(DATA_SET))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0 and f"{len(rows)} Projekte aus" in first.output, first.output
    again = runner.invoke(args=["seed"])
    assert again.exit_code == 0 and "nicht geladen" in again.output, again.output
    assert app.extensions["atlas"].store.count() == len(rows)
