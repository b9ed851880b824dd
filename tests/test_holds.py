"""„Ich übernehme das“: a clerk takes a project; the whole office sees who, may still act, and is told; a hold is
handed over (the colleague is mailed) or released, lapses after ATLAS_HOLD_DAYS, fills „Mir zugewiesen“ and the
daily digest – and only the district's office (or an admin) changes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import PAYLOADS, create_account, csrf_token, deliver, form_values, html, links, submit, text_of
from sqlalchemy import select, update
from team_setup import ANNA, BEN, BRAUNSCHWEIG, LAND, OBSERVER, make_team, page_form, team_fixture  # noqa: F401

from atlas.alerts import send_digests
from atlas.present import local_now
from atlas.schema import changes, holds, outbox, users
from atlas.settings import SettingError, load


def hold_post(client, project_id: int, **fields):
    data = dict(page_form(client, f"/amt/projekt/{project_id}", "uebernehmen"), **fields)
    return client.post(f"/amt/projekt/{project_id}/zustaendig", data=data)


def test_a_taken_project_names_its_clerk_in_the_queue_and_on_its_page_for_the_whole_office(team):
    anna, ben = team.client(ANNA), team.client(BEN)
    answer = hold_post(anna, team.submission, aktion="nehmen")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/amt/projekt/{team.submission}#zustaendig")
    row = html(ben.get("/amt/warteschlange")).find("a", string="Sprachcafe Lamspringe").find_parent("th")
    assert row.select_one(".holder").get_text() == f"übernommen von {ANNA}"
    page = html(ben.get(f"/amt/projekt/{team.submission}"))
    assert page.select_one("#uebernommen").get_text(" ", strip=True).startswith(f"{ANNA} hat das übernommen (seit ")
    assert page.select_one("#uebernehmen button[value=nehmen]").get_text() == f"Selbst übernehmen (statt {ANNA})"
    own = html(anna.get(f"/amt/projekt/{team.submission}"))
    assert own.select_one("#uebernommen").get_text(" ", strip=True).startswith("Sie haben das übernommen")
    assert "Gilt bis" in own.select_one("#uebernommen").get_text()
    mine = html(anna.get("/amt/warteschlange?mir=ja"))
    assert [a.get_text() for a in mine.select("#warteschlange tbody a")] == ["Sprachcafe Lamspringe"]
    assert mine.select_one("#f-mir option[selected]")["value"] == "ja"
    assert html(ben.get("/amt/warteschlange?mir=ja")).select("#warteschlange tbody a") == []
    assert html(anna.get("/amt/")).select_one("#mir-zugewiesen").get_text(strip=True) == "Mir zugewiesen: 1 Projekt"
    assert html(ben.get("/amt/")).select_one("#mir-zugewiesen").get_text(strip=True) == "Mir zugewiesen: 0 Projekte"


def test_others_may_still_act_on_it_and_are_told_who_holds_it(team):
    anna, ben = team.client(ANNA), team.client(BEN)
    hold_post(anna, team.submission, aktion="nehmen")
    edit = html(ben.get(f"/amt/projekt/{team.submission}/bearbeiten"))
    assert edit.select_one("#uebernommen").get_text().startswith(f"{ANNA} hat das übernommen")
    approve = page_form(ben, f"/amt/projekt/{team.submission}", "freigeben")
    assert ben.post(f"/amt/projekt/{team.submission}/freigeben", data=approve).status_code == 302
    assert team.store.get(team.submission)["status"] == "published"
    assert team.store.hold_of(team.submission).email == ANNA, "acting is no taking over"


def test_a_hold_taken_meanwhile_by_someone_else_is_named_and_nothing_changes(team):
    anna, ben = team.client(ANNA), team.client(BEN)
    seen_by_ben = page_form(ben, f"/amt/projekt/{team.submission}", "uebernehmen")
    assert seen_by_ben["gesehen"] == ""
    hold_post(anna, team.submission, aktion="nehmen")
    for action in ("nehmen", "freigeben"):
        stale = ben.post(f"/amt/projekt/{team.submission}/zustaendig", data=dict(seen_by_ben, aktion=action))
        assert stale.status_code == 409
        assert (f"Inzwischen hat {ANNA} das Projekt übernommen. Es wurde nichts geändert"
                in html(stale).select_one(".notice[role=status]").get_text())
        assert team.store.hold_of(team.submission).email == ANNA
    taken_over = hold_post(ben, team.submission, aktion="nehmen")  # now Ben saw Anna: he takes it on purpose
    assert taken_over.status_code == 302 and team.store.hold_of(team.submission).email == BEN
    with team.store.read() as db:
        entries = db.execute(select(changes.c.actor, changes.c.action).where(
            changes.c.project_id == team.submission).order_by(changes.c.id)).all()
    assert entries == [(ANNA, "hold_taken"), (BEN, "hold_taken")]


def test_a_hand_over_mails_the_colleague_and_fills_their_list(team, smtp):
    team.app.config.update(MAIL_URL=smtp.url, BASE_URL="https://atlas.example")
    anna, ben = team.client(ANNA), team.client(BEN)
    hold_post(anna, team.submission, aktion="nehmen")
    choices = html(anna.get(f"/amt/projekt/{team.submission}")).select("#uebergeben-an option")
    assert [o.get_text() for o in choices] == [BEN, LAND], "colleagues of the district and admins, not oneself"
    answer = hold_post(anna, team.submission, aktion="uebergeben", an=str(team.ben))
    assert answer.status_code == 302
    hold = team.store.hold_of(team.submission)
    assert (hold.email, hold.given_by) == (BEN, ANNA)
    assert deliver(team.app).sent >= 1
    [mail] = [m for m in smtp.messages if m["Subject"] == "Übergeben an Sie: „Sprachcafe Lamspringe“ (Lamspringe)"]
    assert mail["To"] == BEN
    assert f"{ANNA} hat Ihnen „Sprachcafe Lamspringe“, Lamspringe (GS-{team.submission:06d}) übergeben" in text_of(mail)
    assert links(mail)[0] == f"/amt/projekt/{team.submission}"
    page = html(ben.get(f"/amt/projekt/{team.submission}"))
    assert f"Übergeben von {ANNA}." in page.select_one("#uebernommen").get_text()
    assert [a.get_text() for a in html(ben.get("/amt/warteschlange?mir=ja")).select("#warteschlange tbody a")] == [
        "Sprachcafe Lamspringe"]
    history = html(ben.get(f"/amt/projekt/{team.submission}")).select_one("#verlauf").get_text(" ", strip=True)
    assert f"{ANNA} · Übergeben an: {BEN}" in history


def test_a_deactivated_colleague_is_offered_for_nothing_mailed_nothing_and_holds_nothing(team):
    anna, land = team.client(ANNA), team.client(LAND)
    hold_post(team.client(BEN), team.fahrrad, aktion="nehmen")
    token = csrf_token(land.get("/amt/konten"))
    land.post(f"/amt/konten/{team.ben}", data={"csrf_token": token, "aktion": "deaktivieren"})

    page = html(anna.get(f"/amt/projekt/{team.submission}"))
    assert [o.get_text() for o in page.select("#uebergeben-an option")] == [LAND], "no hand-over to Ben"
    assert [b.parent.get_text(strip=True) for b in page.select("input[name=erwaehnen]")] == [LAND]
    forged = hold_post(anna, team.submission, aktion="uebergeben", an=str(team.ben))
    assert forged.status_code == 400 and team.store.hold_of(team.submission) is None
    note = anna.post(f"/amt/projekt/{team.submission}/notiz", data={
        "csrf_token": csrf_token(anna.get("/amt/")), "text": "Bitte ansehen, @ben", "erwaehnen": str(team.ben)})
    flashes = [p.get_text() for p in html(anna.get(note.headers["Location"])).select(".notice[role=status]")]
    assert "Die Notiz ist gespeichert." in flashes
    assert "Nicht zugeordnet (kein oder mehr als ein Konto dieses Amtes): @ben." in flashes
    with team.store.read() as db:
        mailed = db.execute(select(outbox.c.kind).where(outbox.c.recipient == BEN)).scalars().all()
    assert "note_mention" not in mailed and "hold_given" not in mailed
    assert team.store.hold_of(team.fahrrad) is None, "what Ben held is free for the office again"
    assert html(anna.get(f"/amt/projekt/{team.fahrrad}")).select_one("#uebernommen").get_text() == (
        "Noch hat niemand das übernommen.")


def test_releasing_leaves_it_to_nobody(team):
    anna = team.client(ANNA)
    hold_post(anna, team.submission, aktion="nehmen")
    assert hold_post(anna, team.submission, aktion="freigeben").status_code == 302
    assert team.store.hold_of(team.submission) is None
    page = html(anna.get(f"/amt/projekt/{team.submission}"))
    assert page.select_one("#uebernommen").get_text() == "Noch hat niemand das übernommen."
    assert page.select_one("#uebernehmen button[value=nehmen]").get_text() == "Ich übernehme das"


def test_a_hold_lapses_after_the_days_the_setting_names(tmp_path):
    short = make_team(tmp_path / "kurz")
    long = make_team(tmp_path / "lang", HOLD_DAYS=30)
    for office in (short, long):
        office.store.set_hold(office.submission, office.anna, office.anna, ANNA, None)
        with office.store.write() as db:
            db.execute(update(holds).values(taken_at=datetime.now(UTC) - timedelta(days=15)))
    assert short.store.hold_of(short.submission) is None
    assert short.store.held_ids(short.anna) == [] and short.store.holds_by_person("leine-weser") == []
    assert html(short.client(BEN).get(f"/amt/projekt/{short.submission}")).select_one(
        "#uebernommen").get_text() == "Noch hat niemand das übernommen."
    assert long.store.hold_of(long.submission).email == ANNA
    lapses = long.store.hold_of(long.submission).lapses_at(30)
    assert timedelta(days=14) < lapses - datetime.now(UTC) < timedelta(days=16)
    # taking a lapsed project is no conflict: nobody holds it
    assert short.store.set_hold(short.submission, short.ben, short.ben, BEN, None).email == BEN


@pytest.mark.parametrize("value", ["0", "-3", "vierzehn", "", "1.5"])
def test_the_setting_takes_whole_days_only(tmp_path, value):
    assert load(tmp_path, environ={"ATLAS_HOLD_DAYS": " 30 "})["HOLD_DAYS"] == 30
    assert load(tmp_path, environ={})["HOLD_DAYS"] == 14
    with pytest.raises(SettingError, match="ATLAS_HOLD_DAYS"):
        load(tmp_path, environ={"ATLAS_HOLD_DAYS": value})


def test_another_district_can_neither_hold_nor_be_handed_a_project(team):
    anna, braunschweig = team.client(ANNA), team.client(BRAUNSCHWEIG)
    form = page_form(anna, f"/amt/projekt/{team.submission}", "uebernehmen")
    assert braunschweig.get(f"/amt/projekt/{team.submission}").status_code == 403
    forged = {"csrf_token": csrf_token(braunschweig.get("/amt/")), "gesehen": "", "aktion": "nehmen"}
    assert braunschweig.post(f"/amt/projekt/{team.submission}/zustaendig", data=forged).status_code == 403
    with team.store.read() as db:
        stranger = db.execute(select(users.c.id).where(users.c.email == BRAUNSCHWEIG)).scalar_one()
    refused = anna.post(f"/amt/projekt/{team.submission}/zustaendig",
                        data=dict(form, aktion="uebergeben", an=str(stranger)))
    assert refused.status_code == 400
    assert team.store.hold_of(team.submission) is None


def test_an_admin_may_take_any_project(team):
    land = team.client(LAND)
    assert hold_post(land, team.salzgitter, aktion="nehmen").status_code == 302
    assert team.store.hold_of(team.salzgitter).email == LAND
    assert team.store.holds_by_person("braunschweig")[0]["email"] == LAND


@pytest.mark.parametrize("fields", [
    {"aktion": "stehlen"}, {"aktion": ""}, {"aktion": PAYLOADS[0]},
    {"aktion": "uebergeben", "an": "1 OR 1=1"}, {"aktion": "uebergeben", "an": "9" * 40},
    {"aktion": "uebergeben", "an": "99999"}, {"aktion": "nehmen", "gesehen": "\u202e1"},
])
def test_hostile_hold_forms_change_nothing(team, fields):
    anna = team.client(ANNA)
    answer = hold_post(anna, team.submission, **fields)
    assert answer.status_code in (302, 400), answer.status_code
    if fields["aktion"] != "nehmen":
        assert team.store.hold_of(team.submission) is None
    else:
        assert team.store.hold_of(team.submission).email == ANNA  # a garbled "seen" is "nobody": nobody held it


def test_a_hold_form_without_its_token_is_refused(team):
    anna = team.client(ANNA)
    assert anna.post(f"/amt/projekt/{team.submission}/zustaendig", data={"aktion": "nehmen"}).status_code == 400
    assert team.store.hold_of(team.submission) is None


def test_the_daily_digest_lists_each_clerks_own_projects(team):
    store = team.store
    with store.write() as db:
        db.execute(update(users).where(users.c.email.in_((ANNA, BEN))).values(
            notify="daily", digest_at=datetime.now(UTC) - timedelta(days=2)))
    store.set_hold(team.submission, team.ben, team.ben, BEN, None)
    store.set_hold(team.source, team.ben, team.anna, ANNA, None)  # handed over by Anna
    store.set_hold(team.fahrrad, team.anna, team.anna, ANNA, None)
    assert send_digests(store) == 2
    with store.read() as db:
        params = {row.recipient: row.params for row in db.execute(
            select(outbox.c.recipient, outbox.c.params).where(outbox.c.kind == "office_digest"))}
    import json

    held = {email: [(r["id"], r["given_by"]) for r in json.loads(p)["held"]] for email, p in params.items()}
    assert held == {BEN: [(team.submission, ""), (team.source, ANNA)], ANNA: [(team.fahrrad, "")]}
    from atlas.mail_texts import compose

    with store.read() as db:
        row = db.execute(select(outbox).where(outbox.c.recipient == BEN, outbox.c.kind == "office_digest")
                         ).mappings().one()
    text = text_of(compose(team.app, dict(row)))
    assert "Sie kümmern sich um 2 Projekte" in text
    today_in_berlin = local_now().strftime("%d.%m.%Y")  # the office's day, not the machine's
    assert f"von Ihnen übernommen seit {today_in_berlin}, Lamspringe, GS-{team.source:06d}" in text


def test_the_dashboard_gets_holds_by_person_and_a_partial_that_shows_them(team):
    store = team.store
    for project_id in (team.submission, team.source):
        store.set_hold(project_id, team.ben, team.ben, BEN, None)
    store.set_hold(team.fahrrad, team.anna, team.anna, ANNA, None)
    store.set_hold(team.salzgitter, None, 0, LAND, None)  # releasing what nobody holds changes nothing
    people = store.holds_by_person("leine-weser")
    assert [(p["email"], p["count"]) for p in people] == [(BEN, 2), (ANNA, 1)]
    assert store.holds_by_person("braunschweig") == []
    page = html(team.client(BEN).get("/amt/")).select_one("#uebernommen-nach-person")
    rows = [[cell.get_text(strip=True) for cell in tr.select("th, td")] for tr in page.select("tbody tr")]
    assert [r[:2] for r in rows] == [[BEN, "2"], [ANNA, "1"]]
    assert page.select_one("tbody a")["href"] == "/amt/warteschlange?mir=ja"  # one's own row: „Mir zugewiesen“
    assert page.select_one("#mir-zugewiesen").get_text(strip=True) == "Mir zugewiesen: 2 Projekte"
    others = html(team.client(BRAUNSCHWEIG).get("/amt/")).select_one("#uebernommen-nach-person")
    assert others.select("tbody tr") == [] and "Niemand hat gerade ein Projekt übernommen." in others.get_text()


def test_observers_read_the_office_side_and_change_nothing(team):
    """The observer (atlas.accounts.OBSERVER) reads every district's holds, notes and duplicates; each of their
    forms answers 403 and changes nothing (atlas.access)."""
    create_account(team.app, OBSERVER, "--observer")
    anna, observer = team.client(ANNA), team.client(OBSERVER)
    assert hold_post(anna, team.submission, aktion="nehmen").status_code == 302
    page = html(observer.get(f"/amt/projekt/{team.submission}"))
    assert page.select_one("#uebernommen").get_text(" ", strip=True).startswith(f"{ANNA} hat das übernommen")
    assert page.select_one("#verlauf") is not None
    assert page.select("form#uebernehmen, form#uebergeben, form#notiz, form#zusammenfuehren-mit") == []
    assert observer.get("/amt/dubletten").status_code == 200
    token = csrf_token(observer.get("/amt/"))
    seen = page_form(anna, f"/amt/projekt/{team.submission}", "uebernehmen")
    for path, data in ((f"/amt/projekt/{team.submission}/zustaendig", dict(seen, aktion="freigeben")),
                       (f"/amt/projekt/{team.submission}/notiz", {"text": "Von außen"}),
                       ("/amt/dubletten/kein-duplikat", {"erster": str(team.source), "zweiter": str(team.submission),
                                                         f"stand-{team.source}": "1", f"stand-{team.submission}": "1"}),
                       (f"/amt/projekt/{team.submission}/zusammenfuehren", {"mit": str(team.source)})):
        assert observer.post(path, data=dict(data, csrf_token=token)).status_code == 403, path
    assert observer.get(f"/amt/projekt/{team.submission}/zusammenfuehren?mit={team.source}").status_code == 403
    assert team.store.hold_of(team.submission).email == ANNA and team.store.distinct() == set()
    assert [entry for entry in team.store.office_history(team.submission) if entry["note"]] == []


def test_a_clerk_takes_several_projects_at_once_from_the_queue_and_is_told_what_was_skipped(team):
    """The bulk action „Übernehmen (mir zuweisen)“: each row checked as a single hold is – a project a colleague took
    meanwhile and one changed since the page was read are skipped and named; nothing of another district is taken."""
    anna, ben = team.client(ANNA), team.client(BEN)
    second, _link = submit(team.app, name="Nähcafé Sarstedt", ort="Sarstedt", email="naehen@example.org")
    changed, _link = submit(team.app, name="Lesepaten Alfeld", ort="Alfeld", email="")
    page = html(anna.get("/amt/warteschlange"))
    rows = [box["value"] for box in page.select("input[name=zeile]")] + [f"{team.salzgitter}:1"]
    assert len(rows) == 4, rows
    hold_post(ben, team.submission, aktion="nehmen")  # Ben was quicker with one of them
    team.store.set_status(changed, "rejected", "kein Bezug", actor=BEN)  # … and decided another
    form = dict(form_values(page, "sammelaktion"), aktion="uebernehmen", zeile=rows)
    text = html(anna.post("/amt/warteschlange/aktion", data=form, follow_redirects=True)).get_text(" ")
    assert "1 Projekt übernommen." in text
    assert f"weil {BEN} es inzwischen übernommen hat: GS-{team.submission:06d}" in text
    assert f"weil inzwischen geändert: GS-{changed:06d}" in text
    assert f"nicht zu Ihrem Amtsbezirk gehört: GS-{team.salzgitter:06d}" in text
    assert team.store.hold_of(second).email == ANNA and team.store.hold_of(team.submission).email == BEN
    assert team.store.hold_of(changed) is None and team.store.hold_of(team.salzgitter) is None
    assert team.store.get(second)["status"] == "pending", "taking changes who handles it, not its status"
    mine = html(anna.get("/amt/warteschlange?mir=ja"))
    assert [a.get_text() for a in mine.select("#warteschlange tbody a")] == ["Nähcafé Sarstedt"]
