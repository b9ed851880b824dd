"""The regional offices: their district's queue, approval and rejection, history and export. The way in (login,
logout) and the account page are atlas.web.office_account, on this blueprint too."""

from __future__ import annotations

import pandas as pd
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from atlas import bulk, claims, freshness, labels, notices, submitters
from atlas.districts import ARLS
from atlas.downloads import office_csv
from atlas.i18n import _, lazy
from atlas.mapdata import project_data
from atlas.present import project_view
from atlas.projects import LIMITS, validate_project
from atlas.sources import stand_text
from atlas.store import ARCHIVED, PUBLISHED, REJECTED, StaleWrite
from atlas.submission import coordinate_text, relocate
from atlas.text import clean_text
from atlas.transfer import export_geojson
from atlas.web import current_services, current_store
from atlas.web.assets import page_map
from atlas.web.forms import (
    EXPIRED,
    ApproveForm,
    EditForm,
    RejectForm,
    project_form_data,
    required_version,
)
from atlas.web.headers import no_store
from atlas.web.prepared import attachment
from atlas.web.project_extras import chosen_template, project_extras
from atlas.web.team_view import project_team

bp = Blueprint("office", __name__, url_prefix="/amt")
bp.after_request(no_store)
STATUS_LABELS = {status: lazy(label) for status, label in labels.STATUS_LABELS.items()}
UNCONFIRMED = "veraltet"  # the queue's tab of published projects whose confirmation ran out (atlas.queue.TABS)
ACTION_LABELS = {action: lazy(label) for action, label in labels.ACTION_LABELS.items()}
STALE_EDIT = lazy("Während Sie bearbeitet haben, wurde das Projekt geändert (siehe unten). Es wurde nichts "
                  "überschrieben. Ihre Eingaben sind erhalten: Bitte prüfen Sie sie und speichern Sie dann erneut.")
STALE_DECISION = lazy("Das Projekt wurde geändert, seit Sie es geöffnet haben (siehe „Inzwischen geändert“). Es wurde "
                      "nichts entschieden: Bitte prüfen Sie den aktuellen Stand und entscheiden Sie erneut.")


@bp.get("/projekt/<id:project_id>")
@login_required
def project(project_id: int):
    return _project_page(get_project_for_office_or_403(project_id), RejectForm())


