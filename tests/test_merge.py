"""Merging two records of one project: the office picks field by field what the kept record holds; history, notes,
private links, claims, a proposal, a hold and the public address follow it; one history entry on each; the open
data names the merged id as replaced. Both records' district and versions are checked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from helpers import PAYLOADS, create_account, csrf_token, html
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS
from sqlalchemy import select, update
from team_setup import ANNA, BEN, BRAUNSCHWEIG, LAND, OBSERVER, SUBMITTER, page_form, team_fixture  # noqa: F401

from atlas import claims, reports, submitters
from atlas.database import as_utc
from atlas.projects import validate_project
from atlas.schema import outbox, projects
from atlas.store import PUBLISHED, StaleWrite

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


def merge_page(client, project_id: int, other) -> tuple[dict, object]:
    """The merge page's form as loaded: its fields as a browser would send them, and the page."""
    page = html(client.get(f"/amt/projekt/{project_id}/zusammenfuehren?mit={other}"))
    form = page.select_one("form#zusammenfuehren")
    assert form is not None, page.get_text()[:500]
    data = {node["name"]: node["value"] for node in form.select("input[type=hidden]")}
    data.update({node["name"]: node["value"] for node in form.select("input[type=radio][checked]")})
    return data, page


def add_published_twin(team, name: str = "Sprachcafé Lamspringe e.V.", days_ago: int = 0) -> int:
    """A second published record of the Lamspringe Sprachcafé (an older import, say)."""
    services = team.app.extensions["atlas"]
    project, errors = validate_project({"name": name, "ort": "Lamspringe", "handlungsfelder": "sprache",
                                        "traeger": "Kirchengemeinde", "website": "https://sprachcafe.example"})
    assert not errors
    [twin] = services.store.add_many([(project, services.geocoder.geocode("Lamspringe").place)], PUBLISHED)
    with team.store.write() as db:
        db.execute(update(projects).where(projects.c.id == twin).values(
            published_at=datetime.now(UTC) - timedelta(days=days_ago)))
    return twin


def test_the_page_offers_each_differing_field_and_proposes_the_public_record_to_stay(team):
    anna = team.client(ANNA)
    data, page = merge_page(anna, team.submission, team.source)
    assert data["behalten"] == str(team.source), "the published entry keeps its address"
    offered = [fieldset["id"] for fieldset in page.select("fieldset.merge-field")]
    assert offered == ["feld-name", "feld-traeger", "feld-description", "feld-email", "feld-quelle", "feld-status"]
    assert "Adresse und Lage" in page.select_one("#gleich").get_text()
    assert data["feld-email"] == str(team.submission), "an empty address is not proposed over a given one"
    assert data["feld-quelle"] == str(team.submission), "the submission confirms the entry from a source"
    assert data["feld-status"] == str(team.source) and data["feld-name"] == str(team.source)
    description = [label.get_text(" ", strip=True) for label in page.select("#feld-description label")]
    assert description == [f"GS-{team.submission:06d} : Jeden Dienstag Deutsch üben, mit Kuchen.",
                           f"GS-{team.source:06d} : Deutsch üben bei Kaffee."]


