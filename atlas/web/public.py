"""The public: the statewide map, the district maps of the ArL, and one page per project."""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from atlas.filters import TIMES, Filter, parse_filter
from atlas.freshness import unconfirmed_before
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _
from atlas.mapdata import project_data, script_json
from atlas.present import kreis_counts, local_now, project_view
from atlas.regions import ARLS
from atlas.store import PUBLISHED
from atlas.text import clean_text
from atlas.web import keep_params, language
from atlas.web.assets import page_map
from atlas.web.delivery import YEAR, deliver

bp = Blueprint("public", __name__)
LIST_PAGE = 50


@bp.get("/")
def index():
    return _map_page("index", arl=None)


@bp.get("/region/<slug>")
def region(slug: str):
    if slug not in ARLS:
        abort(404)
    return _map_page("region", arl=slug)


@bp.get("/projekt/<id:project_id>")
def project(project_id: int):
    services = _services()
    kept = services.store.replaced_by(project_id, once_published=True)
    if kept is not None:  # merged into another record (atlas.store.merging): its address leads there for good
        return redirect(url_for("public.project", project_id=kept, lang=request.args.get("lang") or None), 301)
    row = get_published_or_404(project_id)
    keep_params([])
    key = ("projekt", project_id, language.current(), local_now().date())  # it says what is open today

    def render() -> str:
        frame = services.store.published_one(project_id)
        view = {"lat": round(float(frame.lat.iat[0]), 5), "lon": round(float(frame.lon.iat[0]), 5), "zoom": 12}
        return render_template("public/project.html", project=public_views([row])[0],
                               kreis_label=services.regions.by_rs[row["kreis_rs"]].label,
                               map=page_map("projekt"),
                               data=project_data(frame, view=view), arl=ARLS[row["arl"]],
                               tiles=current_app.config["TILES"])

    return deliver(_pages().get(key, services.store.version(), render))


def get_published_or_404(project_id: int) -> dict:
    row = _services().store.get(project_id)
    if row is None or row["status"] != PUBLISHED:
        abort(404)
    return row


def _map_page(view: str, arl: str | None):
    # Only validated values make the cache key: anything else is a 400 page that is not kept.
    chosen = valid_filter(request.args)
    page = page_number(request.args.get("seite") or "1")
    keep_params(chosen.params() + ([("seite", str(page))] if page > 1 else []))
    services = _services()
    now = local_now()
    key = (view, arl, chosen.key(now), page, language.current())
    version = services.store.version()

    def render() -> str:
        everything = services.store.published(arl=arl)
        shown = chosen.apply(everything, now)
        parts = page_map(f"region-{arl}" if arl else "atlas")
        first = (page - 1) * LIST_PAGE
        pages = max(1, -(-len(shown) // LIST_PAGE))
        if page > pages:
            raise BadRequest(_("Seite %(page)s gibt es nicht: die Liste hat %(pages)s Seite(n).", page=page,
                               pages=pages))
        sources = data_sources(arl, version)
        return render_template(
            f"public/{view}.html", map=parts, data=script_json(sources), data_src=sources["src"], filter=chosen,
            fields=HANDLUNGSFELDER,
            projects=public_views(shown.iloc[first:first + LIST_PAGE].to_dict("records")),
            total=len(shown), page=page, pages=pages,
            arl=ARLS.get(arl) if arl else None, arls=ARLS, tiles=current_app.config["TILES"],
            counts=kreis_counts(services.regions, everything, arl) if arl else None,
        )

    return deliver(_pages().get(key, version, render))


def data_sources(arl: str | None, version: int) -> dict[str, str]:
    """Where a map of the state or of a district fetches its projects (the versioned resource, shared by every page
    that shows them) and the ids open now or this week (`open`)."""
    return {"src": url_for("public.projects_data", arl=arl, v=version, lang=language.current()),
            "open": url_for("public.open_data", arl=arl)}


@bp.get("/karte/projekte.json")
def projects_data():
    """The published projects of the state or of one district, as the map draws them: compact columns.

    Under the current store version (`?v=`) it is kept a year; the pages always name the current version.
    """
    arl = arl_argument()
    store = _services().store
    version = store.version()
    data = _pages().get(("daten", arl, language.current()), version, lambda: project_data(store.published(arl=arl)),
                        mimetype="application/json")
    current = request.args.get("v") == str(version)
    return deliver(data, max_age=YEAR if current else 0, immutable=current)


@bp.get("/karte/offen.json")
def open_data():
    """The ids of the published projects (of the state or one district) open now (`?zeit=jetzt`) or in the next
    7 days (`?zeit=woche`): the maps' time filter asks this, since times are evaluated here. Kept a minute."""
    arl = arl_argument()
    wanted = valid_filter(request.args)
    if not wanted.zeit:
        raise BadRequest(_("Bitte „zeit“ angeben: %(allowed)s.", allowed=", ".join(TIMES)))
    store = _services().store
    now = local_now()
    body = _pages().get(("offen", arl, wanted.key(now)), store.version(), lambda: json.dumps(
        Filter(zeit=wanted.zeit).apply(store.published(arl=arl), now).id.astype(int).tolist()),
        mimetype="application/json")
    return deliver(body, max_age=60)


def valid_filter(args) -> Filter:
    """The filter asked for in the URL; an unknown value is a 400 that names it and what is allowed."""
    chosen, problems = parse_filter(args)
    if problems:
        raise BadRequest(problems[0])
    return chosen


def arl_argument() -> str | None:
    """The district asked for in `?arl=`, or None for the state; an unknown one is a 400 that names it."""
    arl = request.args.get("arl") or None
    if arl is not None and arl not in ARLS:
        raise BadRequest(_("Unbekannter Amtsbezirk „%(value)s“. Erlaubt sind: %(allowed)s.",
                           value=clean_text(arl)[:40], allowed=", ".join(ARLS)))
    return arl


def page_number(value: str) -> int:
    if value.isdigit() and len(value) <= 6 and int(value) >= 1:
        return int(value)
    raise BadRequest(_("Ungültige Seitenzahl „%(value)s“: erlaubt sind ganze Zahlen ab 1.",
                       value=clean_text(value)[:20]))


def public_views(rows: list[dict]) -> list[dict]:
    """Projects as a public page lists them: with their Handlungsfelder, and `unconfirmed_since` for those whose
    confirmation ran out (pages are renewed daily by `atlas freshness`, which moves the store's version on)."""
    views = [project_view(row) for row in rows]
    since = _services().store.unconfirmed_since(
        [int(v["id"]) for v in views], unconfirmed_before(current_app.config["FRESHNESS_DAYS"]))
    for view in views:
        if int(view["id"]) in since:
            view["unconfirmed_since"] = since[int(view["id"])]
    return views


def _services():
    return current_app.extensions["atlas"]


def _pages():
    return current_app.extensions["atlas_pages"]
