"""The tests' browser contexts are kept and lent again (browsers.py): the next test must get one as new, with no
cookie, no cached file, no permission and no route of the test before."""

from __future__ import annotations

import pytest
from conftest import served, settle, watch
from helpers import make_app

pytestmark = pytest.mark.browser

OPTIONS = {"viewport": {"width": 390, "height": 844}, "locale": "ar", "permissions": ["geolocation"],
           "geolocation": {"latitude": 52.37, "longitude": 9.73}}


def test_a_context_lent_again_is_as_new(chromium, tmp_path):
    app = make_app(tmp_path)
    asked: list[str] = []

    @app.after_request
    def count(response):
        from flask import request
        asked.append(request.path)
        return response

    with served(app) as url:
        first = chromium.new_context(**OPTIONS)
        page = first.new_page()
        watch(page)
        page.goto(url + "/?lang=ar")  # the language is kept in a cookie
        settle(page)  # the map's data too, asked for after the page has loaded
        assert first.cookies() and page.evaluate(GEOLOCATION) == "granted"
        first.grant_permissions(["clipboard-read"])
        first.route("**/impressum", lambda route: route.fulfill(body="routed"))
        files = set(asked)
        assert {"/vendor/leaflet/leaflet.js", "/static/atlas.css"} <= files  # kept by the browser for a year
        first.close()
        first.close()  # a second close gives it back once only

        second = chromium.new_context(**OPTIONS)
        other = chromium.new_context(**OPTIONS)
        assert second._context is first._context and other._context is not first._context
        assert second.pages == [] and second.cookies() == []
        asked.clear()
        page = second.new_page()
        watch(page)
        page.goto(url + "/?lang=ar")
        settle(page)
        for _ in range(40):  # a busy machine: the map's data may be asked for later
            if files <= set(asked):
                break
            page.wait_for_timeout(250)
        assert files <= set(asked), "every file is loaded again, none taken from the cache"
        assert page.evaluate(GEOLOCATION) == "granted"  # as its options ask
        new = other.new_page()
        new.goto(url + "/impressum")
        assert page.evaluate(CLIPBOARD) == new.evaluate(CLIPBOARD) != "granted"  # not what the test before granted
        page.goto(url + "/impressum")
        assert "routed" not in page.content()
        second.close()
        other.close()
        script = tmp_path / "scripted.js"
        script.write_text("window.scripted = true;\n")
        scripted = chromium.new_context(init_script=script, **OPTIONS)  # a script in every page: kept apart
        assert scripted._context not in (first._context, other._context)
        scripted.close()


GEOLOCATION = "navigator.permissions.query({name: 'geolocation'}).then(p => p.state)"
CLIPBOARD = "navigator.permissions.query({name: 'clipboard-read'}).then(p => p.state)"