def test_a_merge_keeps_what_was_chosen_and_everything_follows_the_kept_record(team):
    anna = team.client(ANNA)
    team.store.add_note(team.submission, team.anna, ANNA, "Einreicherin angerufen", [])
    team.store.set_hold(team.submission, team.ben, team.ben, BEN, None)
    submitter_page = anna.application.test_client().get(f"/mein-projekt/{team.link}")
    assert "Sprachcafe Lamspringe" in submitter_page.get_data(as_text=True)
    data, _page = merge_page(anna, team.submission, team.source)
    data["feld-description"] = str(team.submission)
    answer = anna.post(f"/amt/projekt/{team.submission}/zusammenfuehren", data=data)
    assert answer.status_code == 302 and answer.headers["Location"] == f"/amt/projekt/{team.source}"

    kept, gone = team.store.get(team.source), team.store.get(team.submission)
    assert (kept["name"], kept["description"], kept["email"], kept["quelle"], kept["status"]) == (
        "Sprachcafé Lamspringe", "Jeden Dienstag Deutsch üben, mit Kuchen.", SUBMITTER, "", "published")
    assert kept["source_confirmed_at"] is not None, "the submission confirmed the entry"
    assert (gone["status"], gone["email"]) == ("archived", "")
    assert team.store.replaced_by(team.submission) == team.source
    assert team.store.hold_of(team.source).email == BEN, "the hold follows"
    # the submitter's private link opens the kept project
    mine = html(anna.application.test_client().get(f"/mein-projekt/{team.link}"))
    assert mine.select_one("h1").get_text(" ", strip=True) == "Ihr Projekt: Sprachcafé Lamspringe"
    assert mine.select_one("#status").get_text() == "Veröffentlicht"
    # one history entry on each; the kept one lists what changed and the merged record's history and notes
    page = html(anna.get(f"/amt/projekt/{team.source}"))
    entries = [li.get_text(" ", strip=True) for li in page.select("#verlauf > li")]
    [merged_in] = [e for e in entries if "Duplikat hierher zusammengeführt" in e]
    assert f"Übernommener Eintrag: – → GS-{team.submission:06d}" in merged_in
    assert "Beschreibung:" in merged_in and f"E-Mail: – → {SUBMITTER}" in merged_in
    assert any(e.startswith(f"aus GS-{team.submission:06d}") and "Einreicherin angerufen" in e for e in entries)
    assert any(e.startswith(f"aus GS-{team.submission:06d}") and "Zusammengeführt in: GS-" in e for e in entries)
    own = [c["action"] for c in team.store.history(team.submission)]
    assert own[-1] == "merged_away" and own.count("merged_away") == 1
    assert [c["action"] for c in team.store.history(team.source)].count("merged_in") == 1
    gone_page = html(anna.get(f"/amt/projekt/{team.submission}"))
    assert gone_page.select_one("#zusammengefuehrt a")["href"] == f"/amt/projekt/{team.source}"
    # the submitter's page shows no office step
    assert "zusammengeführt" not in mine.select_one("#verlauf").get_text().lower()
    # a submission never published had no public address: it stays a 404
    public = team.app.test_client()
    assert public.get(f"/projekt/{team.submission}").status_code == 404
    # its submitter hears that their project is published now
    with team.store.read() as db:
        mails = db.execute(select(outbox.c.kind, outbox.c.recipient, outbox.c.params).where(
            outbox.c.event == f"merged-published:{team.submission}")).all()
    assert [(kind, to, json.loads(p)["project_id"]) for kind, to, p in mails] == [("published", SUBMITTER,
                                                                                   team.source)]


def test_a_published_record_merged_away_leads_to_the_kept_one_and_the_open_data_say_so(team):
    anna = team.client(ANNA)
    older = add_published_twin(team, days_ago=400)
    claim = claims.make(team.store, team.source, "leitung@kirche.example", "Das ist unseres", "de")
    team.store.set_hold(team.source, team.anna, team.anna, ANNA, None)
    data, _page = merge_page(anna, team.source, older)
    data["behalten"] = str(older)
    assert anna.post(f"/amt/projekt/{team.source}/zusammenfuehren", data=data).status_code == 302

    kept = team.store.get(older)
    assert as_utc(kept["published_at"]) < datetime.now(UTC) - timedelta(days=399), "area alerts are not told again"
    assert [c["id"] for c in claims.waiting(team.store, older)] == [claim], "the Träger's claim follows"
    assert team.store.hold_of(older).email == ANNA
    public = team.app.test_client()
    moved = public.get(f"/projekt/{team.source}?lang=ar")
    assert moved.status_code == 301 and moved.headers["Location"] == f"/projekt/{older}?lang=ar"
    assert public.get(moved.headers["Location"]).status_code == 200
    item = public.get(f"/ogc/collections/projekte/items/{team.source}?f=json")
    assert item.status_code == 301
    assert item.headers["Location"].endswith(f"/ogc/collections/projekte/items/{older}?f=json")
    assert public.get(f"/ogc/collections/projekte/items/{older}").get_json()["properties"]["ersetzt"] == [team.source]
    features = public.get("/ogc/collections/projekte/items?limit=100").get_json()["features"]
    assert {f["id"]: f["properties"]["ersetzt"] for f in features}[older] == [team.source]
    assert team.source not in {f["id"] for f in features}
    download = public.get("/daten/projekte.geojson").get_json()["features"]
    assert [f["properties"]["ersetzt"] for f in download if f["properties"]["name"] == kept["name"]] == [[team.source]]
    listing = public.get("/daten/ersetzte-projekte.json").get_json()
    [entry] = listing["ersetzt"]
    assert (entry["id"], entry["ersetzt_durch"]) == (team.source, older)
    assert entry["url"].endswith(f"/projekt/{team.source}") and entry["ersetzt_durch_url"].endswith(f"/projekt/{older}")
    rows = public.get("/daten/ersetzte-projekte.csv").get_data().decode("utf-8-sig").splitlines()
    assert rows[0] == "Nummer;Ersetzt durch;Projektseite;Ersetzt durch Projektseite;Seit;Lizenz"
    assert rows[1].startswith(f"{team.source};{older};")
    catalogue = Graph().parse(data=public.get("/ogc/dcat.ttl").get_data(as_text=True), format="turtle")
    base = team.app.config["BASE_URL"]
    assert catalogue.value(URIRef(f"{base}/projekt/{team.source}"), DCTERMS.isReplacedBy) == URIRef(
        f"{base}/projekt/{older}")


