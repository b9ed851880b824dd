"""What a browser does with a form, for tests that use Flask's client: read its fields, send them back."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from atlas import create_app
from atlas.migrate import upgrade

# `make test` runs the suite twice: on SQLite, then with ATLAS_TEST_BACKEND=postgresql on a PostgreSQL server that
# conftest starts (tests/servers.py). Every app a test makes gets its own database either way.
BACKEND = os.environ.get("ATLAS_TEST_BACKEND", "sqlite")
postgres = None  # while the PostgreSQL backend runs: a servers.DatabasePool each of empty and of seeded databases
apps: list = []  # every app made, so its database connections are closed after its test
ATLAS = [str(Path(sys.executable).with_name("atlas"))]  # the `atlas` command of the venv the tests run in
# The seven projects the tests tell their story with (data/projects.csv is the real data set, which changes)
SEED_CSV = str(Path(__file__).resolve().parent / "data" / "projects-7.csv")


def cli_environment(cold: bool = False, **settings: str) -> dict[str, str]:
    """The environment of an `atlas` command started by a test: this one without its ATLAS_* settings, then
    `settings` (PYTHONPATH stays: a worktree puts its own code first). What a start makes from data/ (the regions,
    the gazetteer, the maps: 1.5–2 s of CPU) is read from the run's cache folder, as make_app's apps read it, unless
    `cold`: then the start makes it in its instance's own folder, as an operator's first start does."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}, **({} if cold else kept()),
            **settings}


def kept() -> dict[str, str]:
    """The setting that lets a process started by a test read what the run's earlier starts made from data/ (the
    cache folder of make_app's apps) instead of making it again: for the tests whose subject is not a first start."""
    return {"ATLAS_CACHE_DIR": str(_cache_dir())}


def on_map(part: str) -> str:
    """A JavaScript expression for a part of the page's map, as the browser code shows it on the map's element
    (static/js/dom.js, expose): "map", "projects", "basemap" or "pin"; undefined until the map has it.

    A call that moves the map goes in braces, `() => {{ ….setView(…); }}`: Leaflet's setView, setZoom and panBy
    return the map itself, and Playwright would copy that whole graph of objects back to Python (20–30 s)."""
    return f"document.getElementById('map_atlas')?.atlas?.{part}"


# A test on a SQLite file it names itself (an old release's database, `atlas db upgrade` on a new file): the same on
# either run of the suite, so it runs once, on SQLite (see conftest).
SQLITE_FILE = pytest.mark.once
GENEROUS = ("SEARCH_RATE_LIMIT", "DOWNLOAD_RATE_LIMIT", "EMBED_RATE_LIMIT", "POSTER_RATE_LIMIT", "PDF_RATE_LIMIT",
            "MAP_VIEW_RATE_LIMIT")
CHEAP_HASH = "pbkdf2:sha256:1000"  # passwords in tests: hundreds are hashed, none protects anything


def make_app(directory: Path, migrate: bool = True, seeded: bool = False, **settings):
    """An app on its own instance folder and database, its schema upgraded as `atlas db upgrade` does (unless
    `migrate` is false: a database that is not there). Its own database is a copy of one upgraded so: upgrading it
    again would change nothing. `seeded`: a copy of one that also holds the seven seed projects of SEED_CSV,
    published as `atlas import` publishes them."""
    if "DATABASE_URL" not in settings:
        settings["DATABASE_URL"] = new_database_url(directory, seeded)
        migrate = False
    else:
        assert not seeded, "a database the test names is seeded by the test"
    for limit in GENEROUS:  # one test client stands for many visitors; tests/test_floods.py tests these limits
        settings.setdefault(limit, "100000 per minute")
    settings.setdefault("PASSWORD_HASH", CHEAP_HASH)
    settings.setdefault("CACHE_DIR", str(_cache_dir()))  # what a start may keep (the gazetteer) is made once
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(directory / "instance"), "TILES": "none",
                      "SEED_CSV": SEED_CSV, **settings})
    if migrate:
        upgrade(app.config["DATABASE_URL"])
    apps.append(app)
    return app


