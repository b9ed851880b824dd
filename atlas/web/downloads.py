"""„Daten herunterladen“: the projects a map, district or near page shows, with its filter, as GeoJSON or as CSV
for German Excel. Open to every origin, like the API."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request
from werkzeug.exceptions import BadRequest

from atlas import downloads, ogc
from atlas.links import project_links
from atlas.near import in_radius, parse_near_query
from atlas.present import local_now
from atlas.web import current_pages, current_services
from atlas.web.limits import download_limit, limiter
from atlas.web.params import arl_argument, valid_filter
from atlas.web.prepared import respond

bp = Blueprint("downloads", __name__)
KINDS = {"geojson": "application/geo+json", "csv": "text/csv"}  # text/: Werkzeug adds charset=utf-8


@bp.get("/daten/projekte.<fmt>")
@limiter.limit(download_limit)
def published(fmt: str):
    if fmt not in KINDS:
        abort(404)
    services = current_services()
    arl, chosen, now = arl_argument(), valid_filter(request.args), local_now()
    near = None
    if request.args.get("ort") or request.args.get("lat"):
        near, problems = parse_near_query(request.args)
        if problems:
            raise BadRequest(problems[0])
    key = ("daten", fmt, arl, chosen.key(now), tuple(near.params()) if near else ())
    published = services.public.current()
    scope = None if near else arl  # a circle may reach into any district
    body = current_pages().get(key, published.version_of(scope),
                                                     lambda: _file(services, published, fmt, arl, chosen, now, near),
                                                     mimetype=KINDS[fmt], scope=scope)
    response = respond(body)
    licence_url = current_app.config["DATA_LICENCE_URL"]
    response.headers.update({
        "Content-Disposition": f'attachment; filename="{downloads.file_name("umkreis" if near else "", arl, fmt)}"',
        "Access-Control-Allow-Origin": "*", "Link": f'<{licence_url}>; rel="license"'})
    return response


def _file(services, published, fmt: str, arl: str | None, chosen, now, near) -> str | bytes:
    """The file: GeoJSON or CSV of the published projects of the district (or state), the filter and the place."""
    positions = published.select(arl, chosen, now)
    if near is not None:
        located = (services.geocoder.position(near.lat, near.lon) if near.lat is not None
                   else services.geocoder.geocode(near.ort))
        if not located.ok:
            raise BadRequest(located.message)
        positions = positions[in_radius(published, positions, located.place, near.radius_km)]
    project_url = project_links(absolute=True)
    features = [ogc.project_feature(row, project_url(row.id))
                for row in services.store.published_rows(published["id"][positions].tolist())]
    licence, licence_url = current_app.config["DATA_LICENCE"], current_app.config["DATA_LICENCE_URL"]
    return (downloads.geojson(features, licence, licence_url) if fmt == "geojson"
            else downloads.excel_csv(features, licence))