def test_a_project_page_kept_before_its_record_was_merged_away_or_archived_is_not_sent_again(team):
    anna = team.client(ANNA)
    older, other = add_published_twin(team, days_ago=400), add_published_twin(team, name="Sprachcafé am Markt")
    public, pages = team.app.test_client(), team.app.extensions["atlas_pages"]
    for project_id in (team.source, other):
        assert public.get(f"/projekt/{project_id}").status_code == 200
        hits = pages.hits
        assert public.get(f"/projekt/{project_id}").status_code == 200 and pages.hits == hits + 1, "kept"
    data, _page = merge_page(anna, team.source, older)
    data["behalten"] = str(older)
    assert anna.post(f"/amt/projekt/{team.source}/zusammenfuehren", data=data).status_code == 302
    assert public.get(f"/projekt/{team.source}").status_code == 301
    team.store.set_status(other, "archived", "Beendet.", actor=ANNA)
    assert public.get(f"/projekt/{other}").status_code == 404


def test_a_kept_submission_published_by_the_merge_tells_its_submitter(team):
    anna = team.client(ANNA)
    data, _page = merge_page(anna, team.submission, team.source)
    data.update({"behalten": str(team.submission), "feld-status": str(team.source)})
    assert anna.post(f"/amt/projekt/{team.submission}/zusammenfuehren", data=data).status_code == 302
    kept = team.store.get(team.submission)
    assert kept["status"] == "published" and kept["published_at"] is not None
    public = team.app.test_client()
    moved = public.get(f"/projekt/{team.source}")
    assert moved.status_code == 301 and moved.headers["Location"] == f"/projekt/{team.submission}"
    with team.store.read() as db:
        kinds = db.execute(select(outbox.c.kind, outbox.c.recipient).where(outbox.c.kind == "published")).all()
    assert kinds == [("published", SUBMITTER)]


def test_a_waiting_proposal_of_the_merged_record_follows(team):
    services = team.app.extensions["atlas"]
    project, _errors = validate_project({"name": "Sprachcafe Lamspringe", "ort": "Lamspringe",
                                         "handlungsfelder": "sprache", "description": "Jetzt auch donnerstags."})
    proposal = submitters.propose(team.store, team.submission, project, services.geocoder.geocode("Lamspringe").place,
                                  1)
    anna = team.client(ANNA)
    data, _page = merge_page(anna, team.submission, team.source)
    anna.post(f"/amt/projekt/{team.submission}/zusammenfuehren", data=data)
    assert submitters.waiting_proposal(team.store, team.source)["id"] == proposal
    assert "Änderungsvorschlag" in html(anna.get(f"/amt/projekt/{team.source}")).select_one("#vorschlag").get_text()


