"""Volunteers and newcomers: "Was suchen Sie?" plus "Wo?" – ranked text search, combined with a place and radius
and the filters, results on a map and in a list, all in the URL."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, render_template, request

from atlas.geo import distances
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _, current_language
from atlas.mapdata import project_data
from atlas.near import NEAREST_BEYOND, RADII_KM, circle, parse_near_query
from atlas.present import local_now
from atlas.search_cells import Area
from atlas.text import clean_text
from atlas.web import current_pages, current_services, keep_params
from atlas.web.assets import page_map
from atlas.web.items import items_of
from atlas.web.limits import limiter, search_limit
from atlas.web.params import LIST_PAGE, page_number, pages_of
from atlas.web.prepared import SENT_LEVELS, respond
from atlas.web.reader import listed_lists

bp = Blueprint("search", __name__)


@bp.get("/suche")
@limiter.limit(search_limit, exempt_when=lambda: not request.args)
def search():
    services = current_services()
    text = clean_text(request.args.get("q"))[:200]
    query, problems = parse_near_query(request.args)
    page = page_number(request.args.get("seite") or "1")
    keep_params(([("q", text)] if text else []) + (query.params() if text else [])
                + ([("seite", str(page))] if page > 1 else []))
    now, published = local_now(), services.public.current()  # the ranked ids' rows come from memory
    # The same words, place and filters are the same page for everyone who asks in this language, until the next
    # publication: made once and kept – in the reader's browser only (what someone looked for is theirs).
    key = ("suche", text, tuple(query.params()), page, query.filter.key(now), current_language())
    kept = bool(text) and not problems and query.lat is None  # a position is a page of its own
    if kept and (found_page := current_pages().kept(key, published.version)) is not None:
        return respond(found_page, public=False)
    place, area, message = None, None, ""
    # the form sent with no words (its button sends q="" with the place and radius); a first visit sends nothing
    errors = {"q": _("Bitte geben Sie ein, was Sie suchen.")} if "q" in request.args and not text else {}
    if text and query.ort:
        located = services.geocoder.geocode(query.ort)
        if located.ok:
            place = located.place
            area = Area(place.lat, place.lon, query.radius_km)
            kept = kept and not located.passing  # a fallback while the online geocoder was unreachable
        else:
            message = located.message

    def results() -> str:
        context = {"text": text, "query": query, "problems": problems, "radii": RADII_KM, "fields": HANDLUNGSFELDER,
                   "filter": query.filter, "place": place, "message": message, "total": 0,
                   "items": None, "beyond": False, "page": page, "pages": 1, "first": (page - 1) * LIST_PAGE + 1,
                   "errors": errors}
        if text and not message:
            found = services.searcher.search(text, query.filter, area, offset=(page - 1) * LIST_PAGE, limit=LIST_PAGE,
                                             now=now, language=current_language())
            positions = published.positions(found.ids)
            beyond = []
            if area and not found.total:  # a way on: the nearest matches beyond the radius
                beyond = services.searcher.nearest(text, query.filter, place.lat, place.lon, NEAREST_BEYOND, now)
                positions = published.positions(beyond)
            # column by column: the map's data takes them as they are, and rows are made only for the items not
            # kept yet (atlas.web.items)
            lists = published.lists(positions)
            km = [None] * len(positions)
            if area:  # the snapshot's positions are the public ones
                km = distances(place.lat, place.lon, published["lat"][positions], published["lon"][positions],
                               None).tolist()
            context.update(total=found.total, pages=pages_of(found.total, page), beyond=bool(beyond),
                           items=items_of(lists["id"], km, published.version, partial(published.rows_of, lists)),
                           map=page_map("naehe"),  # the results' section; its map and data only with projects
                           data=project_data(listed_lists(lists), circle(place, query.radius_km) if area else None)
                           if len(positions) else None)
        return render_template("search/results.html", **context)

    if kept and not message:  # a place not found may be found tomorrow: that page is made each time
        # kept for the same query again, but most queries are asked once: compressed as a page sent once (zstd 3
        # instead of 5: 0.09 instead of 0.27 ms of a 62 kB results page, 5 % more bytes; docs/benchmarks.md, stop 55)
        return respond(current_pages().get(key, published.version, results, levels=SENT_LEVELS), public=False)
    return results(), 400 if problems or errors else 200
