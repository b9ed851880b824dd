"""/aushang/<Kreis key or ArL slug>: a printable A4 poster with a QR code that opens the near search there."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for

from atlas.districts import ARLS
from atlas.i18n import _, current_language
from atlas.poster import DRAWN, make_poster
from atlas.web import current_pages, current_services, keep_params
from atlas.web.limits import limiter, pdf_limit, poster_limit
from atlas.web.pdf import render_pdf
from atlas.web.prepared import respond

bp = Blueprint("poster", __name__)
RADIUS_KM = 25


@bp.get("/aushang/<key>")
@limiter.limit(poster_limit)
def poster(key: str):
    services = _services(key)
    published, scope = services.public.current(), _scope(services, key)
    return respond(current_pages().get(("aushang", key, current_language()), published.version_of(scope),
                                lambda: _render(services, published, key), scope=scope))


@bp.get("/aushang/<key>.pdf")
@limiter.limit(pdf_limit)
def poster_pdf(key: str):
    """The same poster as an A4 PDF, made from the page's HTML and print CSS; kept until the next publication."""
    services = _services(key)
    published, scope = services.public.current(), _scope(services, key)
    version = published.version_of(scope)
    html = current_pages().get(("aushang", key, current_language()), version, lambda: _render(services, published, key),
                        scope=scope)
    response = respond(current_pages().get(("aushang.pdf", key, current_language()), version,
                                    lambda: render_pdf(html.body.decode()), mimetype="application/pdf", scope=scope))
    response.headers["Content-Disposition"] = f'inline; filename="aushang-{key}.pdf"'
    return response


def _services(key: str):
    """The app's services, if `key` names a Kreis or an ArL district; else 404."""
    services = current_services()
    if key not in services.regions.by_rs and key not in ARLS:
        abort(404)
    return services


def _scope(services, key: str) -> str:
    """The district a poster shows (of a Kreis: its district's): its version renews the poster."""
    return services.regions.by_rs[key].arl if key in services.regions.by_rs else key


def _render(services, published, key: str) -> str:
    keep_params([])  # kept for everyone (and drawn into the PDF): its language links carry no one's query
    regions = services.regions
    base = current_app.config["BASE_URL"].rstrip("/")  # the QR code opens the public address, not this request's
    if key in regions.by_rs:
        kreis = regions.by_rs[key]
        area = regions.kreise_karte[regions.kreise_karte.rs == key]
        projects = published.frame(published.in_kreis(published.select(kreis.arl), key), DRAWN)
        centre = area.geometry.union_all().representative_point()
        url = base + url_for("near.near", lat=f"{centre.y:.4f}", lon=f"{centre.x:.4f}", name=kreis.label,
                             umkreis=RADIUS_KM)
        title = kreis.label
    elif key in ARLS:
        area = regions.arl[regions.arl.arl == key]
        projects = published.frame(published.select(key), DRAWN)
        url = base + url_for("public.region", slug=key)
        title = ARLS[key].name
    else:
        raise KeyError(key)
    return render_template("poster/poster.html", poster=make_poster(title, area, projects, url),
                           radius=RADIUS_KM, kreis=key in regions.by_rs, key=key,
                           heading=_("Hilfe und Begegnung in Ihrer Nähe"))
