"""The office's workspace through Flask's client: the dashboard and its figures, the queue with its search, filters,
pages and bulk actions, „Nächstes Projekt“, reason templates, reports from the public, roles and accounts, the
activity log."""

from __future__ import annotations

import csv
import io
import re

import pytest
from helpers import (
    PASSWORD,
    PAYLOADS,
    SQLITE_FILE,
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
    text_of,
)

OFFICE = "leine-weser@arl.example"
OTHER = "braunschweig@arl.example"
ADMIN = "land@ml.example"
OBSERVER = "ministerium@ml.example"


@pytest.fixture
def office(tmp_path, smtp):
    app = make_app(tmp_path, MAIL_URL=smtp.url, MAIL_FROM="Gemeinsame Sache <atlas@atlas.example>",
                   BASE_URL="https://atlas.example")
    create_account(app, OFFICE, "--arl", "leine-weser")
    create_account(app, OTHER, "--arl", "braunschweig")
    create_account(app, ADMIN, "--admin")
    create_account(app, OBSERVER, "--observer")
    return app


def published(app, name: str, ort: str = "Hildesheim", email: str = "", language: str = "de") -> int:
    services = app.extensions["atlas"]
    project_id, _link = submit(app, name=name, ort=ort, email=email)
    if language != "de":
        from sqlalchemy import update

        from atlas.schema import projects
        with services.store.write() as db:
            db.execute(update(projects).where(projects.c.id == project_id).values(language=language))
    services.store.set_status(project_id, "published", actor="test")
    return project_id


# --- the dashboard -----------------------------------------------------------------------------------------------

