"""Leaflet and its plugins from the XStatic packages on PyPI, the region outlines as GeoJSON, and the script of
each kind of map.

A page holds no inline script (the Content-Security-Policy allows scripts from this site only): its map's script
is a file here, named by kind and versioned by its digest. The script is the same in every process, so any
process can answer for a page another one rendered.
"""

from __future__ import annotations

import hashlib

import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from flask import Blueprint, Response, abort, current_app, request, send_from_directory, url_for

from atlas.maps import project_map
from atlas.regions import ARLS

bp = Blueprint("assets", __name__)
VENDOR = {"leaflet": leaflet.BASE_DIR, "markercluster": markercluster.BASE_DIR}
YEAR = 365 * 24 * 3600
NIEDERSACHSEN_BOUNDS = ((51.29, 6.65), (53.9, 11.6))


def page_map(kind: str) -> dict[str, str]:
    """A map for a page: its <div> (`html`) and the URL of its script (`src`)."""
    script, html = _map(kind)
    return {"html": html, "src": url_for("assets.map_script", kind=kind, v=_digest(script))}


@bp.get("/karte/<kind>.js")
def map_script(kind: str):
    if kind not in _kinds():
        abort(404)
    script, _html = _map(kind)
    response = Response(script, mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = YEAR if request.args.get("v") == _digest(script) else 300
    return response


def _map(kind: str) -> tuple[str, str]:
    parts = project_map(tiles=current_app.config["TILES"], **_kinds()[kind])
    return parts["script"], parts["html"]


def _kinds() -> dict[str, dict]:
    """Every kind of map the pages show, with what makes it: the view a page starts from comes with its data."""
    kinds = current_app.extensions.get("atlas_map_kinds")
    if kinds is None:
        regions = current_app.extensions["atlas"].regions
        everywhere = _bounds(regions.kreise)
        outlines = url_for("assets.arl_outlines")
        kinds = {
            "atlas": {"bounds": everywhere, "boundaries": outlines},
            "projekt": {"bounds": everywhere, "cluster": False, "zoom": 12},
            "naehe": {"bounds": everywhere, "cluster": False, "zoom": 10},
            "pin": {"bounds": NIEDERSACHSEN_BOUNDS, "zoom": 15, "pin": True, "boundaries": outlines},
        }
        for slug in ARLS:
            kinds[f"region-{slug}"] = {"bounds": _bounds(regions.arl[regions.arl.arl == slug]), "labels": True,
                                       "boundaries": url_for("assets.kreis_outlines", slug=slug)}
        current_app.extensions["atlas_map_kinds"] = kinds
    return kinds


def _bounds(frame) -> tuple[tuple[float, float], tuple[float, float]]:
    west, south, east, north = (round(float(v), 5) for v in frame.total_bounds)
    return (south, west), (north, east)


def _digest(script: str) -> str:
    return hashlib.sha256(script.encode()).hexdigest()[:16]


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