def new_database_url(directory: Path, seeded: bool = False) -> str:
    """A database of the backend under test with its schema upgraded, empty or seeded: a copy of a template database,
    made once per process (on PostgreSQL, a copy from a pool, reset after the test that used it)."""
    if postgres is None:
        path = directory / "atlas.db"
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sqlite_template(seeded), path)
        return f"sqlite:///{path}"
    return postgres[seeded].take()


def seed(database_url: str) -> None:
    """The seven seed projects of SEED_CSV into the upgraded database at `database_url`, published, as `atlas import`
    puts them: a template for the tests that start with them."""
    from atlas.transfer import import_csv

    app = make_app(Path(tempfile.mkdtemp(prefix="atlas-seeding-", dir=_cache_dir())), migrate=False,
                   DATABASE_URL=database_url)
    apps.remove(app)
    services = app.extensions["atlas"]
    try:
        report = import_csv(app.config["SEED_CSV"], services.store, services.geocoder)
        assert report.ok and len(report.ids) == 7, report.errors
    finally:
        services.close()


def _cache_dir() -> Path:
    """One cache folder for the whole run, shared by pytest-xdist's workers (conftest's pytest_configure makes it;
    without it, as in a benchmark, one of this process's own: what is read from it is run as code)."""
    return Path(os.environ.get("TESTS_CACHE_DIR") or _own_cache_dir())


@functools.cache
def _own_cache_dir() -> str:
    directory = tempfile.mkdtemp(prefix="atlas-cache-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


@functools.cache
def _sqlite_template(seeded: bool = False) -> Path:
    """The migrated database (or the migrated and seeded one) that each test's is copied from, one per process,
    inside the run's cache folder (which goes when the run ends)."""
    path = Path(tempfile.mkdtemp(prefix="atlas-template-", dir=_cache_dir())) / "atlas.db"
    if seeded:
        shutil.copyfile(_sqlite_template(), path)
        seed(f"sqlite:///{path}")  # closed after, so the file is whole
    else:
        upgrade(f"sqlite:///{path}")  # as `atlas db upgrade` makes it; closed after, so the file is whole
    return path


def close_apps(first: int = 0) -> None:
    """Close the database connections of the apps made since `first`, and give their PostgreSQL databases back to the
    pool."""
    while len(apps) > first:
        app = apps.pop()
        app.extensions["atlas"].close()
        url = app.config["DATABASE_URL"]
        for pool in (postgres or {}).values():
            if pool.owns(url):
                pool.give_back(url)


def kept_for_its_readers(app, url: str, **headers):
    """A page made per request that is kept once made (the same for everyone who asks for it): asked twice, the
    second answer comes from the page cache, is the first byte for byte, and only the reader's browser may keep it.
    Returns the second answer."""
    client, pages = app.test_client(), app.extensions["atlas_pages"]
    first = client.get(url, headers=headers)
    renders = pages.renders
    again = client.get(url, headers=headers)
    assert pages.renders == renders, f"{url} was made again"
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] and again.headers["Cache-Control"] == "private, no-cache", "kept by its reader only"
    return again


