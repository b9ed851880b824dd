"""An office enrols its second factor in Chromium as a person does: types the key shown on the page into an app
(here pyotp), types the app's code back, keeps the recovery codes, and signs in again with a fresh code."""

from __future__ import annotations

import io
import re
import time

import pyotp
import pytest
from conftest import served
from helpers import PASSWORD, create_account, make_app
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
OFFICE = "leine-weser@arl.example"


def test_an_office_enrols_with_the_key_shown_and_signs_in_again_with_a_fresh_code(page, tmp_path):
    import zxingcpp
    from PIL import Image

    app = make_app(tmp_path, seeded=True)
    create_account(app, OFFICE, "--arl", "leine-weser")
    with served(app) as site:
        sign_in_with_password(page, site)
        expect(page).to_have_url(site + "/amt/")
        page.get_by_role("link", name="Konto").click()
        expect(page.get_by_role("heading", name="Zweiter Faktor")).to_be_visible()

        secret = page.locator("#schluessel").inner_text().replace(" ", "")  # what a person types into the app
        scanned = zxingcpp.read_barcodes(Image.open(io.BytesIO(page.locator(".enrol-qr svg").screenshot())))
        assert [code.text for code in scanned] == [pyotp.TOTP(secret).provisioning_uri(
            name=OFFICE, issuer_name="Gemeinsame Sache")], "the QR code holds the same key, for the same account"
        app_on_phone = pyotp.TOTP(secret)

        field = page.get_by_label("Code aus der App")
        assert (field.get_attribute("inputmode"), field.get_attribute("autocomplete")) == ("numeric", "one-time-code")
        field.fill(app_on_phone.now())
        page.get_by_role("button", name="Zweiten Faktor einrichten").click()
        codes = page.locator("#wiederherstellungscodes code")
        expect(codes).to_have_count(10)
        assert all(re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code) for code in codes.all_inner_texts())

        page.get_by_role("button", name="Abmelden").click()
        expect(page.get_by_role("heading", name=re.compile("Anmeldung"))).to_be_visible()
        sign_in_with_password(page, site)
        expect(page).to_have_url(site + "/amt/anmelden/code")
        assert page.locator("#code-schritt").is_visible()
        # the code used to enrol counts once: a code of a later half minute does, here the next one, which the
        # atlas accepts already (a phone's clock may run ahead) instead of waiting up to 30 s for it
        page.get_by_label("Code aus der App").fill(app_on_phone.at(time.time() + 30))
        page.get_by_role("button", name="Anmelden", exact=True).click()
        expect(page).to_have_url(site + "/amt/")
        expect(page.locator(".office-bar")).to_contain_text(OFFICE)


def sign_in_with_password(page, site: str, query: str = "") -> None:
    page.goto(site + "/amt/anmelden" + query)
    page.locator("input[name=email]").fill(OFFICE)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_code_step_the_account_page_and_the_recovery_codes_have_no_accessibility_violation(
        chromium, tmp_path, language):
    from test_browser_accessibility import PHONE, context_for, sideways, violations

    app = make_app(tmp_path, seeded=True)
    create_account(app, OFFICE, "--arl", "leine-weser")
    app_on_phone = pyotp.TOTP(enrolled_earlier(app))
    context = context_for(chromium, PHONE, language)
    page = context.new_page()
    found = {}

    def check(state: str) -> None:
        problems = violations(page) + ([f"sideways {sideways(page)}"] if sideways(page) else [])
        if problems:
            found[state] = problems

    with served(app) as site:
        sign_in_with_password(page, site, f"?lang={language}")
        check("code step")
        page.locator("#code-schritt summary").click()
        page.locator("input[name=recovery]").fill("FALSCH-FALSCH")
        page.locator("#code-schritt details button[type=submit]").click()
        expect(page.locator("#fehler")).to_be_visible()
        check("code step, wrong recovery code")
        page.locator("input[name=code]").fill(app_on_phone.now())
        page.locator("#code-schritt > p > button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/amt/$"))
        page.goto(site + "/amt/konto")
        check("account page, enrolled")
        page.locator("input[name=code]").fill(app_on_phone.at(time.time() + 30))
        page.locator("#neue-codes button[type=submit]").click()
        expect(page.locator("#wiederherstellungscodes code")).to_have_count(10)
        check("recovery codes")
    context.close()
    assert not found, found


def enrolled_earlier(app) -> str:
    """An account that enrolled a few minutes ago, so the codes of now are unused; returns its secret."""
    from atlas.accounts import user_id_for

    services = app.extensions["atlas"]
    user_id = user_id_for(services.store, OFFICE)
    secret = services.second_factor.pending(user_id, OFFICE).secret
    then = time.time() - 300
    assert services.second_factor.confirm(user_id, OFFICE, pyotp.TOTP(secret).at(then), at=then)
    return secret
