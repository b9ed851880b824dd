"""Fixtures: an app on a temporary instance, its CLI runner, and a loopback stand-in for Nominatim."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import weakref
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import helpers
import pytest
from helpers import make_app

from atlas.settings import DEFAULT_BASE_URL


def pytest_configure(config):
    """A cache folder for what an app keeps between starts (the gazetteer), for this run and its workers."""
    if "TESTS_CACHE_DIR" not in os.environ:
        os.environ["TESTS_CACHE_DIR"] = config._atlas_cache = tempfile.mkdtemp(prefix="atlas-tests-cache-")
    _keep_url_builders()


def _keep_url_builders() -> None:
    """The tests make thousands of apps with the same 88 routes, and Werkzeug writes and compiles Python source for
    each route's two URL builders anew in every app: 90 % of the CPU of making one (28 of 32 ms). A builder's code
    depends on its rule alone (the route, its parts, its defaults; converters are looked up on the rule it is bound
    to when it runs), so the tests keep each builder per process and bind it to every equal rule, as Werkzeug
    does. A served atlas makes its app once and is not touched by this."""
    from werkzeug.routing import Rule

    compile_builder = Rule._compile_builder  # renamed in a Werkzeug release? Then this line fails: drop the keeping
    kept: dict[tuple, object] = {}

    def kept_builder(self, append_unknown: bool = True):
        key = (self.rule, self.host, self.subdomain, tuple(self._trace), repr(sorted((self.defaults or {}).items())),
               repr([(name, type(converter), sorted((k, v) for k, v in vars(converter).items() if k != "map"))
                     for name, converter in self._converters.items()]), append_unknown)
        if key not in kept:
            kept[key] = compile_builder(self, append_unknown)
        return kept[key]

    Rule._compile_builder = kept_builder


def pytest_unconfigure(config):
    if getattr(config, "_atlas_cache", None):
        shutil.rmtree(config._atlas_cache, ignore_errors=True)
        del os.environ["TESTS_CACHE_DIR"]


def pytest_collection_modifyitems(config, items):
    """`make test` runs the suite on SQLite, then again on PostgreSQL for what depends on the database: the browser
    tests and the files marked `once` (their subject is the same on either) ran on SQLite and are deselected here,
    by name in pytest's summary – never skipped unseen."""
    if helpers.BACKEND != "postgresql":
        return
    once = [item for item in items if item.get_closest_marker("browser") or item.get_closest_marker("once")]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if item not in set(once)]


def pytest_report_header(config):
    if helpers.BACKEND == "postgresql":
        return "PostgreSQL run: the tests whose subject depends on the database; browser and `once` tests ran on SQLite"
    return None


@pytest.fixture(scope="session", autouse=True)
def database_backend():
    """On the PostgreSQL run: one throwaway server for the session, and a migrated template for every database."""
    if helpers.BACKEND != "postgresql":
        yield helpers.BACKEND
        helpers.close_apps()
        return
    from servers import DatabasePool, PostgresServer

    from atlas.migrate import upgrade

    server = PostgresServer()
    template = server.create_database()
    upgrade(template)
    server.trim_postgis(template.rsplit("/", 1)[1])
    seeded = server.create_database(template.rsplit("/", 1)[1])
    helpers.seed(seeded)
    helpers.postgres = {seeds: DatabasePool(server, url.rsplit("/", 1)[1])
                        for seeds, url in ((False, template), (True, seeded))}
    try:
        yield helpers.BACKEND
    finally:
        helpers.close_apps()
        for pool in helpers.postgres.values():
            pool.close()
        helpers.postgres = None
        server.stop()


@pytest.fixture(autouse=True)
def close_test_apps(database_backend):
    """The apps a test made (not those of wider fixtures, made before it) are closed after it."""
    first = len(helpers.apps)
    yield
    helpers.close_apps(first)


@pytest.fixture
def app(request, tmp_path):
    """An app on a database of its own: empty, or holding the seven seed projects when the test asks for `seeded`
    (or `client`), then copied from a database seeded once per process."""
    return make_app(tmp_path, seeded="seeded" in request.fixturenames)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def services(app):
    return app.extensions["atlas"]


@pytest.fixture
def seeded(app):
    """The app with the seven seed projects of tests/data/projects-7.csv published, as `atlas import` publishes
    them (tests/test_transfer.py imports them through it)."""
    return app


@pytest.fixture
def client(seeded):
    return seeded.test_client()


class FakeNominatim:
    """Answers /search like Nominatim does, from a table of known queries; records every request."""

    def __init__(self):
        from servers import LoopbackHttp

        self.answers: dict[str, list[dict]] = {}
        self.requests: list[tuple[float, dict]] = []
        self.status = 200
        self._http = LoopbackHttp(self._answer)
        self.url = self._http.url

    def _answer(self, path: str) -> tuple[int, str, bytes]:
        params = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        self.requests.append((time.monotonic(), params))
        found = self.answers.get(params.get("q", "").casefold(), [])
        return self.status, "application/json", json.dumps(found).encode()

    def close(self):
        self._http.close()


