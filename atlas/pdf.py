"""A page as PDF, made by WeasyPrint from the same HTML and print CSS the browser prints (the poster). No Flask.

WeasyPrint reads the page's stylesheets and images from the atlas's own static folder and fetches nothing else: any
other address a page names is refused (and left out), so a PDF never waits for, or reveals itself to, another
server, and never reads a file outside the static folder.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from atlas.settings import resource

BASE = "http://atlas.invalid/"  # the page's own addresses resolve here; nothing on it is ever fetched from a network


def make_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported where a PDF is made: it takes a moment to import

    return HTML(string=html, base_url=BASE, url_fetcher=_own_files_fetcher(resource("static"))).write_pdf()


def _own_files_fetcher(static: Path):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class OwnFiles(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            body = _static_file(static, url)
            if body is None:
                raise ValueError(f"not fetched for a PDF: {url[:100]}")
            kind = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": kind})

    return OwnFiles(allowed_protocols=("data", "http", "https"))


def _static_file(static: Path, url: str) -> bytes | None:
    """The bytes of /static/<name> of the atlas itself, or None for anything else."""
    if not url.startswith(BASE + "static/"):
        return None
    name = unquote(urlsplit(url).path).removeprefix("/static/")
    path = (static / name).resolve()
    if static.resolve() not in path.parents or not path.is_file():
        return None
    return path.read_bytes()
