"""The office as a team, for the tests of holds, notes, duplicates and merging: one district's office with two
clerks, another district's clerk, an admin, and records of one project twice (an entry gathered from a public
source and a submission of the same Sprachcafé)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from helpers import create_account, html, make_app, signed_in, submit
from test_sources import add_sources

from atlas.accounts import user_id_for

ANNA = "anna@arl-lw.example"  # leine-weser
BEN = "ben@arl-lw.example"  # leine-weser
BRAUNSCHWEIG = "clerk@arl-bs.example"  # another district
LAND = "land@ml.example"  # admin
OBSERVER = "referat@ml.example"  # an observer: reads every district, changes nothing
SUBMITTER = "traeger@example.org"


@dataclass
class Team:
    app: object
    source: int  # „Sprachcafé Lamspringe“, published, gathered from a source of 2019, unconfirmed
    frauentreff: int  # published, from a source, Hildesheim
    fahrrad: int  # published, confirmed, Hildesheim
    submission: int  # „Sprachcafe Lamspringe“, pending, with a private link
    link: str  # the submission's private link
    salzgitter: int  # pending, in Braunschweig's district
    anna: int = 0
    ben: int = 0

    @property
    def store(self):
        return self.app.extensions["atlas"].store

    def client(self, email: str):
        return signed_in(self.app, email)


def make_team(directory, **settings) -> Team:
    app = make_app(directory, **settings)
    source, frauentreff, fahrrad = add_sources(app, directory)
    submission, link = submit(app, name="Sprachcafe Lamspringe", traeger="Ev. Kirchengemeinde Lamspringe",
                              email=SUBMITTER, description="Jeden Dienstag Deutsch üben, mit Kuchen.")
    salzgitter, _link = submit(app, name="Sprachcafé Salzgitter", ort="Salzgitter", email="")
    for email, option in ((ANNA, "--arl=leine-weser"), (BEN, "--arl=leine-weser"),
                          (BRAUNSCHWEIG, "--arl=braunschweig"), (LAND, "--admin")):
        create_account(app, email, option)
    team = Team(app, source, frauentreff, fahrrad, submission, link, salzgitter)
    team.anna, team.ben = user_id_for(team.store, ANNA), user_id_for(team.store, BEN)
    return team


@pytest.fixture(name="team")
def team_fixture(tmp_path):
    """Import it as `team_fixture`; tests ask for `team`."""
    return make_team(tmp_path)


def page_form(client, path: str, form_id: str) -> dict:
    """The hidden fields of a form as the page shows it (CSRF token, what the page saw)."""
    page = html(client.get(path))
    form = page.select_one(f"form#{form_id}")
    assert form is not None, (path, form_id)
    return {node["name"]: node.get("value", "") for node in form.select("input[type=hidden]")}
