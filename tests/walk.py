"""Walking the public site as a visitor clicks through it: its pages (one of each kind), their GET forms, and what a
page complains about. Shared by the Flask-client tests and the browser tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urljoin, urlsplit

from bs4 import BeautifulSoup

PRIVATE = ("/amt", "/mein-projekt", "/static", "/vendor", "/karte/", "/daten/", "/ogc", "/aushang/")


def public_pages(get: Callable[[str], object], start: str = "/", limit: int = 60) -> list[str]:
    """The public HTML pages reachable by links from `start`, one per kind (`/projekt/1` stands for every project),
    in the order a visitor meets them. `get(path)` answers like Flask's test client."""
    seen_kinds, pages, queue = set(), [], [start]
    while queue and len(pages) < limit:
        path = queue.pop(0)
        kind = _kind(path)
        if kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        answer = get(path)
        if answer.status_code != 200 or answer.mimetype != "text/html":
            continue
        pages.append(path)
        page = BeautifulSoup(answer.get_data(as_text=True), "html.parser")
        # links, where the GET forms lead (the search), and the embedding code's map
        targets = ([a["href"] for a in page.select("a[href]")] + [a for _f, a in get_forms(page, path)]
                   + [node["data-embed"] for node in page.select("[data-embed]")])
        for href in targets:
            target = urlsplit(urljoin(path, href))
            if target.netloc and target.netloc not in ("localhost", "127.0.0.1:5000") or \
                    target.path.startswith(PRIVATE):
                continue
            query = [(k, v) for k, v in parse_qsl(target.query) if k != "lang"]
            queue.append(target.path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else ""))
    return pages


def _kind(path: str) -> str:
    """/projekt/12 and /projekt/3 are one kind of page; so are two queries with the same parameters."""
    parts = urlsplit(path)
    return re.sub(r"\d+", "N", parts.path) + "?" + ",".join(sorted({k for k, _v in parse_qsl(parts.query)}))


# The GET forms that need something typed (path: field, a word to type, what the page asks): sent as loaded they
# ask for it, and only for it; then they are sent with it.
TO_TYPE = {"/suche": ("q", "Netzwerk", "Bitte korrigieren Sie: Bitte geben Sie ein, was Sie suchen."),
           "/in-der-naehe": ("ort", "Hemmingen", "Bitte korrigieren Sie: Bitte geben Sie den Ort oder die PLZ an.")}


def get_forms(page: BeautifulSoup, url: str) -> list[tuple[object, str]]:
    """The page's GET forms, each with the path it is sent to."""
    forms = []
    for form in page.select("form"):
        if form.get("method", "get").lower() == "get":
            forms.append((form, urlsplit(urljoin(url, form.get("action") or url)).path))
    return forms


def problems_on(page: BeautifulSoup) -> list[str]:
    """What a page tells the visitor went wrong: notices, alerts and error summaries."""
    found = page.select(".notice, .error-summary, [role=alert], .field-error")
    return [" ".join(node.get_text().split()) for node in found if node.get_text(strip=True)]