def html(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def textarea(node) -> str:
    """A browser drops the newline that opens a textarea's content."""
    return node.get_text().removeprefix("\r\n").removeprefix("\n")


def form_values(page: BeautifulSoup, form: str) -> dict:
    """What the browser would send: every input and textarea of the form as the page shows it."""
    values: dict = {}
    boxes = [node["name"] for node in page.select(f"form#{form} input[type=checkbox]")]
    lists = {name for name in boxes if boxes.count(name) > 1}  # a group of checkboxes sends a list
    for name in lists:
        values[name] = []
    for node in page.select(f"form#{form} input, form#{form} textarea"):
        kind = node.get("type")
        if kind in ("checkbox", "radio") and not node.has_attr("checked"):
            continue
        value = textarea(node) if node.name == "textarea" else node.get("value", "y" if kind == "checkbox" else "")
        if node["name"] in lists:
            values[node["name"]].append(value)
        else:
            values[node["name"]] = value
    return values


def form_data_set(form) -> list[tuple[str, str]]:
    """What a browser sends for a form as loaded, pressing no particular button (HTML's form data set): every
    enabled named control – text as shown, checked boxes and radios, each select's selected option (else its
    first), textareas – in document order."""
    sent: list[tuple[str, str]] = []
    for node in form.select("input, select, textarea"):
        name = node.get("name")
        if not name or node.has_attr("disabled") or node.find_parent("fieldset", disabled=True):
            continue
        kind = (node.get("type") or "text").lower()
        if node.name == "select":
            options = node.select("option")
            chosen = [o for o in options if o.has_attr("selected")] or options[:1]
            sent += [(name, o.get("value", o.get_text())) for o in chosen]
        elif node.name == "textarea":
            sent.append((name, textarea(node)))
        elif kind in ("checkbox", "radio"):
            if node.has_attr("checked"):
                sent.append((name, node.get("value", "on")))
        elif kind not in ("submit", "button", "reset", "image", "file"):
            sent.append((name, node.get("value", "")))
    return sent


PASSWORD = "ein-langes-passwort"  # every test account's password


def csrf_token(response) -> str:
    return html(response).select_one("input[name=csrf_token]")["value"]


def create_account(app, email: str, *options: str) -> None:
    """An office account as the operator makes one: `atlas create-user EMAIL --arl SLUG` (or --admin)."""
    result = app.test_cli_runner().invoke(args=["create-user", email, *options], input=f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output


def login(client, email: str, password: str = PASSWORD):
    """Sign in through the login form, as a person does; returns the answer to the form."""
    page = client.get("/amt/anmelden")
    return client.post("/amt/anmelden", data={"email": email, "password": password, "csrf_token": csrf_token(page)})


# Hostile text for every field and parameter: HTML, attributes, URLs with javascript: and data:, SVG and MathML,
# script string contexts, template syntax, and markup that would fetch from a host of the attacker's.
EVIL = "//evil.invalid"
PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "'><iframe src=javascript:alert(1)>",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    '<a href="javascript:alert(1)">klick</a>',
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    "';alert(1);//",
    '";alert(1);//',
    "`${alert(1)}`",
    "\\u003cimg src=x onerror=alert(1)\\u003e",
    "&lt;img src=x onerror=alert(1)&gt;",
    "{{7*7}}{{constructor.constructor('alert(1)')()}}",
    f'<img src="{EVIL}/pixel.png">',
    f"<link rel=stylesheet href={EVIL}/x.css>",
    f"<style>@import url({EVIL}/x.css)</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    f'<base href="{EVIL}/">',
    f"<form action={EVIL}><button>los</button></form>",
    f'<div style="background:url({EVIL}/bg.png)">x</div>',
    "<x onmouseover=alert(1)>drüberfahren</x>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "]]><!--<script>alert(1)</script>-->",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "<img src=x onerror=alert`1`>",
]


# --- the mail loop: submissions as the store takes them, mails as people read them -----------------------

def submit(app, name: str = "Sprachcafé Lamspringe", ort: str = "Lamspringe", email: str = "traeger@example.org",
           handlungsfelder: str = "sprache", **fields) -> tuple[int, str]:
    """A submission as the form stores it once its place is found: (project id, the private link's token)."""
    from atlas.projects import validate_project

    services = app.extensions["atlas"]
    project, errors = validate_project({"name": name, "ort": ort, "email": email,
                                        "handlungsfelder": handlungsfelder, **fields})
    assert not errors, errors
    place = services.geocoder.geocode(ort).place
    return services.store.submit(project, place)


def deliver(app, now=None):
    """What `atlas serve` does every few seconds: send the outbox."""
    from atlas.mail_texts import deliver as send

    return send(app, now)


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


def links(message, base: str = "https://atlas.example") -> list[str]:
    """The atlas's links in a mail's plain text, as paths the test client opens."""
    import re

    return [url.removeprefix(base) for url in re.findall(re.escape(base) + r"/\S+", text_of(message))]


def token_in(path: str) -> str:
    return path.rstrip("/").split("?")[0].split("/")[-1]


XSS_REASON = "Bitte <img src=x onerror=alert(1)> ergänzen & neu einreichen"


