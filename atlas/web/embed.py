"""/einbetten: the map alone, with its filter and a link to the full atlas, for other websites to put in a frame
(a Landkreis shows „its“ map). The only page that may be framed; it sets no cookie."""

from __future__ import annotations

import numpy as np
from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from atlas.geocode import distance_km
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _
from atlas.mapdata import project_data
from atlas.near import parse_near_query
from atlas.present import local_now
from atlas.regions import ARLS
from atlas.web import language
from atlas.web.assets import page_map
from atlas.web.delivery import deliver
from atlas.web.headers import frameable
from atlas.web.public import arl_argument, valid_filter

bp = Blueprint("embed", __name__)


@bp.get("/einbetten")
@frameable
def embedded():
    services = current_app.extensions["atlas"]
    arl, chosen = arl_argument(), valid_filter(request.args)
    kreis = request.args.get("kreis") or None
    if kreis is not None and kreis not in services.regions.by_rs:
        raise BadRequest(_("Unbekannter Kreis „%(value)s“: erwartet wird ein Regionalschlüssel wie 03254.",
                           value=kreis[:40]))
    now = local_now()
    near = parse_near_query(request.args)[0] if request.args.get("ort") else None
    key = ("einbetten", arl, kreis, chosen.key(now), near.ort if near else "", near.radius_km if near else 0,
           language.current())
    fixed = [(name, value) for name, value in (("arl", arl), ("kreis", kreis), ("ort", near and near.ort),
                                               ("umkreis", near and str(near.radius_km))) if value]
    if request.args.get("lang"):
        fixed.append(("lang", language.current()))  # the form keeps the language asked, as a valid code
    return deliver(current_app.extensions["atlas_pages"].get(
        key, services.store.version(), lambda: _render(services, arl, kreis, chosen, now, fixed)))


def _render(services, arl, kreis, chosen, now, fixed: list[tuple[str, str]]) -> str:
    frame = chosen.apply(services.store.published(arl=arl), now)
    kind, centre, view, full = (f"region-{arl}" if arl else "atlas"), None, None, url_for("public.index")
    if arl:
        full = url_for("public.region", slug=arl)
    if kreis:
        frame = frame[frame.kreis_rs == kreis]
        west, south, east, north = services.regions.kreise[services.regions.kreise.rs == kreis].total_bounds
        kind, view = "naehe", {"lat": (south + north) / 2, "lon": (west + east) / 2, "zoom": 10}
    if request.args.get("ort"):
        query, problems = parse_near_query(request.args)
        located = services.geocoder.geocode(query.ort)
        if problems or not located.ok:
            raise BadRequest(problems[0] if problems else located.message)
        place = located.place
        km = distance_km(np.full(len(frame), place.lat), np.full(len(frame), place.lon), frame.lat.to_numpy(),
                         frame.lon.to_numpy())
        frame = frame[km <= query.radius_km]
        kind, centre = "naehe", {"lat": place.lat, "lon": place.lon, "radius": query.radius_km * 1000,
                                 "name": place.name}
        full = url_for("near.near", ort=query.ort, umkreis=query.radius_km)
    return render_template("embed/map.html", map=page_map(kind), data=project_data(frame, centre, view),
                           filter=chosen, fields=HANDLUNGSFELDER, total=len(frame), fixed=fixed,
                           projects=frame.head(200).to_dict("records"), full=full,
                           arl=ARLS.get(arl) if arl else None)
