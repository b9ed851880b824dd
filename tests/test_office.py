"""The regional offices: accounts from the command line, their district's queue, approval, 403 for others."""

from __future__ import annotations

import re

import pytest
from helpers import PASSWORD, create_account, csrf_token, form_values, html, login, make_app, textarea

from atlas.projects import validate_project

XSS = "<img src=x onerror=alert(1)>"



@pytest.fixture
def office_app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def accounts(office_app):
    for email, option in (("leine-weser@arl.example", "--arl=leine-weser"),
                          ("braunschweig@arl.example", "--arl=braunschweig"), ("land@ml.example", "--admin")):
        create_account(office_app, email, option)
    return office_app


@pytest.fixture
def lamspringe(accounts):
    services = accounts.extensions["atlas"]
    project, errors = validate_project({"name": f"Sprachcafé Lamspringe {XSS}", "traeger": XSS,
                                        "handlungsfelder": "sprache", "ort": "Lamspringe"})
    assert not errors
    return services.store.add(project, services.geocoder.geocode("Lamspringe").place)


def test_create_user_reads_one_password_line_and_refuses_what_is_wrong(office_app):
    runner = office_app.test_cli_runner()
    piped = runner.invoke(args=["create-user", "a@arl.example", "--arl", "lueneburg"], input=f"{PASSWORD}\n")
    assert piped.exit_code == 0, piped.output
    assert "Konto a@arl.example angelegt" in piped.output
    empty = runner.invoke(args=["create-user", "z@arl.example", "--arl", "lueneburg"], input="")
    assert empty.exit_code == 1 and "stdin war leer" in empty.output
    again = runner.invoke(args=["create-user", "a@arl.example", "--arl", "lueneburg", "--password", PASSWORD])
    assert again.exit_code == 1 and "gibt es schon" in again.output
    short = runner.invoke(args=["create-user", "b@arl.example", "--arl", "lueneburg", "--password", "kurz"])
    assert short.exit_code == 1 and "mindestens 12 Zeichen" in short.output
    both = runner.invoke(args=["create-user", "c@arl.example", "--arl", "lueneburg", "--admin", "--password", PASSWORD])
    assert both.exit_code == 1 and "genau eines" in both.output
    from sqlalchemy import text

    with office_app.extensions["atlas"].store.read() as db:
        stored = db.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_the_office_approves_its_project_and_it_appears_at_once(accounts, lamspringe):
    client = accounts.test_client()
    assert client.get(f"/projekt/{lamspringe}").status_code == 404
    login(client, "leine-weser@arl.example")
    queue = html(client.get("/amt/warteschlange"))
    assert [a.get_text() for a in queue.select("#warteschlange tbody a")] == [f"Sprachcafé Lamspringe {XSS}"]
    page = client.get(f"/amt/projekt/{lamspringe}")
    assert XSS not in page.get_data(as_text=True)
    response = client.post(f"/amt/projekt/{lamspringe}/freigeben", data=form_values(html(page), "freigeben"))
    assert response.status_code == 302
    assert client.get(f"/projekt/{lamspringe}").status_code == 200
    for url in ("/", "/region/leine-weser", "/in-der-naehe?ort=Lamspringe&umkreis=5"):
        assert "Sprachcafé Lamspringe" in client.get(url).get_data(as_text=True), url
    history = html(client.get(f"/amt/projekt/{lamspringe}"))
    assert "leine-weser@arl.example · Veröffentlicht" in history.select_one("#verlauf").get_text()


def test_another_office_can_neither_see_nor_approve_it(accounts, lamspringe):
    client = accounts.test_client()
    login(client, "braunschweig@arl.example")
    queue = client.get("/amt/warteschlange")
    assert "Lamspringe" not in queue.get_data(as_text=True)
    assert client.get(f"/amt/projekt/{lamspringe}").status_code == 403
    forged = client.post(f"/amt/projekt/{lamspringe}/freigeben", data={"csrf_token": csrf_token(queue)})
    assert forged.status_code == 403
    assert accounts.extensions["atlas"].store.get(lamspringe)["status"] == "pending"


def test_the_admin_sees_every_district(accounts, lamspringe):
    client = accounts.test_client()
    login(client, "land@ml.example")
    assert "Lamspringe" in client.get("/amt/warteschlange").get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(accounts, lamspringe):
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    assert client.post(f"/amt/projekt/{lamspringe}/freigeben").status_code == 400
    assert client.post("/amt/anmelden", data={"email": "x@y.de", "password": "z"}).status_code == 400


