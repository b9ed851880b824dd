"""„Ist das Ihr Projekt?“: the Träger of an entry gathered from a public source leaves an address, the district's
office accepts (the private link goes to them, the entry counts as confirmed) or declines; or confirms it itself."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from helpers import (
    OFFICE,
    create_account,
    csrf_token,
    deliver,
    form_values,
    html,
    links,
    make_app,
    signed_in,
    text_of,
    textarea,
)
from sqlalchemy import select
from test_sources import add_sources

from atlas import claims
from atlas.schema import claims as claims_table
from atlas.schema import outbox

OTHER_OFFICE = "braunschweig@arl.example"


@pytest.fixture
def claim_app(mail_app, tmp_path):
    """Three entries from sources in Lamspringe and Hildesheim (Leine-Weser), the second and third as in
    test_sources; the district's office and another one."""
    mail_app.config["source_ids"] = add_sources(mail_app, tmp_path)
    create_account(mail_app, OFFICE, "--arl=leine-weser")
    create_account(mail_app, OTHER_OFFICE, "--arl=braunschweig")
    return mail_app


def send_claim(client, project_id: int, email: str, message: str = "", homepage: str = "", lang: str = ""):
    page = client.get(f"/projekt/{project_id}/bestaetigen{lang}")
    return client.post(f"/projekt/{project_id}/bestaetigen{lang}", data={
        "csrf_token": csrf_token(page), "email": email, "nachricht": message, "homepage": homepage})


def decide(office, project_id: int, claim_id: int, decision: str, version: str | None = None):
    form = _claim_form(html(office.get(f"/amt/projekt/{project_id}")), claim_id)
    if version is not None:
        form["version"] = version
    return office.post(f"/amt/projekt/{project_id}/anfrage/{claim_id}", data=dict(form, entscheidung=decision))


def _claim_form(page, claim_id: int) -> dict:
    form = page.select_one(f"#anfrage-{claim_id} form")
    return {node["name"]: node.get("value", "") for node in form.select("input")}


def waiting_claims(app, project_id: int) -> list[dict]:
    return claims.waiting(app.extensions["atlas"].store, project_id)


def test_the_form_explains_itself_and_names_the_office(claim_app):
    old = claim_app.config["source_ids"][0]
    page = html(claim_app.test_client().get(f"/projekt/{old}/bestaetigen"))
    assert page.h1.get_text() == "Ist das Ihr Projekt?"
    assert "Amt für regionale Landesentwicklung Leine-Weser" in page.get_text()
    email = page.select_one("input#email")
    assert page.select_one("label[for=email]").get_text() == "Ihre E-Mail-Adresse"
    assert email["aria-describedby"] == "email-hilfe" and email["autocomplete"] == "email"
    assert page.select_one("label[for=nachricht]").get_text() == "Nachricht an das Amt (freiwillig)"
    assert page.select_one("input[name=csrf_token]") is not None
    assert page.select_one(".skip input[name=homepage]")["tabindex"] == "-1"


@pytest.mark.parametrize(("email", "message", "errors"), [
    ("", "", {"email": "Bitte geben Sie Ihre E-Mail-Adresse an: An sie geht der private Link zum Projekt."}),
    ("kein-at-zeichen", "", {"email": "„kein-at-zeichen“ ist keine gültige E-Mail-Adresse."}),
    ("a@b.de, c@d.de", "", {"email": "„a@b.de, c@d.de“ ist keine gültige E-Mail-Adresse."}),
    ("leitung@verein.de", "x" * 2001,
     {"nachricht": "Die Nachricht ist zu lang: höchstens 2000 Zeichen, eingegeben 2001."}),
])
def test_every_field_is_checked_and_what_was_typed_stays(claim_app, email, message, errors):
    old = claim_app.config["source_ids"][0]
    answer = send_claim(claim_app.test_client(), old, email, message)
    assert answer.status_code == 400
    page = html(answer)
    summary = page.select_one(".error-summary")
    assert [a.get_text() for a in summary.select("a")] == list(errors.values())
    assert [a["href"] for a in summary.select("a")] == [f"#{name}" for name in errors]
    for name, text in errors.items():
        assert page.select_one(f"#{name}-fehler").get_text() == text
        assert page.select_one(f"#{name}")["aria-invalid"] == "true"
    assert page.select_one("#email").get("value", "") == email
    assert textarea(page.select_one("#nachricht")) == message
    assert waiting_claims(claim_app, old) == []


