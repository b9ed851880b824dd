"""The public: the statewide map, the district maps of the ArL, and one page per project."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from atlas.handlungsfelder import HANDLUNGSFELDER, mask
from atlas.maps import project_data, project_map
from atlas.present import kreis_counts, project_view
from atlas.regions import ARLS
from atlas.store import PUBLISHED

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


@bp.get("/projekt/<int:project_id>")
def project(project_id: int):
    services = _services()
    row = get_published_or_404(project_id)
    key = ("projekt", project_id)

    def render() -> str:
        frame = services.store.published_one(project_id)
        lat, lon = round(float(frame.lat.iat[0]), 5), round(float(frame.lon.iat[0]), 5)
        parts = project_map(tiles=current_app.config["TILES"], cluster=False, zoom=12,
                            bounds=((lat - 0.05, lon - 0.08), (lat + 0.05, lon + 0.08)))
        return render_template("public/project.html", project=project_view(row), map=parts,
                               data=project_data(frame), arl=ARLS[row["arl"]], tiles=current_app.config["TILES"])

    return _pages().get(key, services.store.version(), render)


def get_published_or_404(project_id: int) -> dict:
    row = _services().store.get(project_id)
    if row is None or row["status"] != PUBLISHED:
        abort(404)
    return row


def _map_page(view: str, arl: str | None):
    selected, notices = selected_fields(request.args.getlist("hf"))
    page, page_notice = _page_number(request.args.get("seite", "1"))
    notices += page_notice
    services = _services()
    key = (view, arl, tuple(selected), page, tuple(notices))

    def render() -> str:
        regions = services.regions
        everything = services.store.published(arl=arl)
        shown = everything if not selected else everything[
            (everything.hf_mask & mask(selected)) != 0]
        outline = regions.arl[regions.arl.arl == arl] if arl else regions.kreise
        west, south, east, north = outline.total_bounds
        parts = project_map(tiles=current_app.config["TILES"], bounds=((south, west), (north, east)),
                            boundaries=f"/karte/kreise/{arl}.geojson" if arl else "/karte/arl.geojson",
                            labels=bool(arl))
        first = (page - 1) * LIST_PAGE
        return render_template(
            f"public/{view}.html", map=parts, data=project_data(everything), selected=selected, notices=notices,
            fields=HANDLUNGSFELDER,
            projects=[project_view(r) for r in shown.iloc[first:first + LIST_PAGE].to_dict("records")],
            total=len(shown), page=page, pages=max(1, -(-len(shown) // LIST_PAGE)),
            arl=ARLS.get(arl) if arl else None, arls=ARLS, tiles=current_app.config["TILES"],
            counts=kreis_counts(regions, everything, arl) if arl else None,
        )

    return _pages().get(key, services.store.version(), render)


def selected_fields(values: list[str]) -> tuple[list[str], list[str]]:
    """The Handlungsfelder asked for in the URL; unknown ones are named back, not silently dropped."""
    unknown = [v for v in values if v not in HANDLUNGSFELDER]
    selected = [slug for slug in HANDLUNGSFELDER if slug in values]
    notices = [f"Unbekanntes Handlungsfeld „{v[:40]}“ wurde ignoriert." for v in unknown[:5]]
    return selected, notices


def _page_number(value: str) -> tuple[int, list[str]]:
    if value.isdigit() and 1 <= int(value) <= 100_000:
        return int(value), []
    return 1, [f"Ungültige Seitenzahl „{value[:20]}“; gezeigt wird Seite 1."]


def _services():
    return current_app.extensions["atlas"]


def _pages():
    return current_app.extensions["atlas_pages"]
