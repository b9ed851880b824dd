"""Submitters, through their private link: the project's status and decision, a proposed change, withdrawal,
and the answers to "is this project still current?"."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from atlas import freshness as freshness_cycle
from atlas import notices, submitters
from atlas.districts import ARLS
from atlas.i18n import _
from atlas.labels import OFFICE_ONLY_ACTIONS
from atlas.present import project_view
from atlas.projects import LIMITS, validate_project
from atlas.store import ARCHIVED, PENDING, StaleWrite
from atlas.submission import relocate
from atlas.text import whole_number
from atlas.web import current_services, current_store
from atlas.web.forms import (
    EXPIRED,
    ActionForm,
    ProposalForm,
    TakeBackForm,
    WithdrawForm,
    project_form_data,
    required_version,
    version_of,
)
from atlas.web.headers import no_store
from atlas.web.limits import limiter, submit_limit
from atlas.web.office import STATUS_LABELS

bp = Blueprint("mine", __name__)
bp.after_request(no_store)  # a private page is never kept by a browser or proxy cache


@bp.get("/mein-projekt/<token>")
def status(token: str):
    row = _project_or_404(token)
    return _status_page(row, token, WithdrawForm(version=str(row["row_version"])))


def _status_page(row: dict, token: str, withdraw: WithdrawForm):
    store = current_store()
    return render_template("mine/status.html", project=row, view=project_view(row), token=token,
                           labels=STATUS_LABELS, arl=ARLS[row["arl"]],
                           proposal=submitters.waiting_proposal(store, row["id"]),
                           decisions=[c for c in store.history(row["id"])  # the offices' own steps stay theirs
                                      if c["action"] != "edited" and c["action"] not in OFFICE_ONLY_ACTIONS],
                           withdraw=withdraw, reference=notices.reference(row["id"]),
                           take_back=TakeBackForm(version=str(row["row_version"])))


@bp.route("/mein-projekt/<token>/aendern", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])  # each proposal mails the district's office accounts
def edit(token: str):
    row = _project_or_404(token)
    if row["status"] == ARCHIVED:
        flash(_("Das Projekt ist archiviert; es kann nicht mehr geändert werden."))
        return redirect(url_for("mine.status", token=token))
    form = ProposalForm(data=project_form_data(row, current_store().translations(row["id"]))) \
        if request.method == "GET" else ProposalForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        project, errors = validate_project(form.data)
        if not errors:
            services = current_services()
            place, errors = relocate(services.geocoder, row, project, "", "")
        if not errors and submitters.changes_nothing(services.store, row, project, place):
            errors = {"form": _("Sie haben nichts geändert. Bitte ändern Sie, was am Projekt nicht mehr stimmt, "
                                "und senden Sie den Vorschlag dann.")}
        if not errors:
            try:
                submitters.propose(services.store, row["id"], project, place,
                                   version_of(form) or row["row_version"])
            except submitters.Archived:  # archived while the form was open
                flash(_("Das Projekt ist archiviert; es kann nicht mehr geändert werden."))
                return redirect(url_for("mine.status", token=token))
            flash(_("Ihr Vorschlag ist beim Amt. Es prüft ihn zusammen mit Ihrem Projekt.") if row["status"] == PENDING
                  else _("Ihr Vorschlag ist beim Amt. Er wird veröffentlicht, sobald das Amt ihn freigibt."))
            return redirect(url_for("mine.status", token=token))
    elif form.errors:
        errors = {"form": EXPIRED}
    return _edit_page(row, token, form, errors), 400 if errors else 200


@bp.errorhandler(429)
def too_many(_error):
    """Too many proposals from one client: say so, and keep what was typed."""
    token = request.view_args["token"]
    message = _("Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Änderungsvorschläge. Bitte warten Sie eine "
                "Weile und senden Sie das Formular dann noch einmal – Ihre Eingaben sind erhalten.")
    return _edit_page(_project_or_404(token), token, ProposalForm(), {"form": message}), 429


def _edit_page(row: dict, token: str, form: ProposalForm, errors: dict[str, str]) -> str:
    return render_template("mine/edit.html", form=form, errors=errors, project=row, token=token, limits=LIMITS)


@bp.post("/mein-projekt/<token>/vorschlag-zuruecknehmen")
def take_back(token: str):
    """The submitter takes back the proposal that waits (a wrong one: sending the project as it is is refused)."""
    row = _project_or_404(token)
    form = TakeBackForm()
    proposal_id = whole_number((form.vorschlag.data or "").strip())
    if not form.validate_on_submit() or proposal_id is None:
        abort(400)
    try:
        taken = submitters.take_back(current_store(), row["id"], proposal_id, required_version(form))
    except StaleWrite:
        taken = False
    flash(_("Ihr Vorschlag ist zurückgenommen. Das Projekt bleibt, wie es ist.") if taken else
          _("Der Vorschlag wartet nicht mehr: Das Amt hat inzwischen entschieden, oder ein neuerer ersetzt ihn. "
            "Bitte prüfen Sie den Stand."))
    return redirect(url_for("mine.status", token=token))


@bp.post("/mein-projekt/<token>/zurueckziehen")
def withdraw(token: str):
    row = _project_or_404(token)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    if row["status"] != ARCHIVED and not form.sure.data:  # a withdrawal is asked for twice: it cannot be undone
        form.sure.errors = [_("Bitte bestätigen Sie, dass Sie das Projekt zurückziehen möchten.")]
        return _status_page(row, token, form), 400
    if row["status"] != ARCHIVED:
        try:
            submitters.withdraw(current_store(), row["id"], required_version(form))
        except StaleWrite:
            flash(_("Das Projekt wurde inzwischen geändert. Bitte prüfen Sie den Stand und ziehen Sie es dann "
                    "erneut zurück."))
            return redirect(url_for("mine.status", token=token))
    flash(_("Das Projekt ist zurückgezogen: Es erscheint nicht mehr im Atlas, und Ihre E-Mail-Adresse ist "
            "gelöscht."))
    return redirect(url_for("mine.status", token=token))


@bp.route("/frische/<token>", methods=["GET", "POST"])
def freshness(token: str):
    """The links of the freshness mail lead here; the answer is one button (a mail scanner's visit answers
    nothing)."""
    choice = request.values.get("antwort", "")
    if choice not in (freshness_cycle.CURRENT, freshness_cycle.ENDED):
        abort(404)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        row = freshness_cycle.answer(current_store(), token, choice)
        if row is None:
            return _invalid()
        return render_template("mine/freshness.html", done=True, choice=choice, project=row)
    row = freshness_cycle.asked_project(current_store(), token)
    if row is None:
        return _invalid()
    return render_template("mine/freshness.html", done=False, choice=choice, project=row)


def _project_or_404(token: str) -> dict:
    row = submitters.project_by_link(current_store(), token)
    if row is None:
        abort(_invalid())
    return row


def _invalid():
    """An unknown, used or expired link: a page that says so (404), never an error."""
    return current_app.make_response((render_template("mine/invalid.html"), 404))
