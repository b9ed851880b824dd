"""The list beside a map is rendered once, by one template: the server's items and the items the browser makes
when the filter changes come from the same macro (templates/_partials.html, project_item) and are the same."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from conftest import served
from helpers import add_facts_projects, facts, make_app, on_map
from playwright.sync_api import expect
from sqlalchemy import update
from test_sources import add_sources

from atlas.freshness import unconfirmed_before
from atlas.schema import projects
from atlas.store import PUBLISHED

pytestmark = pytest.mark.browser

# Each list item's markup as the page holds it, keyed by its link, whitespace between its parts collapsed: the
# items the browser made (the live list) and the server's (the page's HTML, parsed by the browser).
ITEMS = """async (html) => {
    await new Promise(done => setTimeout(done, 0));
    const items = root => [...root.querySelectorAll('#projektliste > li')].map(item => [
        item.querySelector('a').getAttribute('href'), item.outerHTML.replace(/\\s+/g, ' ').replace(/> </g, '><')]);
    return {browser: items(document), server: items(new DOMParser().parseFromString(html, 'text/html'))};
}"""


@pytest.fixture(scope="module")
def list_server(tmp_path_factory):
    """Projects with and without Träger, facts and a source, one in three Handlungsfelder with markup in its texts,
    and one („Altes Projekt“) last confirmed on 1 January 2020."""
    directory = tmp_path_factory.mktemp("liste")
    app = make_app(directory)
    add_facts_projects(app)
    add_sources(app, directory)
    services = app.extensions["atlas"]
    many = facts(name="Treff <b>Miteinander</b> & mehr", traeger="Verein „Hand in Hand“ <i>e.V.</i>",
                 handlungsfelder="sprache;wohnen-leben;teilhabe", sprachen="de;uk;ar", kosten="kostenlos",
                 zeiten="Mo-Fr 10:00-12:00", summary="Deutsch <em>lernen</em> beim Kaffee")
    services.store.add_many([(many, services.geocoder.geocode("Hildesheim").place)], PUBLISHED)
    with services.store.write() as db:
        db.execute(update(projects).where(projects.c.name == "Altes Projekt")
                   .values(confirmed_at=datetime(2020, 1, 1, 12, tzinfo=UTC)))
    services.store.renew_unconfirmed(unconfirmed_before(app.config["FRESHNESS_DAYS"]))  # as the freshness cycle does
    with served(app) as url:
        yield url


@pytest.mark.parametrize("path", ["/region/leine-weser", "/einbetten?arl=leine-weser", "/region/leine-weser?lang=ar",
                                  "/?lang=uk", "/?lang=fa", "/?lang=tr", "/?lang=ru", "/?lang=en",
                                  "/?lang=ps", "/?lang=fr"])
def test_a_list_item_made_in_the_browser_is_the_one_the_server_renders(page, list_server, path):
    page.goto(list_server + path)
    page.wait_for_function(f"() => {on_map('projects')}?.settledAt")
    html = page.request.get(list_server + path).text()
    items = page.evaluate(ITEMS, html)
    assert len(items["server"]) == 8
    assert items["browser"] == items["server"]
    # each kind of part is there in some item, and a project's texts are text
    markup = "".join(item for _link, item in items["browser"])
    for part in ('data-slot="traeger"', 'data-slot="facts"', 'data-slot="source"', 'data-slot="summary"',
                 'data-hf="teilhabe"', 'data-slot="unconfirmed"'):
        assert part in markup, part
    expect(page.locator("#projektliste .projekt-name", has_text="Treff <b>Miteinander</b> & mehr")).to_have_count(1)
    assert page.locator("#projektliste b, #projektliste i, #projektliste em").count() == 0


def test_the_filtered_list_is_made_from_the_template_of_the_page(page, list_server):
    page.goto(list_server + "/region/leine-weser")
    page.get_by_role("checkbox", name="Gesellschaftliche Teilhabe").check()
    expect(page.locator("#projektliste > li")).to_have_count(2)
    item = page.locator("#projektliste > li", has_text="Treff <b>Miteinander</b> & mehr")
    expect(item.locator(".hf-name")).to_have_text(["Sprache ", "Wohnen & Leben ", "Gesellschaftliche Teilhabe "])
    expect(item.locator(".facts-note")).to_have_text("kostenlos · Deutsch, العربية (Arabisch) und українська "
                                                     "(Ukrainisch) · Montag–Freitag 10:00–12:00")
    expect(item.locator("[data-slot=traeger]")).to_have_text("Verein „Hand in Hand“ <i>e.V.</i> · ")
    source = page.locator("#projektliste > li", has_text="Frauentreff Hildesheim")
    expect(source.locator(".source-mark")).to_have_text("aus öffentlichen Quellen, unbestätigt")
    expect(source.locator("[data-slot=traeger]")).to_have_text("Verein · ")


def test_a_reader_filtering_the_map_still_sees_which_project_is_no_longer_confirmed(page, list_server):
    """The server's list warns „nicht bestätigt seit 01.01.2020“; the list the browser makes for a filter, and the
    project's popup, warn the same, and no other project is marked."""
    page.goto(list_server + "/region/leine-weser")
    page.wait_for_function(f"() => {on_map('projects')}?.settledAt")
    page.get_by_label("nur kostenlose Angebote").check()
    page.get_by_label("nur kostenlose Angebote").uncheck()  # the list is the browser's now
    old = page.locator("#projektliste > li", has_text="Altes Projekt")
    expect(old.locator(".unconfirmed")).to_have_text("nicht bestätigt seit 01.01.2020")
    expect(page.locator("#projektliste .unconfirmed")).to_have_count(1)
    page.evaluate(f"() => {{ {on_map('map')}.setView([52.15, 9.95], 15); }}")  # Hildesheim: a marker each
    page.locator(".hf-marker[title='Altes Projekt']").dispatch_event("click")  # markers at one place overlap
    expect(page.locator(".leaflet-popup .popup-unconfirmed")).to_have_text("nicht bestätigt seit 01.01.2020")


