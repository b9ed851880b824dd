"""A reader of a right-to-left language (Arabic, Pashto – every RTL language of atlas.i18n.LANGUAGES) opens a project
in a real browser, on a phone and on a desktop, with JavaScript and without: the description comes in their
language, right to left, marked „maschinell übersetzt“, and „Original (Deutsch) anzeigen“ opens the German text;
the popup and the list carry the summary the same way. An office uses its translation view; axe finds nothing."""

from __future__ import annotations

import pytest
from conftest import open_popup, served, settle, watch
from helpers import PASSWORD, create_account, make_app, submit
from playwright.sync_api import expect
from test_browser_accessibility import context_for, violations

from atlas.i18n import LANGUAGES
from atlas.store import PUBLISHED
from atlas.store import texts as stored_texts
from atlas.texts import MACHINE

pytestmark = pytest.mark.browser
RTL = [code for code, language in LANGUAGES.items() if language.direction == "rtl"]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}
GERMAN = "Wir treffen uns jeden Montag und lernen gemeinsam Deutsch."
TRANSLATED = {"ar": ("نلتقي كل يوم اثنين لتعلم الألمانية معا.", "مقهى اللغة"),
              "fa": ("هر دوشنبه برای یادگیری آلمانی دور هم جمع می‌شویم.", "کافه زبان"),
              "ps": ("موږ هره دوشنبه ګډ الماني زده کوو.", "د ژبې کافي")}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("texts"))
    services = app.extensions["atlas"]
    project_id, _link = submit(app, description=GERMAN, summary="Sprachcafé am Montag")
    services.store.set_status(project_id, PUBLISHED, actor="amt@example.org")
    with services.store.change(project_id) as unit:
        wanted = {f"{field}:{code}": TRANSLATED.get(code, ("ترجمة", "ملخص"))[i]
                  for code in RTL for i, field in enumerate(("description", "summary"))}
        stored_texts.apply(unit.db, unit.row, wanted, MACHINE, "LibreTranslate (test)", unit.now,
                           engine="libretranslate")
        unit.renew_public()
    create_account(app, "leine-weser@arl.example", "--arl", "leine-weser")
    with served(app) as url:
        yield url, project_id


@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("code", RTL)
def test_a_right_to_left_reader_gets_the_description_in_their_language(chromium, site, code, viewport, script):
    url, project_id = site
    context = chromium.new_context(viewport=viewport, locale=code, java_script_enabled=script)
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{url}/projekt/{project_id}?lang={code}")
    description = page.locator("#beschreibung")
    expect(description).to_have_text(TRANSLATED.get(code, ("ترجمة",))[0])
    assert description.get_attribute("lang") == code and description.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.getElementById('beschreibung')).direction") == "rtl"
    mark = page.locator("#beschreibung + .translation-note .machine-mark")
    expect(mark).to_be_visible()
    original = page.locator("#beschreibung + .translation-note details.original")
    expect(original.locator("p")).to_be_hidden()
    original.locator("summary").click()  # a <details>: opens without any script
    expect(original.locator("p")).to_be_visible()
    expect(original.locator("p")).to_have_text(GERMAN)
    assert original.locator("p").get_attribute("lang") == "de"
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    if script:  # the popup on the project's small map carries the summary the same way
        popup = open_popup(page, page.locator(".hf-marker").first).locator(".projekt-summary")
        expect(popup).to_contain_text(TRANSLATED.get(code, ("", "ملخص"))[1])
        assert popup.locator("span").first.get_attribute("dir") == "rtl"
        expect(popup.locator(".machine-mark")).to_be_visible()
        popup.locator("details summary").click()
        expect(popup.locator("details span")).to_have_text("Sprachcafé am Montag")
    page.goto(f"{url}/region/leine-weser?lang={code}")
    item = page.locator("#projektliste .projekt-summary").first
    expect(item.locator("span").first).to_have_text(TRANSLATED.get(code, ("", "ملخص"))[1])
    expect(item.locator(".machine-mark")).to_be_visible()
    context.close()
    assert not errors, errors


@pytest.mark.parametrize("code", ["de", *RTL])
def test_the_project_page_and_the_translation_view_have_no_accessibility_violation(chromium, site, code):
    url, project_id = site
    context = context_for(chromium, PHONE, code)
    page = context.new_page()
    errors = watch(page)
    found = {}
    page.goto(f"{url}/projekt/{project_id}?lang={code}")
    settle(page)
    if code != "de":
        page.locator("details.original summary").first.click()
    found["project"] = violations(page)
    page.goto(f"{url}/amt/anmelden?lang={code}")
    page.locator("input[name=email]").fill("leine-weser@arl.example")
    page.locator("input[type=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.goto(f"{url}/amt/uebersetzungen/?sprache={RTL[0]}&alle=1&lang={code}")
    expect(page.locator("#uebersetzungen-liste tbody tr")).to_have_count(1)
    found["overview"] = violations(page)
    page.locator("#uebersetzungen-liste tbody a").first.click()
    expect(page.locator("#uebersetzung")).to_be_visible()
    found["side by side"] = violations(page)
    page.goto(f"{url}/einreichen?lang={code}")
    page.locator("details#uebersetzungen summary").click()
    found["submission"] = violations(page)
    context.close()
    assert not errors, errors
    problems = {where: found_there for where, found_there in found.items() if found_there}
    assert not problems, problems
