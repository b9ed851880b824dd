"""Leaflet and its plugins from the XStatic packages on PyPI, and the region outlines as GeoJSON."""

from __future__ import annotations

import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from flask import Blueprint, Response, abort, current_app, send_from_directory

from atlas.regions import ARLS

bp = Blueprint("assets", __name__)
VENDOR = {"leaflet": leaflet.BASE_DIR, "markercluster": markercluster.BASE_DIR}
YEAR = 365 * 24 * 3600


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    if package not in VENDOR:
        abort(404)
    return send_from_directory(VENDOR[package], filename, max_age=YEAR)


@bp.get("/karte/arl.geojson")
def arl_outlines():
    return _geojson("arl", lambda regions: regions.arl)


@bp.get("/karte/kreise/<slug>.geojson")
def kreis_outlines(slug: str):
    if slug not in ARLS:
        abort(404)
    return _geojson(f"kreise-{slug}", lambda regions: regions.kreise_karte[regions.kreise_karte.arl == slug])


def _geojson(key: str, select) -> Response:
    outlines = current_app.extensions.setdefault("atlas_outlines", {})
    if key not in outlines:
        outlines[key] = select(current_app.extensions["atlas"].regions).to_json(drop_id=True)
    response = Response(outlines[key], mimetype="application/geo+json")
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    return response
