"""The paths people take, in Chromium with JavaScript on: every GET form sent as loaded, the near search typed and
pressed on a phone in German and in Arabic."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from walk import problems_on, public_pages

pytestmark = pytest.mark.browser

SUBMIT = """(index) => new Promise((resolve) => {
    addEventListener('submit', (event) => resolve(event.defaultPrevented), {once: true});
    document.forms[index].requestSubmit();
})"""


def page_problems(page) -> list[str]:
    return problems_on(BeautifulSoup(page.content(), "html.parser"))


def test_every_get_form_sent_as_loaded_with_javascript(page, live_app, live_server):
    navigations = []
    page.on("response", lambda r: navigations.append(r) if r.request.is_navigation_request()
            and r.frame == page.main_frame else None)
    sent = 0
    for path in public_pages(live_app.test_client().get):
        page.goto(live_server + path)
        indexes = page.evaluate("() => [...document.forms].flatMap((f, i) => f.method === 'get' ? [i] : [])")
        for index in indexes:
            page.goto(live_server + path)
            before, navigations[:] = page.url, []
            handled_here = page.evaluate(SUBMIT, index)  # the maps' filters answer in the page itself
            if not handled_here:
                page.wait_for_url(lambda url, before=before: url != before)
                page.wait_for_load_state()
                assert navigations[-1].status == 200, f"form {index} of {path}: HTTP {navigations[-1].status}"
            assert not page_problems(page), f"form {index} of {path} → {page.url}: {page_problems(page)}"
            sent += 1
    assert sent >= 8
