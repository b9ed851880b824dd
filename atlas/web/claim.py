"""„Ist das Ihr Projekt?“: the Träger of an entry gathered from a public source asks to take it over
(atlas.claims); the district's office decides."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for

from atlas import claims
from atlas.i18n import _, current_language
from atlas.present import project_view
from atlas.text import clean_text, email_address
from atlas.web import current_store
from atlas.web.forms import EXPIRED, ClaimForm
from atlas.web.headers import no_store
from atlas.web.limits import limiter, submit_limit
from atlas.web.project_forms import form_page, sent, thanks_page
from atlas.web.reader import get_published_or_404

bp = Blueprint("claim", __name__)
bp.after_request(no_store)
MESSAGE_LIMIT = 2000


@bp.route("/projekt/<id:project_id>/bestaetigen", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def claim(project_id: int):
    row = _claimable_or_404(project_id)
    form = ClaimForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        if form.homepage.data:  # a bot filled the hidden field: it is told what a person would be told
            return _thanks(project_id)
        email, message, errors = validate(form.email.data, form.nachricht.data)
        if not errors:
            try:
                # an address with a claim waiting for this project makes no second one; it hears the same
                claims.make(current_store(), project_id, email, message, current_language())
            except claims.NotClaimable:
                abort(404)
            return _thanks(project_id)
    elif form.errors:
        errors = {"form": EXPIRED}
    return render_claim(row, form, errors)


def validate(raw_email: str | None, raw_message: str | None) -> tuple[str, str, dict[str, str]]:
    """The claimant's address (exactly as mail will go to it) and message, or what is wrong with them."""
    errors = {}
    typed = clean_text(raw_email).strip()
    email = email_address(typed) if typed else None
    if not typed:
        errors["email"] = _("Bitte geben Sie Ihre E-Mail-Adresse an: An sie geht der private Link zum Projekt.")
    elif email is None:
        errors["email"] = _("„%(email)s“ ist keine gültige E-Mail-Adresse.", email=typed[:60])
    message = clean_text(raw_message, multiline=True)
    if len(message) > MESSAGE_LIMIT:
        errors["nachricht"] = _("Die Nachricht ist zu lang: höchstens %(limit)s Zeichen, eingegeben %(count)s.",
                                limit=MESSAGE_LIMIT, count=len(message))
    return email or "", message, errors


def render_claim(row: dict, form: ClaimForm, errors: dict, status: int | None = None):
    return form_page("claim/form.html", row, form, errors, status, limit=MESSAGE_LIMIT)


@bp.get("/projekt/<id:project_id>/bestaetigen/danke")
def thanks(project_id: int):
    return thanks_page("claimed", project_id, "claim/thanks.html")


@bp.errorhandler(429)
def too_many(_error):
    """Too many claims from one client: say so, and keep what was typed."""
    row = _claimable_or_404(request.view_args["project_id"])
    message = _("Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Anfragen. Bitte warten Sie eine Weile und "
                "senden Sie das Formular dann noch einmal – Ihre Eingaben sind erhalten.")
    return render_claim(row, ClaimForm(), {"form": message}, status=429)


def _claimable_or_404(project_id: int) -> dict:
    """A published entry gathered from a public source that its Träger has not confirmed yet."""
    row = get_published_or_404(project_id)
    if project_view(row)["source"] is None:
        abort(404)
    return row


def _thanks(project_id: int):
    sent("claimed", project_id)
    return redirect(url_for("claim.thanks", project_id=project_id))
