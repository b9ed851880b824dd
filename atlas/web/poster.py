"""/aushang/<Kreis key or ArL slug>: a printable A4 poster with a QR code that opens the near search there."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for

from atlas.i18n import _
from atlas.poster import make_poster
from atlas.regions import ARLS

bp = Blueprint("poster", __name__)
RADIUS_KM = 25


@bp.get("/aushang/<key>")
def poster(key: str):
    services = current_app.extensions["atlas"]
    regions = services.regions
    base = current_app.config["BASE_URL"].rstrip("/")  # the QR code opens the public address, not this request's
    if key in regions.by_rs:
        kreis = regions.by_rs[key]
        area = regions.kreise_karte[regions.kreise_karte.rs == key]
        projects = services.store.published(arl=kreis.arl)
        projects = projects[projects.kreis_rs == key]
        centre = area.geometry.union_all().representative_point()
        url = base + url_for("near.near", lat=f"{centre.y:.4f}", lon=f"{centre.x:.4f}", name=kreis.label,
                             umkreis=RADIUS_KM)
        title = kreis.label
    elif key in ARLS:
        area = regions.arl[regions.arl.arl == key]
        projects = services.store.published(arl=key)
        url = base + url_for("public.region", slug=key)
        title = ARLS[key].name
    else:
        abort(404)
    return render_template("poster/poster.html", poster=make_poster(title, area, projects, url),
                           radius=RADIUS_KM, kreis=key in regions.by_rs,
                           heading=_("Hilfe und Begegnung in Ihrer Nähe"))
