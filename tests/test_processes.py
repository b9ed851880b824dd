"""The atlas on several processes, as an operator runs it: gunicorn workers, a shared Redis, one database."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import helpers
import pytest
import requests
from bs4 import BeautifulSoup
from servers import AtlasServe, Gunicorn, RedisServer

from atlas.migrate import upgrade

FIRST_REQUESTS = ["/", "/region/leine-weser", "/region/weser-ems", "/in-der-naehe?ort=Hannover", "/einreichen",
                  "/projekt/1", "/amt/anmelden", "/healthz"] * 2


def atlas(env: dict, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-c", "from atlas.cli import main; main()", *args]
    return subprocess.Popen(command, env={"PATH": "/usr/bin:/bin", **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def settings(tmp_path, database_url: str, **more: str) -> dict:
    return {"ATLAS_DATABASE_URL": database_url, "ATLAS_INSTANCE_PATH": str(tmp_path / "instance"),
            "ATLAS_TILES": "none", "ATLAS_SEED_CSV": helpers.SEED_CSV, **more}


def empty_database(tmp_path) -> str:
    if helpers.postgres is None:
        return f"sqlite:///{tmp_path / 'atlas.db'}"
    return helpers.postgres[0].create_database()


def test_atlas_serve_logs_each_request_once(tmp_path):
    """One line per request in the operator's log, in the atlas's format: no second copy from the root logger."""
    database = f"sqlite:///{tmp_path / 'atlas.db'}"
    upgrade(database)
    server = AtlasServe(helpers.ATLAS, helpers.cli_environment(**settings(tmp_path, database)), tmp_path)
    try:
        for path in ("/healthz", "/impressum", "/region/weser-ems"):
            assert requests.get(server.url + path, timeout=60).status_code == 200, path
    finally:
        server.stop()
    log = server.errors()
    for path in ("/healthz", "/impressum", "/region/weser-ems"):
        lines = [line for line in log.splitlines() if f"GET {path} 200 " in line]
        assert len(lines) == 1, log
        assert " INFO [" in lines[0] and "] atlas.access: GET " in lines[0] and lines[0].endswith(" ms"), lines
    assert "Traceback" not in log


@pytest.fixture
def redis_server():
    server = RedisServer()
    yield server
    server.close()


def test_four_workers_start_together_on_an_empty_database_without_an_error(tmp_path):
    env = settings(tmp_path, empty_database(tmp_path))
    for step in (["db", "upgrade"], ["seed"]):  # as the README's production start does, here twice at once
        runs = [atlas(env, *step) for _ in range(2)]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
    server = Gunicorn(4, env, tmp_path)
    try:
        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(lambda path: requests.get(server.url + path, timeout=60), FIRST_REQUESTS))
        assert [a.status_code for a in answers] == [200] * len(FIRST_REQUESTS), server.output()[-3000:]
        health = requests.get(server.url + "/healthz", timeout=10).json()
        assert health["status"] == "ok" and health["regions"] == 45 and health["database"]
    finally:
        server.stop()
    lines = [line for line in server.output().splitlines() if "atlas.access" in line]
    assert len(lines) >= len(FIRST_REQUESTS) + 1
    assert any(" GET /region/weser-ems 200 " in line and line.endswith(" ms") for line in lines)
    assert "Traceback" not in server.output()
    app = helpers.make_app(tmp_path / "pruefen", DATABASE_URL=env["ATLAS_DATABASE_URL"])
    assert app.extensions["atlas"].store.count() == 7, "seeded once"


def submit_once(url: str) -> int:
    with requests.Session() as browser:
        form = BeautifulSoup(browser.get(url + "/einreichen", timeout=30).text, "html.parser")
        token = form.select_one("input[name=csrf_token]")["value"]
        return browser.post(url + "/einreichen", timeout=30, data={
            "csrf_token": token, "name": "Sprachcafé", "handlungsfelder": "sprache", "ort": "Lamspringe",
            "consent": "y"}).status_code


def login_once(url: str) -> int:
    with requests.Session() as browser:
        form = BeautifulSoup(browser.get(url + "/amt/anmelden", timeout=30).text, "html.parser")
        token = form.select_one("input[name=csrf_token]")["value"]
        return browser.post(url + "/amt/anmelden", timeout=30, data={
            "csrf_token": token, "email": "niemand@arl.example", "password": "falsch-geraten"}).status_code


def test_two_workers_share_their_limits_through_redis_and_survive_its_outage(tmp_path, redis_server):
    database = empty_database(tmp_path)
    upgrade(database)
    env = settings(tmp_path, database, ATLAS_RATELIMIT_STORAGE_URI=redis_server.url,
                   ATLAS_SUBMIT_RATE_LIMIT="5 per minute", ATLAS_LOGIN_RATE_LIMIT="3 per minute")
    server = Gunicorn(2, env, tmp_path)
    try:
        submissions = [submit_once(server.url) for _ in range(20)]
        assert len([s for s in submissions if s != 429]) == 5, submissions
        assert 500 not in submissions
        logins = [login_once(server.url) for _ in range(12)]
        assert logins.count(400) == 3 and logins.count(429) == 9, logins

        redis_server.stop()
        during = [requests.get(server.url + path, timeout=30).status_code for path in ("/", "/einreichen")]
        during += [submit_once(server.url) for _ in range(4)] + [login_once(server.url) for _ in range(4)]
        assert 500 not in during and all(code in (200, 400, 429) for code in during), during
        assert requests.get(server.url + "/", timeout=30).status_code == 200
        time.sleep(0.5)
        assert "Rate limit storage unreachable - falling back to in-memory storage" in server.output()
    finally:
        server.stop()
        if helpers.postgres is not None:
            helpers.postgres[0].drop_database(database)
