"""Volunteers and newcomers: the initiatives near a place they type or the position their browser shares."""

from __future__ import annotations

import pandas as pd
from flask import Blueprint, current_app, render_template, request

from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.mapdata import project_data
from atlas.near import RADII_KM, find_near, parse_near_query
from atlas.present import project_view
from atlas.store import PUBLIC_COLUMNS
from atlas.web.assets import page_map
from atlas.web.public import freshness_cutoff

bp = Blueprint("near", __name__)


@bp.get("/in-der-naehe")
def near():
    services = current_app.extensions["atlas"]
    query, problems = parse_near_query(request.args, list(HANDLUNGSFELDER))
    result = None if query.empty else find_near(query, services.geocoder, services.near.current())
    context = {"query": query, "problems": problems, "result": result, "radii": RADII_KM,
               "fields": HANDLUNGSFELDER, "selected": list(query.fields), "tiles": current_app.config["TILES"]}
    if result and result.place:
        place = result.place
        centre = {"lat": place.lat, "lon": place.lon, "radius": query.radius_km * 1000, "name": place.name}
        context["map"] = page_map("naehe")
        context["data"] = project_data(pd.DataFrame(result.projects, columns=PUBLIC_COLUMNS), centre)
        context["projects"] = [project_view(p, freshness_cutoff()) for p in result.projects]
    status = 400 if result and result.status == "invalid" else 200
    return render_template("near/near.html", **context), status
