"""/einbetten: the map alone, with its filter and a link to the full atlas, for other websites to put in a frame
(a Landkreis shows „its“ map). The only page that may be framed; it sets no cookie."""

from __future__ import annotations

import numpy as np
from flask import Blueprint, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from atlas.districts import ARLS
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _, current_language
from atlas.mapdata import project_data, script_json
from atlas.near import circle, parse_near_query, within_radius
from atlas.present import local_now
from atlas.text import clean_text
from atlas.web import current_pages, current_services
from atlas.web.assets import page_map
from atlas.web.headers import frameable
from atlas.web.limits import embed_limit, limiter, no_place_asked
from atlas.web.params import LIST_PAGE, arl_argument, valid_filter
from atlas.web.prepared import respond
from atlas.web.public import data_sources
from atlas.web.reader import map_frame, public_views, reader_frame

bp = Blueprint("embed", __name__)


@bp.get("/einbetten")
@limiter.limit(embed_limit, exempt_when=no_place_asked)
@frameable
def embedded():
    services = current_services()
    arl, chosen = arl_argument(), valid_filter(request.args)
    kreis = request.args.get("kreis") or None
    if kreis is not None and kreis not in services.regions.by_rs:
        raise BadRequest(_("Unbekannter Kreis „%(value)s“: erwartet wird ein Regionalschlüssel wie 03254.",
                           value=clean_text(kreis)[:40]))
    now = local_now()
    near = None
    if request.args.get("ort"):
        near, problems = parse_near_query(request.args)
        if problems:
            raise BadRequest(problems[0])
    key = ("einbetten", arl, kreis, chosen.key(now), near.ort if near else "", near.radius_km if near else 0,
           current_language())
    fixed = [(name, value) for name, value in (("arl", arl), ("kreis", kreis), ("ort", near and near.ort),
                                               ("umkreis", near and str(near.radius_km))) if value]
    # The form keeps the page's language (a frame sets no cookie), however it was chosen: the page is kept by its
    # language alone, and the same for whoever asks for it
    fixed.append(("lang", current_language()))
    published = services.public.current()
    scope = None if near else arl or (services.regions.by_rs[kreis].arl if kreis else None)
    return respond(current_pages().get(
        key, published.version_of(scope), lambda: _render(services, published, arl, kreis, chosen, now, near, fixed),
        scope=scope))


def _render(services, published, arl, kreis, chosen, now, near, fixed: list[tuple[str, str]]) -> str:
    """The map gets every project of its area and filters in the browser, as the atlas's maps do; the list is
    filtered here, for a browser without scripts. The state and a district share the atlas's versioned data."""
    area = published.select(arl)  # positions in the published projects, in list order (frames only of the few)
    km = None  # around a place: the distance of each in `area`
    kind = f"region-{arl}" if arl else "atlas"
    full = url_for("public.region", slug=arl) if arl else url_for("public.index")
    sources = data_sources(arl, published.version_of(arl), published)
    data = script_json(sources)
    if kreis:
        area = published.in_kreis(area, kreis)
        west, south, east, north = services.regions.kreise[services.regions.kreise.rs == kreis].total_bounds
        view = {"lat": (south + north) / 2, "lon": (west + east) / 2, "zoom": 10}
        area_data = reader_frame(map_frame(published, area))
        kind, data = "naehe", project_data(area_data, view=view, open_src=sources["open"])
    if near is not None:
        located = services.geocoder.geocode(near.ort)
        if not located.ok:
            raise BadRequest(located.message)
        area, km = within_radius(published, area, located.place, near.radius_km)
        area_data = reader_frame(map_frame(published, area))
        kind, data = "naehe", project_data(area_data, circle(located.place, near.radius_km), open_src=sources["open"])
        full = url_for("near.near", ort=near.ort, umkreis=near.radius_km)
    passing = chosen.keep_columns(published, now)[area] if chosen.active else np.ones(len(area), dtype=bool)
    shown = area[passing]
    rows = published.rows(shown[:LIST_PAGE])
    if km is not None:  # the list says how far each is
        for row, distance in zip(rows, km[passing][:LIST_PAGE].tolist(), strict=True):
            row["km"] = distance
    listed = public_views(rows)  # as the atlas lists them, „nicht bestätigt seit …“ included
    return render_template("embed/map.html", map=page_map(kind), data=data, filter=chosen, fields=HANDLUNGSFELDER,
                           total=len(shown), fixed=fixed, projects=listed,
                           full=full, arl=ARLS.get(arl) if arl else None)
