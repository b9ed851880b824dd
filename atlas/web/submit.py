"""Submitters: the form, geocoding and assignment to the ArL responsible, stored as pending."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, session, url_for

from atlas.projects import LIMITS, validate_project
from atlas.regions import ARLS
from atlas.store import PENDING
from atlas.web.forms import SubmitForm

bp = Blueprint("submit", __name__)


@bp.route("/einreichen", methods=["GET", "POST"])
def submit():
    form = SubmitForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        if form.homepage.data:
            session["submitted"] = {"reference": None, "arl": None}
            return redirect(url_for("submit.thanks"))
        project, errors = validate_project({name: field.data for name, field in form._fields.items()})
        if not form.consent.data:
            errors["consent"] = "Bitte stimmen Sie der Veröffentlichung und dem Datenschutzhinweis zu."
        if not errors:
            services = current_app.extensions["atlas"]
            result = services.geocoder.geocode(street=project.street, plz=project.plz, ort=project.ort)
            if not result.ok:
                errors["ort"] = result.message
            elif not result.place.in_niedersachsen:
                errors["ort"] = (f"{result.place.name} {result.place.assignment.reason}. Der Atlas umfasst nur "
                                 "Projekte in Niedersachsen; es wurde nichts gespeichert.")
            else:
                project_id = services.store.add(project, result.place, PENDING)
                arl = services.store.get(project_id)["arl"]
                session["submitted"] = {"reference": reference(project_id), "arl": arl}
                return redirect(url_for("submit.thanks"))
    elif form.errors:
        errors = {"form": "Das Formular ist abgelaufen. Bitte senden Sie es noch einmal."}
    status = 400 if errors else 200
    return render_template("submit/form.html", form=form, errors=errors, limits=LIMITS), status


@bp.get("/einreichen/danke")
def thanks():
    submitted = session.pop("submitted", None)
    if submitted is None:
        abort(404)
    arl = ARLS.get(submitted["arl"]) if submitted["arl"] else None
    return render_template("submit/thanks.html", reference=submitted["reference"], arl=arl)


def reference(project_id: int) -> str:
    return f"GS-{project_id:06d}"
