"""The submitter's private link: status and decision, a proposed change the office decides, withdrawal; and every
wrong, used or hostile link gets a page that says so."""

from __future__ import annotations

import pytest
from helpers import (
    OFFICE,
    PAYLOADS,
    XSS_REASON,
    create_account,
    csrf_token,
    deliver,
    form_values,
    html,
    login,
    make_app,
    signed_in,
    submit,
)
from sqlalchemy import func, select

from atlas.schema import outbox


@pytest.fixture
def signed_office(mail_app):
    """A test client signed in as the Leine-Weser office (`office` elsewhere: the app with its accounts)."""
    create_account(mail_app, OFFICE, "--arl=leine-weser")
    return signed_in(mail_app)


def decide(signed_office, project_id: int, action: str = "freigeben", **data):
    page = html(signed_office.get(f"/amt/projekt/{project_id}"))
    form = "freigeben" if action == "freigeben" else "ablehnen"
    return signed_office.post(f"/amt/projekt/{project_id}/{action}", data=dict(form_values(page, form), **data))


def test_the_link_shows_the_decision_and_its_reason(mail_app, signed_office):
    project_id, token = submit(mail_app)
    decide(signed_office, project_id, "ablehnen", reason=XSS_REASON)
    page = html(mail_app.test_client().get(f"/mein-projekt/{token}"))
    assert page.select_one("#status").get_text() == "Abgelehnt"
    assert page.select_one("#begruendung").get_text().endswith(XSS_REASON)
    assert page.select_one("#begruendung img") is None
    response = mail_app.test_client().get(f"/mein-projekt/{token}")
    assert "no-store" in response.headers["Cache-Control"]
    assert 'name="robots" content="noindex"' in response.get_data(as_text=True)


def test_a_proposed_change_waits_for_the_office_and_is_shown_field_by_field(mail_app, signed_office, smtp):
    project_id, token = submit(mail_app, name="Sprachcafé Lamspringe", description="Dienstags")
    decide(signed_office, project_id)
    submitter = mail_app.test_client()
    form = form_values(html(submitter.get(f"/mein-projekt/{token}/aendern")), "vorschlagen")
    answer = submitter.post(f"/mein-projekt/{token}/aendern",
                            data=dict(form, description="Dienstags und donnerstags", website="www.example.org"))
    assert answer.status_code == 302
    assert "wartet auf das Amt" in html(submitter.get(f"/mein-projekt/{token}")).select_one("#vorschlag").get_text()
    public = mail_app.test_client().get(f"/projekt/{project_id}").get_data(as_text=True)
    assert "donnerstags" not in public  # nothing is published before the office approves
    deliver(mail_app)
    assert any("Änderungsvorschlag" in m["Subject"] for m in smtp.to(OFFICE))
    rows = html(signed_office.get(f"/amt/projekt/{project_id}")).select("#vorschlag tbody tr")
    table = {r.th.get_text(): [td.get_text() for td in r.select("td")] for r in rows}
    assert table == {"Beschreibung": ["Dienstags", "Dienstags und donnerstags"],
                     "Website": ["–", "https://www.example.org"]}
    page = html(signed_office.get(f"/amt/projekt/{project_id}"))
    data = dict(form_values(page, "vorschlag-entscheiden"), entscheidung="uebernehmen")
    proposal_url = page.select_one("#vorschlag form")["action"]
    assert signed_office.post(proposal_url, data=data).status_code == 302
    assert "donnerstags" in mail_app.test_client().get(f"/projekt/{project_id}").get_data(as_text=True)
    assert mail_app.extensions["atlas"].store.get(project_id)["status"] == "published"
    assert signed_office.post(proposal_url, data=data).status_code == 302  # a second click changes nothing
    assert html(signed_office.get(f"/amt/projekt/{project_id}")).select_one("#vorschlag") is None


def test_a_declined_proposal_changes_nothing(mail_app, signed_office):
    project_id, token = submit(mail_app, name="Alt")
    submitter = mail_app.test_client()
    form = form_values(html(submitter.get(f"/mein-projekt/{token}/aendern")), "vorschlagen")
    submitter.post(f"/mein-projekt/{token}/aendern", data=dict(form, name="Neu"))
    page = html(signed_office.get(f"/amt/projekt/{project_id}"))
    signed_office.post(page.select_one("#vorschlag form")["action"],
                data=dict(form_values(page, "vorschlag-entscheiden"), entscheidung="verwerfen"))
    assert mail_app.extensions["atlas"].store.get(project_id)["name"] == "Alt"


