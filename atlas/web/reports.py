"""„Eintrag melden“ on every project page (the public), and how an office resolves a report (atlas.reports)."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, RadioField, SelectChoice, StringField, TextAreaField

from atlas import reports
from atlas.i18n import _, current_language, lazy
from atlas.store import PUBLISHED, StaleWrite
from atlas.text import clean_text, email_address
from atlas.web import current_store, office
from atlas.web.forms import EXPIRED, required_version
from atlas.web.headers import no_store
from atlas.web.limits import limiter, report_limit
from atlas.web.project_forms import form_page, sent, thanks_page
from atlas.web.reader import get_published_or_404

bp = Blueprint("report", __name__)
bp.after_request(no_store)
MESSAGE_LIMIT = 2000
OTHER_ENTRY = re.compile(r"(?:/projekt/|\bGS-?)0*(\d{1,9})\b|^0*(\d{1,9})$", re.IGNORECASE)


class ReportForm(FlaskForm):
    art = RadioField(lazy("Was stimmt nicht?"), choices=[SelectChoice(k, lazy(v)) for k, v in reports.KINDS.items()],
                     validate_choice=False)
    dublette = StringField(lazy("Der andere Eintrag (Link oder Nummer, bei „doppelt“)"))
    nachricht = TextAreaField(lazy("Ihre Nachricht an das Amt (freiwillig)"))
    email = EmailField(lazy("Ihre E-Mail-Adresse für eine Antwort (freiwillig)"))
    homepage = StringField(lazy("Bitte dieses Feld leer lassen"))  # a honeypot: people do not see it, bots fill it


@bp.route("/projekt/<id:project_id>/melden", methods=["GET", "POST"])
@limiter.limit(report_limit, methods=["POST"])
def report(project_id: int):
    row = get_published_or_404(project_id)
    form = ReportForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        if form.homepage.data:  # a bot filled the hidden field: it is told what a person would be told
            return _thanks(project_id)
        kind, other, message, email, errors = validate(project_id, form)
        if not errors:
            try:
                reports.make(current_store(), project_id, kind, message, email, current_language(), other)
            except reports.NotReportable:
                abort(404)
            return _thanks(project_id)
    elif form.errors:
        errors = {"form": EXPIRED}
    return render_report(row, form, errors)


def validate(project_id: int, form: ReportForm) -> tuple[str, int | None, str, str, dict[str, str]]:
    """What was reported, or what is wrong with it: the kind, the other entry of a duplicate (a published project
    other than this one), the message, the address for an answer (exactly as mail will go to it)."""
    errors = {}
    kind = form.art.data if form.art.data in reports.KINDS else ""
    if not kind:
        errors["art"] = _("Bitte wählen Sie, was nicht stimmt.")
    other = None
    typed_other = clean_text(form.dublette.data)[:300]
    if kind == "dublette":
        found = OTHER_ENTRY.search(typed_other)
        other = int(found.group(1) or found.group(2)) if found else None
        row = current_store().get(other) if other and other < 2**31 else None
        if not typed_other:
            errors["dublette"] = _("Bitte nennen Sie den anderen Eintrag: seinen Link oder seine Nummer (GS-000042).")
        elif row is None or row["status"] != PUBLISHED or other == project_id:
            errors["dublette"] = _("„%(value)s“ ist kein anderer Eintrag im Atlas. Bitte kopieren Sie den Link "
                                   "seiner Seite.", value=typed_other[:60])
    message = clean_text(form.nachricht.data, multiline=True)
    if len(message) > MESSAGE_LIMIT:
        errors["nachricht"] = _("Die Nachricht ist zu lang: höchstens %(limit)s Zeichen, eingegeben %(count)s.",
                                limit=MESSAGE_LIMIT, count=len(message))
    typed = clean_text(form.email.data)
    email = email_address(typed) if typed else ""
    if typed and email is None:
        errors["email"] = _("„%(email)s“ ist keine gültige E-Mail-Adresse.", email=typed[:60])
    return kind, other, message, email or "", errors


def render_report(row: dict, form: ReportForm, errors: dict, status: int | None = None):
    return form_page("public/report.html", row, form, errors, status, limit=MESSAGE_LIMIT)


@bp.get("/projekt/<id:project_id>/melden/danke")
def thanks(project_id: int):
    return thanks_page("reported", project_id, "public/report_thanks.html")


@bp.errorhandler(429)
def too_many(_error):
    """Too many reports from one client: say so, and keep what was typed."""
    row = get_published_or_404(request.view_args["project_id"])
    message = _("Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Meldungen. Bitte warten Sie eine Weile und "
                "senden Sie das Formular dann noch einmal – Ihre Eingaben sind erhalten.")
    return render_report(row, ReportForm(), {"form": message}, status=429)


@office.bp.post("/meldung/<id:report_id>")
@login_required
def resolve_report(report_id: int):
    """The office resolves a report: corrected, archived, archived as a duplicate, or dismissed."""
    with_report = _report(report_id)
    row = office.get_project_for_office_or_403(with_report["project_id"])
    bound = _VersionForm()
    resolution = request.form.get("erledigung", "")
    if not bound.validate_on_submit() or resolution not in reports.RESOLUTIONS:
        abort(400)
    try:
        reports.resolve(current_store(), report_id, resolution, current_user.email, required_version(bound))
    except StaleWrite as stale:
        return office._changed_meanwhile(stale)
    except reports.NoDuplicateNamed:
        abort(400)  # the page offers it only for a report that names the other entry (reports.resolutions)
    except reports.ReportResolved:
        flash(_("Diese Meldung ist schon erledigt."))
        return redirect(url_for("office.project", project_id=row["id"]))
    flash(_("Die Meldung ist erledigt.") + (" " + _("Die meldende Person bekommt eine kurze Antwort.")
                                             if with_report["email"] else ""))
    return redirect(url_for("office.project", project_id=row["id"]))


class _VersionForm(FlaskForm):
    version = HiddenField()


def _report(report_id: int) -> dict:
    row = reports.get(current_store(), report_id)
    if row is None:
        abort(404)
    return row


def _thanks(project_id: int):
    sent("reported", project_id)
    return redirect(url_for("report.thanks", project_id=project_id))