def test_a_claim_waits_for_the_office_which_hears_of_it(claim_app, smtp):
    old = claim_app.config["source_ids"][0]
    client = claim_app.test_client()
    answer = send_claim(client, old, "Leitung@Kirchengemeinde.example", "Ich leite das Sprachcafé.")
    assert answer.status_code == 302 and answer.location == f"/projekt/{old}/bestaetigen/danke"
    thanks = html(client.get(answer.location))
    assert thanks.select_one("#gesendet").get_text() == "Vielen Dank, Ihre Anfrage liegt dem Amt vor"
    [claim] = waiting_claims(claim_app, old)
    assert (claim["email"], claim["message"], claim["language"]) == (
        "Leitung@kirchengemeinde.example", "Ich leite das Sprachcafé.", "de")
    deliver(claim_app)
    [notice] = [m for m in smtp.messages if m["To"] == OFFICE]
    assert notice["Subject"] == "Anfrage eines Trägers zu „Sprachcafé Lamspringe“"
    assert f"/amt/projekt/{old}" in links(notice)


def test_one_address_has_at_most_one_open_claim_per_project(claim_app):
    old, new, _confirmed = claim_app.config["source_ids"]
    client = claim_app.test_client()
    for email in ("leitung@verein.example", "LEITUNG@verein.example"):
        assert send_claim(client, old, email).status_code == 302
    assert send_claim(client, new, "leitung@verein.example").status_code == 302
    assert send_claim(client, old, "kasse@verein.example").status_code == 302
    assert [c["email"] for c in waiting_claims(claim_app, old)] == ["leitung@verein.example", "kasse@verein.example"]
    assert len(waiting_claims(claim_app, new)) == 1


def test_a_bot_filling_the_hidden_field_is_thanked_and_nothing_is_kept(claim_app):
    old = claim_app.config["source_ids"][0]
    answer = send_claim(claim_app.test_client(), old, "bot@spam.example", homepage="https://spam.example")
    assert answer.status_code == 302
    assert waiting_claims(claim_app, old) == []


def test_only_an_unconfirmed_entry_from_a_source_can_be_claimed(claim_app):
    confirmed = claim_app.config["source_ids"][2]
    client = claim_app.test_client()
    assert client.get(f"/projekt/{confirmed}/bestaetigen").status_code == 404
    token = csrf_token(client.get(f"/projekt/{claim_app.config['source_ids'][0]}/bestaetigen"))
    assert client.post(f"/projekt/{confirmed}/bestaetigen", data={"email": "a@b.example",
                                                                   "csrf_token": token}).status_code == 404
    assert client.get("/projekt/999/bestaetigen").status_code == 404


def test_too_many_claims_from_one_client_are_refused_with_what_was_typed(tmp_path):
    app = make_app(tmp_path, SUBMIT_RATE_LIMIT="2 per minute")
    old = add_sources(app, tmp_path)[0]
    client = app.test_client()
    for _ in range(2):
        send_claim(client, old, "leitung@verein.example")
    refused = send_claim(client, old, "dritte@verein.example", "noch einmal")
    assert refused.status_code == 429
    page = html(refused)
    assert "sehr viele Anfragen" in page.select_one(".error-summary").get_text()
    assert page.select_one("#email")["value"] == "dritte@verein.example"


def test_hostile_input_stays_text_for_the_office(claim_app):
    old = claim_app.config["source_ids"][0]
    evil = '<script>alert(1)</script><img src=x onerror=alert(1)>'
    send_claim(claim_app.test_client(), old, "leitung@verein.example", evil)
    page = html(signed_in(claim_app).get(f"/amt/projekt/{old}"))
    shown = page.select_one("#anfragen article")
    assert evil in shown.get_text()
    assert shown.select("script, img") == []


def test_the_office_sees_claims_and_unconfirmed_entries_as_groups_in_its_queue(claim_app):
    old, new, _confirmed = claim_app.config["source_ids"]
    send_claim(claim_app.test_client(), new, "leitung@frauentreff.example")
    office = signed_in(claim_app)
    tabs = {a.get_text(strip=True) for a in html(office.get("/amt/warteschlange")).select("nav[aria-label=Status] a")}
    assert {"aus Quellen, unbestätigt (2)", "Anfragen von Trägern (1)"} <= tabs
    claimed = html(office.get("/amt/warteschlange?status=anfragen")).select("#warteschlange tbody tr")
    assert [urlsplit(row.a["href"]).path for row in claimed] == [f"/amt/projekt/{new}"]
    assert "Anfrage eines Trägers" in claimed[0].get_text()
    listed = html(office.get("/amt/warteschlange?status=aus-quellen")).select("#warteschlange tbody tr")
    assert [urlsplit(row.a["href"]).path for row in listed] == [f"/amt/projekt/{old}", f"/amt/projekt/{new}"]
    other = signed_in(claim_app, OTHER_OFFICE)
    for tab in ("anfragen", "aus-quellen"):
        assert html(other.get(f"/amt/warteschlange?status={tab}")).select("#warteschlange tbody a") == []