def test_a_proposal_with_errors_names_them_and_keeps_what_was_typed(mail_app):
    _, token = submit(mail_app)
    client = mail_app.test_client()
    form = form_values(html(client.get(f"/mein-projekt/{token}/aendern")), "vorschlagen")
    answer = client.post(f"/mein-projekt/{token}/aendern", data=dict(form, plz="3016", name="X" * 151))
    assert answer.status_code == 400
    page = html(answer)
    summary = page.select_one(".error-summary").get_text()
    assert "PLZ hat fünf Ziffern" in summary and "höchstens 150 Zeichen" in summary
    assert page.select_one("input[name=plz]")["value"] == "3016"


def test_a_proposal_that_changes_nothing_is_not_sent_and_the_form_says_so(mail_app, signed_office, smtp):
    """The submitter opens „Änderungen vorschlagen“ and presses send without changing a field: before, they were
    told their proposal was with the office, and the office got a mail and a task that proposed nothing."""
    project_id, token = submit(mail_app, name="Sprachcafé Lamspringe", description="Dienstags")
    decide(signed_office, project_id)
    deliver(mail_app)
    mailed = len(smtp.to(OFFICE))
    client = mail_app.test_client()
    form = form_values(html(client.get(f"/mein-projekt/{token}/aendern")), "vorschlagen")
    answer = client.post(f"/mein-projekt/{token}/aendern", data=dict(form, description="  Dienstags "))
    assert answer.status_code == 400
    page = html(answer)
    assert "nichts geändert" in page.select_one(".error-summary").get_text()
    assert page.select_one("#name")["value"] == "Sprachcafé Lamspringe"
    assert page.select_one("#vorschlag") is None
    assert html(signed_office.get(f"/amt/projekt/{project_id}")).select_one("#vorschlag") is None
    deliver(mail_app)
    assert len(smtp.to(OFFICE)) == mailed
    assert client.post(f"/mein-projekt/{token}/aendern", data=dict(form, description="Mittwochs")).status_code == 302
    assert html(signed_office.get(f"/amt/projekt/{project_id}")).select_one("#vorschlag") is not None


def test_a_waiting_proposal_is_taken_back_with_its_button_and_only_while_it_waits(mail_app, signed_office):
    """The submitter sent a wrong proposal: „Vorschlag zurücknehmen“ beside it closes it, and the office has nothing
    left to decide. Sending the project as it is does not (it changes nothing). A take-back sent from a page that
    the office's decision overtook, or naming another project's proposal, takes nothing back."""
    project_id, token = submit(mail_app, name="Sprachcafé Lamspringe", description="Dienstags")
    decide(signed_office, project_id)
    client = mail_app.test_client()
    form = form_values(html(client.get(f"/mein-projekt/{token}/aendern")), "vorschlagen")
    assert client.post(f"/mein-projekt/{token}/aendern", data=dict(form, description="Mittwochs")).status_code == 302
    assert client.post(f"/mein-projekt/{token}/aendern", data=form).status_code == 400  # nichts geändert
    status = html(client.get(f"/mein-projekt/{token}"))
    taken = client.post(status.select_one("#vorschlag-zuruecknehmen")["action"],
                        data=form_values(status, "vorschlag-zuruecknehmen"), follow_redirects=True)
    assert taken.status_code == 200 and "Vorschlag ist zurückgenommen" in html(taken).get_text()
    assert html(taken).select_one("#vorschlag") is None
    assert html(signed_office.get(f"/amt/projekt/{project_id}")).select_one("#vorschlag") is None
    store = mail_app.extensions["atlas"].store
    assert store.get(project_id)["description"] == "Dienstags"

    # the office takes the next proposal over while the submitter's page still offers to take it back
    assert client.post(f"/mein-projekt/{token}/aendern", data=dict(form, description="Freitags")).status_code == 302
    status = html(client.get(f"/mein-projekt/{token}"))
    office_page = html(signed_office.get(f"/amt/projekt/{project_id}"))
    signed_office.post(office_page.select_one("#vorschlag form")["action"],
                       data=dict(form_values(office_page, "vorschlag-entscheiden"), entscheidung="uebernehmen"))
    late = client.post(status.select_one("#vorschlag-zuruecknehmen")["action"],
                       data=form_values(status, "vorschlag-zuruecknehmen"), follow_redirects=True)
    assert "wartet nicht mehr" in html(late).get_text()
    assert store.get(project_id)["description"] == "Freitags"

    # another project's proposal, and no number at all
    other_id, other_token = submit(mail_app, name="Lernwerkstatt Alfeld", ort="Alfeld")
    other = form_values(html(client.get(f"/mein-projekt/{other_token}/aendern")), "vorschlagen")
    client.post(f"/mein-projekt/{other_token}/aendern", data=dict(other, description="Neu"))
    theirs = form_values(html(client.get(f"/mein-projekt/{other_token}")), "vorschlag-zuruecknehmen")
    mine = form_values(html(client.get(f"/mein-projekt/{token}")), "zurueckziehen")
    forged = dict(theirs, version=mine["version"])
    assert "wartet nicht mehr" in html(client.post(f"/mein-projekt/{token}/vorschlag-zuruecknehmen", data=forged,
                                                   follow_redirects=True)).get_text()
    assert html(client.get(f"/mein-projekt/{other_token}")).select_one("#vorschlag") is not None
    for number in ("", "x", "<script>", "1" * 30):
        assert client.post(f"/mein-projekt/{token}/vorschlag-zuruecknehmen",
                           data=dict(theirs, vorschlag=number)).status_code == 400