@bp.post("/projekt/<id:project_id>/freigeben")
@login_required
def approve(project_id: int):
    row = get_project_for_office_or_403(project_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    refused = _refused(row, "freigeben", required_version(form))
    if refused:
        return refused
    try:
        current_store().set_status(project_id, PUBLISHED, actor=current_user.email,
                                   expected_version=required_version(form))
    except StaleWrite as stale:
        return _changed_meanwhile(stale)
    flash(_("Das Projekt ist freigegeben und erscheint auf den Karten."))
    return redirect(url_for("office.queue"))


@bp.post("/projekt/<id:project_id>/ablehnen")
@login_required
def reject(project_id: int):
    row = get_project_for_office_or_403(project_id)
    form = RejectForm()
    template = chosen_template(row["arl"])
    if template and not (form.reason.data or "").strip():
        form.reason.data = template.body  # the office's template; its submitter reads its translation
    if not form.validate_on_submit():
        return _project_page(row, form), 400
    refused = _refused(row, "ablehnen", required_version(form))
    if refused:
        return refused
    try:
        reason = clean_text(form.reason.data, multiline=True)
        told = template.text_in(row["language"]) if template and reason == clean_text(template.body, True) else None
        current_store().set_status(project_id, REJECTED, reason, actor=current_user.email,
                            expected_version=required_version(form), told_reason=told)
    except StaleWrite as stale:
        return _changed_meanwhile(stale)
    flash(_("Das Projekt ist abgelehnt."))
    return redirect(url_for("office.queue"))


@bp.post("/projekt/<id:project_id>/archivieren")
@login_required
def archive(project_id: int):
    """Take a project off the map (it ended, or nobody confirms it any more); it stays in the history."""
    row = get_project_for_office_or_403(project_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    refused = _refused(row, "archivieren", required_version(form))
    if refused:
        return refused
    try:
        current_store().set_status(project_id, ARCHIVED, "Vom Amt archiviert.", actor=current_user.email,
                            expected_version=required_version(form))
    except StaleWrite as stale:
        return _changed_meanwhile(stale)
    flash(_("Das Projekt ist archiviert und erscheint nicht mehr auf den Karten."))
    return redirect(url_for("office.queue", status=UNCONFIRMED))


@bp.post("/projekt/<id:project_id>/vorschlag/<id:proposal_id>")
@login_required
def proposal(project_id: int, proposal_id: int):
    """Take over or decline the change a submitter proposed."""
    get_project_for_office_or_403(project_id)
    form = ApproveForm()
    waiting = submitters.waiting_proposal(current_store(), project_id)
    if not form.validate_on_submit() or request.form.get("entscheidung") not in ("uebernehmen", "verwerfen"):
        abort(400)
    if waiting is None or waiting["id"] != proposal_id:
        flash(_("Dieser Vorschlag ist schon entschieden oder durch einen neueren ersetzt."))
        return redirect(url_for("office.project", project_id=project_id))
    if request.form["entscheidung"] == "verwerfen":
        submitters.decline_proposal(current_store(), waiting, current_user.email)
        flash(_("Der Vorschlag ist verworfen; das Projekt bleibt, wie es war."))
        return redirect(url_for("office.project", project_id=project_id))
    try:
        submitters.approve_proposal(current_store(), waiting, current_user.email, required_version(form))
    except StaleWrite as stale:
        return _changed_meanwhile(stale)
    flash(_("Der Vorschlag ist übernommen."))
    return redirect(url_for("office.project", project_id=project_id))


@bp.post("/projekt/<id:project_id>/quelle-bestaetigen")
@login_required
def confirm_source(project_id: int):
    """The office confirms an entry gathered from a public source itself (it asked the Träger): the mark goes."""
    get_project_for_office_or_403(project_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        claims.confirm(current_store(), project_id, current_user.email, required_version(form))
    except StaleWrite as stale:
        return _changed_meanwhile(stale)
    flash(_("Die Angaben gelten jetzt als bestätigt; die Kennzeichnung „aus öffentlichen Quellen“ entfällt."))
    return redirect(url_for("office.project", project_id=project_id))


@bp.post("/projekt/<id:project_id>/anfrage/<id:claim_id>")
@login_required
def claim(project_id: int, claim_id: int):
    """Accept or decline the claim of someone who says they are the project's Träger."""
    get_project_for_office_or_403(project_id)
    form = ApproveForm()
    decision = request.form.get("entscheidung")
    if not form.validate_on_submit() or decision not in ("annehmen", "ablehnen"):
        abort(400)
    version = required_version(form)
    waiting = {c["id"]: c for c in claims.waiting(current_store(), project_id)}
    if claim_id not in waiting:
        flash(_("Diese Anfrage ist schon entschieden."))
        return redirect(url_for("office.project", project_id=project_id))
    try:
        if decision == "ablehnen":
            claims.decline(current_store(), claim_id, current_user.email, version)
            flash(_("Die Anfrage ist abgelehnt; %(email)s bekommt eine kurze Nachricht.",
                    email=waiting[claim_id]["email"]))
        else:
            claims.accept(current_store(), claim_id, current_user.email, version)
            flash(_("Die Anfrage ist angenommen: %(email)s bekommt den privaten Link zum Projekt, die Angaben "
                    "gelten als bestätigt.", email=waiting[claim_id]["email"]))
    except StaleWrite as stale:
        return _changed_meanwhile(stale)
    except (claims.ClaimDecided, claims.NotClaimable):
        flash(_("Diese Anfrage ist schon entschieden."))
    return redirect(url_for("office.project", project_id=project_id))


@bp.route("/projekt/<id:project_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(project_id: int):
    row = get_project_for_office_or_403(project_id)
    form = EditForm(data=_form_data(row, current_store().translations(project_id))) if request.method == "GET" \
        else EditForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        project, errors = validate_project(form.data)
        if not errors:
            services = current_services()
            place, errors = relocate(services.geocoder, row, project, form.lat.data or "", form.lon.data or "")
        if not errors:
            try:
                new = services.store.update(project_id, project, place, actor=current_user.email,
                                            expected_version=required_version(form))
            except StaleWrite as stale:
                form.version.data = str(max(c["row_version"] or 0 for c in stale.changes) if stale.changes
                                        else services.store.get(project_id)["row_version"])
                errors = {"form": STALE_EDIT}
                return render_template("office/edit.html", form=form, errors=errors, project=project_view(row),
                                       limits=LIMITS, meanwhile=stale.changes, actions=ACTION_LABELS,
                                       reference=notices.reference(project_id)), 409
            if new["arl"] != row["arl"]:
                kreis = services.regions.by_rs[new["kreis_rs"]].label
                flash(_("„%(name)s“ liegt jetzt in: %(kreis)s. Zuständig ist das %(amt)s; das Projekt wartet dort "
                        "auf Freigabe.", name=new["name"], kreis=kreis, amt=ARLS[new["arl"]].name))
                return redirect(url_for("office.queue"))
            flash(_("Die Änderungen sind gespeichert."))
            return redirect(url_for("office.project", project_id=project_id))
    elif form.errors:
        errors = {"form": EXPIRED}
    return render_template("office/edit.html", form=form, errors=errors, project=project_view(row),
                           limits=LIMITS, reference=notices.reference(project_id)), 400 if errors else 200


@bp.get("/export.<fmt>")
@login_required
def export(fmt: str):
    if fmt not in ("csv", "geojson"):
        abort(404)
    store = current_store()
    rows = store.rows(arl=current_user.scope)
    body = office_csv(rows, store.decided_at([r["id"] for r in rows])) if fmt == "csv" else export_geojson(rows)
    name = f"projekte-{current_user.scope or 'alle'}.{fmt}"
    mimetype = "text/csv" if fmt == "csv" else "application/geo+json"
    return attachment(body, mimetype, name)


def render_project(row: dict, status: int = 200, **team):
    """The project page, for views of other modules that answer on it (atlas.web.office_team): `team` as
    atlas.web.team_view.project_team takes it (a refused note's text and errors)."""
    return _project_page(row, RejectForm(), **team), status


def _project_page(row: dict, reject: RejectForm, meanwhile: list[dict] | None = None, **team) -> str:
    """The project with its history; the decision forms carry the version shown, so a stale decision is refused, and
    only the decisions that fit it are offered (atlas.bulk.fitting). Who holds it, its notes and its likely
    duplicates: atlas.web.team_view."""
    reject.version.data = str(row["row_version"])
    waiting = submitters.waiting_proposal(current_store(), row["id"])
    team_part = project_team(row, **team)
    view = {"lat": round(row["lat"], 5), "lon": round(row["lon"], 5), "zoom": 14}
    return render_template("office/project.html", map=page_map("projekt"),
                           data=project_data(pd.DataFrame([row]), view=view), project=project_view(row),
                           labels=STATUS_LABELS, actions=ACTION_LABELS, reject=reject, arl=ARLS[row["arl"]],
                           approve=ApproveForm(version=str(row["row_version"])), meanwhile=meanwhile,
                           proposal=waiting, translations=current_store().translations(row["id"]),
                           differences=submitters.differences(row, waiting, current_store().translations(row["id"]))
                           if waiting else [],
                           unconfirmed=freshness.is_unconfirmed(row, _freshness_days()),
                           claims=claims.waiting(current_store(), row["id"]),
                           quelle_stand=stand_text(row["quelle_stand"]), reference=notices.reference(row["id"]),
                           decisions=bulk.fitting(row, team_part["kept_by"]), **project_extras(row), **team_part)


def _refused(row: dict, action: str, version: int):
    """The project page saying why `action` (of atlas.bulk.BULK_ACTIONS) does not fit the project the office saw –
    the rule of the bulk actions – with 409, or None where it fits. Of a project changed since, the store tells
    (StaleWrite)."""
    if version != row["row_version"]:
        return None
    kept_id = current_store().replaced_by(row["id"])
    why = bulk.refusal(action, row, kept_id)
    if why is None:
        return None
    if why == bulk.MERGED:
        flash(_("Nicht entschieden: Dieser Eintrag ist zusammengeführt in %(reference)s. Bitte entscheiden Sie dort "
                "über das Projekt.", reference=notices.reference(kept_id)))
    else:
        flash(_("Nicht entschieden, weil der Status nicht passt: Das Projekt ist „%(status)s“.",
                status=STATUS_LABELS[row["status"]]))
    return _project_page(row, RejectForm()), 409


def _changed_meanwhile(stale: StaleWrite):
    """A decision on a project that changed since the office looked at it: nothing is written, the page shows why."""
    flash(STALE_DECISION)
    return _project_page(current_store().get(stale.project_id), RejectForm(), stale.changes), 409


def get_project_for_office_or_403(project_id: int) -> dict:
    """The project, if the signed-in account may read it (GET) or decide on it (any other method); 404 if unknown,
    403 if someone else's."""
    row = current_store().get(project_id)
    if row is None:
        abort(404)
    allowed = current_user.may_read if request.method in ("GET", "HEAD") else current_user.may_moderate
    if not allowed(row["arl"]):
        abort(403)
    return row


def _form_data(row: dict, translations=()) -> dict:
    data = project_form_data(row, translations)
    data["lat"], data["lon"] = coordinate_text(row["lat"]), coordinate_text(row["lon"])
    return data


def kreise(arl: str | None) -> dict[str, str]:
    """The Kreise of a district (of the state for None) by key, in the order of their names."""
    regions = current_services().regions
    return {rs: k.label for rs, k in sorted(regions.by_rs.items(), key=lambda item: item[1].name)
            if arl is None or k.arl == arl}


def _freshness_days() -> int:
    return current_app.config["FRESHNESS_DAYS"]
