"""A second factor for office accounts: enrolment on the account page, the login in two steps, codes that count
once, recovery codes, rate limits on the code step, ATLAS_REQUIRE_2FA, `atlas reset-2fa`, and the schema upgrade."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from helpers import PASSWORD, PAYLOADS, create_account, csrf_token, html, login, make_app
from sqlalchemy import select, text

from atlas import audit, hashing
from atlas.schema import recovery_codes, users

OFFICE = "leine-weser@arl.example"
ADMIN = "land@ml.example"


@pytest.fixture
def office(tmp_path):
    app = make_app(tmp_path)
    create_account(app, OFFICE, "--arl", "leine-weser")
    create_account(app, ADMIN, "--admin")
    return app


def enrol_on_page(client) -> tuple[str, list[str]]:
    """Enrol as a person does on /amt/konto: read the secret shown, type the code the app shows now."""
    page = html(client.get("/amt/konto"))
    secret = page.select_one("#schluessel").get_text().replace(" ", "")
    answer = client.post("/amt/konto/zweiter-faktor", data={
        "csrf_token": page.select_one("form#zweiter-faktor input[name=csrf_token]")["value"],
        "code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return secret, [node.get_text() for node in html(answer).select("#wiederherstellungscodes code")]


def enrolled_earlier(app, email: str = OFFICE, minutes: int = 5) -> str:
    """An account that enrolled a few minutes ago (so the codes of now are unused); returns its secret."""
    from atlas.accounts import user_id_for

    factor, store = app.extensions["atlas"].second_factor, app.extensions["atlas"].store
    user_id = user_id_for(store, email)
    secret = factor.pending(user_id, email).secret
    then = time.time() - minutes * 60
    assert factor.confirm(user_id, email, pyotp.TOTP(secret).at(then), at=then)
    return secret


def next_code(secret: str) -> str:
    """The code the app shows next (half a minute on): accepted now already, as a phone's clock may run ahead."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def wrong_code(secret: str) -> str:
    """Six digits that none of the codes accepted now are."""
    totp, now = pyotp.TOTP(secret), time.time()
    accepted = {totp.at(now + offset) for offset in (-30, 0, 30)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def send_code(client, code: str = "", recovery: str = ""):
    page = client.get("/amt/anmelden/code")
    assert page.status_code == 200, page.headers.get("Location")
    return client.post("/amt/anmelden/code", data={"code": code, "recovery": recovery,
                                                   "csrf_token": csrf_token(page)})


def signed_in(client) -> bool:
    answer = client.get("/amt/")
    return answer.status_code == 200


def logout(client) -> None:
    client.post("/amt/abmelden", data={"csrf_token": csrf_token(client.get("/amt/konto"))})


def test_enrolment_shows_a_qr_code_and_the_secret_and_counts_only_after_a_right_code(office):
    client = office.test_client()
    assert login(client, OFFICE).headers["Location"] == "/amt/"  # no second factor yet: the password is enough
    page = html(client.get("/amt/konto"))
    qr = page.select_one(".enrol-qr[role=img]")
    assert qr["aria-label"] and qr.select_one("svg path") and not qr.select("image, script, [href]")
    secret = page.select_one("#schluessel").get_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert html(client.get("/amt/konto")).select_one("#schluessel").get_text().replace(" ", "") == secret, \
        "a reload shows the same secret: the app that scanned it still fits"
    field = page.select_one("form#zweiter-faktor input[name=code]")
    assert (field["inputmode"], field["autocomplete"]) == ("numeric", "one-time-code")
    assert page.select_one(f"label[for={field['id']}]") and field["aria-describedby"] == "code-hilfe"

    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1_000_000:06d}"
    answer = client.post("/amt/konto/zweiter-faktor", data={"code": wrong, "csrf_token": csrf_token(client.get(
        "/amt/konto"))})
    assert answer.status_code == 400
    refused = html(answer)
    assert "Der Code stimmt nicht" in refused.select_one("#fehler").get_text()
    assert refused.select_one("input[name=code]")["aria-invalid"] == "true"
    logout(client)
    assert login(client, OFFICE).headers["Location"] == "/amt/", "a wrong first code makes no factor"

    same, codes = enrol_on_page(client)
    assert same == secret
    assert len(set(codes)) == 10 and all(re.fullmatch(r"[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}", c) for c in codes)
    logout(client)
    assert login(client, OFFICE).headers["Location"] == "/amt/anmelden/code"
    assert not signed_in(client)
    assert [e["action"] for e in audit.entries(office.extensions["atlas"].store, OFFICE)] == \
        [audit.SECOND_FACTOR_ENROLLED]


