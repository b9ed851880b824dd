"""The small doors an attacker tries: a decision without its version, the private link's page in a cache, a guessable
secret key, a database file others may read, a spreadsheet formula in full-width letters, a database that is down,
times the atlas would store with another meaning, and a number in the URL written with digits that are not 0–9."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from helpers import OFFICE, create_account, csrf_token, form_values, html, make_app, signed_in, submit
from sqlalchemy.engine import make_url

from atlas.facts import parse_times
from atlas.secret_key import UnsafeSecretKey, check_secret_key
from atlas.store import PUBLISHED
from atlas.transfer import spreadsheet_cell

SUPERSCRIPT_TWO = "%C2%B2"  # „²“: str.isdigit() takes it, int() refuses it


@pytest.mark.parametrize(("url", "status", "message"), [
    (f"/?seite={SUPERSCRIPT_TWO}", 400, "Ungültige Seitenzahl „²“"),
    (f"/region/weser-ems?seite={SUPERSCRIPT_TWO}", 400, "Ungültige Seitenzahl „²“"),
    (f"/suche?q=kurs&seite={SUPERSCRIPT_TWO}", 400, "Ungültige Seitenzahl „²“"),
    (f"/in-der-naehe?ort=Hannover&seite={SUPERSCRIPT_TWO}", 400, "Ungültige Seitenzahl „²“"),
    (f"/in-der-naehe?ort=Hannover&umkreis={SUPERSCRIPT_TWO}", 200, "Der Umkreis muss 5, 10, 25 oder 50 km sein, "
                                                                   "nicht „²“"),
    (f"/karte/ausschnitt.json?bbox=9,52,10,53&seite={SUPERSCRIPT_TWO}", 400, "Ungültige Seitenzahl „²“"),
    (f"/daten/projekte.csv?ort=Hannover&umkreis={SUPERSCRIPT_TWO}", 400, "Der Umkreis muss"),
    (f"/ogc/collections/projekte/items?limit={SUPERSCRIPT_TWO}", 400, "„limit“ muss eine ganze Zahl"),
    (f"/ogc/collections/projekte/items?offset={SUPERSCRIPT_TWO}", 400, "„offset“ muss eine ganze Zahl"),
    (f"/ogc/collections/kreise/items?limit={SUPERSCRIPT_TWO}", 400, "„limit“ muss eine ganze Zahl"),
    (f"/ogc/collections/projekte/items/{SUPERSCRIPT_TWO}", 404, "was not found"),
])
def test_a_number_in_the_url_is_written_with_the_digits_0_to_9(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    said = response.get_json()["description"] if response.is_json else html(response).get_text(" ")
    assert message in said


@pytest.fixture
def signed_office(app):
    """A test client signed in as the Leine-Weser office (`office` elsewhere: the app with its accounts)."""
    create_account(app, OFFICE, "--arl=leine-weser")
    return signed_in(app)


@pytest.mark.parametrize(("action", "form", "status"), [("freigeben", "freigeben", "pending"),
                                                        ("ablehnen", "ablehnen", "pending"),
                                                        ("archivieren", "archivieren", "published")])
def test_a_decision_without_the_version_it_was_made_on_decides_nothing(app, signed_office, action, form, status):
    project_id, _ = submit(app)
    store = app.extensions["atlas"].store
    if status == PUBLISHED:
        store.set_status(project_id, PUBLISHED, actor="test")
    data = form_values(html(signed_office.get(f"/amt/projekt/{project_id}")), form)
    del data["version"]
    answer = signed_office.post(f"/amt/projekt/{project_id}/{action}", data=dict(data, reason="Grund"))
    assert answer.status_code == 400
    assert store.get(project_id)["status"] == status


def test_a_withdrawal_without_its_version_withdraws_nothing(app):
    project_id, token = submit(app)
    client = app.test_client()
    data = form_values(html(client.get(f"/mein-projekt/{token}")), "zurueckziehen")
    del data["version"]
    assert client.post(f"/mein-projekt/{token}/zurueckziehen", data=dict(data, sure="y")).status_code == 400
    assert app.extensions["atlas"].store.get(project_id)["status"] == "pending"


def test_the_page_with_the_private_link_is_never_kept_or_indexed(app):
    client = app.test_client()
    page = html(client.get("/einreichen"))
    data = dict(form_values(page, "einreichen"), name="Sprachtreff", ort="Lamspringe", handlungsfelder="sprache",
                consent="y")
    located = html(client.post("/einreichen", data=data))
    answer = client.post("/einreichen", data=form_values(located, "einreichen"), follow_redirects=True)
    assert answer.request.path == "/einreichen/danke"
    assert "no-store" in answer.headers["Cache-Control"] and "private" in answer.headers["Cache-Control"]
    assert "noindex" in answer.headers["X-Robots-Tag"]
    assert html(answer).select_one("meta[name=robots]")["content"].startswith("noindex")


@pytest.mark.parametrize("key", ["a" * 32, "0" * 64, "ab" * 32, "dev-only-change-me" * 2, "secret" * 6,
                                 "0123456789abcde" * 3])
def test_a_trivial_secret_key_is_refused(key):
    with pytest.raises(UnsafeSecretKey):
        check_secret_key(key)


def test_a_random_secret_key_is_taken():
    import secrets

    check_secret_key(secrets.token_hex(32))
    check_secret_key(secrets.token_urlsafe(32))


@pytest.mark.once  # the embedded database is a file only on SQLite: this runs in the SQLite pass, never skipped
def test_the_database_file_is_readable_by_its_owner_only(tmp_path):
    app = make_app(tmp_path)
    submit(app)
    path = make_url(app.config["DATABASE_URL"]).database
    for name in (path, path + "-wal"):
        if os.path.exists(name):
            assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name


@pytest.mark.parametrize("value", ["＝HYPERLINK(\"https://evil.example\")", "＋49 5121", "－1+1", "＠SUM(1)"])
def test_a_full_width_formula_is_defused_in_every_spreadsheet(value):
    assert spreadsheet_cell(value) == "'" + value


def test_a_database_that_is_down_gives_a_page_that_says_so(tmp_path):
    from servers import free_port

    app = make_app(tmp_path, DATABASE_URL=f"postgresql+psycopg://atlas@127.0.0.1:{free_port()}/gibtsnicht",
                   migrate=False)
    client = app.test_client()
    answer = client.get("/")
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert "Datenbank" in html(answer).select_one("main").get_text()
    assert client.get("/healthz").status_code == 503


@pytest.mark.once  # a database that goes away for real: the embedded one's file (the PostgreSQL run shares its server)
def test_a_database_that_goes_down_while_the_atlas_runs_gives_a_page_that_says_so(tmp_path):
    app = make_app(tmp_path)
    client = app.test_client()
    assert client.get("/").status_code == 200
    folder = Path(make_url(app.config["DATABASE_URL"]).database).parent
    app.extensions["atlas"].store.close()  # the pool connects anew, as after a restart of the database
    folder.rename(folder.with_name(folder.name + "-weg"))
    answer = client.get("/in-der-naehe?ort=Hannover")  # not a page kept from before
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert "Datenbank" in html(answer).select_one("main").get_text()
    assert client.get("/healthz").status_code == 503


@pytest.mark.parametrize("times", ["week 01-53/53 Mo 10:00-12:00", "week 01-53/53 Tu-Th 09:00-11:00"])
def test_times_the_atlas_cannot_keep_as_written_are_refused(times):
    with pytest.raises(ValueError, match="nicht"):
        parse_times(times)


def test_times_that_normalise_without_changing_meaning_are_kept():
    assert parse_times("Di, Do 15:00–17:00 Uhr") == "Tu,Th 15:00-17:00"
    assert parse_times("week 1-53/2 Tu 09:00-11:00") == "week01-53/2 Tu 09:00-11:00"


def test_a_form_token_is_still_needed_for_a_decision(app, signed_office):
    project_id, _ = submit(app)
    page = signed_office.get(f"/amt/projekt/{project_id}")
    assert signed_office.post(f"/amt/projekt/{project_id}/freigeben", data={"version": "1"}).status_code == 400
    assert signed_office.post(f"/amt/projekt/{project_id}/freigeben",
                       data={"version": "1", "csrf_token": csrf_token(page)}).status_code == 302


@pytest.mark.parametrize("path", ["/amt/anmelden", "/einreichen", "/projekt/1/melden", "/benachrichtigung"])
def test_a_form_sent_without_its_token_is_refused_before_its_view_and_a_get_needs_none(client, path):
    """The app's CSRF check (atlas.web.csrf), not only the form's own: without the app's, three of these would say
    something else (the login's own form says the same)."""
    refused = client.post(path, data={"x": "1"})
    assert refused.status_code == 400 and "The CSRF token is missing." in refused.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_a_megabyte_of_empty_handlungsfelder_is_read_but_not_kept():
    """The submission form sends what it gets (hf=sprache&hf=&hf=…, up to the request's limit): a valid text that
    long must not stay in the memory of the texts read once."""
    from atlas.handlungsfelder import _kept, parse_handlungsfelder

    before = _kept.cache_info().currsize
    assert parse_handlungsfelder("sprache" + ";" * 900_000) == ["sprache"]
    assert _kept.cache_info().currsize == before
    assert parse_handlungsfelder("Sprache;wohnen-leben") == ["sprache", "wohnen-leben"]
    assert parse_handlungsfelder("Sprache;wohnen-leben") == ["sprache", "wohnen-leben"]
    assert _kept.cache_info().hits >= 1