def test_accepting_hands_over_the_project_and_declines_the_others(claim_app, smtp):
    old = claim_app.config["source_ids"][0]
    client = claim_app.test_client()
    send_claim(client, old, "leitung@kirchengemeinde.example", lang="?lang=en")
    send_claim(claim_app.test_client(), old, "jemand@anders.example")  # another person, in another browser
    first, second = waiting_claims(claim_app, old)
    office = signed_in(claim_app)
    answer = decide(office, old, first["id"], "annehmen")
    assert answer.status_code == 302
    row = claim_app.extensions["atlas"].store.get(old)
    assert row["email"] == "leitung@kirchengemeinde.example" and row["language"] == "en"
    assert row["source_confirmed_at"] is not None and row["quelle"]
    assert waiting_claims(claim_app, old) == []
    with claim_app.extensions["atlas"].store.read() as db:
        states = dict(db.execute(select(claims_table.c.email, claims_table.c.status)).all())
        sent = {r.kind: json.loads(r.params) for r in db.execute(select(outbox)) if r.kind.startswith("claim")}
    assert states == {"leitung@kirchengemeinde.example": "accepted", "jemand@anders.example": "declined"}
    assert sent["claim_accepted"]["lang"] == "en", "written in the claimant's language"
    deliver(claim_app)
    [handed] = [m for m in smtp.messages if m["To"] == "leitung@kirchengemeinde.example"]
    private = [link for link in links(handed) if link.startswith("/mein-projekt/")]
    assert private and "Sprachcafé Lamspringe" in html(client.get(private[0])).get_text()
    [declined] = [m for m in smtp.messages if m["To"] == "jemand@anders.example"]
    assert "nicht angenommen" in text_of(declined)
    public = html(client.get(f"/projekt/{old}"))
    assert public.select_one("#aus-quellen") is None, "the mark goes with the confirmation"
    assert client.get(f"/projekt/{old}/bestaetigen").status_code == 404
    history = [li.get_text(" ", strip=True) for li in html(office.get(f"/amt/projekt/{old}")).select("#verlauf li")]
    assert any("Vom Träger übernommen (Angaben bestätigt)" in entry and "leitung@kirchengemeinde.example" in entry
               for entry in history)
    assert any("Anfrage zur Übernahme abgelehnt" in entry for entry in history)


def test_declining_tells_the_claimant_and_leaves_the_entry(claim_app, smtp):
    old = claim_app.config["source_ids"][0]
    send_claim(claim_app.test_client(), old, "jemand@anders.example")
    [claim] = waiting_claims(claim_app, old)
    office = signed_in(claim_app)
    assert decide(office, old, claim["id"], "ablehnen").status_code == 302
    row = claim_app.extensions["atlas"].store.get(old)
    assert row["email"] == "" and row["source_confirmed_at"] is None
    deliver(claim_app)
    [mail] = [m for m in smtp.messages if m["To"] == "jemand@anders.example"]
    assert mail["Subject"] == "Ihre Anfrage zu „Sprachcafé Lamspringe“"
    assert waiting_claims(claim_app, old) == []
    refused = office.post(f"/amt/projekt/{old}/anfrage/{claim['id']}", data={
        "csrf_token": csrf_token(office.get(f"/amt/projekt/{old}")), "version": str(row["row_version"]),
        "entscheidung": "annehmen"})
    assert refused.status_code == 302 and claim_app.extensions["atlas"].store.get(old)["email"] == ""


