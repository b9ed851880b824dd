"""Absolute addresses of the atlas's pages, always on ATLAS_BASE_URL: for kept pages and files, the open data and
the mails (which are written outside any request of the reader)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import current_app, g, url_for

SAMPLE_ID = 2**31 - 1  # the largest project number: its digits occur nowhere else in an address


def absolute_url(endpoint: str, **values) -> str:
    """An address on ATLAS_BASE_URL, never on the Host of the request: a page or file kept for everyone must not carry
    a host the first requester named (a poisoned cache)."""
    base = urlsplit(current_app.config["BASE_URL"])
    return urlunsplit((base.scheme, base.netloc, url_for(endpoint, **values), "", ""))


def project_links(absolute: bool = False, sample: str | None = None) -> Callable[[int], str]:
    """The address of a project's page by its id, as url_for (or absolute_url) writes it (or from `sample`, that
    address as the caller kept it)."""
    return numbered_links("public.project", "project_id", absolute, sample)


def numbered_links(endpoint: str, name: str, absolute: bool = False, sample: str | None = None,
                   **values) -> Callable[[int], str]:
    """The address of a page by the number in it (the value `name`; `values` the others), as url_for (or
    absolute_url) writes it: built once for a sample number (or given as `sample`), then joined around each number.
    A list or a page of features writes a hundred of them, and url_for costs 17 µs each."""
    sample = sample or sample_address(endpoint, name, absolute, **values)
    head, tail = sample.rsplit(str(SAMPLE_ID), 1)
    return lambda number: f"{head}{int(number)}{tail}"


def sample_address(endpoint: str, name: str, absolute: bool = False, **values) -> str:
    """The address of a page with SAMPLE_ID as the number in it (the value `name`), as url_for (or absolute_url)
    writes it: what numbered_links joins around each number (a caller may keep it, e.g. as a kept fragment)."""
    return (absolute_url if absolute else url_for)(endpoint, **{name: SAMPLE_ID}, **values)


def query_links(endpoint: str, **values) -> Callable[[dict], str]:
    """Absolute addresses of one page with different query parameters, as absolute_url writes them: the address
    built once, then each query joined to it as Werkzeug encodes one (a page of the API links itself four times)."""
    base = absolute_url(endpoint, **values)
    return lambda params: f"{base}?{urlencode(params, safe=_QUERY_SAFE)}" if params else base


_QUERY_SAFE = "!$'()*,/:;?@"  # what Werkzeug leaves unquoted in a query (werkzeug.urls._urlencode, the WHATWG's set)


def project_path(project_id: int) -> str:
    """url_for("public.project", project_id=…), with its builder made once per request (templates' lists)."""
    build = g.get("atlas_project_path")
    if build is None:
        build = g.atlas_project_path = project_links()
    return build(project_id)
