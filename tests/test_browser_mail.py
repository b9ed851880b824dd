"""The whole loop in a real browser, with a real SMTP server: a volunteer asks for alerts around Hildesheim, a
submitter adds a project in Lamspringe, the office hears of it and approves it, the submitter hears that it is
published, and the volunteer's digest names it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import served
from helpers import OFFICE, PASSWORD, create_account, deliver, links, make_app
from playwright.sync_api import expect

from atlas.alerts import send_digests

pytestmark = pytest.mark.browser
NAME = "Hausaufgabenhilfe Lamspringe"
VOLUNTEER, SUBMITTER = "hilft@example.org", "traeger@example.org"


@pytest.fixture(scope="module")
def smtp_server():
    from servers import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory, smtp_server):
    app = make_app(tmp_path_factory.mktemp("mail"), seeded=True, MAIL_URL=smtp_server.url)
    create_account(app, OFFICE, "--arl", "leine-weser")
    with served(app) as url:
        app.config["BASE_URL"] = url  # the mails' links lead to this server
        yield app, url


def mail_to(app, smtp, address: str, subject: str):
    """Send what the outbox holds, then the newest mail to `address` whose subject has `subject`."""
    deliver(app)
    found = [m for m in smtp.to(address) if subject in m["Subject"]]
    assert found, f"no mail to {address} about {subject!r}: {[m['Subject'] for m in smtp.messages]}"
    return found[-1]


def test_submit_receipt_notice_approval_publication_and_alert(page, mail_server, smtp_server):
    app, url = mail_server

    # A volunteer asks to hear of new projects within 25 km of Hildesheim, and confirms by the mail's link.
    page.goto(url + "/")
    page.get_by_role("link", name="Benachrichtigung").click()
    page.get_by_label("Ort oder PLZ").fill("Hildesheim")
    page.get_by_label("Umkreis").select_option("25")
    page.get_by_label("Ihre E-Mail-Adresse").fill(VOLUNTEER)
    page.get_by_role("button", name="Benachrichtigung anfordern").click()
    expect(page.locator("#fast")).to_be_visible()
    [confirm] = links(mail_to(app, smtp_server, VOLUNTEER, "bestätigen"), url)
    page.goto(url + confirm)
    page.get_by_role("button", name="Ja, ich möchte die Benachrichtigung bekommen").click()
    expect(page.locator("#bestaetigt")).to_be_visible()

    # A submitter adds a project in Lamspringe and gets the private link on the page and by mail.
    page.goto(url + "/einreichen")
    page.get_by_label("Name des Projekts").fill(NAME)
    page.get_by_role("checkbox", name="Sprache", exact=True).check()
    page.get_by_label("Ort", exact=True).fill("Lamspringe")
    page.get_by_label("Kontakt-E-Mail").fill(SUBMITTER)
    page.get_by_label("Ich bin einverstanden").check()
    page.get_by_role("button", name="Weiter: Standort prüfen").click()
    page.get_by_role("button", name="Jetzt einreichen").click()
    shown = page.locator("#privater-link").get_attribute("href")
    [private] = links(mail_to(app, smtp_server, SUBMITTER, "Eingangsbestätigung"), url)
    assert url + private == shown
    page.goto(url + private)
    expect(page.locator("#status")).to_have_text("Eingereicht")

    # The office hears of it, follows the mail's link, signs in and approves.
    [review, _settings] = links(mail_to(app, smtp_server, OFFICE, "Neu zur Prüfung"), url)
    page.goto(url + review)
    page.get_by_label("E-Mail-Adresse").fill(OFFICE)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.goto(url + review)
    page.get_by_role("button", name="Freigeben").click()
    expect(page.locator(".notice")).to_contain_text("freigegeben")
    page.get_by_role("button", name="Abmelden").click()

    # The submitter hears it is published, and the mail's link shows it.
    [public] = links(mail_to(app, smtp_server, SUBMITTER, "Veröffentlicht"), url)
    page.goto(url + public)
    expect(page.locator("h1")).to_have_text(NAME)
    page.goto(url + private)
    expect(page.locator("#status")).to_have_text("Veröffentlicht")

    # A week later the volunteer's digest names it; its one-click link unsubscribes.
    send_digests(app.extensions["atlas"].store, datetime.now(UTC) + timedelta(days=7, minutes=1))
    digest = mail_to(app, smtp_server, VOLUNTEER, "Neue Projekte")
    assert NAME in digest.get_body(("plain",)).get_content()
    project, unsubscribe = links(digest, url)
    assert project == public
    page.goto(url + unsubscribe)
    page.get_by_role("button", name="Abmelden und meine Adresse löschen").click()
    expect(page.locator("#abgemeldet")).to_be_visible()
