"""Submitters: the form, its location step, and the confirmation naming the ArL that will review the project."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from atlas.districts import ARLS
from atlas.i18n import _, current_language
from atlas.links import absolute_url
from atlas.notices import reference
from atlas.places import parse_position
from atlas.projects import LIMITS, validate_project
from atlas.submission import (
    PIN_WARNING_KM,
    Answers,
    choice_value,
    coordinate_text,
    locate_submission,
    ready,
)
from atlas.web import current_services
from atlas.web.assets import page_map
from atlas.web.forms import EXPIRED, SubmitForm
from atlas.web.headers import no_store
from atlas.web.limits import limiter, submit_limit

bp = Blueprint("submit", __name__)


@bp.route("/einreichen", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def submit():
    form = SubmitForm()
    errors: dict[str, str] = {}
    location = None
    if form.validate_on_submit():
        if form.homepage.data:
            session["submitted"] = {"reference": None, "arl": None}
            return redirect(url_for("submit.thanks"))
        project, errors = validate_project(form.data)
        if not form.consent.data:
            errors["consent"] = _("Bitte stimmen Sie der Veröffentlichung und dem Datenschutzhinweis zu.")
        if not errors:
            services = current_services()
            answers = Answers(key=form.geprueft.data or "", choice=form.auswahl.data or "", lat=form.lat.data or "",
                              lon=form.lon.data or "", far_ok=form.far_ok.data, duplicate_ok=form.duplicate_ok.data,
                              shown=frozenset((form.gezeigt.data or "").split()))
            location = locate_submission(services.geocoder, services.store, project, answers)
            if ready(location, answers):
                project_id, link = services.store.submit(project, location.place, current_language())
                session["submitted"] = {"reference": reference(project_id), "arl": location.place.arl.slug,
                                        "link": link, "mailed": bool(project.email)}
                return redirect(url_for("submit.thanks"))
            errors = location.errors
            if location.place and answers.key != location.key:  # a new address: the pin starts on it
                form.lat.data, form.lon.data = coordinate_text(location.place.lat), coordinate_text(location.place.lon)
                form.far_ok.data = form.duplicate_ok.data = False
            form.geprueft.data = location.key
            form.gezeigt.data = " ".join(name for name, shown in (("far_ok", location.far),
                                                                  ("duplicate_ok", location.duplicates)) if shown)
    elif form.errors:
        errors = {"form": EXPIRED}
    return render_form(form, errors, location)


def render_form(form: SubmitForm, errors: dict, location=None, status: int | None = None):
    pin_map = None
    if location is not None and location.place is not None and not errors.get("ort"):
        pin_map = page_map("pin")
    page = render_template("submit/form.html", form=form, errors=errors, limits=LIMITS, location=location,
                           pin_map=pin_map, choice_value=choice_value, warning_km=PIN_WARNING_KM)
    return page, status or (400 if errors else 200)


@bp.get("/einreichen/standort")
def where():
    """Kreis and ArL of a pin while it is dragged: the form shows them at once."""
    try:
        lat, lon = parse_position(request.args.get("lat", ""), request.args.get("lon", ""))
    except ValueError as error:
        return jsonify({"ok": False, "text": str(error)}), 400
    assignment = current_services().regions.locate(lat, lon)
    return jsonify({"ok": assignment.kreis is not None, "text": pin_text(assignment)})


@bp.get("/einreichen/danke")
def thanks():
    """Shows the private link once: never kept by a browser or proxy, never indexed."""
    submitted = session.pop("submitted", None)
    if submitted is None:
        abort(404)
    arl = ARLS.get(submitted["arl"]) if submitted["arl"] else None
    link = absolute_url("mine.status", token=submitted["link"]) if submitted.get("link") else None
    response = make_response(render_template("submit/thanks.html", reference=submitted["reference"], arl=arl,
                                             link=link, mailed=submitted.get("mailed")))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return no_store(response)


def pin_text(assignment) -> str:
    if assignment.kreis is None:
        return " ".join((assignment.sentence(_("Der Pin")), _("Dort kann kein Projekt eingetragen werden.")))
    return _("Liegt in: %(kreis)s · zuständig: %(amt)s", kreis=assignment.kreis.label, amt=assignment.arl.name)


@bp.errorhandler(429)
def too_many(_error):
    """Too many submissions from one client: say so, and keep what was typed."""
    message = _("Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Einreichungen. Bitte warten Sie eine Weile und "
                "senden Sie das Formular dann noch einmal – Ihre Eingaben sind erhalten.")
    return render_form(SubmitForm(), {"form": message}, status=429)