OFFICE = "leine-weser@arl.example"  # the office of Lamspringe and Hildesheim, where the mail tests submit


def signed_in(app, email: str = OFFICE):
    """A browser (test client) of the office account `email`, made before, signed in."""
    client = app.test_client()
    assert login(client, email).status_code == 302, f"{email} could not sign in"
    return client


# --- projects with facts: languages, target groups, cost, times -----------------------------------------------

FACTS_BASE = {"name": "Sprachcafé", "ort": "Hildesheim", "handlungsfelder": "sprache"}


def facts(**fields):
    """A valid project with these fields (and facts), as the form or an import hands it to the store."""
    from atlas.projects import validate_project

    project, errors = validate_project(dict(FACTS_BASE, **fields))
    assert not errors, errors
    return project


def hours_from_now(hours: int) -> str:
    """Daily times that begin `hours` from now (local time) and last 90 minutes: open now for 0, not for 12."""
    from datetime import timedelta

    from atlas.present import local_now

    start = (local_now() + timedelta(hours=hours)).replace(minute=0)
    end = start + timedelta(minutes=90)
    return f"Mo-Su {start:%H:%M}-{'24:00' if end.date() != start.date() else f'{end:%H:%M}'}"


def add_facts_projects(app) -> None:
    """Four published projects in Hildesheim (ids 1–4) whose facts differ."""
    from atlas.store import PUBLISHED

    services = app.extensions["atlas"]
    place = services.geocoder.geocode("Hildesheim").place
    rows = [
        facts(name="Sprachcafé Arabisch", sprachen="de;ar", zielgruppen="alle", kosten="kostenlos",
              zeiten=hours_from_now(0), barrierefrei="ja", kontakt="05121 123456"),
        facts(name="Frauentreff", sprachen="de;fa", zielgruppen="frauen", kosten="gebuehr", zeiten=hours_from_now(12)),
        facts(name="Jobberatung", handlungsfelder="arbeit-ausbildung", sprachen="de;en", zielgruppen="erwachsene",
              kosten="kostenlos", wann="vereinbarung"),
        facts(name="Altes Projekt"),  # nothing known, as after the migration
    ]
    services.store.add_many([(row, place) for row in rows], PUBLISHED)


WAVE1 = Path(__file__).parent / "data" / "atlas-wave1.sql"  # a database as the first release left it


def old_database(directory: Path, revision: str, *statements: str) -> Path:
    """A database of the first release (its seven projects) migrated to `revision`, `statements` run there: what a
    migration after it meets."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from atlas.migrate import alembic_config

    database = directory / "atlas.db"
    with sqlite3.connect(database) as db:
        db.executescript(WAVE1.read_text())
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        command.stamp(alembic_config(connection), "0001")
        command.upgrade(alembic_config(connection), revision)
        for statement in statements:
            connection.execute(text(statement))
        connection.commit()
    engine.dispose()
    return database


def assert_kept_per_header(app, header: str, values: list[str], kept, answer, anew) -> None:
    """An answer kept per request header (atlas.web.per_header: `kept` is the kept function): for each of these
    values of `header`, asked twice it is what `anew` (the request's own parse) gives, at most HEADERS are kept, and
    a value is kept unless it is longer than LONGEST."""
    from atlas.web.per_header import HEADERS, LONGEST

    kept.kept.cache_clear()
    for value in values:
        before = kept.kept.cache_info()
        with app.test_request_context(headers={header: value}):
            assert answer() == answer() == anew(), value
        now = kept.kept.cache_info()
        assert now.currsize <= HEADERS
        assert now.hits - before.hits == (1 if len(value) <= LONGEST else 0), value  # asked twice: kept unless long


def open_location_step(page, site: str, name: str) -> None:
    """In a browser: the submission form filled in as a person does (a name, „Sprache“, Lamspringe, the consent) and
    sent – the page is the location step."""
    page.goto(site + "/einreichen")
    page.get_by_label("Name des Projekts").fill(name)
    page.get_by_role("checkbox", name="Sprache", exact=True).check()
    page.get_by_label("Ort", exact=True).fill("Lamspringe")
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Weiter: Standort prüfen").click()