def test_a_database_dump_holds_neither_the_secret_nor_the_recovery_codes(office):
    client = office.test_client()
    login(client, OFFICE)
    hashing.configure("scrypt")  # as the atlas runs, not with the tests' cheap hash
    try:
        secret, codes = enrol_on_page(client)
    finally:
        hashing.configure(office.config["PASSWORD_HASH"])
    store = office.extensions["atlas"].store
    with store.read() as db:
        dump = repr(db.execute(select(users)).all()) + repr(db.execute(select(recovery_codes)).all())
    assert secret not in dump and secret.lower() not in dump
    assert not any(code in dump or code.replace("-", "") in dump for code in codes)
    with store.read() as db:
        hashes = db.execute(select(recovery_codes.c.code_hash)).scalars().all()
    assert len(hashes) == 10 and all(h.startswith("scrypt:") for h in hashes)


def test_login_with_a_right_a_wrong_and_a_replayed_code(office):
    secret = enrolled_earlier(office)
    totp = pyotp.TOTP(secret)
    client = office.test_client()
    assert login(client, OFFICE).headers["Location"] == "/amt/anmelden/code"
    page = html(client.get("/amt/anmelden/code"))
    field = page.select_one("input[name=code]")
    assert (field["inputmode"], field["autocomplete"]) == ("numeric", "one-time-code")

    wrong = send_code(client, wrong_code(secret))
    assert wrong.status_code == 400
    assert "Der Code stimmt nicht oder wurde schon verwendet" in html(wrong).select_one("#fehler").get_text()
    assert not signed_in(client)
    empty = send_code(client, "")
    assert empty.status_code == 400 and "sechsstelligen Code" in empty.get_data(as_text=True)

    now = totp.now()
    right = send_code(client, f"{now[:3]} {now[3:]}")  # as some apps show it
    assert right.status_code == 302 and right.headers["Location"] == "/amt/"
    assert signed_in(client)

    logout(client)
    login(client, OFFICE)
    replayed = send_code(client, now)
    assert replayed.status_code == 400 and not signed_in(client), "a code counts once, even within its 30 s"
    earlier = send_code(client, totp.at(time.time() - 30))
    assert earlier.status_code == 400 and not signed_in(client), "and an older one after a newer one not at all"
    other = office.test_client()  # nor in another browser
    login(other, OFFICE)
    assert send_code(other, now).status_code == 400
    assert send_code(client, next_code(secret)).status_code == 302 and signed_in(client)


def test_a_code_typed_in_arabic_or_persian_digits_counts(office):
    secret = enrolled_earlier(office)
    code = pyotp.TOTP(secret).now()
    client = office.test_client()
    login(client, OFFICE)
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert send_code(client, persian).status_code == 302 and signed_in(client)


