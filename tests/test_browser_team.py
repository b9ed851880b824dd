"""The office as a team in Chromium: two clerks in two browsers – one takes a project and hands it to the other, who
sees it on a phone – and a merge started from either record's page; the new office pages are accessible in German
and Arabic, on a phone and a desktop."""

from __future__ import annotations

import re

import pytest
from conftest import served, watch
from helpers import PASSWORD
from playwright.sync_api import expect
from sqlalchemy import select
from team_setup import ANNA, BEN, make_team
from test_merge import add_published_twin

from atlas.schema import outbox

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def clerk_browser(chromium, site: str, email: str, viewport=DESKTOP, language: str = "de-DE"):
    """A browser of its own for a clerk, signed in through the login form as a person does; (context, page, errors)."""
    context = chromium.new_context(viewport=viewport, locale=language)
    page = context.new_page()
    errors = watch(page)
    page.goto(site + "/amt/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.locator(".office-bar")).to_contain_text(email)
    return context, page, errors


def test_a_hold_and_its_hand_over_are_seen_in_a_second_clerks_browser(chromium, tmp_path):
    team = make_team(tmp_path)
    project = f"/amt/projekt/{team.submission}"
    with served(team.app) as site:
        anna_context, anna, anna_errors = clerk_browser(chromium, site, ANNA)
        ben_context, ben, ben_errors = clerk_browser(chromium, site, BEN, PHONE)  # Ben is on the road
        ben.goto(site + project)
        expect(ben.locator("#uebernommen")).to_have_text("Noch hat niemand das übernommen.")

        anna.goto(site + project)
        anna.get_by_role("button", name="Ich übernehme das").click()
        expect(anna.locator("#uebernommen")).to_contain_text("Sie haben das übernommen")

        ben.get_by_role("button", name="Ich übernehme das").click()  # his page still shows nobody
        expect(ben.locator(".notice[role=status]")).to_contain_text(f"Inzwischen hat {ANNA} das Projekt übernommen")
        expect(ben.locator("#uebernommen")).to_contain_text(f"{ANNA} hat das übernommen")
        ben.goto(site + "/amt/warteschlange")
        row = ben.locator("#warteschlange tbody tr", has_text="Sprachcafe Lamspringe")
        expect(row.locator(".holder")).to_have_text(f"übernommen von {ANNA}")

        anna.get_by_label("An eine Kollegin oder einen Kollegen übergeben").select_option(label=BEN)
        anna.get_by_role("button", name="Übergeben", exact=True).click()
        expect(anna.locator(".notice[role=status]")).to_contain_text(f"Das Projekt ist an {BEN} übergeben")

        ben.goto(site + "/amt/")  # the dashboard counts what he holds
        ben.get_by_role("link", name="Mir zugewiesen: 1 Projekt").click()
        expect(ben.locator("#warteschlange tbody a")).to_have_text(["Sprachcafe Lamspringe"])
        expect(ben.locator("#warteschlange .holder")).to_have_text("von Ihnen übernommen")
        ben.get_by_role("link", name="Sprachcafe Lamspringe").click()
        expect(ben.locator("#uebernommen")).to_contain_text("Sie haben das übernommen (seit ")
        expect(ben.locator("#uebernommen")).to_contain_text(f"Übergeben von {ANNA}.")
        assert ben.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        anna.reload()
        expect(anna.locator("#uebernommen")).to_contain_text(f"{BEN} hat das übernommen")
        anna_context.close()
        ben_context.close()
    with team.store.read() as db:
        assert db.execute(select(outbox.c.recipient).where(outbox.c.kind == "hold_given")).scalars().all() == [BEN]
    assert not anna_errors and not ben_errors, (anna_errors, ben_errors)


def test_a_merge_started_from_the_page_of_the_record_that_goes_and_from_the_one_that_stays(chromium, tmp_path):
    team = make_team(tmp_path)
    twin = add_published_twin(team, name="Sprachtreff der Kirchengemeinde", days_ago=30)
    with served(team.app) as site:
        context, page, errors = clerk_browser(chromium, site, ANNA)
        # 1. from the submission's page: its likely duplicate is listed there
        page.goto(site + f"/amt/projekt/{team.submission}")
        duplicate = page.locator(f"#duplikat-{team.source}")
        expect(duplicate).to_contain_text("ähnlicher Name")
        duplicate.get_by_role("link", name="Vergleichen und zusammenführen").click()
        expect(page.locator("h1")).to_contain_text("Zwei Einträge zusammenführen")
        expect(page.locator(f"#behalten input[value='{team.source}']")).to_be_checked()
        page.locator("#feld-description").get_by_text("Jeden Dienstag Deutsch üben, mit Kuchen.").click()
        page.get_by_role("button", name="Zusammenführen", exact=True).click()
        expect(page).to_have_url(site + f"/amt/projekt/{team.source}")
        expect(page.locator(".notice[role=status]")).to_contain_text(
            f"GS-{team.submission:06d} ist jetzt Teil von GS-{team.source:06d}")
        expect(page.locator("dl.facts")).to_contain_text("Jeden Dienstag Deutsch üben, mit Kuchen.")
        expect(page.locator("#verlauf")).to_contain_text("Duplikat hierher zusammengeführt")

        # 2. from the page of the record that stays: the other one's number typed in
        page.goto(site + f"/amt/projekt/{twin}")
        page.get_by_label("Mit einem anderen Eintrag zusammenführen – seine Nummer:").fill(f"GS-{team.source:06d}")
        page.get_by_role("button", name="Vergleichen").click()
        page.locator("#behalten").get_by_text("Sprachtreff der Kirchengemeinde").click()
        page.locator("#feld-name").get_by_text("Sprachcafé Lamspringe").click()
        page.get_by_role("button", name="Zusammenführen", exact=True).click()
        expect(page).to_have_url(site + f"/amt/projekt/{twin}")
        expect(page.locator("h1")).to_contain_text("Sprachcafé Lamspringe")

        # the public follows the merged record's address to the kept one
        visitor = context.new_page()
        visitor.goto(site + f"/projekt/{team.source}")
        expect(visitor).to_have_url(site + f"/projekt/{twin}")
        expect(visitor.locator("h1")).to_have_text("Sprachcafé Lamspringe")
        context.close()
    assert team.store.replaced_by(team.source) == twin and team.store.replaced_by(team.submission) == twin
    assert not errors, errors


@pytest.mark.parametrize("language", ["de", "ar"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_team_pages_have_no_accessibility_violation(chromium, tmp_path, language, viewport):
    from test_browser_accessibility import context_for, sideways, violations

    team = make_team(tmp_path)
    team.store.set_hold(team.source, team.ben, team.ben, BEN, None)
    team.store.add_note(team.source, team.ben, BEN, "Träger angerufen <b>morgen</b> wieder", [])
    found = {}
    with served(team.app) as site:
        context = context_for(chromium, viewport, language)
        page = context.new_page()
        page.goto(site + f"/amt/anmelden?lang={language}")
        page.locator("input[name=email]").fill(ANNA)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/amt/"))

        def check(state: str) -> None:
            problems = violations(page) + ([f"sideways {sideways(page)}"] if sideways(page) > 0 else [])
            if problems:
                found[state] = problems

        for path in (f"/amt/projekt/{team.source}", "/amt/dubletten", "/amt/warteschlange?mir=ja", "/amt/",
                     f"/amt/projekt/{team.submission}/zusammenfuehren?mit={team.source}"):
            page.goto(site + f"{path}{'&' if '?' in path else '?'}lang={language}")
            check(path)
        page.goto(site + f"/amt/projekt/{team.source}?lang={language}")
        page.locator("#notiz button[type=submit]").click()  # an empty note: the error and its summary
        expect(page.locator("#fehler")).to_be_visible()
        check("note refused")
        context.close()
    assert not found, found