def test_the_months_of_the_figures_are_those_of_niedersachsen_as_in_the_offices_export(office):
    """A submission at 00:30 on 1 November in Hildesheim (23:30 UTC the day before), published at 00:30 on
    1 December: the figures count it in November and December, as the export dates it – not in October and
    November, as UTC would."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from atlas.dashboard import figures
    from atlas.labels import PUBLISHED
    from atlas.schema import changes, projects

    services = office.extensions["atlas"]
    project_id, _ = submit(office)
    services.store.set_status(project_id, PUBLISHED, actor=OFFICE)
    came, decided = datetime(2026, 10, 31, 23, 30, tzinfo=UTC), datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    with services.store.write() as db:
        db.execute(update(projects).where(projects.c.id == project_id).values(created_at=came))
        db.execute(update(changes).where(changes.c.project_id == project_id, changes.c.action == PUBLISHED)
                   .values(at=decided))
    found = figures(services.store, services.regions, "leine-weser", now=datetime(2026, 12, 15, 12, tzinfo=UTC))
    months = {month.key: month for month in found.months}
    assert (months["2026-11"].came_in, months["2026-12"].published) == (1, 1)
    assert months["2026-10"].came_in == months["2026-11"].published == 0
    export = signed_in(office, OFFICE).get("/amt/export.csv").get_data(as_text=True)
    assert "01.11.2026 00:30" in export and "01.12.2026 00:30" in export


def test_a_decision_stays_in_the_figures_of_the_office_that_made_it_when_the_project_moves_on(office):
    """Leine-Weser publishes a project in Hildesheim and later moves it to Wolfsburg (Braunschweig): the decision
    and its waiting time stay in Leine-Weser's figures; Braunschweig's show no decision it never made."""
    from atlas.dashboard import figures

    services = office.extensions["atlas"]
    project_id, _ = submit(office, ort="Hildesheim")
    client = signed_in(office, OFFICE)
    page = client.get(f"/amt/projekt/{project_id}")
    assert client.post(f"/amt/projekt/{project_id}/freigeben",
                       data=form_values(html(page), "freigeben")).status_code == 302
    form = form_values(html(client.get(f"/amt/projekt/{project_id}/bearbeiten")), "bearbeiten")
    assert client.post(f"/amt/projekt/{project_id}/bearbeiten",
                       data=dict(form, ort="Wolfsburg", plz="", lat="", lon="")).status_code == 302
    assert services.store.get(project_id)["arl"] == "braunschweig"
    leine_weser = figures(services.store, services.regions, "leine-weser")
    braunschweig = figures(services.store, services.regions, "braunschweig")
    assert sum(month.published for month in leine_weser.months) == 1 and leine_weser.decided == 1
    assert sum(month.published for month in braunschweig.months) == 0 and braunschweig.decided == 0
    state = figures(services.store, services.regions, None)
    assert state.decided == 1 and set(state.median_by_arl) == {"leine-weser"}


def test_the_dashboard_is_the_landing_page_with_tasks_map_and_figures(office):
    submit(office, name="Sprachcafé Lamspringe", email="a@example.org")
    submit(office, name="Nähcafé Goslar", ort="Goslar", email="b@example.org")  # Braunschweig's
    client = signed_in(office, OFFICE)
    page = html(client.get("/amt/"))
    tile = page.select_one("#kachel-eingereicht")
    assert tile.select_one(".tile-count").get_text() == "1" and "seit 0 Tagen" in tile.get_text()
    assert tile.a["href"].startswith("/amt/warteschlange?status=pending")
    assert page.select_one("#amtskarte")["data-options"]
    months = page.select("#monate-tabelle tbody tr")
    assert len(months) == 12 and months[-1].select("td")[0].get_text() == "1"
    assert page.select_one("svg#monate-diagramm title").get_text()
    assert page.select_one("svg#dichte-karte") is not None
    kreise = [row.th.get_text() for row in page.select("#kreis-tabelle tbody tr")]
    assert "Landkreis Hildesheim" in kreise and "Landkreis Goslar" not in kreise
    assert page.select("#kreis-tabelle td.luecke"), "no project published yet: every cell is a gap"
    data = client.get("/amt/karte.json").get_json()
    assert len(data["id"]) == 1 and data["statuses"][data["st"][0]][0] == "Eingereicht"
    assert "no-store" in client.get("/amt/karte.json").headers["Cache-Control"]


def test_the_dashboards_footer_names_the_maps_background_as_every_page_does(tmp_path):
    """The footer credits the map's background on every page; the dashboard's own tiles (its tasks) once hid it."""
    app = make_app(tmp_path, TILES="osm")
    create_account(app, OFFICE, "--arl", "leine-weser")
    client = signed_in(app, OFFICE)
    for path in ("/", "/region/leine-weser", "/amt/"):
        footer = html(client.get(path)).select_one("footer.site").get_text(" ")
        assert "Kartenhintergrund: © OpenStreetMap-Mitwirkende" in " ".join(footer.split()), path


def test_gaps_and_figures_per_inhabitants_and_the_csv_for_german_excel(office):
    published(office, "Sprachcafé Hildesheim")
    client = signed_in(office, OFFICE)
    page = html(client.get("/amt/"))
    row = next(r for r in page.select("#kreis-tabelle tbody tr") if r.th.get_text() == "Landkreis Hildesheim")
    cells = row.select("td")
    assert cells[0].get_text(" ", strip=True).startswith("1 ")  # Sprache: one project, and per 100,000
    assert "luecke" in cells[1]["class"] and "Lücke" in cells[1].get_text()  # Arbeit & Ausbildung: a gap
    answer = client.get("/amt/zahlen/kreise.csv")
    assert answer.headers["Content-Type"].startswith("text/csv")
    body = answer.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    hildesheim = next(r for r in rows if r[0] == "Landkreis Hildesheim")
    assert hildesheim[3] == "1" and re.fullmatch(r"0,\d", hildesheim[9]), hildesheim
    assert "Arbeit & Ausbildung" in hildesheim[-1]
    assert client.get("/amt/zahlen/monate.csv").status_code == 200
    assert client.get("/amt/zahlen/aufgaben.csv").status_code == 200
    assert client.get("/amt/zahlen/nichts.csv").status_code == 404


def test_every_csv_an_office_saves_names_its_coding_once(office):
    """The office's export, its figures and the activity log answered `text/csv; charset=utf-8; charset=utf-8`:
    the type named twice, which a strict reader refuses or reads as no coding at all."""
    client = signed_in(office, OFFICE)
    for path in ("/amt/export.csv", "/amt/zahlen/kreise.csv", "/amt/zahlen/monate.csv", "/amt/zahlen/aufgaben.csv",
                 "/amt/aktivitaet.csv"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Content-Type"] == "text/csv; charset=utf-8", path


def test_the_figures_an_office_saves_are_named_by_its_own_day(office, monkeypatch):
    """At half past midnight in Hannover (23:30 UTC) the office saved its figures as „…-2026-12-07.csv“, yesterday's
    name beside today's files: the name took the server's UTC day, not the day the office sees."""
    from datetime import UTC, datetime

    class HalfPastMidnightInHannover(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 12, 7, 23, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr("atlas.web.workspace.datetime", HalfPastMidnightInHannover)
    client = signed_in(office, OFFICE)
    for figure in ("kreise", "monate", "aufgaben"):
        answer = client.get(f"/amt/zahlen/{figure}.csv")
        assert answer.status_code == 200, figure
        assert answer.headers["Content-Disposition"] == (
            f'attachment; filename="{figure}-leine-weser-2026-12-08.csv"'), figure


def test_the_state_and_each_district_side_by_side_for_admin_and_observer(office):
    submit(office, name="Sprachcafé Lamspringe")
    for email in (ADMIN, OBSERVER):
        client = signed_in(office, email)
        page = html(client.get("/amt/"))
        rows = page.select("#nebeneinander tbody tr")
        assert [r.th.get_text() for r in rows] == ["Braunschweig", "Leine-Weser", "Lüneburg", "Weser-Ems"]
        assert rows[1].select("td")[0].get_text() == "1"
        district = html(client.get("/amt/?bezirk=braunschweig"))
        assert "Braunschweig" in district.h1.get_text() and district.select_one("#nebeneinander") is None
        assert client.get("/amt/?bezirk=%3Cscript%3E").status_code == 400
    own = signed_in(office, OFFICE)
    assert "Leine-Weser" in html(own.get("/amt/?bezirk=braunschweig")).h1.get_text(), "an office sees its own"


# --- the queue ---------------------------------------------------------------------------------------------------

def test_search_sort_filters_and_pages_live_in_the_url(office):
    for n in range(55):
        submit(office, name=f"Projekt {n:02d}", email="")
    submit(office, name="Nähcafé", ort="Lamspringe")
    client = signed_in(office, OFFICE)
    first = html(client.get("/amt/warteschlange"))
    assert "56 Projekte" in first.caption.get_text() and "Seite 1 von 2" in first.caption.get_text()
    following = first.select_one("a[rel=next]")["href"]
    second = html(client.get("/amt/warteschlange" + following))
    assert len(second.select("#warteschlange tbody tr")) == 6
    by_name = html(client.get("/amt/warteschlange?sortierung=name"))
    assert by_name.select("#warteschlange tbody a")[0].get_text() == "Nähcafé"
    found = html(client.get("/amt/warteschlange?q=n%C3%A4hcaf"))
    assert [a.get_text() for a in found.select("#warteschlange tbody a")] == ["Nähcafé"]
    by_number = html(client.get("/amt/warteschlange?q=GS-000056"))
    assert [a.get_text() for a in by_number.select("#warteschlange tbody a")] == ["Nähcafé"]
    assert client.get("/amt/warteschlange?herkunft=quelle").status_code == 200
    for wrong in ("sortierung=x", "seite=0", "seite=abc", "seite=%C2%B2", "status=nix", "herkunft=%3Cb%3E",
                  "kreis=03101", "hf=nix"):
        assert client.get(f"/amt/warteschlange?{wrong}").status_code == 400, wrong
    for payload in [p for p in PAYLOADS if "<" in p][:6]:
        answer = client.get("/amt/warteschlange", query_string={"q": payload})
        assert answer.status_code == 200 and payload not in answer.get_data(as_text=True)


def test_next_project_follows_the_queue_the_office_came_from(office):
    ids = [submit(office, name=name, ort="Hildesheim")[0] for name in ("C", "A", "B")]
    client = signed_in(office, OFFICE)
    page = html(client.get(f"/amt/projekt/{ids[1]}?status=pending&sortierung=name"))
    answer = client.get(page.select_one("#naechstes")["href"])
    assert answer.headers["Location"].startswith(f"/amt/projekt/{ids[2]}?")
    last = html(client.get(answer.headers["Location"]))
    assert client.get(last.select_one("#naechstes")["href"]).headers["Location"].startswith(f"/amt/projekt/{ids[0]}")


def test_bulk_approve_sends_one_mail_per_submitter_and_skips_a_stale_row_by_name(office, smtp):
    store = office.extensions["atlas"].store
    mine = [submit(office, name=f"Kurs {n}", ort="Hildesheim", email="verein@example.org")[0] for n in (1, 2)]
    alone = submit(office, name="Treff", ort="Lamspringe", email="treff@example.org")[0]
    stale = submit(office, name="Geändert", ort="Hildesheim", email="x@example.org")[0]
    foreign = submit(office, name="Goslar", ort="Goslar", email="g@example.org")[0]
    client = signed_in(office, OFFICE)
    page = html(client.get("/amt/warteschlange"))
    form = form_values(page, "sammelaktion")
    rows = [box["value"] for box in page.select("input[name=zeile]")] + [f"{foreign}:1"]
    store.set_status(stale, "rejected", "anders", actor="kollegin")  # someone was quicker
    deliver(office)
    smtp.messages.clear()
    answer = client.post("/amt/warteschlange/aktion", data=dict(form, aktion="freigeben", zeile=rows),
                         follow_redirects=True)
    text = html(answer).get_text()
    assert "4 Projekte freigegeben" not in text and "3 Projekte freigegeben" in text
    assert f"inzwischen geändert: GS-{stale:06d} „Geändert“" in text
    assert "nicht zu Ihrem Amtsbezirk" in text and store.get(foreign)["status"] == "pending"
    assert [store.get(i)["status"] for i in [*mine, alone]] == ["published"] * 3
    assert [c["action"] for c in store.history(mine[0])] == ["published"], "one history entry per project"
    deliver(office)
    [together] = smtp.to("verein@example.org")
    assert together["Subject"] == "Veröffentlicht: 2 Projekte"
    assert "Kurs 1" in text_of(together) and "Kurs 2" in text_of(together)
    assert [m["Subject"] for m in smtp.to("treff@example.org")] == ["Veröffentlicht: „Treff“"]
    assert smtp.to("x@example.org") == []


def test_bulk_reject_with_a_template_in_the_submitters_language(office, smtp):
    from atlas import reasons

    store = office.extensions["atlas"].store
    reasons.save(store, "leine-weser", "Adresse", "Die Adresse fehlt.", {"en": "The address is missing."})
    project_id = submit(office, name="Kurs", ort="Hildesheim", email="en@example.org")[0]
    from sqlalchemy import update

    from atlas.schema import projects
    with store.write() as db:
        db.execute(update(projects).where(projects.c.id == project_id).values(language="en"))
    client = signed_in(office, OFFICE)
    page = html(client.get("/amt/warteschlange"))
    template = page.select_one("#vorlage option[value!='']")["value"]
    client.post("/amt/warteschlange/aktion", data=dict(form_values(page, "sammelaktion"), aktion="ablehnen",
                                                        zeile=[f"{project_id}:1"], vorlage=template))
    assert store.get(project_id)["reject_reason"] == "Die Adresse fehlt."
    deliver(office)
    [mail] = smtp.to("en@example.org")[-1:]
    assert "The address is missing." in text_of(mail)
    refused = client.post("/amt/warteschlange/aktion", data=dict(form_values(page, "sammelaktion"),
                                                                  aktion="ablehnen", zeile=[f"{project_id}:2"]),
                          follow_redirects=True)
    assert "Bitte begründen Sie die Ablehnung" in refused.get_data(as_text=True)
    forged = client.post("/amt/warteschlange/aktion", data=dict(form_values(page, "sammelaktion"),
                                                                 aktion="freigeben", zeile=["1;DROP"]))
    assert forged.status_code == 400


def test_reason_templates_are_the_offices_own_and_a_stale_edit_overwrites_nothing(office):
    client = signed_in(office, OFFICE)
    page = html(client.get("/amt/begruendungen"))
    client.post("/amt/begruendungen", data=dict(form_values(page, "vorschlaege"), vorschlaege="uebernehmen"))
    page = html(client.get("/amt/begruendungen"))
    titles = [s.get_text() for s in page.select("details.reason-template > summary")]
    assert "Adresse unvollständig" in titles
    first = page.select("details.reason-template form.reason-form")[0]
    values = {i["name"]: i.get("value", "") for i in first.select("input")}
    saved = client.post("/amt/begruendungen", data=dict(values, titel=XSS_REASON, text="Neu", **{"text-ar": "جديد"}))
    assert saved.status_code == 302
    stale = client.post("/amt/begruendungen", data=dict(values, titel="Alt", text="Alt"))
    assert stale.status_code == 409 and "nichts überschrieben" in stale.get_data(as_text=True)
    assert XSS_REASON not in client.get("/amt/begruendungen").get_data(as_text=True)
    other = signed_in(office, OTHER)
    assert html(other.get("/amt/begruendungen")).select("details.reason-template") == []


# --- reports from the public ---------------------------------------------------------------------------------------

def test_a_report_from_the_public_becomes_a_task_and_its_answer_speaks_the_reporters_language(office, smtp):
    project_id = published(office, "Sprachcafé Hildesheim")
    other_id = published(office, "Sprachcafé Hildesheim (doppelt)")
    public = office.test_client()
    form = public.get(f"/projekt/{project_id}/melden?lang=ar")
    assert form.status_code == 200
    sent = public.post(f"/projekt/{project_id}/melden?lang=ar", data={
        "csrf_token": csrf_token(form), "art": "dublette", "dublette": f"https://atlas.example/projekt/{other_id}",
        "nachricht": PAYLOADS[0] + "\u202e\x07", "email": "leser@example.org"})
    assert sent.status_code == 302
    client = signed_in(office, OFFICE)
    tile = html(client.get("/amt/")).select_one("#kachel-meldungen .tile-count").get_text()
    assert tile == "1"
    queue = html(client.get("/amt/warteschlange?status=meldungen"))
    assert [a.get_text() for a in queue.select("#warteschlange tbody a")] == ["Sprachcafé Hildesheim"]
    page = client.get(f"/amt/projekt/{project_id}")
    assert PAYLOADS[0] not in page.get_data(as_text=True)
    report = html(page).select_one("article[id^=meldung-]")
    assert "Der Eintrag ist doppelt" in report.get_text() and f"GS-{other_id:06d}" in report.get_text()
    action = report.form["action"]
    values = {i["name"]: i.get("value", "") for i in report.form.select("input")}
    assert client.post(action, data=dict(values, erledigung="merged")).status_code == 302
    store = office.extensions["atlas"].store
    assert store.get(project_id)["status"] == "archived"
    assert store.get(project_id)["reject_reason"] == f"Dublette von GS-{other_id:06d}"
    again = client.post(action, data=dict(values, erledigung="dismissed"), follow_redirects=True)
    assert "schon erledigt" in again.get_data(as_text=True) or again.status_code == 409
    deliver(office)
    [answer] = smtp.to("leser@example.org")
    assert answer["Subject"].startswith("رسالت") or "„" in answer["Subject"] or answer["Subject"]
    assert "Sprachcafé Hildesheim" in text_of(answer)


def test_only_a_report_that_names_the_other_entry_is_archived_as_a_duplicate(office):
    """„Als Dublette archivieren“ was offered on every report and archived a project reported as „Angaben sind
    falsch“ too, while its history said „Als Dublette archivieren“ and the reporter was told the office kept „the
    other entry“ – which nobody had named."""
    project_id = published(office, "Treff am Markt")
    public = office.test_client()
    form = public.get(f"/projekt/{project_id}/melden")
    assert public.post(f"/projekt/{project_id}/melden", data={
        "csrf_token": csrf_token(form), "art": "falsch", "nachricht": "Die Zeiten stimmen nicht."}).status_code == 302
    client = signed_in(office, OFFICE)
    report = html(client.get(f"/amt/projekt/{project_id}")).select_one("article[id^=meldung-]")
    offered = [button["value"] for button in report.form.select("button[name=erledigung]")]
    assert offered == ["edited", "archived", "dismissed"]
    values = {i["name"]: i.get("value", "") for i in report.form.select("input")}
    assert client.post(report.form["action"], data=dict(values, erledigung="merged")).status_code == 400
    store = office.extensions["atlas"].store
    assert store.get(project_id)["status"] == "published"
    assert [c["action"] for c in store.history(project_id)] == ["published"]
    assert client.post(report.form["action"], data=dict(values, erledigung="archived")).status_code == 302
    assert store.get(project_id)["reject_reason"] == "Nach einer Meldung vom Amt archiviert."
    assert not any("Dublette" in (c.get("detail") or "") for c in store.history(project_id))


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Bitte wählen Sie, was nicht stimmt."),
    ({"art": "dublette"}, "Bitte nennen Sie den anderen Eintrag"),
    ({"art": "dublette", "dublette": "javascript:alert(1)"}, "ist kein anderer Eintrag"),
    ({"art": "falsch", "email": "kein@"}, "keine gültige E-Mail-Adresse"),
    ({"art": "falsch", "nachricht": "x" * 2001}, "Die Nachricht ist zu lang"),
])
def test_a_report_that_cannot_go_says_why_and_keeps_what_was_typed(office, data, message):
    project_id = published(office, "Treff")
    public = office.test_client()
    form = public.get(f"/projekt/{project_id}/melden")
    answer = public.post(f"/projekt/{project_id}/melden", data=dict(data, csrf_token=csrf_token(form)))
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)


def test_the_report_form_has_a_honeypot_csrf_and_a_rate_limit(tmp_path):
    app = make_app(tmp_path, REPORT_RATE_LIMIT="2 per minute")
    project_id = published(app, "Treff")
    public = app.test_client()
    page = public.get(f"/projekt/{project_id}/melden")
    assert public.post(f"/projekt/{project_id}/melden", data={"art": "falsch"}).status_code == 400
    bot = public.post(f"/projekt/{project_id}/melden", data={"csrf_token": csrf_token(page), "art": "falsch",
                                                             "homepage": "http://spam.example"})
    assert bot.status_code == 302
    from atlas import reports

    assert reports.open_reports(app.extensions["atlas"].store, project_id) == [], "a bot's report is no task"
    second = public.post(f"/projekt/{project_id}/melden", data={"csrf_token": csrf_token(page), "art": "falsch"})
    assert second.status_code == 302
    third = public.post(f"/projekt/{project_id}/melden", data={"csrf_token": csrf_token(page), "art": "falsch"})
    assert third.status_code == 429 and "sehr viele Meldungen" in third.get_data(as_text=True)
    assert public.get("/projekt/999/melden").status_code == 404
    assert "Eintrag melden" in public.get(f"/projekt/{project_id}").get_data(as_text=True)


# --- roles and accounts ---------------------------------------------------------------------------------------------

def office_posts(app) -> list[str]:
    """Every POST route of the office blueprint, from the app's URL map: a new one cannot be forgotten."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("office.") and "POST" in rule.methods:
            found.append((rule.endpoint, re.sub(r"<id:\w+>", "1", rule.rule)))
    return found


