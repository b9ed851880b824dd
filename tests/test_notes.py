"""Internal notes: the offices write them on a project, with author and time, in its history; markup stays text;
a colleague named with @ or ticked is mailed; nobody outside the offices ever reads them."""

from __future__ import annotations

import json

import pytest
from helpers import PAYLOADS, csrf_token, html
from sqlalchemy import select
from team_setup import ANNA, BEN, BRAUNSCHWEIG, LAND, page_form, team_fixture  # noqa: F401

from atlas.mentions import resolve
from atlas.schema import notes, outbox

NOTE = "Träger angerufen, wartet auf die neue Adresse <b>fett</b> <img src=x onerror=alert(1)>"


def write_note(client, project_id: int, text: str, *ticked: int):
    data = dict(page_form(client, f"/amt/projekt/{project_id}", "notiz"), text=text)
    data["erwaehnen"] = [str(i) for i in ticked]
    return client.post(f"/amt/projekt/{project_id}/notiz", data=data)


def mentions_sent(team) -> list[tuple[str, dict]]:
    with team.store.read() as db:
        return [(row.recipient, json.loads(row.params)) for row in db.execute(
            select(outbox.c.recipient, outbox.c.params).where(outbox.c.kind == "note_mention").order_by(outbox.c.id))]


def test_a_note_stands_in_the_history_with_author_and_time_and_markup_as_text(team):
    anna, ben = team.client(ANNA), team.client(BEN)
    answer = write_note(anna, team.submission, NOTE)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("#verlauf")
    page = html(ben.get(f"/amt/projekt/{team.submission}"))
    [entry] = page.select("#verlauf li.note")
    assert entry.select_one(".note-body").get_text() == NOTE
    assert entry.select("img, b") == [], "typed markup is text"
    assert f" · {ANNA} · Interne Notiz" in entry.get_text()
    assert entry["id"] == f"notiz-{team.store.notes_of(team.submission)[0]['id']}"


@pytest.mark.parametrize("payload", PAYLOADS[:12])
def test_hostile_notes_reach_the_page_as_text(team, payload):
    anna = team.client(ANNA)
    assert write_note(anna, team.submission, payload).status_code == 302
    raw = anna.get(f"/amt/projekt/{team.submission}").get_data(as_text=True)
    assert payload not in raw or payload.replace("<", "") == payload
    [entry] = html(anna.get(f"/amt/projekt/{team.submission}")).select("#verlauf .note-body")
    assert entry.get_text() == payload and not entry.find(True)


def test_control_and_bidi_characters_are_taken_out(team):
    anna = team.client(ANNA)
    write_note(anna, team.submission, "Adresse\u202e gilt\x07 ab\u200b Montag\r\nZweite Zeile")
    assert team.store.notes_of(team.submission)[0]["body"] == "Adresse gilt ab Montag\nZweite Zeile"


def test_an_empty_or_overlong_note_is_refused_and_what_was_typed_stays(team):
    anna = team.client(ANNA)
    empty = write_note(anna, team.submission, "   \n ")
    assert empty.status_code == 400
    assert html(empty).select_one("#fehler a")["href"] == "#notiz-text"
    long = "Sehr lang. " * 400 + "Ende"
    refused = write_note(anna, team.submission, long)
    assert refused.status_code == 400
    page = html(refused)
    assert "Eine Notiz hat höchstens 4000 Zeichen" in page.select_one("#notiz-text-fehler").get_text()
    assert page.select_one("#notiz-text").get_text().strip() == long.strip()
    assert page.select_one("#notiz-text")["aria-invalid"] == "true"
    assert team.store.notes_of(team.submission) == []


def test_mentioned_and_ticked_colleagues_are_mailed_once_and_the_writer_is_not(team):
    anna = team.client(ANNA)
    answer = write_note(anna, team.submission, "Bitte übernehmen, @ben. Danke! @anna @niemand", team.ben)
    page = html(anna.get(answer.headers["Location"]))
    flashes = [p.get_text() for p in page.select(".notice[role=status]")]
    assert f"Die Notiz ist gespeichert. Benachrichtigt: {BEN}." in flashes
    assert "Nicht zugeordnet (kein oder mehr als ein Konto dieses Amtes): @niemand." in flashes
    [(recipient, params)] = mentions_sent(team)
    assert recipient == BEN
    assert (params["by"], params["project_id"], params["reference"]) == (ANNA, team.submission,
                                                                        f"GS-{team.submission:06d}")
    write_note(anna, team.submission, "Und die Landesebene: @land@ml.example")
    assert [r for r, _p in mentions_sent(team)] == [BEN, LAND]


def test_the_mention_mail_links_to_the_note(team, smtp):
    from helpers import deliver, links, text_of

    team.app.config.update(MAIL_URL=smtp.url, BASE_URL="https://atlas.example")
    write_note(team.client(ANNA), team.submission, "@ben bitte anrufen")
    deliver(team.app)
    [mail] = [m for m in smtp.messages if m["To"] == BEN]
    assert mail["Subject"] == "Erwähnt in einer Notiz zu „Sprachcafe Lamspringe“"
    note_id = team.store.notes_of(team.submission)[0]["id"]
    assert links(mail) == [f"/amt/projekt/{team.submission}#notiz-{note_id}"]
    assert "bitte anrufen" not in text_of(mail), "the note itself stays in the atlas"


def test_only_colleagues_of_the_district_can_be_mentioned():
    colleagues = [{"id": 1, "email": "anna@arl.example"}, {"id": 2, "email": "ben@arl.example"},
                  {"id": 3, "email": "ben@ml.example"}]
    mentioned, unknown = resolve("@anna, @ben (zwei Konten) und @ben@ml.example. Mail: x@anna.de @x.", colleagues,
                                 [99])
    assert [c["id"] for c in mentioned] == [1, 3]
    assert unknown == ["ben", "x"]


def test_notes_are_never_public_nor_for_the_submitter(team):
    anna = team.client(ANNA)
    write_note(anna, team.source, "Nur intern: Telefon 0151 12345")
    write_note(anna, team.submission, "Nur intern: Einreicher wirkt unsicher")
    public = team.app.test_client()
    for path in (f"/projekt/{team.source}", "/", "/region/leine-weser", "/daten/projekte.csv",
                 "/daten/projekte.geojson", "/ogc/collections/projekte/items", f"/mein-projekt/{team.link}",
                 "/suche?q=intern"):
        body = public.get(path).get_data(as_text=True)
        assert "Nur intern" not in body, path
    assert "Nur intern" not in anna.get("/amt/export.csv").get_data(as_text=True)


def test_another_district_may_neither_read_nor_write_notes(team):
    write_note(team.client(ANNA), team.submission, "Nur für Leine-Weser")
    braunschweig = team.client(BRAUNSCHWEIG)
    assert braunschweig.get(f"/amt/projekt/{team.submission}").status_code == 403
    forged = braunschweig.post(f"/amt/projekt/{team.submission}/notiz",
                               data={"csrf_token": csrf_token(braunschweig.get("/amt/")), "text": "Hallo"})
    assert forged.status_code == 403
    assert [n["body"] for n in team.store.notes_of(team.submission)] == ["Nur für Leine-Weser"]
    land = team.client(LAND)
    assert write_note(land, team.submission, "Auch das Land liest mit").status_code == 302


def test_a_note_without_its_token_is_refused(team):
    anna = team.client(ANNA)
    answer = anna.post(f"/amt/projekt/{team.submission}/notiz", data={"text": "Hallo"})
    assert answer.status_code == 400
    with team.store.read() as db:
        assert db.execute(select(notes)).all() == []
