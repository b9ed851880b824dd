"""Volunteers and newcomers: "Was suchen Sie?" plus "Wo?" – ranked text search, combined with a place and radius
and the Handlungsfelder, results on a map and in a list, all in the URL."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.mapdata import project_data
from atlas.near import RADII_KM, circle, parse_near_query, within_radius
from atlas.present import local_now
from atlas.text import clean_text
from atlas.web.assets import page_map
from atlas.web.public import public_views

bp = Blueprint("search", __name__)
SHOWN = 50


@bp.get("/suche")
def search():
    services = current_app.extensions["atlas"]
    text = clean_text(request.args.get("q"))[:200]
    query, problems = parse_near_query(request.args)
    found = services.store.published_ids(services.searcher.search(text)) if text else None
    place, centre, message = None, None, ""
    if found is not None:
        found = query.filter.apply(found, local_now())
    if found is not None and query.ort:
        located = services.geocoder.geocode(query.ort)
        if located.ok:
            place = located.place
            found = within_radius(found, place, query.radius_km)
            centre = circle(place, query.radius_km)
        else:
            message = located.message
    context = {"text": text, "query": query, "problems": problems, "radii": RADII_KM, "fields": HANDLUNGSFELDER,
               "filter": query.filter, "place": place, "message": message, "total": 0, "projects": []}
    if found is not None:
        shown = found.head(SHOWN)
        context.update(total=len(found), projects=public_views(shown.to_dict("records")),
                       map=page_map("naehe"), data=project_data(shown, centre))
    return render_template("search/results.html", **context), 400 if problems else 200