def test_the_observer_reads_everything_and_every_write_is_403(office):
    from atlas.web.office_admin import OBSERVER_MAY_POST

    project_id = submit(office, name="Sprachcafé Lamspringe", ort="Lamspringe")[0]
    client = signed_in(office, OBSERVER)
    for path in ("/amt/", "/amt/?bezirk=weser-ems", "/amt/warteschlange", "/amt/warteschlange?bezirk=braunschweig",
                 f"/amt/projekt/{project_id}", "/amt/aktivitaet", "/amt/konten", "/amt/zahlen/kreise.csv",
                 "/amt/karte.json", "/amt/export.csv"):
        assert client.get(path).status_code == 200, path
    page = html(client.get(f"/amt/projekt/{project_id}"))
    assert page.select_one("#freigeben") is None and page.select_one("#verlauf") is not None
    assert html(client.get("/amt/warteschlange")).select_one("#sammelaktion input[name=zeile]") is None
    token = csrf_token(client.get("/amt/konto"))
    posts = office_posts(office)
    assert len(posts) >= 15
    for endpoint, path in posts:
        if endpoint in OBSERVER_MAY_POST:
            continue
        answer = client.post(path, data={"csrf_token": token, "version": "1", "aktion": "freigeben",
                                         "zeile": f"{project_id}:1"})
        assert answer.status_code == 403, (endpoint, path, answer.status_code)
    assert office.extensions["atlas"].store.get(project_id)["status"] == "pending"


