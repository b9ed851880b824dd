"""Two office users at once: an approval is never undone by an edit, and a stale form overwrites nothing."""

from __future__ import annotations

import threading

import pytest
from helpers import create_account, csrf_token, form_values, html, login, make_app

from atlas.projects import validate_project
from atlas.store import PENDING, PUBLISHED, StaleWrite

ROUNDS = 200


@pytest.fixture
def office(tmp_path):
    app = make_app(tmp_path)
    for email in ("a@arl.example", "b@arl.example"):
        create_account(app, email, "--arl", "leine-weser")
    return app


def two_office_users(office):
    """Two people of the same office, each signed in in a browser of their own."""
    first, second = office.test_client(), office.test_client()
    login(first, "a@arl.example")
    login(second, "b@arl.example")
    return first, second


def add_pending(services, name: str) -> int:
    project, errors = validate_project({"name": name, "handlungsfelder": "sprache", "ort": "Lamspringe"})
    assert not errors
    return services.store.add(project, services.geocoder.geocode("Lamspringe").place, PENDING)


def test_approve_and_edit_at_the_same_moment_never_disagree_with_the_history(office):
    services = office.extensions["atlas"]
    store = services.store
    place = services.geocoder.geocode("Lamspringe").place
    outcomes = {"approval refused": 0, "edit refused": 0, "both": 0}
    for round_ in range(ROUNDS):
        project_id = add_pending(services, f"Runde {round_}")
        seen = store.get(project_id)["row_version"]
        edited, _ = validate_project({"name": f"Runde {round_} (korrigiert)", "handlungsfelder": "sprache",
                                      "ort": "Lamspringe"})
        start = threading.Barrier(2)
        refused = []

        def approve(project_id=project_id, seen=seen, start=start, refused=refused):
            start.wait()
            try:
                store.set_status(project_id, PUBLISHED, actor="a@arl.example", expected_version=seen)
            except StaleWrite:
                refused.append("approval")

        def edit(project_id=project_id, expected=seen if round_ % 2 else None, start=start, edited=edited,
                 refused=refused):
            start.wait()
            try:
                store.update(project_id, edited, place, actor="b@arl.example", expected_version=expected)
            except StaleWrite:
                refused.append("edit")

        threads = [threading.Thread(target=approve), threading.Thread(target=edit)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        row, history = store.get(project_id), store.history(project_id)
        assert row["status"] == history[-1]["status"], (round_, row["status"], history)
        assert row["row_version"] == history[-1]["row_version"]
        assert len(refused) <= 1, "the first writer always wins"
        if round_ % 2 == 0:  # an edit that carries no version keeps the status it finds, and is never refused
            assert row["name"].endswith("(korrigiert)") and refused != ["edit"]
        if not refused:
            assert row["status"] == PUBLISHED, "both took effect: the approval stands"
        outcomes[f"{refused[0]} refused" if refused else "both"] += 1
    assert sum(outcomes.values()) == ROUNDS
    print(outcomes)


def test_the_second_of_two_stale_forms_is_refused_and_shows_what_changed(office):
    services = office.extensions["atlas"]
    project_id = add_pending(services, "Sprachcafé Lamspringe")
    first, second = two_office_users(office)
    form_a = form_values(html(first.get(f"/amt/projekt/{project_id}/bearbeiten")), "bearbeiten")
    form_b = form_values(html(second.get(f"/amt/projekt/{project_id}/bearbeiten")), "bearbeiten")
    saved = first.post(f"/amt/projekt/{project_id}/bearbeiten", data=dict(form_a, name="Sprachcafé am Markt"))
    assert saved.status_code == 302
    stale = second.post(f"/amt/projekt/{project_id}/bearbeiten", data=dict(form_b, traeger="Kirchengemeinde"))
    assert stale.status_code == 409
    page = html(stale)
    assert "Es wurde nichts überschrieben" in page.select_one(".error-summary").get_text()
    meanwhile = page.select_one("#inzwischen").get_text()
    assert "a@arl.example" in meanwhile and "Sprachcafé Lamspringe → Sprachcafé am Markt" in meanwhile
    assert page.select_one("#traeger")["value"] == "Kirchengemeinde", "what the second person typed stays"
    row = services.store.get(project_id)
    assert (row["name"], row["traeger"]) == ("Sprachcafé am Markt", "")
    again = second.post(f"/amt/projekt/{project_id}/bearbeiten", data=form_values(page, "bearbeiten"))
    assert again.status_code == 302, "saved once the person has seen the change"
    row = services.store.get(project_id)
    assert (row["name"], row["traeger"]) == ("Sprachcafé Lamspringe", "Kirchengemeinde")


def test_an_approval_of_a_project_changed_meanwhile_is_refused(office):
    services = office.extensions["atlas"]
    project_id = add_pending(services, "Sprachcafé Lamspringe")
    deciding, editing = two_office_users(office)
    shown = deciding.get(f"/amt/projekt/{project_id}")
    form = form_values(html(editing.get(f"/amt/projekt/{project_id}/bearbeiten")), "bearbeiten")
    editing.post(f"/amt/projekt/{project_id}/bearbeiten", data=dict(form, name="Werbung für Sprachkurse"))
    version = html(shown).select_one("#freigeben input[name=version]")["value"]
    refused = deciding.post(f"/amt/projekt/{project_id}/freigeben",
                            data={"csrf_token": csrf_token(shown), "version": version})
    assert refused.status_code == 409
    assert "Es wurde nichts entschieden" in refused.get_data(as_text=True)
    assert services.store.get(project_id)["status"] == PENDING
