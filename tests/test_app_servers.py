"""Several app servers, as docs/operating.md deploys them: two gunicorn processes on ports of their own, one
PostgreSQL, one Redis (all started here, real). The office publishes, edits and archives a project through one
server, over HTTP as its browser would; the other server shows each change with its very next request – the start
page, the map data the page names, the district page, the project page and the near search – and a district the
change did not touch keeps its pages."""

from __future__ import annotations

import json
import secrets

import helpers
import pytest
import requests
from bs4 import BeautifulSoup
from helpers import OFFICE, create_account, form_values, make_app
from servers import Gunicorn, PostgresServer
from sqlalchemy import select

from atlas.migrate import upgrade
from atlas.schema import projects

pytestmark = pytest.mark.once  # it starts its own PostgreSQL: the same test on either run

NAME = "Sprachcafé Zwei Server"
TIMEOUT = 120  # seconds for an answer: a cold page on a machine shared with other test runs may take long
RENAMED = "Sprachcafé Zwei Server am Markt"


@pytest.fixture
def deployment(tmp_path, redis_server):
    """One database and one Redis; the operator migrates and seeds once, makes the office's account, and starts
    two app servers with the same settings (the secret key from the environment, as on two machines)."""
    postgres = PostgresServer()
    try:
        database = postgres.create_database()
        upgrade(database)
        operator = make_app(tmp_path / "operator", DATABASE_URL=database)
        assert operator.test_cli_runner().invoke(args=["seed"]).exit_code == 0
        create_account(operator, OFFICE, "--arl", "leine-weser")
        env = {"ATLAS_DATABASE_URL": database, "ATLAS_PAGE_CACHE_URI": redis_server.url[:-1] + "1",
               "ATLAS_RATELIMIT_STORAGE_URI": redis_server.url, "ATLAS_SECRET_KEY": secrets.token_hex(32),
               "ATLAS_BASE_URL": "https://atlas.example", "ATLAS_SESSION_COOKIE_SECURE": "false",  # plain HTTP here
               "ATLAS_TILES": "none", "ATLAS_SEED_CSV": helpers.SEED_CSV,
               "GUNICORN_CMD_ARGS": f"--timeout {TIMEOUT}"}  # gunicorn's own limit for one request: 30 s
        servers = []
        try:
            for name in ("eins", "zwei"):
                (tmp_path / name).mkdir()
                servers.append(Gunicorn(1, dict(env, ATLAS_INSTANCE_PATH=str(tmp_path / name / "instance")),
                                        tmp_path / name))
            yield operator, servers[0].url, servers[1].url
            for server in servers:
                assert "Traceback" not in server.output(), server.output()[-3000:]
        finally:
            for server in servers:
                server.stop()
            operator.extensions["atlas"].close()
    finally:
        postgres.stop()


def test_what_the_office_does_on_one_server_the_other_shows_at_once(deployment):
    operator, one, other = deployment
    before = public_view(other)  # the other server has made and kept its pages of the version before
    weser_ems = requests.get(other + "/region/weser-ems", timeout=TIMEOUT).headers["ETag"]
    assert NAME not in before.values()

    submit(one, NAME)
    project_id = project_named(operator, NAME)
    office = signed_in(one)
    assert decide(office, one, project_id, "freigeben").status_code == 302
    shown = public_view(other, project_id)
    assert NAME in shown["start"] and NAME in shown["map data"] and NAME in shown["district"]
    assert NAME in shown["project"] and NAME in shown["near"]
    assert requests.get(other + "/region/weser-ems", timeout=TIMEOUT).headers["ETag"] == weser_ems, \
        "a publication in Leine-Weser leaves Weser-Ems's pages valid"

    edit = form_values(BeautifulSoup(office.get(f"{one}/amt/projekt/{project_id}/bearbeiten", timeout=TIMEOUT).text,
                                     "html.parser"), "bearbeiten")
    sent = office.post(f"{one}/amt/projekt/{project_id}/bearbeiten", data=dict(edit, name=RENAMED),
                       allow_redirects=False, timeout=TIMEOUT)
    assert sent.status_code == 302, sent.text[:2000]
    shown = public_view(other, project_id)
    for page in ("start", "map data", "district", "project", "near"):
        assert RENAMED in shown[page], page
    assert NAME + "<" not in shown["project"]

    assert decide(office, one, project_id, "archivieren").status_code == 302
    shown = public_view(other, project_id)
    assert requests.get(f"{other}/projekt/{project_id}", timeout=TIMEOUT).status_code == 404
    for page in ("start", "map data", "district", "near"):
        assert NAME not in shown[page], page
    assert shown["map data"] == before["map data"], "the map shows what it showed before the publication"


