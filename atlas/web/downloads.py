"""„Daten herunterladen“: the projects a map, district or near page shows, with its filter, as GeoJSON or as CSV
for German Excel. Open to every origin, like the API."""

from __future__ import annotations

import numpy as np
from flask import Blueprint, Response, abort, current_app, request, url_for
from werkzeug.exceptions import BadRequest

from atlas import downloads, ogc
from atlas.geocode import distance_km
from atlas.near import parse_near_query
from atlas.present import local_now
from atlas.web.limits import api_limit, limiter
from atlas.web.public import arl_argument, valid_filter

bp = Blueprint("downloads", __name__)
KINDS = {"geojson": "application/geo+json", "csv": "text/csv; charset=utf-8"}


@bp.get("/daten/projekte.<fmt>")
@limiter.limit(api_limit)
def published(fmt: str):
    if fmt not in KINDS:
        abort(404)
    services = current_app.extensions["atlas"]
    arl = arl_argument()
    chosen = valid_filter(request.args)
    frame = chosen.apply(services.store.published(arl=arl), local_now())
    near = ""
    if request.args.get("ort") or request.args.get("lat"):
        query, problems = parse_near_query(request.args)
        if problems:
            raise BadRequest(problems[0])
        located = (services.geocoder.position(query.lat, query.lon) if query.lat is not None
                   else services.geocoder.geocode(query.ort))
        if not located.ok:
            raise BadRequest(located.message)
        place = located.place
        km = distance_km(np.full(len(frame), place.lat), np.full(len(frame), place.lon), frame.lat.to_numpy(),
                         frame.lon.to_numpy())
        frame = frame[km <= query.radius_km]
        near = f"{query.radius_km}km-{place.name}"
    features = [ogc.project_feature(row, url_for("public.project", project_id=row["id"], _external=True))
                for row in services.store.published_rows(frame.id.astype(int).tolist())]
    licence, licence_url = current_app.config["DATA_LICENCE"], current_app.config["DATA_LICENCE_URL"]
    body = (downloads.geojson(features, licence, licence_url) if fmt == "geojson"
            else downloads.excel_csv(features, licence))
    name = downloads.file_name("umkreis" if near else "", arl, fmt)
    return Response(body, content_type=KINDS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Access-Control-Allow-Origin": "*",
        "Link": f'<{licence_url}>; rel="license"'})