def test_a_record_changed_since_the_comparison_is_not_merged_and_the_choice_stays(team):
    anna, ben = team.client(ANNA), team.client(BEN)
    data, _page = merge_page(anna, team.submission, team.source)
    data["feld-description"] = str(team.submission)
    approve = page_form(ben, f"/amt/projekt/{team.submission}", "freigeben")
    assert ben.post(f"/amt/projekt/{team.submission}/freigeben", data=approve).status_code == 302
    stale = anna.post(f"/amt/projekt/{team.submission}/zusammenfuehren", data=data)
    assert stale.status_code == 409
    page = html(stale)
    assert "Es wurde nichts zusammengeführt; Ihre Auswahl ist erhalten" in page.select_one(
        ".notice[role=status]").get_text()
    assert f"{BEN} · Veröffentlicht" in page.select_one("#inzwischen").get_text()
    assert page.select_one("#feld-description input[checked]")["value"] == str(team.submission)
    assert team.store.replaced_by(team.submission) is None
    assert team.store.get(team.source)["description"] == "Deutsch üben bei Kaffee."
    fresh = {node["name"]: node["value"] for node in page.select("form#zusammenfuehren input[type=hidden]")}
    assert fresh[f"stand-{team.submission}"] == str(team.store.get(team.submission)["row_version"])
    again = dict(data, **fresh)
    assert anna.post(f"/amt/projekt/{team.submission}/zusammenfuehren", data=again).status_code == 302


def test_the_store_refuses_a_stale_version_of_either_record(team):
    with pytest.raises(StaleWrite):
        team.store.merge(team.source, team.submission, {}, {team.source: 1, team.submission: 99}, ANNA)
    with pytest.raises(StaleWrite):
        team.store.merge(team.source, team.submission, {}, {team.source: 99, team.submission: 1}, ANNA)
    assert team.store.replaced_by(team.submission) is None


def test_records_of_other_districts_cannot_be_merged(team):
    anna, braunschweig, land = team.client(ANNA), team.client(BRAUNSCHWEIG), team.client(LAND)
    assert braunschweig.get(f"/amt/projekt/{team.source}/zusammenfuehren?mit={team.submission}").status_code == 403
    assert anna.get(f"/amt/projekt/{team.source}/zusammenfuehren?mit={team.salzgitter}").status_code == 403
    forged = {"csrf_token": csrf_token(braunschweig.get("/amt/")), "mit": str(team.submission),
              "behalten": str(team.source), f"stand-{team.source}": "1", f"stand-{team.submission}": "1"}
    assert braunschweig.post(f"/amt/projekt/{team.source}/zusammenfuehren", data=forged).status_code == 403
    across = land.get(f"/amt/projekt/{team.source}/zusammenfuehren?mit={team.salzgitter}")
    assert across.status_code == 302
    assert "verschiedenen Amtsbezirken" in html(land.get(across.headers["Location"])).get_text()
    assert team.store.replaced_by(team.source) is None and team.store.replaced_by(team.salzgitter) is None


def test_a_record_merged_already_cannot_be_merged_again(team):
    anna = team.client(ANNA)
    data, _page = merge_page(anna, team.submission, team.source)
    anna.post(f"/amt/projekt/{team.submission}/zusammenfuehren", data=data)
    again = anna.get(f"/amt/projekt/{team.fahrrad}/zusammenfuehren?mit={team.submission}")
    assert again.status_code == 302
    assert "schon mit einem anderen zusammengeführt" in html(anna.get(again.headers["Location"])).get_text()
    late = anna.post(f"/amt/projekt/{team.submission}/zusammenfuehren", data=data)  # the same form, sent twice
    assert late.status_code in (302, 409)
    assert team.store.get(team.source)["status"] == "published"