def test_the_admin_manages_accounts_in_the_web_and_each_act_is_audited(office):
    from atlas import audit

    client = signed_in(office, ADMIN)
    page = html(client.get("/amt/konten"))
    created = client.post("/amt/konten", data=dict(form_values(page, "konto-neu"), email="neu@arl.example",
                                                   rolle="office", bezirk="lueneburg"))
    password = html(created).select_one("#passwort").get_text()
    assert len(password) >= 12
    newcomer = office.test_client()
    assert login(newcomer, "neu@arl.example", password).status_code == 302
    [row] = [r for r in html(client.get("/amt/konten")).select("#konten tbody tr") if "neu@arl.example" in r.th.text]
    user_id = int(row["id"].removeprefix("konto-"))
    token = csrf_token(client.get("/amt/konten"))
    client.post(f"/amt/konten/{user_id}", data={"csrf_token": token, "aktion": "deaktivieren"})
    assert newcomer.get("/amt/").status_code == 302, "a deactivated account's session ends at once"
    assert login(office.test_client(), "neu@arl.example", password).status_code == 400
    client.post(f"/amt/konten/{user_id}", data={"csrf_token": token, "aktion": "aktivieren"})
    reset = html(client.post(f"/amt/konten/{user_id}", data={"csrf_token": token, "aktion": "passwort"}))
    fresh = reset.select_one("#passwort").get_text()
    assert login(office.test_client(), "neu@arl.example", fresh).status_code == 302
    client.post(f"/amt/konten/{user_id}", data={"csrf_token": token, "aktion": "rolle", "rolle": "observer"})
    own = html(client.get("/amt/konten")).select_one(f"tr#konto-{user_id}").get_text()
    assert "Beobachtung" in own
    admin_id = int(next(r for r in html(client.get("/amt/konten")).select("#konten tbody tr")
                        if ADMIN in r.th.text)["id"].removeprefix("konto-"))
    itself = client.post(f"/amt/konten/{admin_id}", data={"csrf_token": token, "aktion": "deaktivieren"},
                         follow_redirects=True)
    assert "eigenes Konto" in itself.get_data(as_text=True)
    actions = [e["action"] for e in audit.entries(office.extensions["atlas"].store, None) if e["actor"] == ADMIN]
    assert actions == [audit.ROLE_CHANGED, audit.PASSWORD_RESET, audit.ACCOUNT_ACTIVATED, audit.ACCOUNT_DEACTIVATED,
                       audit.ACCOUNT_CREATED]
    assert signed_in(office, OFFICE).post("/amt/konten", data={"csrf_token": token}).status_code in (400, 403)
    office_client = signed_in(office, OFFICE)
    assert office_client.post("/amt/konten", data={"csrf_token": csrf_token(office_client.get("/amt/")),
                                                   "email": "x@y.de", "rolle": "admin"}).status_code == 403


