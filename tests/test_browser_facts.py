"""A newcomer in a real browser narrows the map to what fits: Arabic, free of charge, open now; the list and the
map follow, the URL keeps it, a popup says it. A submitter gives the facts of a project and fixes a mistake."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import open_popup, served
from helpers import add_facts_projects, make_app, on_map
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def facts_server(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("facts"))
    add_facts_projects(app)
    with served(app) as url:
        yield url


def names(page) -> list[str]:
    return sorted(page.locator("#projektliste .projekt-name").all_inner_texts())


def test_the_filters_narrow_map_and_list_and_stay_in_the_url(page, facts_server):
    page.goto(facts_server + "/")
    expect(page.locator("#projektliste li")).to_have_count(4)
    page.get_by_label("Sprache des Angebots").select_option(label="فارسی (Persisch)")
    expect(page.locator("#projektliste li")).to_have_count(1)
    assert names(page) == ["Frauentreff"]
    assert page.evaluate(f"{on_map('projects')}.shownCount()") == 1
    page.get_by_label("Sprache des Angebots").select_option(label="alle Sprachen")
    page.get_by_label("nur kostenlose Angebote").check()
    expect(page.locator("#projektliste li")).to_have_count(2)
    page.get_by_role("radio", name="jetzt geöffnet").check()  # asks the server which are open now
    expect(page.locator("#projektliste li")).to_have_count(1)
    assert names(page) == ["Sprachcafé Arabisch"]
    expect(page.locator("#trefferzahl")).to_have_text("1 Projekt")
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"kostenlos": ["1"], "zeit": ["jetzt"]}
    download = page.get_by_role("link", name="CSV für Excel")  # the download follows the filter
    assert parse_qs(urlsplit(download.get_attribute("href")).query) == query
    page.reload()  # the URL alone brings the same view back
    expect(page.locator("#projektliste li")).to_have_count(1)
    expect(page.get_by_label("nur kostenlose Angebote")).to_be_checked()

    popup = open_popup(page, page.locator(".hf-marker").first)
    expect(popup).to_contain_text("Sprachcafé Arabisch")
    expect(popup).to_contain_text("kostenlos")
    expect(popup).to_contain_text("العربية (Arabisch)")


def test_the_filters_work_by_keyboard_alone(page, facts_server):
    page.goto(facts_server + "/region/leine-weser")
    expect(page.locator("#projektliste li")).to_have_count(4)
    page.get_by_label("Zielgruppe").focus()
    page.keyboard.press("ArrowDown")  # the first group: Frauen; a project for everyone stays
    expect(page.locator("#projektliste li")).to_have_count(2)
    page.get_by_label("nur kostenlose Angebote").focus()
    page.keyboard.press("Space")
    expect(page.locator("#projektliste li")).to_have_count(1)
    assert names(page) == ["Sprachcafé Arabisch"]


def test_a_submitter_gives_the_facts_and_fixes_a_time_the_atlas_cannot_read(page, tmp_path):
    app = make_app(tmp_path)
    with served(app) as server:
        page.goto(server + "/einreichen")
        page.get_by_label("Name des Projekts").fill("Hausaufgabenhilfe")
        page.get_by_role("checkbox", name="Gesellschaftliche Teilhabe").check()
        page.get_by_label("Ort", exact=True).fill("Hildesheim")
        expect(page.get_by_role("checkbox", name="Deutsch", exact=True)).to_be_checked()
        page.get_by_role("checkbox", name="українська (Ukrainisch)").check()
        page.get_by_role("checkbox", name="Kinder und Jugendliche").check()
        page.get_by_role("radio", name="kostenlos").check()
        page.get_by_role("textbox", name="Zeiten").fill("dienstags nachmittags")
        page.get_by_label("Öffentlicher Kontakt").fill("05121 123456")
        page.get_by_label("Ich bin einverstanden").check()
        page.get_by_role("button", name="Weiter: Standort prüfen").click()

        summary = page.locator("#fehler")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("„dienstags nachmittags“ sind nicht lesbar")
        expect(page.get_by_role("checkbox", name="українська (Ukrainisch)")).to_be_checked()  # nothing is lost
        page.get_by_role("textbox", name="Zeiten").fill("Di, Do 15:00-17:00")
        page.get_by_role("button", name="Weiter: Standort prüfen").click()
        page.get_by_role("button", name="Jetzt einreichen").click()
        expect(page.locator("#bestaetigung")).to_contain_text("GS-000001")
    row = app.extensions["atlas"].store.get(1)
    assert (row["sprachen"], row["zielgruppen"], row["kosten"], row["zeiten"], row["kontakt"]) == (
        "de;uk", "kinder", "kostenlos", "Tu,Th 15:00-17:00", "+49 5121 123456")
