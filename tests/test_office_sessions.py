"""An office session lives on the server: logging out or a new password ends it, whoever holds a copy of the cookie."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from flask.sessions import SecureCookieSessionInterface
from helpers import PASSWORD, create_account, csrf_token, login, make_app
from sqlalchemy import update

from atlas import hashing
from atlas.accounts import authenticate
from atlas.schema import office_sessions


@pytest.fixture
def office(tmp_path):
    app = make_app(tmp_path)
    create_account(app, "leine-weser@arl.example", "--arl", "leine-weser")
    return app


def test_a_cookie_copied_before_logout_opens_nothing_afterwards(office):
    client = office.test_client()
    assert login(client, "leine-weser@arl.example").status_code == 302
    copied = client.get_cookie("session").value
    queue = client.get("/amt/")
    assert queue.status_code == 200
    client.post("/amt/abmelden", data={"csrf_token": csrf_token(queue)})
    thief = office.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/amt/").status_code == 302
    assert thief.get("/amt/export.csv").status_code == 302


def test_a_new_password_ends_every_session_of_the_account(office):
    laptop, phone = office.test_client(), office.test_client()
    login(laptop, "leine-weser@arl.example")
    login(phone, "leine-weser@arl.example")
    result = office.test_cli_runner().invoke(args=["set-password", "leine-weser@arl.example"],
                                             input="ein-ganz-neues-passwort\n")
    assert result.exit_code == 0, result.output
    assert "2 Sitzung(en) beendet" in result.output
    assert laptop.get("/amt/").status_code == 302 and phone.get("/amt/").status_code == 302
    assert login(laptop, "leine-weser@arl.example", PASSWORD).status_code == 400
    assert login(laptop, "leine-weser@arl.example", "ein-ganz-neues-passwort").status_code == 302


def test_an_account_number_in_a_validly_signed_cookie_is_no_session(office):
    """Even someone holding the key cannot sign in by naming an account: the cookie must name a live session."""
    cookie = SecureCookieSessionInterface().get_signing_serializer(office).dumps({"_user_id": "1", "_fresh": True})
    client = office.test_client()
    client.set_cookie("session", cookie)
    assert client.get("/amt/").status_code == 302


def test_a_session_ends_after_its_lifetime(office):
    client = office.test_client()
    login(client, "leine-weser@arl.example")
    store = office.extensions["atlas"].store
    with store.write() as db:
        db.execute(update(office_sessions).values(created_at=datetime.now(UTC) - timedelta(hours=13)))
    assert client.get("/amt/").status_code == 302


def test_an_unknown_address_costs_as_much_as_a_wrong_password(office):
    """Timing does not tell which office addresses exist: an unknown one is checked against a hash too. Measured
    with the real hash (scrypt), not the tests' cheap one, whose cost a busy machine's noise would hide, and in the
    CPU time of the thread that checks: the work each side does, which a busy machine cannot stretch (in wall time,
    at load 15 on 2 cores, 40 rounds once found the unknown side's real cost, 0.10 s, but never the known one's)."""
    store = office.extensions["atlas"].store
    hashing.configure("scrypt")
    try:
        create_account(office, "zeit@arl.example", "--arl", "leine-weser")
        authenticate(store, "niemand@arl.example", "falsch")

        def took(email: str) -> float:
            start = time.thread_time()
            assert authenticate(store, email, "falsch") is None
            return time.thread_time() - start

        # interleaved, and the fastest of each: a busy machine adds a little CPU time too (its caches shared), to
        # either side. Where seven rounds do not reach either side's real cost: more, as the fastest can only fall
        known = unknown = float("inf")
        for round_ in range(40):
            known, unknown = min(known, took("zeit@arl.example")), min(unknown, took("niemand@arl.example"))
            if round_ >= 6 and 0.5 < unknown / known < 2:
                break
    finally:
        hashing.configure(office.config["PASSWORD_HASH"])
    assert 0.5 < unknown / known < 2, (known, unknown)
