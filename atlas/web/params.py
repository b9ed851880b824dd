"""What the public pages read from a request, checked: the district, the filter, the page of a list. A wrong value
is a 400 that names it and what is allowed; only checked values reach a view (and a cache key)."""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import BadRequest

from atlas.districts import ARLS
from atlas.filters import Filter, parse_filter
from atlas.i18n import _
from atlas.text import clean_text, whole_number

LIST_PAGE = 50  # projects per page of a public list


def arl_argument() -> str | None:
    """The district asked for in `?arl=`, or None for the state; an unknown one is a 400 that names it."""
    arl = request.args.get("arl") or None
    if arl is not None and arl not in ARLS:
        raise BadRequest(_("Unbekannter Amtsbezirk „%(value)s“. Erlaubt sind: %(allowed)s.",
                           value=clean_text(arl)[:40], allowed=", ".join(ARLS)))
    return arl


def valid_filter(args) -> Filter:
    """The filter asked for in the URL; an unknown value is a 400 that names it and what is allowed."""
    chosen, problems = parse_filter(args)
    if problems:
        raise BadRequest(problems[0])
    return chosen


def page_number(value: str) -> int:
    number = whole_number(value, digits=6)
    if number is not None and number >= 1:
        return number
    raise BadRequest(_("Ungültige Seitenzahl „%(value)s“: erlaubt sind ganze Zahlen ab 1.",
                       value=clean_text(value)[:20]))


def pages_of(total: int, page: int, per_page: int = LIST_PAGE) -> int:
    """How many pages a list of `total` has; asking for a page after the last is a 400 that says how many there
    are (an empty list has one page, which says so)."""
    pages = max(1, -(-total // per_page))
    if page > pages:
        raise BadRequest(_("Seite %(page)s gibt es nicht: die Liste hat %(pages)s Seite(n).", page=page, pages=pages))
    return pages
