"""Area alerts: a place, a radius, Handlungsfelder and an address; double opt-in; a digest of what was newly
published around the place; one-click unsubscription that deletes the address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers import PAYLOADS, csrf_token, deliver, form_values, html, html_of, links, submit, text_of, token_in
from sqlalchemy import func, select

from atlas.alerts import send_digests
from atlas.schema import subscriptions, tokens
from atlas.store import PUBLISHED

WEEK = timedelta(days=7, minutes=1)


def subscribe(app, lang: str = "", **fields):
    """The alert form sent as loaded (on the page of `lang`, if given)."""
    client = app.test_client()
    url = "/benachrichtigung" + (f"?lang={lang}" if lang else "")
    page = html(client.get(url))
    data = dict(form_values(page, "benachrichtigung"), ort="Hildesheim", umkreis="25", email="neu@example.org")
    data.update(fields)
    return client.post(url, data=data)


def confirmed(app, smtp, **fields) -> None:
    assert subscribe(app, **fields).status_code == 302
    deliver(app)
    *_, mail = [m for m in smtp.messages if "bestätigen" in m["Subject"]]  # the newest: one may have confirmed before
    [link] = links(mail)
    client = app.test_client()
    page = client.get(link)
    assert html(client.post(link, data={"csrf_token": csrf_token(page)})).select_one("#bestaetigt")


def publish(app, **fields) -> int:
    project_id, _ = submit(app, email="", **fields)
    app.extensions["atlas"].store.set_status(project_id, PUBLISHED, actor="test")
    return project_id


def digests(app, smtp, after=WEEK):
    send_digests(app.extensions["atlas"].store, datetime.now(UTC) + after)
    deliver(app)
    return [m for m in smtp.messages if m["Subject"].startswith("Neue Projekte")]


def count(app, table) -> int:
    """Rows of a table; of tokens, only those of area alerts."""
    query = select(func.count()).select_from(table)
    if table is tokens:
        query = query.where(tokens.c.purpose.in_(("confirm", "unsubscribe")))
    with app.extensions["atlas"].store.read() as db:
        return db.execute(query).scalar_one()


def test_a_confirmed_alert_brings_a_digest_of_what_is_new_nearby(mail_app, smtp):
    old = publish(mail_app, name="Schon vorher da", ort="Hildesheim")
    confirmed(mail_app, smtp)
    near = publish(mail_app, name="Sprachcafé Hildesheim", ort="Hildesheim")
    far = publish(mail_app, name="Weit weg", ort="Lüneburg")
    [digest] = digests(mail_app, smtp)
    assert digest["To"] == "neu@example.org" and "Hildesheim" in digest["Subject"]
    assert f"/projekt/{near}" in links(digest)
    assert f"/projekt/{old}" not in links(digest) and f"/projekt/{far}" not in links(digest)
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["List-Unsubscribe"].startswith("<https://atlas.example/benachrichtigung/abmelden/")
    assert digest["Auto-Submitted"] == "auto-generated"
    assert digests(mail_app, smtp, after=WEEK * 2) == [digest]  # nothing new: no second mail


def test_no_digest_before_the_week_is_over_and_daily_means_daily(mail_app, smtp):
    confirmed(mail_app, smtp, rhythmus="daily")
    publish(mail_app, ort="Hildesheim")
    assert digests(mail_app, smtp, after=timedelta(hours=1)) == []
    assert len(digests(mail_app, smtp, after=timedelta(days=1, minutes=1))) == 1


def test_handlungsfelder_narrow_the_digest(mail_app, smtp):
    confirmed(mail_app, smtp, handlungsfelder=["arbeit-ausbildung"])
    publish(mail_app, name="Sprachkurs", ort="Hildesheim", handlungsfelder="sprache")
    job = publish(mail_app, name="Jobcafé", ort="Hildesheim", handlungsfelder="arbeit-ausbildung")
    [digest] = digests(mail_app, smtp)
    assert [link for link in links(digest) if link.startswith("/projekt/")] == [f"/projekt/{job}"]


def test_an_unconfirmed_alert_sends_nothing_and_is_deleted_after_a_week(mail_app, smtp):
    assert subscribe(mail_app).status_code == 302
    publish(mail_app, ort="Hildesheim")
    assert digests(mail_app, smtp, after=timedelta(days=8)) == []
    assert count(mail_app, subscriptions) == 0 and count(mail_app, tokens) == 0


def test_one_click_unsubscription_deletes_the_address(mail_app, smtp):
    confirmed(mail_app, smtp)
    publish(mail_app, ort="Hildesheim")
    [digest] = digests(mail_app, smtp)
    url = digest["List-Unsubscribe"].strip("<>").removeprefix("https://atlas.example")
    client = mail_app.test_client()
    assert client.get(url).status_code == 200 and count(mail_app, subscriptions) == 1  # a visit changes nothing
    answer = client.post(url, data="List-Unsubscribe=One-Click",
                         content_type="application/x-www-form-urlencoded")  # what a mail program sends
    assert answer.status_code == 200 and html(answer).select_one("#abgemeldet")
    assert count(mail_app, subscriptions) == 0 and count(mail_app, tokens) == 0
    assert client.post(url).status_code == 404
    publish(mail_app, ort="Hildesheim")
    assert len(digests(mail_app, smtp, after=WEEK * 2)) == 1


def test_leaving_one_alert_keeps_the_other_alerts_of_the_address_and_their_waiting_mails(mail_app, smtp):
    """A volunteer follows Hildesheim, later Lüneburg too. While the mail server is down, Lüneburg's digest and the
    confirmation of a third alert wait in the outbox; leaving Hildesheim then must not take them along."""
    confirmed(mail_app, smtp)
    publish(mail_app, ort="Hildesheim")
    [hildesheim] = digests(mail_app, smtp)
    confirmed(mail_app, smtp, ort="Lüneburg")
    lueneburg = publish(mail_app, name="Sprachcafé Lüneburg", ort="Lüneburg")
    smtp.stop()
    digests(mail_app, smtp)
    assert subscribe(mail_app, ort="Hameln").status_code == 302
    deliver(mail_app)
    assert mail_app.extensions["atlas"].outbox.status()["waiting"] == 2
    url = hildesheim["List-Unsubscribe"].strip("<>").removeprefix("https://atlas.example")
    assert mail_app.test_client().post(url, data="List-Unsubscribe=One-Click",
                                       content_type="application/x-www-form-urlencoded").status_code == 200
    seen = len(smtp.messages)
    smtp.start()
    assert deliver(mail_app, datetime.now(UTC) + timedelta(minutes=5)).sent == 2
    digest, confirmation = sorted(smtp.messages[seen:], key=lambda m: "bestätigen" in m["Subject"])
    assert "Lüneburg" in digest["Subject"] and f"/projekt/{lueneburg}" in links(digest)
    assert "Hameln" in confirmation["Subject"] + text_of(confirmation)
    assert count(mail_app, subscriptions) == 2


def test_someone_who_signs_up_after_the_last_subscriber_left_gets_a_confirmation_mail(mail_app, smtp):
    """The only subscriber leaves; the next person to sign up may get the same number in the database (SQLite gives
    the largest id again), and still gets their own confirmation mail."""
    confirmed(mail_app, smtp)
    publish(mail_app, ort="Hildesheim")
    [digest] = digests(mail_app, smtp)
    url = digest["List-Unsubscribe"].strip("<>").removeprefix("https://atlas.example")
    assert mail_app.test_client().post(url, data="List-Unsubscribe=One-Click",
                                       content_type="application/x-www-form-urlencoded").status_code == 200
    assert count(mail_app, subscriptions) == 0
    seen = len(smtp.messages)
    assert subscribe(mail_app, email="naechste@example.org", ort="Lüneburg").status_code == 302
    deliver(mail_app)
    [mail] = smtp.messages[seen:]
    assert mail["To"] == "naechste@example.org" and "Lüneburg" in mail["Subject"] + text_of(mail)


def test_a_confirmation_link_works_once_and_expires(mail_app, smtp):
    from sqlalchemy import update

    assert subscribe(mail_app).status_code == 302
    deliver(mail_app)
    [link] = links(smtp.messages[0])
    with mail_app.extensions["atlas"].store.write() as db:
        db.execute(update(tokens).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    client = mail_app.test_client()
    page = client.get(link)
    assert client.post(link, data={"csrf_token": csrf_token(page)}).status_code == 404
    assert token_in(link) not in str(html(page))


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"email": ""}, "email", "Bitte geben Sie Ihre E-Mail-Adresse an."),
    ({"email": "kein-at-zeichen"}, "email", "keine gültige E-Mail-Adresse"),
    ({"email": "a@b.de\nBcc: alle@example.org"}, "email", "keine gültige E-Mail-Adresse"),
    ({"email": "x" * 300 + "@example.org"}, "email", "keine gültige E-Mail-Adresse"),
    ({"umkreis": "7"}, "umkreis", "Umkreis von 5, 10, 25, 50 km"),
    ({"umkreis": "1e9"}, "umkreis", "Umkreis"),
    ({"rhythmus": "stündlich"}, "rhythmus", "wöchentlich oder täglich"),
    ({"ort": ""}, "ort", "Ort oder eine PLZ"),
    ({"ort": ","}, "ort", "Bitte geben Sie einen Ort, eine Postleitzahl oder eine Adresse ein."),
    ({"ort": "Xyzzyhausen"}, "ort", "Xyzzyhausen"),
])
def test_wrong_fields_are_named_and_what_was_typed_stays(mail_app, smtp, fields, field, message):
    answer = subscribe(mail_app, **fields)
    assert answer.status_code == 400
    page = html(answer)
    assert message in page.select_one(".error-summary").get_text()
    assert page.select_one(f".error-summary a[href='#{field}']")
    assert count(mail_app, subscriptions) == 0 and smtp.messages == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_places_come_back_as_text(mail_app, payload):
    answer = subscribe(mail_app, ort=payload)
    assert answer.status_code in (302, 400)
    page = html(answer)
    assert page.select_one("main img, main script, main svg, main iframe, main object, main embed") is None


def test_a_deleted_address_is_nowhere_in_the_database(mail_app, smtp):
    from sqlalchemy import text

    confirmed(mail_app, smtp)
    publish(mail_app, ort="Hildesheim")
    [digest] = digests(mail_app, smtp)
    mail_app.test_client().post(digest["List-Unsubscribe"].strip("<>").removeprefix("https://atlas.example"))
    with mail_app.extensions["atlas"].store.read() as db:
        for table in ("subscriptions", "outbox", "tokens"):
            rows = db.execute(text(f"SELECT * FROM {table}")).all()
            assert "neu@example.org" not in repr(rows), table


def test_the_bot_field_subscribes_nobody(mail_app, smtp):
    assert subscribe(mail_app, homepage="http://spam.example").status_code == 302
    assert count(mail_app, subscriptions) == 0


def test_too_many_sign_ups_from_one_client_are_refused_with_what_was_typed(tmp_path, smtp):
    from helpers import make_app

    app = make_app(tmp_path, MAIL_URL=smtp.url, ALERT_RATE_LIMIT="2 per minute")
    for _ in range(2):
        assert subscribe(app).status_code == 302
    refused = subscribe(app, email="dritte@example.org")
    assert refused.status_code == 429
    page = html(refused)
    assert "sehr viele Anmeldungen" in page.select_one(".error-summary").get_text()
    assert page.select_one("input[name=email]")["value"] == "dritte@example.org"


def test_the_confirmation_mail_repeats_what_was_asked(mail_app, smtp):
    assert subscribe(mail_app, umkreis="10", handlungsfelder=["sprache", "teilhabe"], rhythmus="daily").status_code \
        == 302
    deliver(mail_app)
    [mail] = smtp.to("neu@example.org")
    text = " ".join(text_of(mail).split())
    assert "im Umkreis von 10 km um Hildesheim" in text
    assert "Handlungsfelder: Sprache und Gesellschaftliche Teilhabe." in text
    assert "höchstens einmal am Tag" in text


def test_a_german_digest_writes_distances_with_a_comma(mail_app, smtp):
    confirmed(mail_app, smtp)
    publish(mail_app, name="Sprachcafé Sarstedt", ort="Sarstedt")
    [digest] = digests(mail_app, smtp)
    distance = re.search(r"Sarstedt, (\d+,\d) km entfernt", text_of(digest))
    assert distance, text_of(digest)
    assert "\u2068" not in text_of(digest)  # a left-to-right mail needs no isolates


def test_an_arabic_mail_sets_german_names_apart(mail_app, smtp):
    assert subscribe(mail_app, lang="ar", email="ar@example.org").status_code == 302
    deliver(mail_app)
    [mail] = smtp.to("ar@example.org")
    assert "\u2068Hildesheim\u2069" in text_of(mail) and "\u2068Hildesheim\u2069" in html_of(mail)


def test_the_links_of_an_english_mail_open_the_pages_in_english(mail_app, smtp):
    """She signed up on the English page and reads her mails in a mail program whose browser has no cookie of the
    atlas and asks for German: the links themselves say the language the mail was written in."""
    assert subscribe(mail_app, lang="en", email="en@example.org").status_code == 302
    deliver(mail_app)
    [mail] = smtp.to("en@example.org")
    [link] = links(mail)
    browser = mail_app.test_client()
    confirm_page = browser.get(link, headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert html(confirm_page).html["lang"] == "en"
    assert html(browser.post(link, data={"csrf_token": csrf_token(confirm_page)})).select_one("#bestaetigt")
    project_id = publish(mail_app, ort="Hildesheim")
    digests(mail_app, smtp)
    [_, digest] = smtp.to("en@example.org")
    assert f"/projekt/{project_id}?lang=en" in links(digest)
    opened = mail_app.test_client().get(f"/projekt/{project_id}?lang=en", headers={"Accept-Language": "de"})
    assert html(opened).html["lang"] == "en"
    one_click = mail_app.test_client().post(digest["List-Unsubscribe"].strip("<>").removeprefix("https://atlas.example"),
                                            data="List-Unsubscribe=One-Click",
                                            content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200 and html(one_click).html["lang"] == "en"
    assert count(mail_app, subscriptions) == 0


def test_list_unsubscribe_leaves_as_a_plain_uri_a_mail_program_can_follow(mail_app, smtp):
    confirmed(mail_app, smtp)
    publish(mail_app, name="Sprachcafé Hildesheim", ort="Hildesheim")
    [digest] = digests(mail_app, smtp)
    headers = digest.raw.split(b"\r\n\r\n", 1)[0].decode("ascii").replace("\r\n ", " ")
    [line] = [h for h in headers.split("\r\n") if h.startswith("List-Unsubscribe:")]
    assert re.fullmatch(r"List-Unsubscribe: <https://atlas\.example/benachrichtigung/abmelden/[\w-]+>", line), line
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in headers


@pytest.mark.parametrize("address", ["root,victim@example.org", "victim@example.org, root", "a@localhost",
                                     '"root victim"@example.org', "a@example.org (root)", "a@@example.org",
                                     "<a@example.org>", "a@example.org\nBcc: b@example.org"])
def test_an_address_that_could_reach_someone_else_is_refused(mail_app, smtp, address):
    answer = subscribe(mail_app, email=address)
    assert answer.status_code == 400
    assert "keine gültige E-Mail-Adresse" in html(answer).select_one("#email-fehler").get_text()
    deliver(mail_app)
    assert smtp.messages == [] and count(mail_app, subscriptions) == 0


def test_mail_goes_to_exactly_the_checked_address(mail_app, smtp):
    assert subscribe(mail_app, email="Neu@Example.org").status_code == 302
    deliver(mail_app)
    [mail] = smtp.messages
    assert mail.envelope_to == ["Neu@example.org"]  # the domain as DNS knows it, the local part as typed


def test_an_address_gets_at_most_one_confirmation_mail_a_day(mail_app, smtp):
    for radius in ("10", "25", "50", "5"):
        assert subscribe(mail_app, umkreis=radius).status_code == 302
    deliver(mail_app)
    assert len(smtp.to("neu@example.org")) == 1
    assert count(mail_app, subscriptions) == 1
    second = mail_app.test_client().get("/benachrichtigung/danke?schon=1")
    assert html(second).select_one("#schon-gesendet")
    [mail] = smtp.messages
    [link] = links(mail)
    client = mail_app.test_client()
    page = client.get(link)
    client.post(link, data={"csrf_token": csrf_token(page)})
    with mail_app.extensions["atlas"].store.read() as db:
        radius = db.execute(select(subscriptions.c.radius_km)).scalar_one()
    assert radius == 5  # the link confirms what was asked last


def test_an_address_written_with_other_capitals_gets_no_second_confirmation_mail_that_day(mail_app, smtp):
    first = subscribe(mail_app, email="victim@example.org")
    assert first.status_code == 302 and "schon" not in first.headers["Location"]
    for address in ("Victim@example.org", "vIctim@example.org", "VICTIM@EXAMPLE.ORG"):
        again = subscribe(mail_app, email=address)
        assert again.status_code == 302 and again.headers["Location"].endswith("?schon=1"), address
    deliver(mail_app)
    assert len(smtp.messages) == 1, "one inbox, one confirmation mail"
    assert count(mail_app, subscriptions) == 1