def test_each_recovery_code_works_once(office):
    client = office.test_client()
    login(client, OFFICE)
    _secret, codes = enrol_on_page(client)
    logout(client)
    login(client, OFFICE)
    typed = codes[0].replace("-", "").lower()  # as people type it off the paper
    answer = send_code(client, recovery=typed)
    assert answer.status_code == 302
    queue = client.get("/amt/")
    assert queue.status_code == 200 and "Noch 9 sind unbenutzt" in html(queue).select_one(".notice").get_text()
    assert "Noch 9 Wiederherstellungscodes sind unbenutzt" in html(client.get("/amt/konto")).get_text()
    logout(client)
    login(client, OFFICE)
    again = send_code(client, recovery=codes[0])
    assert again.status_code == 400 and not signed_in(client)
    assert "Wiederherstellungscode stimmt nicht" in html(again).select_one("#fehler").get_text()
    assert html(again).select_one("#code-schritt details").has_attr("open")
    assert send_code(client, recovery=codes[1]).status_code == 302 and signed_in(client)
    actions = [e["action"] for e in audit.entries(office.extensions["atlas"].store, OFFICE)]
    assert actions.count(audit.RECOVERY_CODE_USED) == 2


def test_new_recovery_codes_need_a_code_of_the_app_and_replace_the_old_ones(office):
    client = office.test_client()
    login(client, OFFICE)
    secret, old = enrol_on_page(client)
    page = client.get("/amt/konto")
    assert "Noch 10 Wiederherstellungscodes" in html(page).get_text()
    refused = client.post("/amt/konto/wiederherstellungscodes", data={"code": wrong_code(secret),
                                                                      "csrf_token": csrf_token(page)})
    assert refused.status_code == 400
    answer = client.post("/amt/konto/wiederherstellungscodes", data={"code": next_code(secret),
                                                                     "csrf_token": csrf_token(page)})
    assert answer.status_code == 200
    new = [node.get_text() for node in html(answer).select("#wiederherstellungscodes code")]
    assert len(new) == 10 and not set(new) & set(old)
    logout(client)
    login(client, OFFICE)
    assert send_code(client, recovery=old[0]).status_code == 400
    assert send_code(client, recovery=new[0]).status_code == 302


def test_enrolling_ends_the_accounts_other_sessions(office):
    laptop, stolen = office.test_client(), office.test_client()
    login(laptop, OFFICE)
    login(stolen, OFFICE)
    enrol_on_page(laptop)
    assert signed_in(laptop) and not signed_in(stolen)


def test_wrong_codes_are_limited_per_client(office):
    office.config.update(LOGIN_RATE_LIMIT="4 per minute")
    secret = enrolled_earlier(office)
    client = office.test_client()
    login(client, OFFICE)  # the password step counts as one
    assert [send_code(client, wrong_code(secret)).status_code for _ in range(3)] == [400, 400, 400]
    assert send_code(client, pyotp.TOTP(secret).now()).status_code == 429
    assert not signed_in(client)


def test_a_guesser_who_changes_addresses_is_limited_per_account(office):
    office.config.update(LOGIN_RATE_LIMIT="100 per minute", ACCOUNT_LOGIN_RATE_LIMIT="3 per minute")
    secret = enrolled_earlier(office)
    for attempt in range(3):  # successful logins cost the account nothing
        client = _client_at(office, f"10.0.1.{attempt}")
        assert login(client, OFFICE).status_code == 302
    for attempt in range(3):  # a wrong code from each of three addresses
        guesser = _client_at(office, f"10.0.0.{attempt}")
        assert login(guesser, OFFICE).status_code == 302
        assert send_code(guesser, wrong_code(secret)).status_code == 400
    late = _client_at(office, "10.0.0.99")
    assert login(late, OFFICE).status_code == 429, "the account's failures are used up, from any address"
    other = _client_at(office, "10.0.0.99")
    assert login(other, ADMIN).status_code == 302, "other accounts are not affected"


def test_a_password_guesser_who_changes_addresses_is_limited_per_account(office):
    office.config.update(LOGIN_RATE_LIMIT="100 per minute", ACCOUNT_LOGIN_RATE_LIMIT="3 per minute")
    answers = [login(_client_at(office, f"10.0.2.{i}"), OFFICE, f"falsch-{i}").status_code for i in range(3)]
    assert answers == [400, 400, 400]
    assert login(_client_at(office, "10.0.2.50"), f"  {OFFICE.upper()} ").status_code == 429
    assert login(_client_at(office, "10.0.2.51"), ADMIN).status_code == 302


