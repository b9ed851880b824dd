"""A page as PDF, made by WeasyPrint from the same HTML and print CSS the browser prints (the poster).

WeasyPrint reads the page's stylesheet from the app's own files and fetches nothing over the network: any other
address a page names is refused (and left out), so a PDF never waits for, or reveals itself to, another server.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from flask import request
from werkzeug.exceptions import ServiceUnavailable

from atlas.i18n import _
from atlas.web.assets import own_file

# One PDF at a time per process: making one takes a core for a second or more, and however many are asked at once,
# the pages of everyone else keep the other cores. A request that would wait longer than this is told to come back.
MAKING = threading.BoundedSemaphore(1)
WAIT_SECONDS = 20


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported where a PDF is made: it takes a moment to import

    if not MAKING.acquire(timeout=WAIT_SECONDS):
        raise ServiceUnavailable(_("Gerade werden viele Aushänge erstellt. Bitte versuchen Sie es in einer Minute "
                                   "noch einmal."))
    try:
        return HTML(string=html, base_url=request.host_url,
                    url_fetcher=_own_files_fetcher(request.host_url)).write_pdf()
    finally:
        MAKING.release()


def _own_files_fetcher(root: str):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnFiles(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = urlsplit(url).path
            stored = own_file(path.removeprefix("/static/")) if url.startswith(root + "static/") else None
            if stored is None:
                raise ValueError(f"not fetched for a PDF: {url[:100]}")
            return URLFetcherResponse(url, stored.body, {"Content-Type": stored.mimetype})

    return OwnFiles(allowed_protocols=("data", "http", "https"))