@pytest.mark.parametrize(("email", "role", "district", "status", "field", "says"), [
    ("neu@arl.example", "office", "", 400, "neu-bezirk", "Ein Amtskonto braucht seinen Amtsbezirk."),
    ("neu(at)arl.example", "observer", "", 400, "neu-email", "„neu(at)arl.example“ ist keine gültige E-Mail-Adresse."),
    (f"  {OFFICE.upper()} ", "observer", "", 409, "neu-email", f"Ein Konto für {OFFICE} gibt es schon."),
])
def test_a_new_account_that_cannot_be_made_names_the_field_and_keeps_what_was_chosen(office, email, role, district,
                                                                                        status, field, says):
    """The admin forgets the district of an office, mistypes the address or gives one that has an account: the
    form comes back saying so at the field, in the summary above it, with the address and the role still there."""
    client = signed_in(office, ADMIN)
    before = len(html(client.get("/amt/konten")).select("#konten tbody tr"))
    answer = client.post("/amt/konten", data=dict(form_values(html(client.get("/amt/konten")), "konto-neu"),
                                                  email=email, rolle=role, bezirk=district))
    assert answer.status_code == status
    page = html(answer)
    assert [a.get_text() for a in page.select("#fehler li a")] == [says]
    assert page.select_one("#fehler a")["href"] == f"#{field}"
    assert page.select_one(f"#{field}-fehler").get_text() == says
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert page.select_one("#neu-email")["value"] == email.strip()
    assert page.select_one("#neu-rolle option[selected]")["value"] == role
    assert "--arl" not in page.get_text(), "no words of the command line"
    assert len(html(client.get("/amt/konten")).select("#konten tbody tr")) == before, "no account was made"