def _client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def office_urls(app, project_id: int) -> list[tuple[str, str]]:
    """Every (method, path) of the office blueprint but the login's own, with a real project's number."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("office.") or rule.endpoint in ("office.login", "office.login_code"):
            continue
        path = re.sub(r"<id:(?!project_id)\w+>", "1", rule.rule.replace("<id:project_id>", str(project_id)))
        path = path.replace("<fmt>", "csv").replace("<figure>", "monate")
        assert "<" not in path, path
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def test_between_password_and_code_nothing_is_granted(office):
    from atlas.projects import validate_project

    services = office.extensions["atlas"]
    project, errors = validate_project({"name": "Sprachcafé", "handlungsfelder": "sprache", "ort": "Lamspringe"})
    project_id = services.store.add(project, services.geocoder.geocode("Lamspringe").place)
    enrolled_earlier(office)
    client = office.test_client()
    assert login(client, OFFICE).headers["Location"] == "/amt/anmelden/code"
    token = csrf_token(client.get("/amt/anmelden/code"))
    urls = office_urls(office, project_id)
    assert len(urls) >= 12
    for method, path in urls:
        answer = client.open(path, method=method, data={"csrf_token": token, "version": "1", "reason": "x",
                                                        "notify": "daily", "code": "123456"})
        assert answer.status_code in (302, 401, 403), (method, path, answer.status_code)
        if answer.status_code == 302:
            assert answer.headers["Location"].startswith("/amt/anmelden"), (method, path)
    assert services.store.get(project_id)["status"] == "pending"
    with client.session_transaction() as cookie:
        assert "_user_id" not in cookie  # Flask-Login knows no one


def test_the_half_way_state_expires_after_a_few_minutes(office):
    secret = enrolled_earlier(office)
    client = office.test_client()
    login(client, OFFICE)
    page = client.get("/amt/anmelden/code")
    with client.session_transaction() as cookie:
        cookie["halfway"] = dict(cookie["halfway"], at=cookie["halfway"]["at"] - 6 * 60)
    late = client.post("/amt/anmelden/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_token(page)})
    assert late.status_code == 302 and late.headers["Location"] == "/amt/anmelden"
    assert not signed_in(client)
    assert "zu lange gedauert" in client.get("/amt/anmelden").get_data(as_text=True)
    assert client.get("/amt/anmelden/code").headers["Location"] == "/amt/anmelden", "nothing waits any more"


def test_hostile_input_in_the_code_fields_is_refused_as_text(office):
    office.config.update(LOGIN_RATE_LIMIT="1000 per minute", ACCOUNT_LOGIN_RATE_LIMIT="1000 per minute")
    secret = enrolled_earlier(office)
    client = office.test_client()
    login(client, OFFICE)
    hostile = PAYLOADS + ["\x00", "1" * 10_000, "١٢٣", "12345６7", "-1", "1e6", "0x1f", "١٢٣٤٥٦٧", "\u202e123456",
                          "ABCDE-FGHJK" * 3, "' OR 1=1 --"]
    for payload in hostile:
        for field in ("code", "recovery"):
            answer = send_code(client, **{field: payload})
            assert answer.status_code == 400, (field, payload, answer.status_code)
            body = answer.get_data(as_text=True)
            assert "<" not in payload or payload not in body, (field, payload)
            assert html(answer).select_one("#fehler"), (field, payload)
            assert not signed_in(client)
    assert send_code(client, pyotp.TOTP(secret).now()).status_code == 302  # and the right code still works


def test_a_new_secret_key_cannot_read_the_factor_but_a_recovery_code_still_signs_in(office, tmp_path):
    client = office.test_client()
    login(client, OFFICE)
    _secret, codes = enrol_on_page(client)
    rotated = make_app(tmp_path / "neu", DATABASE_URL=office.config["DATABASE_URL"], migrate=False,
                       SECRET_KEY="ein-ganz-anderer-schluessel-0123456789abcdef")
    other = rotated.test_client()
    login(other, OFFICE)
    answer = send_code(other, "123456")
    assert answer.status_code == 400 and "Schlüssel des Atlas geändert" in answer.get_data(as_text=True)
    assert send_code(other, recovery=codes[0]).status_code == 302 and signed_in(other)


def test_a_key_rotated_with_the_old_key_as_fallback_keeps_the_factor_and_seals_it_anew(office, tmp_path):
    secret = enrolled_earlier(office)
    old, new = office.config["SECRET_KEY"], "ein-ganz-anderer-schluessel-0123456789abcdef"
    rotating = make_app(tmp_path / "drehen", DATABASE_URL=office.config["DATABASE_URL"], migrate=False,
                        SECRET_KEY=new, SECRET_KEY_FALLBACKS=[old])
    client = rotating.test_client()
    login(client, OFFICE)
    assert send_code(client, pyotp.TOTP(secret).now()).status_code == 302, "read with the old key"
    rotated = make_app(tmp_path / "neu", DATABASE_URL=office.config["DATABASE_URL"], migrate=False, SECRET_KEY=new)
    client = rotated.test_client()
    login(client, OFFICE)
    assert send_code(client, next_code(secret)).status_code == 302, "sealed under the new key at that login"


@pytest.mark.parametrize("fallbacks", ["alt", ["kurz"], [123]])
def test_fallback_keys_are_a_list_of_safe_keys(tmp_path, fallbacks):
    from atlas import create_app
    from atlas.settings import SettingError

    with pytest.raises(SettingError, match="ATLAS_SECRET_KEY_FALLBACKS"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY_FALLBACKS": fallbacks})


def test_require_2fa_sends_an_account_without_one_to_enrolment_and_allows_nothing_else(tmp_path):
    app = make_app(tmp_path, REQUIRE_2FA=1)
    create_account(app, OFFICE, "--arl", "leine-weser")
    client = app.test_client()
    assert login(client, OFFICE).headers["Location"] == "/amt/konto"
    allowed = {("GET", "/amt/konto"), ("POST", "/amt/konto/zweiter-faktor"), ("POST", "/amt/abmelden")}
    for method, path in office_urls(app, 1):
        if (method, path) in allowed:
            continue
        answer = client.open(path, method=method, data={"csrf_token": csrf_token(client.get("/amt/konto")),
                                                        "notify": "daily"})
        assert answer.status_code == 302 and answer.headers["Location"] == "/amt/konto", (method, path)
    page = html(client.get("/amt/konto"))
    assert "zuerst den zweiten Faktor" in page.get_text()
    assert page.select_one("form#zweiter-faktor") and not page.select_one("form#konto")
    from atlas.accounts import notify_choice, user_id_for

    store = app.extensions["atlas"].store
    assert notify_choice(store, user_id_for(store, OFFICE)) == "each", "the blocked POST changed nothing"
    enrol_on_page(client)
    assert signed_in(client)
    logout(client)
    assert login(client, OFFICE).headers["Location"] == "/amt/anmelden/code"


def test_require_2fa_is_a_switch(tmp_path):
    from atlas import create_app
    from atlas.settings import SettingError

    with pytest.raises(SettingError, match="ATLAS_REQUIRE_2FA"):
        create_app({"INSTANCE_PATH": str(tmp_path), "REQUIRE_2FA": "vielleicht"})


def test_reset_2fa_on_the_command_line_removes_the_factor_and_ends_the_sessions(office):
    secret = enrolled_earlier(office)
    client = office.test_client()
    login(client, OFFICE)
    assert send_code(client, pyotp.TOTP(secret).now()).status_code == 302 and signed_in(client)
    runner = office.test_cli_runner()
    unchanged = runner.invoke(args=["set-password", OFFICE], input="ein-ganz-neues-passwort\n")
    assert unchanged.exit_code == 0, unchanged.output
    assert login(client, OFFICE, "ein-ganz-neues-passwort").headers["Location"] == "/amt/anmelden/code", \
        "a new password keeps the second factor"
    assert send_code(client, next_code(secret)).status_code == 302

    result = runner.invoke(args=["reset-2fa", f" {OFFICE.upper()}"])
    assert result.exit_code == 0, result.output
    assert f"{OFFICE}: Zweiter Faktor entfernt; 1 Sitzung(en) beendet." in result.output
    assert not signed_in(client)
    assert login(client, OFFICE, "ein-ganz-neues-passwort").headers["Location"] == "/amt/"
    store = office.extensions["atlas"].store
    with store.read() as db:
        assert db.execute(select(recovery_codes)).all() == []
    [entry] = [e for e in audit.entries(store, OFFICE) if e["action"] == audit.SECOND_FACTOR_RESET]
    assert entry["actor"].startswith("Kommandozeile")
    again = runner.invoke(args=["reset-2fa", OFFICE])
    assert again.exit_code == 0 and "Es war kein zweiter Faktor eingerichtet" in again.output
    unknown = runner.invoke(args=["reset-2fa", "niemand@arl.example"])
    assert unknown.exit_code == 1 and "gibt es nicht" in unknown.output


def test_reset_second_factor_is_there_for_an_admin_page(office):
    from atlas.accounts import reset_second_factor, user_id_for

    enrolled_earlier(office)
    store = office.extensions["atlas"].store
    done = reset_second_factor(store, user_id_for(store, OFFICE), actor=ADMIN)
    assert (done.email, done.had_factor, done.sessions_ended) == (OFFICE, True, 0)
    latest = audit.entries(store, OFFICE)[0]
    assert (latest["actor"], latest["action"], latest["subject"]) == (ADMIN, audit.SECOND_FACTOR_RESET, OFFICE)
    with pytest.raises(ValueError):
        reset_second_factor(store, 999, actor=ADMIN)


def test_yesterdays_database_upgrades_and_its_accounts_sign_in_with_the_password(office):
    """A database at revision 0007 (before the second factor) with an account: upgraded, the account signs in as
    before and has no second factor."""
    from alembic import command

    from atlas.migrate import alembic_config, head, upgrade

    store = office.extensions["atlas"].store
    with store.read() as connection:
        command.downgrade(alembic_config(connection), "0007")
        connection.commit()
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info(users)"))} \
            if store.dialect == "sqlite" else {
                row[0] for row in connection.execute(text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"))}
    assert "totp_secret" not in columns
    before, after = upgrade(office.config["DATABASE_URL"])
    assert (before, after) == ("0007", head())
    client = office.test_client()
    assert login(client, OFFICE, PASSWORD).headers["Location"] == "/amt/"
    with store.read() as db:
        assert db.execute(select(users.c.totp_secret, users.c.totp_confirmed_at, users.c.totp_last_step)).all() == \
            [(None, None, None), (None, None, None)]
        assert db.execute(select(recovery_codes)).all() == []
    enrol_on_page(client)


def test_the_pages_of_the_second_factor_have_unique_ids_and_labelled_fields(office):
    client = office.test_client()
    login(client, OFFICE)
    pages = {"account, setting up": client.get("/amt/konto")}
    secret, _codes = enrol_on_page(client)
    page = client.get("/amt/konto")
    pages["account, set up"] = page
    pages["recovery codes"] = client.post("/amt/konto/wiederherstellungscodes",
                                          data={"code": next_code(secret), "csrf_token": csrf_token(page)})
    logout(client)
    login(client, OFFICE)
    pages["code step"] = client.get("/amt/anmelden/code")
    pages["code step, wrong"] = send_code(client, wrong_code(secret))
    for name, answer in pages.items():
        page = html(answer)
        ids = [node["id"] for node in page.select("[id]")]
        assert len(ids) == len(set(ids)), (name, sorted({i for i in ids if ids.count(i) > 1}))
        for field in page.select("main input:not([type=hidden])"):
            assert page.select_one(f"label[for={field['id']}]"), (name, field)
        for link in page.select(".error-summary a"):
            assert page.find(id=link["href"][1:]), (name, link)