def public_view(url: str, project_id: int | None = None) -> dict[str, str]:
    """What a visitor of this server sees: the start page, the map data it names, Leine-Weser's page, the
    project's page and the near search around Lamspringe."""
    start = requests.get(url + "/", timeout=TIMEOUT)
    assert start.status_code == 200
    data_url = BeautifulSoup(start.text, "html.parser").select_one("link[rel=preload][href*='projekte.json']")["href"]
    data = requests.get(url + data_url, timeout=TIMEOUT)
    assert data.status_code == 200
    seen = {"start": start.text, "map data": json.dumps(data.json(), ensure_ascii=False),
            "district": requests.get(url + "/region/leine-weser", timeout=TIMEOUT).text,
            "near": requests.get(url + "/in-der-naehe", params={"ort": "Lamspringe"}, timeout=TIMEOUT).text}
    if project_id is not None:
        seen["project"] = requests.get(f"{url}/projekt/{project_id}", timeout=TIMEOUT).text
    return seen


def submit(url: str, name: str) -> None:
    """A Träger submits a project in Lamspringe (Leine-Weser) through the form, and confirms the place shown."""
    with requests.Session() as browser:
        form = BeautifulSoup(browser.get(url + "/einreichen", timeout=TIMEOUT).text, "html.parser")
        step = browser.post(url + "/einreichen", timeout=TIMEOUT, data={
            **form_values(form, "einreichen"), "name": name, "handlungsfelder": "sprache", "ort": "Lamspringe",
            "consent": "y"})
        assert step.status_code == 200, step.text[:2000]
        sent = browser.post(url + "/einreichen", timeout=TIMEOUT, allow_redirects=False,
                            data=form_values(BeautifulSoup(step.text, "html.parser"), "einreichen"))
        assert sent.status_code == 302 and sent.headers["Location"].endswith("/einreichen/danke"), sent.text[:2000]


def project_named(operator, name: str) -> int:
    with operator.extensions["atlas"].store.read() as db:
        return db.execute(select(projects.c.id).where(projects.c.name == name)).scalar_one()


def signed_in(url: str) -> requests.Session:
    office = requests.Session()
    form = BeautifulSoup(office.get(url + "/amt/anmelden", timeout=TIMEOUT).text, "html.parser")
    token = form.select_one("input[name=csrf_token]")["value"]
    sent = office.post(url + "/amt/anmelden", timeout=TIMEOUT, allow_redirects=False, data={
        "csrf_token": token, "email": OFFICE, "password": helpers.PASSWORD})
    assert sent.status_code == 302, sent.text[:2000]
    return office


def decide(office: requests.Session, url: str, project_id: int, form: str) -> requests.Response:
    """Press the button of this form (freigeben, archivieren) on the office's page of the project."""
    page = BeautifulSoup(office.get(f"{url}/amt/projekt/{project_id}", timeout=TIMEOUT).text, "html.parser")
    return office.post(f"{url}/amt/projekt/{project_id}/{form}", data=form_values(page, form), allow_redirects=False,
                       timeout=TIMEOUT)
