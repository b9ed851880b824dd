"""The pages a public site in Germany must have: Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit,
and a page in Leichte Sprache. The operator's details are settings (ATLAS_OPERATOR_*), with the alliance's
Geschäftsstelle as the default."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from atlas.web import current_services

bp = Blueprint("legal", __name__)
PAGES = ("impressum", "datenschutz", "barrierefreiheit", "leichte-sprache")


@bp.get("/<any(impressum, datenschutz, barrierefreiheit, 'leichte-sprache'):slug>")
def page(slug: str):
    if slug not in PAGES:
        abort(404)
    config = current_app.config
    operator = {key.removeprefix("OPERATOR_").lower(): config[key] for key in config if key.startswith("OPERATOR_")}
    engines = [engine.label for engine in current_services().machine.engines]  # atlas.machine
    return render_template(f"legal/{slug}.html", operator=operator,
                           online=config["GEOCODER"] == "nominatim", freshness_days=config["FRESHNESS_DAYS"],
                           engines=engines)