def test_too_many_proposals_from_one_client_are_refused_with_what_was_typed_and_mail_the_office_no_more(tmp_path):
    app = make_app(tmp_path, SUBMIT_RATE_LIMIT="2 per minute")
    create_account(app, OFFICE, "--arl=leine-weser")
    _, token = submit(app)
    client = app.test_client()
    for number in range(2):
        form = form_values(html(client.get(f"/mein-projekt/{token}/aendern")), "vorschlagen")
        assert client.post(f"/mein-projekt/{token}/aendern", data=dict(form, description=f"Neu {number}")
                           ).status_code == 302
    refused = client.post(f"/mein-projekt/{token}/aendern", data=dict(form, description="Noch einmal neu"))
    assert refused.status_code == 429
    page = html(refused)
    assert "sehr viele Änderungsvorschläge" in page.select_one(".error-summary").get_text()
    assert page.select_one("textarea[name=description]").get_text().strip() == "Noch einmal neu"
    with app.extensions["atlas"].store.read() as db:
        told = db.execute(select(func.count()).where(outbox.c.kind == "office_proposal")).scalar_one()
    assert told == 2, "the office hears of two proposals, not of a flood"


def test_withdrawing_takes_it_off_the_map_and_deletes_the_address(mail_app, signed_office):
    project_id, token = submit(mail_app, email="weg@example.org")
    decide(signed_office, project_id)
    client = mail_app.test_client()
    page = html(client.get(f"/mein-projekt/{token}"))
    unsure = client.post(f"/mein-projekt/{token}/zurueckziehen", data=form_values(page, "zurueckziehen"))
    assert unsure.status_code == 400  # asked once more: it cannot be undone
    assert "Bitte bestätigen Sie" in html(unsure).select_one("#zurueckziehen .field-error").get_text()
    assert mail_app.extensions["atlas"].store.get(project_id)["status"] == "published"
    assert client.post(f"/mein-projekt/{token}/zurueckziehen",
                       data=dict(form_values(page, "zurueckziehen"), sure="y")).status_code == 302
    assert html(client.get(f"/mein-projekt/{token}")).select_one("#status").get_text() == "Archiviert"
    assert client.get(f"/projekt/{project_id}").status_code == 404
    row = mail_app.extensions["atlas"].store.get(project_id)
    assert row["status"] == "archived" and row["email"] == ""
    history = html(signed_office.get(f"/amt/projekt/{project_id}")).select_one("#verlauf").get_text()
    assert "Einreicher · Archiviert: Vom Einreicher zurückgezogen." in history


