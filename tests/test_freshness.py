"""Is it still running? Published projects are asked once a year; without an answer they are marked, and the
office may archive them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import create_account, csrf_token, deliver, form_values, html, links, login, submit
from sqlalchemy import update

from atlas import freshness
from atlas.schema import projects
from atlas.store import PUBLISHED

DAYS = 365


@pytest.fixture
def published(mail_app):
    """A project published and last confirmed 400 days ago."""
    store = mail_app.extensions["atlas"].store
    project_id, _ = submit(mail_app, email="traeger@example.org")
    store.set_status(project_id, PUBLISHED, actor="test")
    set_confirmed(mail_app, project_id, datetime.now(UTC) - timedelta(days=400))
    deliver(mail_app)
    return project_id


def set_confirmed(app, project_id: int, when: datetime) -> None:
    with app.extensions["atlas"].store.write() as db:
        db.execute(update(projects).where(projects.c.id == project_id).values(confirmed_at=when))


def ask(app, smtp):
    cycle = freshness.run(app.extensions["atlas"].store, DAYS)
    deliver(app)
    return cycle, [m for m in smtp.messages if m["Subject"].startswith("Läuft")]


def test_a_project_due_is_asked_once_with_three_answers(mail_app, smtp, published):
    cycle, [mail] = ask(mail_app, smtp)
    assert cycle.asked == 1
    current, edit, ended = links(mail)
    assert current.startswith("/frische/") and current.endswith("antwort=aktuell")
    assert edit.startswith("/mein-projekt/") and edit.endswith("/aendern")
    assert ended.endswith("antwort=beendet")
    assert mail_app.test_client().get(edit).status_code == 200
    again, mails = ask(mail_app, smtp)
    assert again.asked == 0 and len(mails) == 1


def test_still_current_confirms_it_and_the_link_is_used_up(mail_app, smtp, published):
    _, [mail] = ask(mail_app, smtp)
    current = links(mail)[0]
    client = mail_app.test_client()
    page = client.get(current)  # a mail scanner's visit answers nothing
    assert mail_app.extensions["atlas"].store.get(published)["freshness_asked_at"] is not None
    answer = client.post(current.split("?")[0], data={"antwort": "aktuell", "csrf_token": csrf_token(page)})
    assert "bleibt im Atlas" in html(answer).get_text()
    row = mail_app.extensions["atlas"].store.get(published)
    assert row["freshness_asked_at"] is None and not freshness.is_unconfirmed(row, DAYS)
    used = client.post(current.split("?")[0], data={"antwort": "aktuell", "csrf_token": csrf_token(page)})
    assert used.status_code == 404


def test_ended_archives_it(mail_app, smtp, published):
    _, [mail] = ask(mail_app, smtp)
    ended = links(mail)[2]
    client = mail_app.test_client()
    page = client.get(ended)
    client.post(ended.split("?")[0], data={"antwort": "beendet", "csrf_token": csrf_token(page)})
    row = mail_app.extensions["atlas"].store.get(published)
    assert row["status"] == "archived" and row["email"] == ""
    assert client.get(f"/projekt/{published}").status_code == 404


def test_no_answer_marks_it_for_the_public_and_lists_it_for_the_office(mail_app, smtp, published):
    ask(mail_app, smtp)
    set_confirmed(mail_app, published, datetime.now(UTC) - timedelta(days=DAYS + 31))
    freshness.run(mail_app.extensions["atlas"].store, DAYS)  # renews the pages' version
    client = mail_app.test_client()
    note = html(client.get(f"/projekt/{published}")).select_one("#nicht-bestaetigt").get_text()
    assert "Nicht bestätigt seit" in note
    listed = html(client.get("/region/leine-weser")).select_one("#projektliste .unconfirmed")
    assert listed.get_text().startswith("nicht bestätigt seit")
    near = html(client.get("/in-der-naehe?ort=Lamspringe&umkreis=5"))
    assert near.select_one("#treffer .unconfirmed") is not None
    create_account(mail_app, "lw@arl.example", "--arl=leine-weser")
    create_account(mail_app, "bs@arl.example", "--arl=braunschweig")
    office = mail_app.test_client()
    login(office, "bs@arl.example")
    assert html(office.get("/amt/warteschlange?status=veraltet")).select("#warteschlange tbody tr") == []
    office = mail_app.test_client()
    login(office, "lw@arl.example")
    [row] = html(office.get("/amt/warteschlange?status=veraltet")).select("#warteschlange tbody tr")
    assert row.a["href"] == f"/amt/projekt/{published}"
    page = html(office.get(f"/amt/projekt/{published}"))
    assert page.select_one("#nicht-bestaetigt") is not None
    assert office.post(f"/amt/projekt/{published}/archivieren",
                       data=form_values(page, "archivieren")).status_code == 302
    assert client.get(f"/projekt/{published}").status_code == 404
    assert html(office.get("/amt/warteschlange?status=archived")).select("#warteschlange tbody tr")


def test_a_fresh_project_is_neither_asked_nor_marked(mail_app, smtp):
    project_id, _ = submit(mail_app)
    mail_app.extensions["atlas"].store.set_status(project_id, PUBLISHED, actor="test")
    cycle, mails = ask(mail_app, smtp)
    assert cycle.asked == 0 and mails == []
    assert html(mail_app.test_client().get(f"/projekt/{project_id}")).select_one("#nicht-bestaetigt") is None


def test_the_public_page_shows_no_email_address(mail_app):
    project_id, _ = submit(mail_app, email="geheim@example.org")
    mail_app.extensions["atlas"].store.set_status(project_id, PUBLISHED, actor="test")
    client = mail_app.test_client()
    for url in (f"/projekt/{project_id}", "/", "/region/leine-weser", "/in-der-naehe?ort=Lamspringe",
                "/karte/projekte.json"):
        assert "geheim@example.org" not in client.get(url).get_data(as_text=True), url


def test_freshness_days_must_be_a_number(tmp_path):
    from atlas import create_app

    with pytest.raises(ValueError, match="ATLAS_FRESHNESS_DAYS"):
        create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "FRESHNESS_DAYS": "ein Jahr"})


def test_a_due_project_without_an_address_is_the_offices_task_at_once(mail_app, smtp, tmp_path):
    """Entries gathered from public sources have nobody to ask: no mail to nobody, the office looks after them."""
    from test_sources import add_sources

    due, fresh, _confirmed = add_sources(mail_app, tmp_path)
    set_confirmed(mail_app, due, datetime.now(UTC) - timedelta(days=DAYS + 1))
    cycle, mails = ask(mail_app, smtp)
    assert (cycle.asked, cycle.unconfirmed, cycle.for_office) == (0, 1, 1) and mails == []
    create_account(mail_app, "lw@arl.example", "--arl=leine-weser")
    office = mail_app.test_client()
    login(office, "lw@arl.example")
    [row] = html(office.get("/amt/warteschlange?status=veraltet")).select("#warteschlange tbody tr")
    assert row.a["href"] == f"/amt/projekt/{due}"
    note = html(office.get(f"/amt/projekt/{due}")).select_one("#nicht-bestaetigt").get_text()
    assert "Es gibt keine E-Mail-Adresse, an die die jährliche Nachfrage gehen könnte" in note
    assert html(office.get(f"/amt/projekt/{fresh}")).select_one("#nicht-bestaetigt") is None