@pytest.fixture
def nominatim():
    fake = FakeNominatim()
    yield fake
    fake.close()


@pytest.fixture
def online_app(tmp_path, nominatim):
    return make_app(tmp_path, GEOCODER="nominatim", NOMINATIM_URL=nominatim.url, NOMINATIM_TIMEOUT=2)


# --- a seeded app served for real, and a headless Chromium driving it --------------------------------------

@contextmanager
def served(app):
    """The app served by waitress, as `make run` serves it, on a free port of the loopback interface."""
    from waitress import wasyncore
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    if app.config["BASE_URL"] == DEFAULT_BASE_URL:
        app.config["BASE_URL"] = f"http://127.0.0.1:{server.effective_port}"  # as an operator names the address
    stop = threading.Event()

    def run():  # the loop closes its own sockets: closing them from another thread races with its select()
        while not stop.is_set():
            wasyncore.loop(timeout=0.2, map=server._map, count=1)
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        stop.set()
        server.pull_trigger()  # wakes the select() at once
        thread.join(10)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """Shared by the browser tests that only read: the seed projects and nothing else, all session long."""
    return make_app(tmp_path_factory.mktemp("live"), seeded=True)


@pytest.fixture(scope="session")
def live_server(live_app):
    with served(live_app) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    """Chromium as the tests' visitors use it: a context each, as new (browsers.py)."""
    from browsers import Browser
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # as long as a page's own wait (watch): a busy machine is not a failure

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"])
        yield Browser(browser)
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    page = context.new_page()
    errors = watch(page)
    yield page
    context.close()
    assert not errors, f"the page misbehaved: {errors}"


def watch(page) -> list[str]:
    """What a test must never see: script errors, dialogs (alert(1) from injected markup), policy violations
    (blocked inline scripts, styles or frames) and requests that leave the loopback interface."""
    errors: list[str] = []
    page.set_default_timeout(10_000)
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))

    def dialog(dialog):
        errors.append(f"a script opened a dialog: {dialog.message}")
        dialog.dismiss()

    def console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            errors.append(f"policy violation: {message.text}")

    def request(request):
        if not request.url.startswith(("http://127.0.0.1:", "http://127.0.0.2:", "data:image/")):
            errors.append(f"request left the machine or used a payload URL: {request.url}")

    page.on("dialog", dialog)
    page.on("console", console)
    page.on("request", request)
    _track(page)
    return errors


_traffic: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # a watched page's open requests, last change


def _track(page) -> None:
    state = _traffic[page] = {"open": 0, "since": time.monotonic()}

    def change(step: int):
        def counted(_request):
            state["open"] += step
            state["since"] = time.monotonic()
        return counted

    page.on("request", change(1))
    page.on("requestfinished", change(-1))
    page.on("requestfailed", change(-1))


def settle(page, quiet: float = 0.2, timeout: float = 15) -> None:
    """Wait until the watched page has loaded and has had no request open for `quiet` seconds: what Playwright's
    "networkidle" waits for, without its fixed half second after every page."""
    state = _traffic.get(page)
    if state is None:  # a page not watched from its start: only Playwright knows its requests
        page.wait_for_load_state("networkidle")
        return
    page.wait_for_load_state("load")
    deadline = time.monotonic() + timeout
    while state["open"] > 0 or time.monotonic() - state["since"] < quiet:
        assert time.monotonic() < deadline, f"{page.url} kept {state['open']} requests open for {timeout} s"
        page.wait_for_timeout(25)  # lets Playwright deliver the page's events meanwhile


def open_popup(page, marker):
    """Click a map's marker as a person does: the map may still be settling (fitting its bounds, drawing its
    outlines) when the marker first appears, and a click then lands beside it; the person clicks again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    popup = page.locator(".leaflet-popup-content")
    for _ in range(3):
        marker.click()
        try:
            popup.wait_for(state="visible", timeout=2000)
            break
        except PlaywrightTimeout:
            continue
    return popup


# --- mail: a real SMTP server on loopback, and an app that sends through it --------------------------------

@pytest.fixture
def redis_server():
    """A real redis-server on a loopback port under /tmp, for this test."""
    from servers import RedisServer

    server = RedisServer()
    yield server
    server.close()


@pytest.fixture
def smtp():
    from servers import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(tmp_path, smtp):
    """An app whose mails go to the loopback SMTP server, with links on a public-looking base URL."""
    return make_app(tmp_path, MAIL_URL=smtp.url, MAIL_FROM="Gemeinsame Sache <atlas@atlas.example>",
                    BASE_URL="https://atlas.example")