def test_the_activity_log_is_per_office_filterable_and_exportable(office):
    project_id = submit(office, name="Sprachcafé Lamspringe", ort="Lamspringe")[0]
    goslar = submit(office, name="Goslar", ort="Goslar")[0]
    store = office.extensions["atlas"].store
    store.set_status(project_id, "published", actor=OFFICE)
    store.set_status(goslar, "rejected", "nein", actor=OTHER)
    client = signed_in(office, OFFICE)
    page = html(client.get("/amt/aktivitaet"))
    assert [r.select("td")[1].get_text() for r in page.select("#aktivitaet tbody tr")] == [OFFICE]
    assert html(client.get("/amt/aktivitaet?was=rejected")).select_one("#aktivitaet tbody td").get_text() \
        == "Keine Einträge."
    assert client.get("/amt/aktivitaet?von=gestern").status_code == 400
    assert client.get("/amt/aktivitaet?seite=%C2%B2").status_code == 400  # „²“: a digit, but not a number
    exported = client.get("/amt/aktivitaet.csv?wer=leine").get_data().decode("utf-8")
    rows = list(csv.reader(io.StringIO(exported.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Zeit", "Wer", "Was"] and rows[1][1:3] == [OFFICE, "Veröffentlicht"]
    admin = signed_in(office, ADMIN)
    assert len(html(admin.get("/amt/aktivitaet")).select("#aktivitaet tbody tr")) >= 2


@SQLITE_FILE
def test_yesterdays_database_learns_roles_reports_and_templates(tmp_path):
    """Migration 0010_workspace on a database at 0009 with accounts in it: the admin stays admin, the others are
    offices, every account active; reports and templates start empty."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from atlas.migrate import alembic_config, upgrade

    database = tmp_path / "atlas.db"
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), "0009")
        connection.execute(text("INSERT INTO users (email, password_hash, arl, is_admin, created_at, notify) VALUES "
                                "('a@arl.example', 'x', 'leine-weser', 0, '2026-01-01', 'each'), "
                                "('l@ml.example', 'x', NULL, 1, '2026-01-01', 'each')"))
        connection.commit()
    assert upgrade(f"sqlite:///{database}")[0] == "0009"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT email, role, active FROM users ORDER BY email")).all() == [
            ("a@arl.example", "office", 1), ("l@ml.example", "admin", 1)]
        assert connection.execute(text("SELECT count(*) FROM reports")).scalar_one() == 0
        command.downgrade(alembic_config(connection), "0009")
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    engine.dispose()
    app = make_app(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    create_account(app, "neu@arl.example", "--arl", "lueneburg")
    assert login(app.test_client(), "neu@arl.example", PASSWORD).status_code == 302