def test_another_districts_office_cannot_decide_a_claim(claim_app):
    old = claim_app.config["source_ids"][0]
    send_claim(claim_app.test_client(), old, "leitung@verein.example")
    [claim] = waiting_claims(claim_app, old)
    form = _claim_form(html(signed_in(claim_app).get(f"/amt/projekt/{old}")), claim["id"])
    other = signed_in(claim_app, OTHER_OFFICE)
    assert other.get(f"/amt/projekt/{old}").status_code == 403
    page = other.get("/amt/warteschlange")
    forged = dict(form, csrf_token=csrf_token(page), entscheidung="annehmen")
    assert other.post(f"/amt/projekt/{old}/anfrage/{claim['id']}", data=forged).status_code == 403
    assert other.post(f"/amt/projekt/{old}/quelle-bestaetigen", data=forged).status_code == 403
    assert claim_app.extensions["atlas"].store.get(old)["email"] == ""
    assert len(waiting_claims(claim_app, old)) == 1


def test_a_claim_decided_on_a_stale_version_is_refused(claim_app):
    old = claim_app.config["source_ids"][0]
    send_claim(claim_app.test_client(), old, "leitung@verein.example")
    [claim] = waiting_claims(claim_app, old)
    office = signed_in(claim_app)
    form = _claim_form(html(office.get(f"/amt/projekt/{old}")), claim["id"])
    edit = form_values(html(office.get(f"/amt/projekt/{old}/bearbeiten")), "bearbeiten")
    edit["name"] = "Sprachcafé Lamspringe (Gemeindehaus)"
    assert office.post(f"/amt/projekt/{old}/bearbeiten", data=edit).status_code == 302
    for decision in ("annehmen", "ablehnen"):
        stale = office.post(f"/amt/projekt/{old}/anfrage/{claim['id']}", data=dict(form, entscheidung=decision))
        assert stale.status_code == 409
        assert html(stale).select_one("#inzwischen") is not None
    missing = office.post(f"/amt/projekt/{old}/anfrage/{claim['id']}",
                          data=dict(form, version="", entscheidung="annehmen"))
    assert missing.status_code == 400
    row = claim_app.extensions["atlas"].store.get(old)
    assert row["email"] == "" and row["source_confirmed_at"] is None and len(waiting_claims(claim_app, old)) == 1


def test_the_office_confirms_an_entry_itself_with_the_version_it_saw(claim_app):
    old, new, _confirmed = claim_app.config["source_ids"]
    office = signed_in(claim_app)
    page = html(office.get(f"/amt/projekt/{new}"))
    assert "Vom Träger noch nicht bestätigt" in page.select_one("#quelle-status").get_text()
    assert page.select_one("#quelle-link")["href"] == "https://www.example.org/2024/frauentreff"
    form = form_values(page, "quelle-bestaetigen")
    stale = dict(form, version=str(int(form["version"]) - 1))
    assert office.post(f"/amt/projekt/{new}/quelle-bestaetigen", data=stale).status_code == 409
    assert office.post(f"/amt/projekt/{new}/quelle-bestaetigen", data=dict(form, version="")).status_code == 400
    assert claim_app.extensions["atlas"].store.get(new)["source_confirmed_at"] is None
    assert office.post(f"/amt/projekt/{new}/quelle-bestaetigen", data=form).status_code == 302
    row = claim_app.extensions["atlas"].store.get(new)
    assert row["source_confirmed_at"] is not None and row["row_version"] == int(form["version"]) + 1
    assert html(claim_app.test_client().get(f"/projekt/{new}")).select_one("#aus-quellen") is None
    after = html(office.get(f"/amt/projekt/{new}"))
    assert after.select_one("#quelle-bestaetigen") is None
    assert any("Angaben aus öffentlichen Quellen vom Amt bestätigt" in li.get_text() for li in after.select(
        "#verlauf li"))
    assert html(claim_app.test_client().get(f"/projekt/{old}")).select_one("#aus-quellen") is not None


def test_an_office_with_a_daily_digest_finds_the_claim_there(claim_app, smtp):
    from datetime import UTC, datetime, timedelta

    from atlas.alerts import send_digests

    store = claim_app.extensions["atlas"].store
    office = signed_in(claim_app)
    page = office.get("/amt/konto")
    assert office.post("/amt/konto", data={"notify": "daily", "csrf_token": csrf_token(page)}).status_code == 302
    old = claim_app.config["source_ids"][0]
    send_claim(claim_app.test_client(), old, "leitung@verein.example")
    deliver(claim_app)
    assert smtp.to(OFFICE) == [], "no mail per event for this account"
    assert send_digests(store, datetime.now(UTC) + timedelta(days=1, minutes=1)) == 1
    deliver(claim_app)
    [digest] = smtp.to(OFFICE)
    assert "Anfrage eines Trägers, Lamspringe" in text_of(digest)
    assert f"/amt/projekt/{old}" in links(digest)
