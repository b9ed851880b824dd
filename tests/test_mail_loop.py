"""The mail loop with a real SMTP server on loopback: receipt, office notice, decisions, handing over."""

from __future__ import annotations

import pytest
from helpers import (
    OFFICE,
    XSS_REASON,
    create_account,
    csrf_token,
    deliver,
    form_values,
    html,
    html_of,
    links,
    login,
    submit,
    text_of,
    token_in,
)


@pytest.fixture
def offices(mail_app):
    create_account(mail_app, OFFICE, "--arl=leine-weser")
    create_account(mail_app, "zweite@arl.example", "--arl=leine-weser")
    create_account(mail_app, "braunschweig@arl.example", "--arl=braunschweig")
    create_account(mail_app, "land@ml.example", "--admin")
    return mail_app


def test_a_submission_brings_a_receipt_with_the_private_link(mail_app, smtp):
    project_id, _ = submit(mail_app, email="traeger@example.org")
    assert deliver(mail_app).sent == 1
    [mail] = smtp.to("traeger@example.org")
    assert f"GS-{project_id:06d}" in mail["Subject"] and "Sprachcafé Lamspringe" in mail["Subject"]
    assert mail["From"] == "Gemeinsame Sache <atlas@atlas.example>"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["List-Unsubscribe"] is None  # a receipt is no newsletter
    assert "Amt für regionale Landesentwicklung Leine-Weser" in text_of(mail)
    [link] = links(mail)
    assert link.startswith("/mein-projekt/") and len(token_in(link)) >= 22  # 128 bits and more
    assert f'href="https://atlas.example{link}"' in html_of(mail)
    page = html(mail_app.test_client().get(link))
    assert page.select_one("#status").get_text() == "Eingereicht"
    assert "traeger@example.org" not in str(page)


def test_without_an_address_there_is_no_mail_but_the_link_still_exists(mail_app, smtp):
    _, token = submit(mail_app, email="")
    assert deliver(mail_app).sent == 0 and smtp.messages == []
    assert mail_app.test_client().get(f"/mein-projekt/{token}").status_code == 200


def test_every_account_of_the_district_hears_of_a_submission(offices, smtp):
    project_id, _ = submit(offices)
    deliver(offices)
    assert {m["To"] for m in smtp.messages} == {"traeger@example.org", OFFICE, "zweite@arl.example"}
    [notice] = smtp.to(OFFICE)
    assert "Neu zur Prüfung" in notice["Subject"] and "Lamspringe" in notice["Subject"]
    assert f"/amt/projekt/{project_id}" in links(notice)
    assert "/amt/konto" in links(notice)


def test_an_account_that_chose_a_daily_digest_gets_one_mail_a_day(offices, smtp):
    from datetime import UTC, datetime, timedelta

    from atlas.alerts import send_digests

    client = offices.test_client()
    login(client, OFFICE)
    page = client.get("/amt/konto")
    assert client.post("/amt/konto", data={"notify": "daily", "csrf_token": csrf_token(page)}).status_code == 302
    assert html(client.get("/amt/konto")).select_one("input[value=daily]").has_attr("checked")
    first, _ = submit(offices, name="Erstes Projekt")
    second, _ = submit(offices, name="Zweites Projekt", ort="Hildesheim")
    deliver(offices)
    assert smtp.to(OFFICE) == [] and len(smtp.to("zweite@arl.example")) == 2
    store = offices.extensions["atlas"].store
    assert send_digests(store, datetime.now(UTC) + timedelta(days=1, minutes=1)) == 1
    deliver(offices)
    [digest] = smtp.to(OFFICE)
    assert "2 neue Einträge" in digest["Subject"]
    assert {f"/amt/projekt/{first}", f"/amt/projekt/{second}"} <= set(links(digest))
    assert send_digests(store, datetime.now(UTC) + timedelta(days=1, hours=1)) == 0  # nothing new since