def test_rejecting_needs_a_reason_and_records_it(accounts, lamspringe):
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    form = form_values(html(client.get(f"/amt/projekt/{lamspringe}")), "ablehnen")
    empty = client.post(f"/amt/projekt/{lamspringe}/ablehnen", data=dict(form, reason=""))
    assert empty.status_code == 400 and "Bitte begründen Sie die Ablehnung" in empty.get_data(as_text=True)
    client.post(f"/amt/projekt/{lamspringe}/ablehnen", data=dict(form, reason="Doppelt"))
    assert accounts.extensions["atlas"].store.get(lamspringe)["reject_reason"] == "Doppelt"


@pytest.mark.parametrize(("status", "action", "shown"), [
    ("published", "freigeben", "Veröffentlicht"),  # again: it would renew its confirmation
    ("pending", "archivieren", "Eingereicht"),  # nothing to take off the map
    ("archived", "ablehnen", "Archiviert"),  # it would come back as „abgelehnt“
])
def test_a_decision_that_does_not_fit_the_status_is_refused_as_the_queue_refuses_it(accounts, lamspringe, status,
                                                                                     action, shown):
    store = accounts.extensions["atlas"].store
    if status != "pending":
        store.set_status(lamspringe, status, actor="test")
    before = store.get(lamspringe)
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    page = html(client.get(f"/amt/projekt/{lamspringe}"))
    assert page.select_one(f"form#{action}") is None, "the page does not offer it"
    seen = {"csrf_token": csrf_token(client.get("/amt/warteschlange")), "version": before["row_version"]}
    answer = client.post(f"/amt/projekt/{lamspringe}/{action}", data=dict(seen, reason="Doppelt"))
    assert answer.status_code == 409
    assert (html(answer).select_one("[role=status]").get_text()
            == f"Nicht entschieden, weil der Status nicht passt: Das Projekt ist „{shown}“.")
    in_bulk = client.post("/amt/warteschlange/aktion", data=dict(seen, aktion=action, begruendung="Doppelt",
                                                                  zeile=f"{lamspringe}:{before['row_version']}"))
    told = html(client.get(in_bulk.headers["Location"])).get_text()
    assert "Übersprungen, weil der Status nicht passt" in told, "the same rule"
    after = store.get(lamspringe)
    assert (after["status"], after["confirmed_at"], after["row_version"]) == (
        status, before["confirmed_at"], before["row_version"])


def test_a_failed_login_says_so_without_telling_which_part_was_wrong(accounts):
    client = accounts.test_client()
    for email in ("leine-weser@arl.example", "niemand@arl.example"):
        response = login(client, email, "falsch")
        assert response.status_code == 400
        assert "E-Mail-Adresse oder Passwort stimmen nicht" in response.get_data(as_text=True)


def test_the_office_exports_its_district_with_every_status_for_german_excel(accounts, lamspringe):
    import csv
    import io

    accounts.extensions["atlas"].store.set_status(lamspringe, "rejected", "fehlt", actor="test")
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    raw = client.get("/amt/export.csv").get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, or Excel guesses Windows-1252
    [row] = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert (row["Nummer"], row["Status"], row["Handlungsfelder"]) == (f"GS-{lamspringe:06d}", "Abgelehnt", "Sprache")
    assert "," in row["Breite"] and "." not in row["Breite"]  # decimal comma
    assert row["Genauigkeit"] == "Ortsmitte" and row["Öffentlich nur ungefähr"] == "nein"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", row["Eingereicht"])
    assert row["Letzte Entscheidung"] and row["Letzte Änderung"] and row["Veröffentlicht"] == ""
    login(client, "braunschweig@arl.example")
    assert "Lamspringe" not in client.get("/amt/export.csv").get_data(as_text=True)


def test_the_office_pages_need_a_login(accounts):
    response = accounts.test_client().get("/amt/")
    assert response.status_code == 302 and "/amt/anmelden" in response.headers["Location"]


def edit(client, project_id, **changes):
    """Open the edit form, change some fields, save."""
    page = html(client.get(f"/amt/projekt/{project_id}/bearbeiten"))
    data = form_values(page, "bearbeiten")
    data.update(changes)
    return client.post(f"/amt/projekt/{project_id}/bearbeiten", data=data)