def test_when_the_maps_projects_cannot_be_loaded_the_page_says_so_and_the_filter_still_filters(page, list_server):
    """The map's data refused or failed: the count says so where it is announced, and ticking a filter asks the
    server for the filtered list, as without scripts."""
    page.route("**/karte/projekte.json*", lambda route: route.fulfill(status=500, body="Fehler"))
    page.goto(list_server + "/region/leine-weser")
    expect(page.locator("#trefferzahl")).to_have_text("Die Projekte der Karte konnten gerade nicht geladen werden. "
                                                      "Wenn Sie filtern, wird die Seite neu geladen.")
    with page.expect_navigation():
        page.get_by_label("nur kostenlose Angebote").check()
    assert "kostenlos=1" in page.url
    expect(page.locator("#projektliste > li", has_text="Frauentreff")).to_have_count(0)
    expect(page.locator("#projektliste > li", has_text="Sprachcafé Arabisch")).to_have_count(1)


def test_a_time_filter_the_server_did_not_answer_says_so_and_the_next_change_asks_again(page, list_server):
    asked = []

    def refuse(route):
        asked.append(route.request.url)
        route.fulfill(status=429, content_type="text/html", body="<h1>Zu viele Anfragen</h1>")

    page.goto(list_server + "/region/leine-weser")
    page.wait_for_function(f"() => {on_map('projects')}?.settledAt")
    page.route("**/karte/offen.json*", refuse)
    page.get_by_label("in den nächsten 7 Tagen").check()
    expect(page.locator("#trefferzahl")).to_have_text("Der Filter konnte gerade nicht angewendet werden. Bitte "
                                                      "versuchen Sie es gleich noch einmal.")
    assert len(asked) == 1
    page.unroute("**/karte/offen.json*")
    page.get_by_label("egal").check()
    expect(page.locator("#trefferzahl")).to_have_text("8 Projekte")
    page.get_by_label("in den nächsten 7 Tagen").check()  # asked again, not the refusal kept
    expect(page.locator("#trefferzahl")).to_have_text(re.compile(r"^\d Projekte?$"))
    expect(page.locator("#projektliste > li", has_text="Frauentreff")).to_have_count(1)