def test_a_record_merged_away_cannot_be_approved_again_alone_or_in_bulk(team):
    anna = team.client(ANNA)
    data, _page = merge_page(anna, team.submission, team.source)
    assert anna.post(f"/amt/projekt/{team.submission}/zusammenfuehren", data=data).status_code == 302
    page = html(anna.get(f"/amt/projekt/{team.submission}"))
    assert page.select_one("#status").get_text() == "Archiviert"
    assert page.select_one("form#freigeben") is None, "the page offers no decision on a record merged away"

    seen = team.store.get(team.submission)["row_version"]
    token = csrf_token(anna.get("/amt/warteschlange"))
    alone = anna.post(f"/amt/projekt/{team.submission}/freigeben", data={"csrf_token": token, "version": seen})
    assert alone.status_code == 409
    assert (f"Nicht entschieden: Dieser Eintrag ist zusammengeführt in GS-{team.source:06d}."
            in html(alone).select_one("[role=status]").get_text())
    in_bulk = anna.post("/amt/warteschlange/aktion", data={"csrf_token": token, "aktion": "freigeben",
                                                            "zeile": f"{team.submission}:{seen}"})
    told = [p.get_text() for p in html(anna.get(in_bulk.headers["Location"])).select("[role=status]")]
    assert (f"Übersprungen, weil es zusammengeführt ist in GS-{team.source:06d}: GS-{team.submission:06d} "
            "„Sprachcafe Lamspringe“.") in told
    assert team.store.get(team.submission)["status"] == "archived"
    listed = team.app.test_client().get("/daten/projekte.geojson").get_json()["features"]
    assert [f["properties"]["name"] for f in listed].count("Sprachcafé Lamspringe") == 1, "no duplicate on the map"
    assert "Sprachcafe Lamspringe" not in [f["properties"]["name"] for f in listed]


@pytest.mark.parametrize("other", ["", PAYLOADS[1], "GS-0", "9" * 12, "GS-0099999", "ab12", "\u202e12"])
def test_a_wrong_number_to_merge_with_is_named_not_an_error(team, other):
    anna = team.client(ANNA)
    answer = anna.get(f"/amt/projekt/{team.source}/zusammenfuehren", query_string={"mit": other})
    assert answer.status_code == 302
    flashes = html(anna.get(answer.headers["Location"])).select(".notice[role=status]")
    assert flashes and PAYLOADS[1] not in str(flashes[0])


@pytest.mark.parametrize("change", [
    {"behalten": "12345"}, {"behalten": PAYLOADS[0]}, {"stand-{source}": ""}, {"stand-{source}": "1e3"},
])
def test_forged_merge_forms_merge_nothing(team, change):
    anna = team.client(ANNA)
    data, _page = merge_page(anna, team.submission, team.source)
    for key, value in change.items():
        data[key.format(source=team.source)] = value
    assert anna.post(f"/amt/projekt/{team.submission}/zusammenfuehren", data=data).status_code == 400
    assert team.store.replaced_by(team.submission) is None and team.store.replaced_by(team.source) is None


def test_choices_that_name_neither_record_keep_the_kept_ones_values(team):
    anna = team.client(ANNA)
    data, _page = merge_page(anna, team.submission, team.source)
    data.update({"feld-description": "999", "feld-email": PAYLOADS[2], "feld-name": str(team.submission)})
    anna.post(f"/amt/projekt/{team.submission}/zusammenfuehren", data=data)
    kept = team.store.get(team.source)
    assert (kept["name"], kept["description"], kept["email"]) == ("Sprachcafe Lamspringe", "Deutsch üben bei Kaffee.",
                                                                 "")


def test_the_merge_can_start_from_the_other_records_page_too(team):
    anna = team.client(ANNA)
    from_source, _page = merge_page(anna, team.source, f"GS-{team.submission:06d}")
    from_submission, _page = merge_page(anna, team.submission, str(team.source))
    assert from_source["behalten"] == from_submission["behalten"] == str(team.source)
    assert {k: v for k, v in from_source.items() if k.startswith("feld-")} == {
        k: v for k, v in from_submission.items() if k.startswith("feld-")}


def test_a_report_of_a_duplicate_leads_to_the_merge_page_for_the_office_not_for_the_observer(team):
    create_account(team.app, OBSERVER, "--observer")
    twin = add_published_twin(team)
    reports.make(team.store, twin, "dublette", "Gibt es doppelt", "", "de", duplicate_of=team.source)
    link = html(team.client(ANNA).get(f"/amt/projekt/{twin}")).select_one("#meldungen a.report-merge")
    assert link.get_text() == "Vergleichen und zusammenführen"
    data, _page = merge_page(team.client(ANNA), twin, team.source)
    assert link["href"] == f"/amt/projekt/{twin}/zusammenfuehren?mit={team.source}" and data["behalten"]
    assert html(team.client(OBSERVER).get(f"/amt/projekt/{twin}")).select("#meldungen a.report-merge") == []
