"""Absolute addresses of the atlas's pages, always on ATLAS_BASE_URL: for kept pages and files, the open data and
the mails (which are written outside any request of the reader)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    """An address on ATLAS_BASE_URL, never on the Host of the request: a page or file kept for everyone must not carry
    a host the first requester named (a poisoned cache)."""
    base = urlsplit(current_app.config["BASE_URL"])
    return urlunsplit((base.scheme, base.netloc, url_for(endpoint, **values), "", ""))
