"""The public: the statewide map, the district maps of the ArL, and one page per project."""

from __future__ import annotations

import json

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from atlas.districts import ARLS
from atlas.filters import TIMES, Filter
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _, current_language
from atlas.mapdata import data_version, labels, map_data, project_data, script_json, summary_data
from atlas.present import kreis_counts, local_now
from atlas.web import current_pages, current_services, keep_params
from atlas.web.assets import page_map
from atlas.web.params import LIST_PAGE, arl_argument, page_number, pages_of, valid_filter
from atlas.web.prepared import YEAR, respond
from atlas.web.reader import get_published_or_404, map_frame, project_texts, public_views, reader_frame
from atlas.web.viewport import by_viewport, viewport_sources

bp = Blueprint("public", __name__)


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
    services = current_services()
    published = services.public.current()
    key = ("projekt", project_id, current_language(), local_now().date())  # it says what is open today
    # A page kept at the current version of the project's district was made while the project was published there
    # and not merged away, and any change of either moves that version on (atlas.store.core.Change): it is sent
    # without asking the database twice what it answered then (a third of what a kept page cost, 16 clients).
    arl = published.arl_of(project_id)
    page = current_pages().kept(key, published.version_of(arl), scope=arl) if arl is not None else None
    if page is not None:
        return respond(page)
    kept = services.store.replaced_by(project_id, once_published=True)
    if kept is not None:  # merged into another record (atlas.store.merging): its address leads there for good
        return redirect(url_for("public.project", project_id=kept, lang=request.args.get("lang") or None), 301)
    row = get_published_or_404(project_id)
    keep_params([])

    def render() -> str:
        frame = services.store.published_one(project_id)
        view = {"lat": round(float(frame.lat.iat[0]), 5), "lon": round(float(frame.lon.iat[0]), 5), "zoom": 12}
        return render_template("public/project.html", project=public_views([row])[0], texts=project_texts(row),
                               kreis_label=services.regions.by_rs[row["kreis_rs"]].label,
                               map=page_map("projekt"),
                               data=project_data(reader_frame(frame), view=view), arl=ARLS[row["arl"]])

    return respond(current_pages().get(key, published.version_of(row["arl"]), render, scope=row["arl"]))


def _map_page(view: str, arl: str | None):
    # Only validated values make the cache key: anything else is a 400 page that is not kept.
    chosen = valid_filter(request.args)
    page = page_number(request.args.get("seite") or "1")
    keep_params(chosen.params() + ([("seite", str(page))] if page > 1 else []))
    services = current_services()
    now = local_now()
    key = (view, arl, chosen.key(now), page, current_language())
    published = services.public.current()
    version = published.version_of(arl)

    def render() -> str:
        shown = published.select(arl, chosen, now)
        parts = page_map(f"region-{arl}" if arl else "atlas")
        first = (page - 1) * LIST_PAGE
        pages = pages_of(len(shown), page)
        sources = data_sources(arl, version, published)
        counts = kreis_counts(services.regions, published, published.select(arl), arl) if arl else None
        return render_template(
            f"public/{view}.html", map=parts, data=script_json(sources), data_src=sources.get("src"), filter=chosen,
            fields=HANDLUNGSFELDER, projects=public_views(published.rows(shown[first:first + LIST_PAGE])),
            total=len(shown), page=page, pages=pages,
            arl=ARLS.get(arl) if arl else None, arls=ARLS,
            counts=counts,
        )

    return respond(current_pages().get(key, version, render, scope=arl))


def data_sources(arl: str | None, version: int, published) -> dict:
    """Where a map of the state or of a district fetches its projects (the versioned resource, the same in every
    language and shared by every page that shows them) and their summaries in the page's language (`summaries`),
    the ids open now or this week (`open`), and the words to show the projects with in the page's language
    (`labels`: the data carries none)."""
    words = labels(published.tables["zeiten"][published.codes_in("zeiten", arl)])
    open_src = url_for("public.open_data", arl=arl)
    if by_viewport(published, arl):  # too many to send at once: clusters per tile, the list by the view
        return {**viewport_sources(arl, version), "open": open_src, "labels": words}
    return {"src": url_for("public.projects_data", arl=arl, v=data_version(version)),
            "summaries": url_for("public.summaries_data", arl=arl, v=data_version(version), lang=current_language()),
            "open": open_src,
            "labels": words}


@bp.get("/karte/projekte.json")
def projects_data():
    """The published projects of the state or of one district, as the map draws them: compact columns, one body
    for every language (the page hands the map its words).

    Under the current version (`?v=`: the store's and the columns' shape) it is kept a year; the pages always name
    the current version.
    """
    arl = arl_argument()
    published = current_services().public.current()
    version = published.version_of(arl)
    data = current_pages().get(("daten", arl), version, lambda: map_data(map_frame(published, published.select(arl))),
                        mimetype="application/json", scope=arl)
    current = request.args.get("v") == data_version(version)
    return respond(data, max_age=YEAR if current else 0, immutable=current)


@bp.get("/karte/kurztexte.json")
def summaries_data():
    """The summaries of the projects of /karte/projekte.json (same district, same order) in the reader's language:
    the one part of a map's data that differs by language, fetched beside it. Kept a year under the current `v`."""
    arl = arl_argument()
    published = current_services().public.current()
    version = published.version_of(arl)
    data = current_pages().get(("kurztexte", arl, current_language()), version,
                        lambda: summary_data(reader_frame(published.frame(published.select(arl), ("id", "summary")))),
                        mimetype="application/json", scope=arl)
    current = request.args.get("v") == data_version(version)
    response = respond(data, max_age=YEAR if current else 0, immutable=current)
    response.vary.update(("Accept-Language", "Cookie"))  # without `lang`, the reader's language is asked
    return response


@bp.get("/karte/offen.json")
def open_data():
    """The ids of the published projects (of the state or one district) open now (`?zeit=jetzt`) or in the next
    7 days (`?zeit=woche`): the maps' time filter asks this, since times are evaluated here. Kept a minute."""
    arl = arl_argument()
    wanted = valid_filter(request.args)
    if not wanted.zeit:
        raise BadRequest(_("Bitte „zeit“ angeben: %(allowed)s.", allowed=", ".join(TIMES)))
    published = current_services().public.current()
    now = local_now()
    body = current_pages().get(("offen", arl, wanted.key(now)), published.version_of(arl), lambda: json.dumps(
        published["id"][published.select(arl, Filter(zeit=wanted.zeit), now)].tolist()),
        mimetype="application/json", scope=arl)
    return respond(body, max_age=60)
