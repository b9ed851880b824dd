"""Browser contexts for the tests, each handed to a test as a new visitor's browser is: no cookies, nothing cached,
no pages open, no permissions granted, no requests routed.

Chromium spends about a second of CPU on a new context's first page (its network and storage set up anew), more
than loading a page costs once a context stands (0.2–0.9 s). So a context a test closes is emptied and kept, per worker
and per set of options (viewport, language, scripts on or off …), and the next test asking for the same options
gets it. Its files cached by earlier tests are cleared when its first page opens, so every page is loaded from the
server as in a new context.

A context may carry a script that Chromium runs at the start of every document of it (`init_script`, a file): the
accessibility audits keep axe-core there. Contexts with and without it are kept apart.
"""

from __future__ import annotations

from pathlib import Path


class Browser:
    """The tests' Chromium: `new_context(**options)` as Playwright's, lending a kept context where one is idle."""

    def __init__(self, browser):
        self._browser = browser
        self._idle: dict[str, list] = {}

    def new_context(self, init_script: Path | None = None, **options) -> Visit:
        idle = self._idle.setdefault(repr((init_script, sorted(options.items()))), [])
        if not idle:
            context = self._browser.new_context(**options)
            if init_script:  # Playwright has no way to remove it again: such a context is lent for the same script only
                context.add_init_script(path=init_script)
            return Visit(context, idle, used=False)
        context = idle.pop()
        if options.get("permissions"):  # taken back from the last test with the others: granted again
            context.grant_permissions(options["permissions"])
        return Visit(context, idle, used=True)


class Visit:
    """A context lent to one test; `close()` empties it and gives it back. Everything else is Playwright's context."""

    def __init__(self, context, idle: list, used: bool):
        self._context = context
        self._idle = idle
        self._used = used  # files of an earlier test may be in its cache

    def new_page(self):
        page = self._context.new_page()
        if self._used:
            session = self._context.new_cdp_session(page)
            session.send("Network.clearBrowserCache")
            session.detach()
            self._used = False
        return page

    def close(self) -> None:
        if self._idle is None:
            return  # closed before: given back once only, or two tests would share it
        for page in self._context.pages:
            page.close()
        self._context.unroute_all(behavior="ignoreErrors")
        self._context.clear_cookies()
        self._context.clear_permissions()
        self._idle.append(self._context)
        self._idle = None

    def __getattr__(self, name):
        return getattr(self._context, name)