def test_a_withdrawal_without_its_form_token_does_nothing(mail_app):
    project_id, token = submit(mail_app)
    assert mail_app.test_client().post(f"/mein-projekt/{token}/zurueckziehen").status_code == 400
    assert mail_app.extensions["atlas"].store.get(project_id)["status"] == "pending"


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 5000, "%00", "..%2F..%2Famt", "\u202eevil", *PAYLOADS[:8]])
def test_a_wrong_link_gets_a_page_never_an_error(mail_app, token):
    from urllib.parse import quote

    client = mail_app.test_client()
    for path in (f"/mein-projekt/{quote(token, safe='')}", f"/mein-projekt/{quote(token, safe='')}/aendern",
                 f"/frische/{quote(token, safe='')}?antwort=aktuell",
                 f"/benachrichtigung/abmelden/{quote(token, safe='')}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "<img src=x" not in response.get_data(as_text=True)


def test_a_link_of_one_purpose_opens_nothing_else(mail_app):
    """The private link is no unsubscription link and no freshness answer."""
    _, token = submit(mail_app)
    client = mail_app.test_client()
    assert client.get(f"/benachrichtigung/abmelden/{token}").status_code == 404
    assert client.get(f"/frische/{token}?antwort=beendet").status_code == 404
    page = client.get("/benachrichtigung")  # a form token of this session, as an attacker could get one
    answer = client.post(f"/frische/{token}", data={"antwort": "beendet", "csrf_token": csrf_token(page)})
    assert answer.status_code == 404
    assert "gilt nicht" in html(answer).select_one("#ungueltig").get_text()


def test_only_the_hash_of_a_token_is_stored(mail_app):
    from sqlalchemy import text

    _, token = submit(mail_app)
    with mail_app.extensions["atlas"].store.read() as db:
        stored = db.execute(text("SELECT token_hash FROM tokens")).scalars().all()
        queued = db.execute(text("SELECT params FROM outbox")).scalars().all()
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    deliver(mail_app)
    with mail_app.extensions["atlas"].store.read() as db:
        assert token not in " ".join(db.execute(text("SELECT params FROM outbox")).scalars())
    assert token in queued[0]  # until it was sent


def test_a_proposal_with_markup_reaches_the_office_as_text(mail_app, signed_office):
    project_id, token = submit(mail_app, name="Alt")
    client = mail_app.test_client()
    form = form_values(html(client.get(f"/mein-projekt/{token}/aendern")), "vorschlagen")
    client.post(f"/mein-projekt/{token}/aendern", data=dict(form, name=PAYLOADS[0], description="\u202eumgedreht"))
    page = signed_office.get(f"/amt/projekt/{project_id}").get_data(as_text=True)
    assert PAYLOADS[0] not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\u202e" not in page  # bidi overrides are removed from every field


def test_another_district_can_neither_decide_a_proposal_nor_archive(mail_app, signed_office):
    project_id, token = submit(mail_app)
    mail_app.extensions["atlas"].store.set_status(project_id, "published", actor="test")
    client = mail_app.test_client()
    form = form_values(html(client.get(f"/mein-projekt/{token}/aendern")), "vorschlagen")
    client.post(f"/mein-projekt/{token}/aendern", data=dict(form, name="Neu"))
    page = html(signed_office.get(f"/amt/projekt/{project_id}"))
    proposal_url = page.select_one("#vorschlag form")["action"]
    create_account(mail_app, "braunschweig@arl.example", "--arl=braunschweig")
    other = mail_app.test_client()
    login(other, "braunschweig@arl.example")
    token_form = csrf_token(other.get("/amt/"))
    version = page.select_one("#archivieren input[name=version]")["value"]
    for url in (proposal_url, f"/amt/projekt/{project_id}/archivieren"):
        answer = other.post(url, data={"csrf_token": token_form, "version": version, "entscheidung": "uebernehmen"})
        assert answer.status_code == 403, url
    row = mail_app.extensions["atlas"].store.get(project_id)
    assert row["name"] != "Neu" and row["status"] == "published"


def test_a_stale_archive_form_archives_nothing(mail_app, signed_office):
    project_id, _ = submit(mail_app)
    store = mail_app.extensions["atlas"].store
    store.set_status(project_id, "published", actor="test")
    page = html(signed_office.get(f"/amt/projekt/{project_id}"))
    store.set_status(project_id, "published", actor="jemand anderes")  # changed meanwhile
    answer = signed_office.post(f"/amt/projekt/{project_id}/archivieren", data=form_values(page, "archivieren"))
    assert answer.status_code == 409 and store.get(project_id)["status"] == "published"


def test_the_notification_choice_takes_only_its_two_values(mail_app, signed_office):
    page = signed_office.get("/amt/konto")
    answer = signed_office.post("/amt/konto", data={"notify": "<script>", "csrf_token": csrf_token(page)})
    assert answer.status_code == 400
    assert html(signed_office.get("/amt/konto")).select_one("input[value=each]").has_attr("checked")


def test_the_private_page_shows_every_fact_given_in_the_readers_words(mail_app):
    _, token = submit(mail_app, traeger="Caritas", sprachen="de;ar", zielgruppen="frauen", kosten="kostenlos",
                      zeiten="Di 15:00-17:00", barrierefrei="ja", kontakt="05121 123456", approximate=True)
    page = html(mail_app.test_client().get(f"/mein-projekt/{token}?lang=en"))
    given = page.select_one("#angaben")
    shown = given.get_text(" ", strip=True)
    for words in ("Caritas", "Deutsch (German)", "العربية (Arabic)", "Women", "free of charge", "Tuesday",
                  "barrier-free", "+49 5121 123456", "Sprachcafé Lamspringe"):
        assert words in shown, words
    assert not given.has_attr("lang"), "labels are in the page's language"
    assert all(dd["lang"] == "de" for dd in given.select("dd[lang]")) and given.select_one("dt[lang]") is None
    assert "traeger@example.org" not in str(page)  # the private address stays off the page


def propose_change(mail_app, token: str, **fields):
    client = mail_app.test_client()
    page = html(client.get(f"/mein-projekt/{token}/aendern"))
    answer = client.post(f"/mein-projekt/{token}/aendern", data=dict(form_values(page, "vorschlagen"), **fields))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    return html(client.get(answer.location))


def test_a_change_proposed_after_a_rejection_shows_in_the_queue_and_taking_it_publishes(mail_app, signed_office, smtp):
    project_id, token = submit(mail_app, name="Nähcafé Lamspringe", email="naeh@example.org")
    decide(signed_office, project_id, "ablehnen", reason="Bitte Zeiten angeben")
    told = propose_change(mail_app, token, zeiten="Mi 15:00-17:00").select_one(".notice, .flash").get_text()
    assert "veröffentlicht, sobald das Amt ihn freigibt" in told
    queue = html(signed_office.get("/amt/warteschlange"))
    tab = queue.select_one("nav a[href*='status=vorschlaege']").get_text()
    assert tab == "Änderungsvorschläge (1)"
    listed = html(signed_office.get("/amt/warteschlange?status=vorschlaege")).select_one("#warteschlange tbody")
    assert "Nähcafé Lamspringe" in listed.get_text() and "Änderungsvorschlag" in listed.get_text()
    page = html(signed_office.get(f"/amt/projekt/{project_id}"))
    signed_office.post(page.select_one("#vorschlag-entscheiden")["action"],
                data=dict(form_values(page, "vorschlag-entscheiden"), entscheidung="uebernehmen"))
    assert html(mail_app.test_client().get(f"/mein-projekt/{token}")).select_one("#status").get_text() \
        == "Veröffentlicht"  # as the submitter was told
    assert mail_app.test_client().get(f"/projekt/{project_id}").status_code == 200
    deliver(mail_app)
    assert any(m["Subject"] == "Veröffentlicht: „Nähcafé Lamspringe“" for m in smtp.to("naeh@example.org"))
    tabs = html(signed_office.get("/amt/warteschlange")).select_one("nav[aria-label=Status]").get_text()
    assert "Änderungsvorschläge (0)" in tabs


def test_a_change_proposed_while_pending_is_checked_with_the_project(mail_app, signed_office):
    project_id, token = submit(mail_app, name="Wartet noch")
    told = propose_change(mail_app, token, zeiten="Mi 15:00-17:00").select_one(".notice, .flash").get_text()
    assert "zusammen mit Ihrem Projekt" in told


def test_the_office_finds_a_project_by_number_name_traeger_or_place_and_keeps_its_filters(mail_app, signed_office):
    first, _ = submit(mail_app, name="Sprachtreff am Markt", traeger="Caritas Hildesheim", ort="Hildesheim")
    second, _ = submit(mail_app, name="Fahrradwerkstatt 100% ehrenamtlich", ort="Sarstedt")

    def found(**params):
        page = html(signed_office.get("/amt/warteschlange", query_string=params))
        return [a.get_text() for a in page.select("#warteschlange tbody th a")]

    assert found(q=f"GS-{first:06d}") == ["Sprachtreff am Markt"]
    assert found(q=str(second)) == ["Fahrradwerkstatt 100% ehrenamtlich"]
    assert found(q="caritas") == ["Sprachtreff am Markt"]
    assert found(q="sarstedt") == ["Fahrradwerkstatt 100% ehrenamtlich"]
    assert found(q="100%") == ["Fahrradwerkstatt 100% ehrenamtlich"]  # % is a letter here, not a wildcard
    assert found(q="markt", status="published") == []
    page = html(signed_office.get("/amt/warteschlange", query_string={"q": "markt", "hf": "sprache", "kreis": "03254"}))
    form = page.select_one("#warteschlange-filter")
    assert form.select_one("#q")["value"] == "markt"
    assert form.select_one("input[name=status]")["value"] == "pending"
    assert form.select_one("#f-kreis option[selected]")["value"] == "03254"
    row = page.select_one("#warteschlange tbody tr")
    assert row.select_one(".reference").get_text() == f"GS-{first:06d}"
    for path in (f"/amt/projekt/{first}", f"/amt/projekt/{first}/bearbeiten"):
        assert html(signed_office.get(path)).select_one("#nummer").get_text() == f"GS-{first:06d}"