def test_the_office_corrects_a_project_and_the_change_is_recorded(accounts, lamspringe):
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    response = edit(client, lamspringe, name="Sprachcafé Lamspringe", description="Dienstags 16 Uhr")
    assert response.status_code == 302
    row = accounts.extensions["atlas"].store.get(lamspringe)
    assert (row["name"], row["description"], row["arl"]) == ("Sprachcafé Lamspringe", "Dienstags 16 Uhr", "leine-weser")
    history = html(client.get(f"/amt/projekt/{lamspringe}")).select_one("#verlauf").get_text(" ", strip=True)
    assert "leine-weser@arl.example · Bearbeitet" in history
    assert "Name: Sprachcafé Lamspringe <img src=x onerror=alert(1)> → Sprachcafé Lamspringe" in " ".join(
        history.split())
    assert "Beschreibung: – → Dienstags 16 Uhr" in history  # nothing before is a dash, not an empty space
    assert XSS not in client.get(f"/amt/projekt/{lamspringe}").get_data(as_text=True)


def test_a_new_address_in_another_district_moves_the_project_to_that_office(accounts, lamspringe):
    services = accounts.extensions["atlas"]
    services.store.set_status(lamspringe, "published", actor="test")
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    moved = edit(client, lamspringe, ort="Goslar", plz="", lat="", lon="")
    assert moved.status_code == 302
    notice = html(client.get(moved.location)).select_one(".notice").get_text()
    assert "Landkreis Goslar" in notice and "Braunschweig" in notice
    row = services.store.get(lamspringe)
    assert (row["kreis_name"], row["arl"], row["status"]) == ("Goslar", "braunschweig", "pending")
    assert client.get(f"/projekt/{lamspringe}").status_code == 404  # no longer public until Braunschweig approves
    assert client.get(f"/amt/projekt/{lamspringe}").status_code == 403
    login(client, "braunschweig@arl.example")
    queue = html(client.get("/amt/warteschlange")).select_one("#warteschlange").get_text()
    assert "Sprachcafé Lamspringe" in queue
    history = " ".join(html(client.get(f"/amt/projekt/{lamspringe}")).select_one("#verlauf").get_text(" ").split())
    assert ("Amt: Amt für regionale Landesentwicklung Leine-Weser → Amt für regionale Landesentwicklung "
            "Braunschweig") in history, history  # values in words, never slugs
    assert "Kreis: Hildesheim → Goslar" in history and "Status: Veröffentlicht → Eingereicht" in history


def test_moved_coordinates_are_assigned_again(accounts, lamspringe):
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    edit(client, lamspringe, lat="52,3759", lon="9,7320")  # Hannover
    row = accounts.extensions["atlas"].store.get(lamspringe)
    assert (row["kreis_name"], row["precision"]) == ("Region Hannover", "pin")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ort": "Bremen", "plz": ""}, "ort", "Der Atlas umfasst nur Projekte in Niedersachsen"),
    ({"ort": "Asendorf", "plz": ""}, "ort", "Bitte wählen Sie einen Ort oder geben Sie die Postleitzahl"),
    ({"lat": "53,55", "lon": "9,99"}, "lat", "Hamburg"),
    ({"lat": "nord"}, "lat", "„nord“ ist keine Zahl."),
    ({"name": ""}, "name", "Bitte geben Sie den Namen"),
])
def test_a_wrong_edit_is_explained_and_changes_nothing(accounts, lamspringe, changes, field, message):
    services = accounts.extensions["atlas"]
    before = services.store.get(lamspringe)
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    response = edit(client, lamspringe, description="geändert", **changes)
    assert response.status_code == 400
    page = html(response)
    assert message in page.select_one(".error-summary").get_text()
    assert page.select_one(f"#{field}-fehler") is not None
    assert textarea(page.select_one("#description")) == "geändert"
    assert services.store.get(lamspringe) == before


def test_another_office_cannot_edit(accounts, lamspringe):
    client = accounts.test_client()
    login(client, "braunschweig@arl.example")
    assert client.get(f"/amt/projekt/{lamspringe}/bearbeiten").status_code == 403
    forged = client.post(f"/amt/projekt/{lamspringe}/bearbeiten",
                         data={"csrf_token": csrf_token(client.get("/amt/")), "name": "Übernommen", "ort": "Goslar",
                               "handlungsfelder": ["sprache"]})
    assert forged.status_code == 403
    assert accounts.extensions["atlas"].store.get(lamspringe)["name"].startswith("Sprachcafé")