def test_a_project_handed_over_from_another_district_is_in_the_daily_digest(offices, smtp):
    """Braunschweig's clerk reads one digest a day. A project submitted days ago in Leine-Weser turns out to lie in
    Wolfsburg: it is new to Braunschweig's queue, so the next digest names it, as the mail per event would."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from atlas.alerts import send_digests
    from atlas.schema import users

    project_id, _ = submit(offices, ort="Lamspringe", email="a@example.org")
    braunschweig = offices.test_client()
    login(braunschweig, "braunschweig@arl.example")
    page = braunschweig.get("/amt/konto")
    braunschweig.post("/amt/konto", data={"notify": "daily", "csrf_token": csrf_token(page)})
    store = offices.extensions["atlas"].store
    with store.write() as db:  # the clerk's last digest went out after the submission
        db.execute(update(users).where(users.c.email == "braunschweig@arl.example")
                   .values(digest_at=datetime.now(UTC)))
    client = offices.test_client()
    login(client, OFFICE)
    form = form_values(html(client.get(f"/amt/projekt/{project_id}/bearbeiten")), "bearbeiten")
    assert client.post(f"/amt/projekt/{project_id}/bearbeiten", data=dict(form, ort="Wolfsburg", plz="", lat="",
                                                                            lon="")).status_code == 302
    assert send_digests(store, datetime.now(UTC) + timedelta(days=1, minutes=1)) == 1
    deliver(offices)
    [digest] = smtp.to("braunschweig@arl.example")
    assert "1 neuer Eintrag" in digest["Subject"]
    assert f"/amt/projekt/{project_id}" in links(digest)
    assert "aus einem anderen Bezirk übergeben, Wolfsburg" in " ".join(text_of(digest).split())


def test_approval_and_rejection_are_mailed_to_the_submitter(offices, smtp):
    published, _ = submit(offices, name="Wird veröffentlicht", email="a@example.org")
    rejected, _ = submit(offices, name="Wird abgelehnt", email="b@example.org")
    client = offices.test_client()
    login(client, OFFICE)
    page = client.get(f"/amt/projekt/{published}")
    client.post(f"/amt/projekt/{published}/freigeben", data=form_values(html(page), "freigeben"))
    page = html(client.get(f"/amt/projekt/{rejected}"))
    client.post(f"/amt/projekt/{rejected}/ablehnen", data=dict(form_values(page, "ablehnen"), reason=XSS_REASON))
    deliver(offices)
    [_, news] = smtp.to("a@example.org")
    assert news["Subject"] == "Veröffentlicht: „Wird veröffentlicht“"
    assert f"/projekt/{published}" in links(news)
    assert offices.test_client().get(f"/projekt/{published}").status_code == 200
    [_, refusal] = smtp.to("b@example.org")
    assert XSS_REASON in text_of(refusal)  # plain text is plain
    assert "<img" not in html_of(refusal) and "&lt;img src=x onerror=alert(1)&gt;" in html_of(refusal)
    [change] = links(refusal)  # the way on comes with the decision: the private link to change the project
    assert change.startswith("/mein-projekt/") and change.endswith("/aendern")
    assert "Wird abgelehnt" in offices.test_client().get(change).get_data(as_text=True)


def test_a_project_moved_to_another_district_is_handed_over(offices, smtp):
    project_id, _ = submit(offices, ort="Lamspringe", email="a@example.org")
    client = offices.test_client()
    login(client, OFFICE)
    form = form_values(html(client.get(f"/amt/projekt/{project_id}/bearbeiten")), "bearbeiten")
    assert client.post(f"/amt/projekt/{project_id}/bearbeiten", data=dict(form, ort="Wolfsburg", plz="", lat="",
                                                                            lon="")).status_code == 302
    deliver(offices)
    [_, moved] = smtp.to("a@example.org")
    assert "Braunschweig" in text_of(moved)
    [notice] = smtp.to("braunschweig@arl.example")
    assert f"/amt/projekt/{project_id}" in links(notice)


def test_the_same_event_queues_one_mail_however_often_it_is_told(mail_app, smtp):
    from atlas import outbox

    store = mail_app.extensions["atlas"].store
    for _ in range(3):
        with store.write() as db:
            outbox.queue(db, "published:1:v2:a@example.org", "published", "a@example.org",
                         {"reference": "GS-000001", "name": "X", "project_id": 1, "reason": ""})
    assert deliver(mail_app).sent == 1
    assert deliver(mail_app).sent == 0
    assert len(smtp.messages) == 1


def test_smtp_down_loses_nothing_and_sends_nothing_twice(mail_app, smtp):
    from datetime import UTC, datetime, timedelta

    smtp.stop()
    for n in range(3):
        submit(mail_app, name=f"Projekt {n}", email=f"p{n}@example.org")
    result = deliver(mail_app)
    assert (result.sent, result.retry, result.failed) == (0, 3, 0)
    status = mail_app.extensions["atlas"].outbox.status()
    assert status["waiting"] == 3 and "ConnectionRefusedError" in status["open"][0]["last_error"]
    assert deliver(mail_app).sent == 0  # not due yet: it waits before trying again
    smtp.start()
    assert deliver(mail_app, datetime.now(UTC) + timedelta(minutes=5)).sent == 3
    assert deliver(mail_app, datetime.now(UTC) + timedelta(days=1)).sent == 0
    assert sorted(m["To"] for m in smtp.messages) == ["p0@example.org", "p1@example.org", "p2@example.org"]


def test_a_sender_that_died_mid_delivery_leaves_the_mail_to_the_next(mail_app, smtp):
    """A crash after claiming: the lease runs out, the mail goes once, with the Message-ID it would have had."""
    from datetime import UTC, datetime, timedelta

    from atlas.mail_texts import compose

    submit(mail_app, email="a@example.org")
    services = mail_app.extensions["atlas"]
    claimed = services.outbox._claim(datetime.now(UTC))  # the process that claimed it dies here
    assert len(claimed) == 1
    assert deliver(mail_app).sent == 0  # leased to the dead sender for a while
    assert deliver(mail_app, datetime.now(UTC) + timedelta(minutes=3)).sent == 1
    [mail] = smtp.messages
    assert mail["Message-ID"] == compose(mail_app, claimed[0])["Message-ID"]


def test_an_address_the_server_refuses_is_given_up_and_shown(mail_app, smtp):
    smtp.refuse.add("gibtsnicht@example.org")
    submit(mail_app, email="gibtsnicht@example.org")
    result = deliver(mail_app)
    assert (result.sent, result.failed) == (0, 1)
    output = mail_app.test_cli_runner().invoke(args=["mail", "status"]).output
    assert "0 wartend, 0 gesendet, 1 fehlgeschlagen" in output
    assert "gibtsnicht@example.org" in output and "aufgegeben" in output


@pytest.mark.parametrize(("credentials", "answer"), [("", "SMTP 530"), ("atlas:falsch@", "SMTP 535")])
def test_a_server_that_refuses_the_atlas_itself_keeps_every_mail_until_the_operator_mends_the_settings(
        tmp_path, credentials, answer):
    """The provider's server wants a login that ATLAS_MAIL_URL lacks (530), or the password is wrong (535): that is
    no address refused for good. The round ends at the first refusal (fifty failed logins lock an account), nothing
    is given up, and after a restart with the right settings every mail goes."""
    from datetime import UTC, datetime, timedelta

    from helpers import make_app
    from servers import SmtpServer

    smtp = SmtpServer(login=("atlas", "geheim"))
    smtp.start()
    try:
        app = make_app(tmp_path, MAIL_URL=f"smtp://{credentials}127.0.0.1:{smtp.port}", MAIL_FROM="atlas@atlas.example")
        for n in range(3):
            submit(app, name=f"Projekt {n}", email=f"p{n}@example.org")
        result = deliver(app)
        assert (result.sent, result.retry, result.failed) == (0, 3, 0)
        assert smtp.turned_away == 1
        status = app.extensions["atlas"].outbox.status()
        assert status["waiting"] == 3 and answer in status["open"][0]["last_error"]
        mended = make_app(tmp_path, DATABASE_URL=app.config["DATABASE_URL"], MAIL_FROM="atlas@atlas.example",
                          MAIL_URL=f"smtp://atlas:geheim@127.0.0.1:{smtp.port}")
        assert deliver(mended, datetime.now(UTC) + timedelta(minutes=5)).sent == 3
        assert sorted(m["To"] for m in smtp.messages) == ["p0@example.org", "p1@example.org", "p2@example.org"]
    finally:
        smtp.stop()


def test_a_mail_the_server_took_is_sent_whatever_it_answers_to_quit(mail_app, smtp):
    """Some servers answer QUIT with 421 after they accepted the mail: the mail is sent, not sent again every round."""
    from datetime import UTC, datetime, timedelta

    smtp.quit_answer = "421 4.4.2 Closing connection"
    submit(mail_app, email="a@example.org")
    assert deliver(mail_app).sent == 1
    assert deliver(mail_app, datetime.now(UTC) + timedelta(hours=1)).sent == 0
    assert [m["To"] for m in smtp.messages] == ["a@example.org"]
    assert mail_app.extensions["atlas"].outbox.status()["waiting"] == 0


def test_a_recipient_refused_for_now_is_tried_again(mail_app, smtp):
    """A 4xx to RCPT (a full mailbox, greylisting) is no refusal for good: the mail waits and goes later."""
    from datetime import UTC, datetime, timedelta

    smtp.refuse_for_now.add("voll@example.org")
    submit(mail_app, email="voll@example.org")
    result = deliver(mail_app)
    assert (result.sent, result.retry, result.failed) == (0, 1, 0)
    smtp.refuse_for_now.clear()
    assert deliver(mail_app, datetime.now(UTC) + timedelta(minutes=5)).sent == 1
    assert [m["To"] for m in smtp.messages] == ["voll@example.org"]


@pytest.mark.parametrize(("code", "answer", "for_good"), [
    (550, "5.1.1 Mailbox unavailable", True),
    (550, "5.1.1 <info@relay-hannover.de>: Recipient address rejected: User unknown in relay recipient table", True),
    (550, "No such user <relaying@example.org>", True),  # no enhanced code, and "relay" only in the address
    (554, "5.7.1 <x@example.net>: Relay access denied", False),
    (554, "<x@example.net>: Relay access denied", False),
    (550, "Relaying denied", False),
    (450, "4.2.1 Mailbox busy", False),
])
def test_only_a_refusal_of_the_address_gives_a_mail_up_at_once(code, answer, for_good):
    """The enhanced status code decides (5.7.x is the server's policy); without one, the words of a relay
    refusal, never those of the address."""
    from atlas.mail import _refuses_address

    assert _refuses_address(code, answer.encode()) is for_good


def test_a_relay_the_server_refuses_keeps_the_mail_until_the_operator_mends_it(mail_app, smtp):
    """„554 5.7.1 Relay access denied“ refuses the atlas, not the address: the mail waits, the other mails of the
    round still go, and once the server relays it goes too."""
    from datetime import UTC, datetime, timedelta

    smtp.no_relay.add("fern@example.net")
    submit(mail_app, name="Erstes", email="fern@example.net")
    submit(mail_app, name="Zweites", email="nah@example.org")
    result = deliver(mail_app)
    assert (result.sent, result.retry, result.failed) == (1, 1, 0)
    assert "Relay access denied" in mail_app.extensions["atlas"].outbox.status()["open"][0]["last_error"]
    smtp.no_relay.clear()
    assert deliver(mail_app, datetime.now(UTC) + timedelta(minutes=5)).sent == 1
    assert sorted(m["To"] for m in smtp.messages) == ["fern@example.net", "nah@example.org"]


def test_a_mail_the_atlas_cannot_write_fails_alone_and_is_given_up_in_time(mail_app, smtp):
    """A mail of a kind this version does not know (queued by a newer release, before the operator went back to this
    one) breaks while it is written: the attempt is recorded with its error, the mails after it still go, and after
    two days it is given up like any mail that will not go."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from atlas import outbox
    from atlas.schema import outbox as outbox_table

    store = mail_app.extensions["atlas"].store
    with store.write() as db:
        outbox.queue(db, "survey:1", "survey", "a@example.org", {"project_id": 1})
    submit(mail_app, email="b@example.org")
    result = deliver(mail_app)
    assert (result.sent, result.retry, result.failed) == (1, 1, 0)
    assert [m["To"] for m in smtp.messages] == ["b@example.org"]
    [waiting] = mail_app.extensions["atlas"].outbox.status()["open"]
    assert waiting["attempts"] == 1 and waiting["last_error"] == "KeyError: 'survey'"
    with store.write() as db:  # two days later it still cannot be written
        db.execute(update(outbox_table).where(outbox_table.c.kind == "survey")
                   .values(created_at=datetime.now(UTC) - timedelta(days=2, minutes=1)))
    assert deliver(mail_app, datetime.now(UTC) + timedelta(hours=1)).failed == 1
    output = mail_app.test_cli_runner().invoke(args=["mail", "status"]).output
    assert "0 wartend, 1 gesendet, 1 fehlgeschlagen" in output and "KeyError: 'survey'" in output


def test_mail_commands_for_cron(mail_app, smtp):
    submit(mail_app, email="a@example.org")
    runner = mail_app.test_cli_runner()
    assert "1 wartend" in runner.invoke(args=["mail", "status"]).output
    sent = runner.invoke(args=["mail", "send"])
    assert sent.exit_code == 0 and "1 gesendet" in sent.output
    assert "0 wartend, 1 gesendet" in runner.invoke(args=["mail", "status"]).output
    assert runner.invoke(args=["mail", "digest"]).exit_code == 0
    assert runner.invoke(args=["freshness"]).exit_code == 0
    assert len(smtp.messages) == 1


def test_without_a_mail_server_mails_are_files_in_the_instance(tmp_path):
    from email import message_from_bytes, policy

    from helpers import make_app

    app = make_app(tmp_path)
    submit(app, email="a@example.org")
    assert deliver(app).sent == 1
    [file] = (tmp_path / "instance" / "mail").glob("*.eml")
    mail = message_from_bytes(file.read_bytes(), policy=policy.default)
    assert mail["To"] == "a@example.org" and "/mein-projekt/" in text_of(mail)


def test_serve_delivers_the_outbox_within_seconds(mail_app, smtp):
    import time

    from atlas.background import Background

    worker = Background(mail_app)
    worker.interval = 0.2
    worker.start()
    try:
        submit(mail_app, email="a@example.org")
        deadline = time.monotonic() + 10
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
        worker.join(5)
    assert [m["To"] for m in smtp.messages] == ["a@example.org"]


@pytest.mark.parametrize("url", ["smtp://", "http://mail.example", "smtp://host:abc", "ftp://x"])
def test_a_mail_url_that_cannot_work_stops_the_start(tmp_path, url):
    from atlas import create_app

    with pytest.raises(ValueError, match="ATLAS_MAIL_URL"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "MAIL_URL": url})


@pytest.mark.parametrize("credentials", ["atlas:geheim%C3%9F", "atlas:geheimß", "j%C3%B6rg:geheim"])
def test_a_mail_login_smtplib_cannot_send_stops_the_start_without_showing_the_password(tmp_path, credentials):
    """smtplib logs in with ASCII only: a password with ß would fail every mail, so the operator hears at the start."""
    from atlas import create_app

    with pytest.raises(ValueError, match="ATLAS_MAIL_URL dürfen nur ASCII-Zeichen") as refused:
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path),
                    "MAIL_URL": f"smtp+starttls://{credentials}@mail.example:587"})
    assert credentials not in str(refused.value) and "geheim" not in str(refused.value)
