"""The office's dashboard (`/amt/`, the landing page): what waits, the district's map, figures and charts; for the
admin and the observer the state and each district side by side. Its figures as CSV, its map's data as JSON. On the
office blueprint; the admin's pages (accounts, reasons, activity) join it from their own modules."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
from flask import Response, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from atlas import charts, dashboard, figures_csv
from atlas.districts import ARLS
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _, number
from atlas.labels import ARCHIVED, PENDING, PUBLISHED, REJECTED, STATUS_LABELS
from atlas.mapdata import TILES, columns, script_json, tile_attribution
from atlas.present import BERLIN
from atlas.queue import context_now
from atlas.web import current_services, current_store, office_admin, office_reasons  # noqa: F401 - their views join office.bp
from atlas.web.assets import basemap_options
from atlas.web.office import bp
from atlas.web.prepared import attachment
from atlas.web.team_view import team_dashboard

MAP_STATUSES = (PENDING, PUBLISHED, REJECTED, ARCHIVED)
STATUS_COLOURS = {PENDING: "#b35900", PUBLISHED: "#007a5a", REJECTED: "#b00020", ARCHIVED: "#555555"}


@bp.get("/", endpoint="dashboard")
@login_required
def dashboard_page():
    arl = district_argument()
    now = datetime.now(UTC)
    tasks = dashboard.tasks(current_store(), arl, _context())
    figures = dashboard.figures(current_store(), current_services().regions, arl, now)
    return render_template("office/dashboard.html", arl=arl, arls=ARLS, tasks=tasks[arl], by_arl=tasks,
                           figures=figures, now=now, months_chart=_months_chart(figures),
                           choropleth=_choropleth(figures, arl), fields=HANDLUNGSFELDER, per=dashboard.PER,
                           map_options=_map_options(arl), statuses=MAP_STATUSES, colours=STATUS_COLOURS,
                           status_labels=STATUS_LABELS, side_by_side=figures.by_arl() if arl is None else None,
                           bezirk=arl or "", **team_dashboard(arl))


@bp.get("/zahlen/<figure>.csv")
@login_required
def figure_csv(figure: str):
    if figure not in figures_csv.FIGURES:
        abort(404)
    arl = district_argument()
    now = datetime.now(UTC)
    if figure == "aufgaben":
        body = figures_csv.tasks_csv(dashboard.tasks(current_store(), arl, _context())[arl], now)
    else:
        figures = dashboard.figures(current_store(), current_services().regions, arl, now)
        body = figures_csv.months_csv(figures) if figure == "monate" else figures_csv.kreise_csv(figures)
    name = f"{figure}-{arl or 'niedersachsen'}-{now.astimezone(BERLIN):%Y-%m-%d}.csv"  # the day the office sees
    return attachment(body, "text/csv", name)


@bp.get("/karte.json")
@login_required
def map_data():
    """The projects of the district (or state) of every status, as the dashboard's map draws them; exact positions,
    so only for signed-in accounts, never kept by a browser or cache."""
    arl = district_argument()
    frame = pd.DataFrame(current_store().map_rows(arl), columns=["id", "lat", "lon", "status", "name", "ort", "traeger",
                                                          "hf_mask", "sprachen_mask", "zg_mask", "kosten", "zeiten"])
    data = columns(frame)
    codes = {status: i for i, status in enumerate(MAP_STATUSES)}
    data["st"] = [codes.get(s, 0) for s in frame["status"]]
    data["statuses"] = [[_(STATUS_LABELS[s]), STATUS_COLOURS[s]] for s in MAP_STATUSES]
    data["link"] = url_for("office.project", project_id=0).removesuffix("0")
    return Response(script_json(data), mimetype="application/json")


def district_argument() -> str | None:
    """The district a dashboard shows: an office's own; for the admin and the observer the one asked for in
    `bezirk` (none: the state)."""
    if not current_user.reads_all:
        return current_user.arl
    asked = request.args.get("bezirk") or None
    if asked is not None and asked not in ARLS:
        abort(400, _("Unbekannter Amtsbezirk."))
    return asked


def _months_chart(figures: dashboard.Figures):
    categories = [f"{m.key[5:]}/{m.key[2:4]}" for m in figures.months]
    return charts.bar_chart(_("Eingänge und Entscheidungen je Monat"), categories, [
        (_("Eingänge"), [m.came_in for m in figures.months]),
        (_("Freigaben"), [m.published for m in figures.months]),
        (_("Ablehnungen"), [m.rejected for m in figures.months])], "monate-diagramm")


def _choropleth(figures: dashboard.Figures, arl: str | None):
    values = {row.rs: row.per_inhabitants(row.total) for row in figures.kreise}
    labels = {row.rs: _("%(kreis)s: %(value)s Projekte je %(per)s Einwohner", kreis=row.label,
                        value=number(values[row.rs], 1), per=number(dashboard.PER)) for row in figures.kreise}
    breaks = charts.class_breaks([v for v in values.values() if v > 0])
    legend = [_("bis %(value)s", value=number(bound, 1)) for bound in breaks] + [_("kein Projekt")]
    return charts.choropleth(_("Projekte je %(per)s Einwohner nach Kreis", per=number(dashboard.PER)),
                             current_services().regions, arl, values, labels, legend, "dichte-karte")


def _map_options(arl: str | None) -> str:
    """What static/office.js needs to draw the district map: its data, the outlines, tiles and basemap."""
    tiles = current_app.config["TILES"]
    outlines = url_for("assets.kreis_outlines", slug=arl) if arl else url_for("assets.arl_outlines")
    return json.dumps({"src": url_for("office.map_data", bezirk=arl or None), "outlines": outlines,
                       "tiles": TILES[tiles][0], "attribution": tile_attribution(tiles),
                       "basemap": json.loads(basemap_options())}, ensure_ascii=False)


def _context():
    return context_now(current_app.config["FRESHNESS_DAYS"], current_user.id, current_user.email,
                       current_store().hold_days)
