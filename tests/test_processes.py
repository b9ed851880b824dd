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
from helpers import SQLITE_FILE
from servers import AtlasServe, Gunicorn, free_port

from atlas.migrate import upgrade

FIRST_REQUESTS = ["/", "/region/leine-weser", "/region/weser-ems", "/in-der-naehe?ort=Hannover", "/einreichen",
                  "/projekt/1", "/amt/anmelden", "/healthz"] * 2


def atlas(env: dict, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-c", "from atlas.cli import main; main()", *args]
    return subprocess.Popen(command, env={"PATH": "/usr/bin:/bin", **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def settings(tmp_path, database_url: str, first_start: bool = False, **more: str) -> dict:
    """An operator's environment; a public atlas (gunicorn, a proxy) names its address. What a start makes from data/
    is read from the run's cache folder, unless it is the `first_start` of a deployment: then it is made there."""
    return {**({} if first_start else helpers.kept()), "ATLAS_DATABASE_URL": database_url,
            "ATLAS_INSTANCE_PATH": str(tmp_path / "instance"), "ATLAS_TILES": "none",
            "ATLAS_BASE_URL": "https://atlas.example", "ATLAS_SEED_CSV": helpers.SEED_CSV, **more}


def empty_database(tmp_path) -> str:
    if helpers.postgres is None:
        return f"sqlite:///{tmp_path / 'atlas.db'}"
    return helpers.postgres[False].server.create_database()


def serve_on_a_new_file(tmp_path) -> AtlasServe:
    """`atlas serve` on a new SQLite file, its schema made as an operator makes it."""
    database = f"sqlite:///{tmp_path / 'atlas.db'}"
    upgrade(database)
    return AtlasServe(helpers.ATLAS, helpers.cli_environment(**settings(tmp_path, database)), tmp_path)


@SQLITE_FILE
def test_atlas_serve_logs_each_request_once(tmp_path):
    """One line per request in the operator's log, in the atlas's format: no second copy from the root logger."""
    server = serve_on_a_new_file(tmp_path)
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


@SQLITE_FILE
def test_atlas_serve_under_a_crowd_says_once_that_requests_wait(tmp_path):
    """waitress warns at every request it has to queue; 48 at once on its 8 threads would be dozens of lines."""
    server = serve_on_a_new_file(tmp_path)
    try:
        began = time.monotonic()
        with ThreadPoolExecutor(48) as crowd:
            answers = list(crowd.map(lambda _: requests.get(server.url + "/impressum", timeout=60).status_code,
                                     range(144)))
        minutes = (time.monotonic() - began) / 60
    finally:
        server.stop()
    assert answers == [200] * 144
    log = server.errors()
    said = [line for line in log.splitlines() if "waitress.queue: Task queue depth is" in line]
    assert 1 <= len(said) <= 1 + minutes, log  # said at all (48 on 8 threads wait), and once a minute at most
    assert len([line for line in log.splitlines() if "GET /impressum 200 " in line]) == 144


def test_four_workers_start_together_on_an_empty_database_without_an_error(tmp_path):
    env = settings(tmp_path, empty_database(tmp_path), first_start=True)
    for step in (["db", "upgrade"], ["seed"]):  # as the production start in docs/operating.md does, here twice at once
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


def test_each_gunicorn_worker_warms_up_before_its_first_request(tmp_path):
    """As `atlas serve` does once it listens, each worker makes the near index and the gazetteer in a thread once it
    has loaded the app (atlas/gunicorn_conf.py, as deploy/Dockerfile starts it): no request has asked for them. Its
    workers run threads (gthread), as the deployment's do."""
    seeded = helpers.make_app(tmp_path / "operator", seeded=True)
    server = Gunicorn(2, settings(tmp_path, seeded.config["DATABASE_URL"]), tmp_path)
    try:
        lines = server.warmed_up(2)
        assert "Using worker: gthread" in server.output()
        assert "atlas.access" not in server.output(), "warmed up before any request"
        workers = {line.split("] [", 1)[1].split("]", 1)[0] for line in lines}
        assert len(workers) == 2, lines
        answer = requests.get(server.url + "/in-der-naehe?ort=Hannover", timeout=60)
        assert answer.status_code == 200
        assert BeautifulSoup(answer.text, "html.parser").select("#treffer li"), "the seeded projects found"
    finally:
        server.stop()
    assert "warming up failed" not in server.output() and "Traceback" not in server.output()
    assert " GET /in-der-naehe " in server.output(), "requests are logged there: none came before the warm-up"


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


@pytest.mark.once  # the limits are counted in Redis: the same on either database
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
            helpers.postgres[False].server.drop_database(database)


def login_from(url: str, client: str, source: str = "127.0.0.1", proto: str = "https") -> int:
    """A login attempt that a reverse proxy on `source` forwards for `client`."""
    import http.client
    from urllib.parse import urlsplit

    port = urlsplit(url).port

    def fetch(method: str, path: str, body: str = "", cookie: str = ""):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
        try:
            headers = {"X-Forwarded-For": client, "X-Forwarded-Proto": proto, "X-Forwarded-Host": "atlas.example",
                       "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.headers, answer.read()
        finally:
            connection.close()

    _status, headers, body = fetch("GET", "/amt/anmelden")
    cookie = "; ".join(c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [])
    token = BeautifulSoup(body, "html.parser").select_one("input[name=csrf_token]")["value"]
    from urllib.parse import urlencode

    status, _headers, _body = fetch("POST", "/amt/anmelden", urlencode(
        {"csrf_token": token, "email": "niemand@arl.example", "password": "falsch-geraten"}), cookie)
    return status


@SQLITE_FILE
def test_atlas_serve_behind_a_proxy_sees_each_client_and_https(tmp_path):
    """waitress hands the forwarded client address, scheme and host to the atlas as gunicorn with ProxyFix does:
    every visitor has their own limit, HTTPS is recognised (HSTS), and only the trusted proxy is believed."""
    database = f"sqlite:///{tmp_path / 'atlas.db'}"
    upgrade(database)
    env = settings(tmp_path, database, ATLAS_PROXY_COUNT="1", ATLAS_BASE_URL="https://atlas.example",
                   ATLAS_SESSION_COOKIE_SECURE="false", ATLAS_LOGIN_RATE_LIMIT="3 per minute")
    server = AtlasServe(helpers.ATLAS, helpers.cli_environment(**env), tmp_path)
    try:
        first = [login_from(server.url, "203.0.113.1", proto="http") for _ in range(4)]
        assert first == [400, 400, 400, 429], first
        assert login_from(server.url, "203.0.113.2", proto="http") == 400, "another visitor, another bucket"
        answer = requests.get(server.url + "/", timeout=30, headers={"X-Forwarded-Proto": "https",
                                                                     "X-Forwarded-For": "203.0.113.3"})
        assert "max-age" in answer.headers.get("Strict-Transport-Security", ""), "HTTPS seen through the proxy"
        # a client that is not the proxy cannot pick its own address: its forwarded header is dropped
        spoofed = [login_from(server.url, f"198.51.100.{i}", source="127.0.0.2", proto="http") for i in range(4)]
        assert spoofed == [400, 400, 400, 429], spoofed
    finally:
        server.stop()
    assert "Traceback" not in server.errors()


@SQLITE_FILE
def test_atlas_serve_in_public_needs_its_address(tmp_path):
    database = f"sqlite:///{tmp_path / 'atlas.db'}"
    upgrade(database)
    env = settings(tmp_path, database, ATLAS_PROXY_COUNT="1")
    del env["ATLAS_BASE_URL"]
    run = subprocess.run(helpers.ATLAS + ["serve", "--port", str(free_port())], env=helpers.cli_environment(**env),
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "ATLAS_BASE_URL fehlt" in run.stderr and "Traceback" not in run.stderr
