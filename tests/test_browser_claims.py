"""In a real browser: an entry gathered from a public source says so in its popup and in the list, and its Träger
types and sends the claim form."""

from __future__ import annotations

import pytest
from conftest import open_popup, served
from helpers import OFFICE, PASSWORD, create_account, make_app
from playwright.sync_api import expect
from test_sources import NEW, OLD, add_sources

from atlas import claims

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sources_site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("quellen")
    app = make_app(directory)
    ids = add_sources(app, directory)
    create_account(app, OFFICE, "--arl=leine-weser")
    with served(app) as url:
        yield app, url, ids


def test_the_popup_marks_an_entry_from_a_source_with_its_date_and_a_link_to_it(page, sources_site):
    _app, url, (old, new, confirmed) = sources_site
    page.goto(f"{url}/projekt/{old}")
    popup = open_popup(page, page.locator(".map.small .hf-marker"))
    mark = popup.locator(".popup-source")
    expect(mark).to_have_text("Aus öffentlichen Quellen zusammengetragen, Stand 2019 – vom Träger noch nicht "
                              "bestätigt (Quelle)")
    link = mark.get_by_role("link", name="Quelle")
    assert link.get_attribute("href") == OLD and link.get_attribute("rel") == "nofollow noopener"
    page.goto(f"{url}/projekt/{new}")
    expect(open_popup(page, page.locator(".map.small .hf-marker")).locator(".popup-quelle")).to_have_attribute(
        "href", NEW)
    page.goto(f"{url}/projekt/{confirmed}")
    popup = open_popup(page, page.locator(".map.small .hf-marker"))
    expect(popup.locator(".popup-name")).to_have_text("Fahrradwerkstatt Hildesheim")
    expect(popup.locator(".popup-source")).to_have_count(0)


def test_the_list_drawn_in_the_browser_marks_them_too(page, sources_site):
    _app, url, _ids = sources_site
    page.goto(f"{url}/region/leine-weser")
    page.get_by_role("checkbox", name="Wohnen & Leben", exact=True).check()  # the list is drawn in the browser now
    expect(page.locator("#projektliste li")).to_have_count(1)
    expect(page.locator("#projektliste .source-mark")).to_have_count(0)
    page.get_by_role("checkbox", name="Wohnen & Leben", exact=True).uncheck()
    page.get_by_role("checkbox", name="Sprache", exact=True).check()
    expect(page.locator("#projektliste li")).to_have_count(1)
    expect(page.locator("#projektliste .source-mark")).to_have_text("aus öffentlichen Quellen, unbestätigt")


def test_the_trager_types_and_sends_the_claim_form(page, sources_site):
    app, url, (old, _new, _confirmed) = sources_site
    before = claims.waiting(app.extensions["atlas"].store, old)  # the module's site: a test before may have claimed
    page.goto(f"{url}/projekt/{old}")
    page.get_by_role("link", name="Ist das Ihr Projekt? Angaben bestätigen oder ändern").click()
    expect(page.locator("h1")).to_have_text("Ist das Ihr Projekt?")
    page.get_by_label("Ihre E-Mail-Adresse").fill("leitung-at-kirchengemeinde")
    page.get_by_label("Nachricht an das Amt (freiwillig)").fill("Ich leite das Sprachcafé seit 2020.")
    page.get_by_role("button", name="Anfrage senden").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("„leitung-at-kirchengemeinde“ ist keine gültige E-Mail-Adresse.")
    expect(page.get_by_label("Nachricht an das Amt (freiwillig)")).to_have_value("Ich leite das Sprachcafé seit 2020.")
    summary.get_by_role("link").click()  # the summary leads to the field
    expect(page.get_by_label("Ihre E-Mail-Adresse")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("leitung@kirchengemeinde.example")
    page.get_by_role("button", name="Anfrage senden").click()
    expect(page.locator("h1")).to_have_text("Vielen Dank, Ihre Anfrage liegt dem Amt vor")
    [claim] = claims.waiting(app.extensions["atlas"].store, old)[len(before):]
    assert (claim["email"], claim["message"]) == ("leitung@kirchengemeinde.example",
                                                  "Ich leite das Sprachcafé seit 2020.")


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_mark_the_claim_form_and_the_offices_view_have_no_accessibility_violation(chromium, sources_site,
                                                                                     language):
    from test_browser_accessibility import PHONE, context_for, sideways, violations

    app, url, (old, _new, _confirmed) = sources_site
    context = context_for(chromium, PHONE, language)
    page = context.new_page()
    found = {}
    for path in (f"/projekt/{old}", f"/projekt/{old}/bestaetigen"):
        page.goto(f"{url}{path}?lang={language}")
        found[path] = violations(page) + ([f"scrolls sideways by {sideways(page)} px"] if sideways(page) else [])
    page.locator("#anfrage button[type=submit]").click()
    expect(page.locator("#fehler")).to_be_focused()  # the summary takes the focus
    found["with errors"] = violations(page)
    # Run alone or before the claim form's test, it claims itself: from another address than that test sends from,
    # which would then be turned away as a second claim of the same address.
    if not claims.waiting(app.extensions["atlas"].store, old):
        claims.make(app.extensions["atlas"].store, old, "verein@kirchengemeinde.example", "Hallo", "de")
    page.goto(f"{url}/amt/anmelden?lang={language}")
    page.locator("#email").fill(OFFICE)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(f"{url}/amt/projekt/{old}?lang={language}")
    expect(page.locator("#anfragen article")).to_have_count(1)
    found["office"] = violations(page)
    page.goto(f"{url}/amt/warteschlange?status=aus-quellen&lang={language}")
    found["queue"] = violations(page)
    context.close()
    assert not any(found.values()), found
