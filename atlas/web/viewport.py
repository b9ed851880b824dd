"""Map data by viewport (atlas.viewport): the statewide and district maps above ATLAS_MAP_CLUSTER_ABOVE projects
get clusters per tile (/karte/kacheln.json) and the list the projects in view (/karte/ausschnitt.json), instead
of every project at once. Each answer is bounded in size and kept in the page cache per version, district,
tile or view, filter and language; under the current `?v=` the browser keeps it a year.
"""

from __future__ import annotations

import numpy as np
from flask import Blueprint, current_app, request, url_for
from werkzeug.exceptions import BadRequest

from atlas.i18n import _, current_language
from atlas.mapdata import COORD_SCALE, columns, data_version, script_json
from atlas.present import local_now
from atlas.text import clean_text, whole_number
from atlas.viewport import MAX_ZOOM, Viewports, check_tile, in_view, parse_bbox
from atlas.web import current_pages, current_services
from atlas.web.limits import limiter, map_view_limit
from atlas.web.params import LIST_PAGE, arl_argument, page_number, valid_filter
from atlas.web.prepared import YEAR, respond
from atlas.web.reader import map_frame, reader_frame

bp = Blueprint("viewport", __name__)


def by_viewport(published, arl: str | None) -> bool:
    """Whether a map of this district (None: the state) gets its projects by viewport: above the threshold."""
    return len(published.select(arl)) > current_app.config["MAP_CLUSTER_ABOVE"]


def viewport_sources(arl: str | None, version: int) -> dict:
    """Where such a map asks for its tiles and its list in view (atlas.web.public.data_sources adds the words)."""
    common = {"arl": arl, "v": data_version(version), "lang": current_language()}
    return {"tiles": url_for("viewport.tiles", **common), "inView": url_for("viewport.in_view_list", **common),
            "maxZoom": MAX_ZOOM}


@bp.get("/karte/kacheln.json")
@limiter.limit(map_view_limit)
def tiles():
    """One tile (`z`, `x`, `y` as Leaflet counts them) of a map's projects that pass the filter in the URL:
    `clusters` as [lat, lon, count] (× `scale`), and `points`, the projects themselves as the map's columns
    (atlas.mapdata), where the tile holds few (else the single ones of its cells), or null."""
    arl, wanted, now = arl_argument(), valid_filter(request.args), local_now()
    z, x, y = _tile_arguments()
    published = current_services().public.current()
    version = published.version_of(arl)

    def render() -> str:
        viewports = _viewports()
        index = viewports.index(published, arl)
        tile = index.tile(z, x, y, published.pos_of, viewports.keep(published, wanted, now, wanted.key(now)))
        return script_json({"clusters": [[round(lat * COORD_SCALE), round(lon * COORD_SCALE), n]
                                         for lat, lon, n in tile.clusters],
                            "scale": COORD_SCALE, "points": _points(published, tile.points)})

    key = ("kachel", arl, z, x, y, wanted.key(now), current_language())
    return _respond(current_pages().get(key, version, render, mimetype="application/json", scope=arl),
                    version, wanted)


@bp.get("/karte/ausschnitt.json")
@limiter.limit(map_view_limit)
def in_view_list():
    """The projects of a map in view (`bbox` = west,south,east,north) that pass the filter, in list order, a page
    (`seite`) of LIST_PAGE at a time: `total`, `pages`, and `points` as the map's columns."""
    arl, wanted, now = arl_argument(), valid_filter(request.args), local_now()
    bbox = _bbox_argument()
    page = page_number(request.args.get("seite") or "1")
    published = current_services().public.current()
    version = published.version_of(arl)

    def render() -> str:
        viewports = _viewports()
        keep = viewports.keep(published, wanted, now, wanted.key(now))
        shown = in_view(published["lat"], published["lon"], published.select(arl), bbox, keep)
        first = (page - 1) * LIST_PAGE
        return script_json({"total": len(shown), "page": page, "pages": max(1, -(-len(shown) // LIST_PAGE)),
                            "points": _points(published, shown[first:first + LIST_PAGE])})

    key = ("ausschnitt", arl, bbox, page, wanted.key(now), current_language())
    return _respond(current_pages().get(key, version, render, mimetype="application/json", scope=arl),
                    version, wanted)


def _points(published, positions: np.ndarray) -> dict | None:
    if not len(positions):
        return None
    data = columns(reader_frame(map_frame(published, positions)))
    data["zeiten"] = data.pop("zeiten_roh")  # spelled out by the page's labels, as /karte/projekte.json
    return data


def _respond(body, version: int, wanted):
    current = request.args.get("v") == data_version(version)
    if wanted.zeit:  # what is open changes by the minute
        response = respond(body, max_age=60)
    else:
        response = respond(body, max_age=YEAR if current else 0, immutable=current)
    response.vary.update(("Accept-Language", "Cookie"))  # summaries in the reader's language
    return response


def _tile_arguments() -> tuple[int, int, int]:
    values = [request.args.get(name, "") for name in ("z", "x", "y")]
    try:
        z, x, y = (whole_number(v, digits=6) for v in values)
        if None in (z, x, y):
            raise ValueError("digits")
        check_tile(z, x, y)
    except ValueError:
        raise BadRequest(_("Ungültige Kachel z=%(z)s, x=%(x)s, y=%(y)s: z ist eine ganze Zahl von 0 bis %(max)s, "
                           "x und y ganze Zahlen von 0 bis 2^z − 1.", z=clean_text(values[0])[:10],
                           x=clean_text(values[1])[:10], y=clean_text(values[2])[:10], max=MAX_ZOOM)) from None
    return z, x, y


def _bbox_argument() -> tuple[float, float, float, float]:
    text = request.args.get("bbox", "")
    try:
        return parse_bbox(text)
    except ValueError:
        raise BadRequest(_("Ungültiger Kartenausschnitt „%(value)s“: erwartet sind vier Zahlen in Grad, "
                           "West,Süd,Ost,Nord, mit West kleiner als Ost und Süd kleiner als Nord.",
                           value=clean_text(text)[:60])) from None


def _viewports() -> Viewports:
    viewports = current_app.extensions.get("atlas_viewports")
    if viewports is None:  # one per app, so that a new snapshot's index follows the last one
        viewports = current_app.extensions.setdefault("atlas_viewports", Viewports())
    return viewports
