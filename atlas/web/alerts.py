"""Volunteers and newcomers: an e-mail when new projects appear around their place (double opt-in, no account)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from atlas import alerts
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _, current_language
from atlas.text import clean_text, email_address
from atlas.web import current_services, current_store
from atlas.web.forms import EXPIRED, ActionForm, AlertForm
from atlas.web.headers import no_store
from atlas.web.limits import alert_limit, limiter

bp = Blueprint("alerts", __name__, url_prefix="/benachrichtigung")
bp.after_request(no_store)


@bp.route("", methods=["GET", "POST"])
@limiter.limit(alert_limit, methods=["POST"])
def subscribe():
    form = AlertForm() if request.method == "POST" else AlertForm(data=_asked(request.args))
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        if form.homepage.data:  # a bot filled the hidden field: it is told what a person would be told
            return redirect(url_for("alerts.thanks"))
        email = clean_text(form.email.data).strip()
        errors = alerts.validate(email, form.umkreis.data or "", form.rhythmus.data or "")
        place_text = clean_text(form.ort.data)[:300]
        if not place_text:
            errors["ort"] = _("Bitte geben Sie einen Ort oder eine PLZ an.")
        else:
            located = current_services().geocoder.geocode(place_text)
            if not located.ok:
                errors["ort"] = located.message
        if not errors:
            fields = [slug for slug in HANDLUNGSFELDER if slug in (form.handlungsfelder.data or [])]
            email = email_address(email)  # exactly the address that was checked
            wanted = alerts.Request(email, located.place, int(form.umkreis.data), fields, form.rhythmus.data,
                                    current_language())
            _id, mailed = alerts.subscribe(current_store(), wanted)
            return redirect(url_for("alerts.thanks", **({} if mailed else {"schon": "1"})))
    elif form.errors:
        errors = {"form": EXPIRED}
    return render_template("alerts/form.html", form=form, errors=errors), 400 if errors else 200


def _asked(args) -> dict:
    """What a link may fill in ahead (a search that found nothing offers an alert for its place and filters)."""
    data = {"ort": clean_text(args.get("ort"))[:100],
            "handlungsfelder": [slug for slug in HANDLUNGSFELDER if slug in args.getlist("hf")]}
    if args.get("umkreis") in {str(r) for r in alerts.RADII}:
        data["umkreis"] = args["umkreis"]
    return data


@bp.errorhandler(429)
def too_many(_error):
    """Too many sign-ups from one client: say so, and keep what was typed."""
    message = _("Von Ihrem Anschluss kamen in kurzer Zeit sehr viele Anmeldungen. Bitte warten Sie eine Weile und "
                "senden Sie das Formular dann noch einmal – Ihre Eingaben sind erhalten.")
    return render_template("alerts/form.html", form=AlertForm(), errors={"form": message}), 429


@bp.get("/danke")
def thanks():
    return render_template("alerts/thanks.html", already=request.args.get("schon") == "1")


@bp.route("/bestaetigen/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The link of the confirmation mail shows one button; only pressing it confirms (a mail scanner's visit
    does not)."""
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        subscription = alerts.confirm(current_store(), token)
        if subscription is None:
            return render_template("mine/invalid.html"), 404
        return render_template("alerts/confirmed.html", subscription=subscription)
    return render_template("alerts/confirm.html")


@bp.route("/abmelden/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET: a page with one button. POST: the one-click unsubscription of RFC 8058 (a mail program posts
    `List-Unsubscribe=One-Click` without a CSRF token: the secret link is the proof)."""
    if request.method == "POST":
        if not alerts.unsubscribe(current_store(), token):
            return render_template("mine/invalid.html"), 404
        return render_template("alerts/unsubscribed.html")
    if alerts.subscription_by_link(current_store(), token) is None:
        return render_template("mine/invalid.html"), 404
    return render_template("alerts/unsubscribe.html")