def test_many_logins_from_one_client_are_refused_for_a_while(accounts):
    accounts.config.update(LOGIN_RATE_LIMIT="3 per minute")
    client = accounts.test_client()
    page = client.get("/amt/anmelden")
    answers = [client.post("/amt/anmelden", data={"email": "leine-weser@arl.example", "password": f"falsch{i}",
                                                  "csrf_token": csrf_token(page)}).status_code for i in range(4)]
    assert answers == [400, 400, 400, 429]
    assert "Zu viele Anfragen" in login(client, "leine-weser@arl.example").get_data(as_text=True)


def test_editing_a_rejected_project_keeps_the_reason(accounts, lamspringe):
    store = accounts.extensions["atlas"].store
    store.set_status(lamspringe, "rejected", "Kein Bezug zu Geflüchteten", actor="test")
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    edit(client, lamspringe, description="Neu")
    row = store.get(lamspringe)
    assert (row["status"], row["reject_reason"], row["description"]) == ("rejected", "Kein Bezug zu Geflüchteten",
                                                                         "Neu")


@pytest.mark.parametrize("url", ["/amt/", "/amt/export.csv", "/amt/export.geojson", "/amt/projekt/{id}",
                                 "/amt/projekt/{id}/bearbeiten", "/amt/anmelden"])
def test_office_pages_and_exports_are_never_stored_by_browsers_or_proxies(accounts, lamspringe, url):
    client = accounts.test_client()
    login(client, "land@ml.example")
    response = client.get(url.format(id=lamspringe))
    assert response.status_code == 200
    assert response.cache_control.no_store and response.cache_control.private


def test_times_are_shown_in_berlin_whatever_zone_the_database_speaks(accounts, lamspringe):
    from datetime import UTC, datetime

    from sqlalchemy import text, update
    from sqlalchemy.engine import make_url

    from atlas.schema import changes, projects

    store = accounts.extensions["atlas"].store
    store.set_status(lamspringe, "rejected", "Doppelt", actor="test")
    summer, winter = datetime(2026, 7, 1, 10, 0, tzinfo=UTC), datetime(2026, 1, 15, 23, 30, tzinfo=UTC)
    with store.write() as db:
        db.execute(update(changes).values(at=summer))
        db.execute(update(projects).values(created_at=winter))
        if db.dialect.name == "postgresql":  # a server that speaks another zone than the atlas's people
            name = make_url(accounts.config["DATABASE_URL"]).database
            db.execute(text(f'ALTER DATABASE "{name}" SET timezone TO \'America/New_York\''))
    store.close()
    client = accounts.test_client()
    login(client, "land@ml.example")
    assert "01.07.2026 12:00" in html(client.get(f"/amt/projekt/{lamspringe}")).select_one("#verlauf").get_text()
    queue = html(client.get("/amt/warteschlange?status=rejected"))
    assert "16.01.2026 00:30" in queue.select_one("#warteschlange").get_text()


def test_the_office_sees_counts_on_its_tabs_german_precision_and_a_map_with_the_pin(accounts, lamspringe):
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    tabs = [a.get_text() for a in html(client.get("/amt/warteschlange")).select("nav[aria-label=Status] a")]
    assert tabs[:2] == ["Eingereicht (1)", "Veröffentlicht (0)"]
    page = html(client.get(f"/amt/projekt/{lamspringe}"))
    assert "(Ortsmitte)" in page.select_one("dl.facts").get_text()
    assert page.select_one(".map.small") is not None and page.select_one("#atlas-data") is not None


def test_a_long_text_changed_shows_the_changed_words_with_context(accounts, lamspringe):
    client = accounts.test_client()
    login(client, "leine-weser@arl.example")
    before = ("Jeden Dienstag treffen sich Menschen aus vielen Ländern im Gemeindehaus, um gemeinsam Deutsch zu "
              "sprechen, Kaffee zu trinken und einander kennenzulernen. Alle sind willkommen.")
    edit(client, lamspringe, description=before)
    edit(client, lamspringe, description=before.replace("Dienstag", "Mittwoch").replace("Kaffee", "Tee"))
    [entry] = html(client.get(f"/amt/projekt/{lamspringe}")).select("#verlauf > li")[-1:]
    words = entry.select_one(".change-words")
    assert [d.get_text() for d in words.select("del")] == ["Dienstag", "Kaffee"]
    assert [i.get_text() for i in words.select("ins")] == ["Mittwoch", "Tee"]
    shown = words.get_text(" ", strip=True)
    assert "…" in shown and "Alle sind willkommen" not in shown  # context around the changes, not the whole text
    assert len(shown) < len(before)
