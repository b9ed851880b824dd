"""Volunteers and newcomers: the initiatives near a place they type or the position their browser shares."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from werkzeug.exceptions import BadRequest

from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _, current_language
from atlas.mapdata import project_data
from atlas.near import RADII_KM, RESULTS_SHOWN, circle, find_near, parse_near_query
from atlas.present import local_now
from atlas.text import clean_text
from atlas.web import current_pages, current_services, keep_params
from atlas.web.assets import page_map
from atlas.web.limits import limiter, search_limit
from atlas.web.params import page_number, pages_of
from atlas.web.prepared import respond
from atlas.web.reader import listed_columns

bp = Blueprint("near", __name__)


@bp.get("/orte")
def places():
    """Places in Niedersachsen that begin with what was typed (`?q=`), largest first: the suggestions of the
    place fields. Kept a day by the browser: the gazetteer changes only with the data."""
    text = clean_text(request.args.get("q", ""))
    if len(text) > 100:
        raise BadRequest(_("Bitte höchstens 100 Zeichen eingeben."))
    found = current_services().gazetteer.complete(text)
    response = jsonify([{"name": p.name, "kreis": p.kreis.label, "label": f"{p.name} ({p.kreis.label})"}
                        for p in found])
    response.cache_control.max_age = 24 * 3600
    response.cache_control.public = True
    response.vary.add("Accept-Language")  # the Kreis is named in the reader's language
    return response


@bp.get("/in-der-naehe")
@limiter.limit(search_limit, exempt_when=lambda: not request.args)
def near():
    services = current_services()
    query, problems = parse_near_query(request.args)
    page = page_number(request.args.get("seite") or "1")
    keep_params([] if query.empty else query.params() + ([("seite", str(page))] if page > 1 else []))
    index = services.near.current()
    # A typed place: the same page for everyone who types it in this language, until the next publication – made
    # once and kept (a position the browser shares is a page of its own). Kept in the reader's browser only: what
    # someone looked for is theirs.
    typed = not query.empty and query.lat is None and not problems and index.version is not None
    now = local_now()  # the minute of the key is the minute the filter asks about
    key = ("naehe", tuple(query.params()), page, query.filter.key(now), current_language())
    if typed and (kept := current_pages().kept(key, index.version)) is not None:
        return respond(kept, public=False)
    result = None if query.empty else find_near(query, services.geocoder, index, now, page)
    # the form sent with no place (it sends ort="" with the radius and filters); a first visit sends nothing
    errors = {"ort": _("Bitte geben Sie den Ort oder die PLZ an.")} if query.empty and "ort" in request.args else {}
    pages = pages_of(0 if result.beyond else result.total, page, RESULTS_SHOWN) if result and result.place else 1

    def render() -> str:
        context = {"query": query, "problems": problems, "result": result, "radii": RADII_KM,
                   "fields": HANDLUNGSFELDER, "filter": query.filter, "errors": errors}
        if result and result.place:
            centre = circle(result.place, query.radius_km)
            context["map"] = page_map("naehe")
            context["data"] = project_data(listed_columns(result.projects), centre)
            context["projects"] = result.projects  # their items: atlas.web.items
            context.update(page=page, pages=pages, first=result.first + 1)
            context["version"] = index.version
        return render_template("near/near.html", **context)

    if typed and result.status == "ok" and not result.passing:  # a place not found may be found tomorrow
        return respond(current_pages().get(key, index.version, render), public=False)
    return render(), 400 if errors or (result and result.status == "invalid") else 200
