"""The offices' way in and their account page, on the office blueprint: the login in two steps (the password,
then – for an account with a second factor – a code of its app or a recovery code), logout, notifications, and
enrolling the second factor.

Between the steps the signed session cookie holds only which account waits for its code and since when
(`HALFWAY`): no office session exists yet, so every office page still sends the browser to the login. Both steps
count against the login's rate limits, per client and per account.
"""

from __future__ import annotations

import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from atlas.accounts import (
    User,
    authenticate,
    end_other_sessions,
    end_session,
    notify_choice,
    set_notify,
    start_session,
    user_by_id,
)
from atlas.hashing import Busy
from atlas.i18n import _, lazy, plural
from atlas.poster import qr_svg
from atlas.second_factor import SecretUnreadable
from atlas.web.forms import EXPIRED, ActionForm, CodeForm, EnrolForm, LoginForm, NotifyForm
from atlas.web.limits import HALFWAY, account_login_limit, failed, limiter, login_account, login_limit
from atlas.web.office import bp

HALFWAY_SECONDS = 5 * 60  # the code must follow the password within this time
# what an account that must enrol (ATLAS_REQUIRE_2FA) may still open; the account page for reading only
ENROLMENT_ONLY = {"office.login", "office.login_code", "office.logout", "office.account", "office.enrol"}

WRONG_CODE = lazy("Der Code stimmt nicht oder wurde schon verwendet. Bitte geben Sie den nächsten Code ein, den "
                  "Ihre App zeigt.")
WRONG_RECOVERY = lazy("Dieser Wiederherstellungscode stimmt nicht oder wurde schon verwendet.")
NO_CODE = lazy("Bitte geben Sie den sechsstelligen Code aus Ihrer App ein.")
UNREADABLE = lazy("Ihr zweiter Faktor lässt sich nicht mehr prüfen, weil der Schlüssel des Atlas geändert wurde. "
                  "Melden Sie sich mit einem Wiederherstellungscode an, oder bitten Sie den Betrieb, Ihren zweiten "
                  "Faktor zurückzusetzen.")
TOO_SLOW = lazy("Die Anmeldung hat zu lange gedauert. Bitte melden Sie sich noch einmal an.")
ENROL_FIRST = lazy("Bitte richten Sie zuerst den zweiten Faktor ein. Vorher sind die anderen Seiten gesperrt.")
WRONG_FIRST_CODE = lazy("Der Code stimmt nicht. Prüfen Sie, ob die Uhrzeit Ihres Telefons stimmt, und geben Sie den "
                        "Code ein, den die App gerade zeigt.")


@bp.before_request
def enrolment_first():
    """With ATLAS_REQUIRE_2FA an account without a second factor can only enrol (or log out), whatever it asks."""
    if not second_factor_required() or not current_user.is_authenticated or current_user.second_factor:
        return None
    if request.endpoint in ENROLMENT_ONLY and not (request.endpoint == "office.account" and request.method == "POST"):
        return None
    flash(ENROL_FIRST)
    return redirect(url_for("office.account"))


@bp.route("/anmelden", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
@limiter.shared_limit(account_login_limit, scope="login-account", key_func=login_account, methods=["POST"],
                      deduct_when=failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        session.pop(HALFWAY, None)
        try:
            user = authenticate(_services().store, form.email.data, form.password.data)
        except Busy:
            form.password.errors.append(_("Gerade melden sich sehr viele an. Bitte versuchen Sie es in einer Minute "
                                          "noch einmal."))
            return render_template("office/login.html", form=form), 503
        if user and user.second_factor:
            session[HALFWAY] = {"user": user.id, "email": user.email, "at": int(time.time())}
            return redirect(url_for("office.login_code"))
        if user:
            return _sign_in(user)
        # no sleep here: guessing is slowed by the rate limits, and a sleeping thread would serve nobody else
        form.password.errors.append(_("E-Mail-Adresse oder Passwort stimmen nicht."))
    return render_template("office/login.html", form=form), 200 if not form.errors else 400


@bp.route("/anmelden/code", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope="login", methods=["POST"])
@limiter.shared_limit(account_login_limit, scope="login-account", key_func=login_account, methods=["POST"],
                      deduct_when=failed)
def login_code():
    """The second step: a code of the account's app, or one of its recovery codes."""
    halfway = _halfway()
    if halfway is None:
        return redirect(url_for("office.login"))
    form = CodeForm()
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        user_id, email = halfway["user"], halfway["email"]
        factor = _services().second_factor
        recovery = (form.recovery.data or "").strip()
        try:
            if recovery:
                right = factor.use_recovery_code(user_id, email, recovery)
            else:
                right = bool((form.code.data or "").strip()) and factor.verify(user_id, form.code.data)
        except SecretUnreadable:
            right, errors = False, {"code": UNREADABLE}
        user = user_by_id(_services().store, user_id) if right else None
        if user is not None:
            session.pop(HALFWAY, None)
            if recovery:
                left = factor.recovery_codes_left(user_id)
                flash(plural("Sie haben einen Wiederherstellungscode verwendet. Noch %(num)s ist unbenutzt; neue "
                             "erzeugen Sie unter „Konto“.", "Sie haben einen Wiederherstellungscode verwendet. Noch "
                             "%(num)s sind unbenutzt; neue erzeugen Sie unter „Konto“.", left))
            return _sign_in(user)
        if not errors:
            errors = ({"recovery": WRONG_RECOVERY} if recovery else
                      {"code": WRONG_CODE if (form.code.data or "").strip() else NO_CODE})
    elif form.errors:
        errors = {"form": EXPIRED}
    form.code.data = form.recovery.data = ""  # a one-time code is of no use again
    return render_template("office/login_code.html", form=form, errors=errors), 400 if errors else 200


@bp.post("/abmelden")
@login_required
def logout():
    if not ActionForm().validate_on_submit():
        abort(400)
    end_session(_services().store, current_user.session_token)
    logout_user()
    session.pop(HALFWAY, None)
    flash(_("Sie sind abgemeldet."))
    return redirect(url_for("office.login"))


@bp.route("/konto", methods=["GET", "POST"])
@login_required
def account():
    """How the account hears of new submissions and proposals (a mail each, or a digest a day), and its second
    factor: enrolment while it has none."""
    form = NotifyForm()
    if form.validate_on_submit():
        set_notify(_services().store, current_user.id, form.notify.data)
        flash(_("Gespeichert."))
        return redirect(url_for("office.account"))
    if request.method == "GET":
        form.notify.data = notify_choice(_services().store, current_user.id)
    return _account_page(form, {}), 400 if form.errors else 200


@bp.post("/konto/zweiter-faktor")
@login_required
def enrol():
    """The first code of the app makes the second factor count; the recovery codes are shown this once."""
    form = EnrolForm()
    factor = _services().second_factor
    if not form.validate_on_submit():
        return _account_page(_notify_form(), {"form": EXPIRED}), 400
    if factor.enrolled(current_user.id):
        flash(_("Der zweite Faktor ist schon eingerichtet."))
        return redirect(url_for("office.account"))
    codes = factor.confirm(current_user.id, current_user.email, form.code.data or "")
    if codes is None:
        return _account_page(_notify_form(), {"code": WRONG_FIRST_CODE}), 400
    end_other_sessions(_services().store, current_user.id, current_user.session_token)
    return render_template("office/recovery_codes.html", codes=codes, first=True)


@bp.post("/konto/wiederherstellungscodes")
@login_required
def renew_recovery_codes():
    """Ten new recovery codes for a current code of the app; the old ones stop working."""
    form = EnrolForm()
    if not form.validate_on_submit():
        return _account_page(_notify_form(), {"form": EXPIRED}), 400
    try:
        codes = _services().second_factor.renew_recovery_codes(current_user.id, current_user.email,
                                                               form.code.data or "")
    except SecretUnreadable:
        return _account_page(_notify_form(), {"code": UNREADABLE}), 400
    if codes is None:
        return _account_page(_notify_form(), {"code": WRONG_CODE}), 400
    return render_template("office/recovery_codes.html", codes=codes, first=False)


def second_factor_required() -> bool:
    return current_app.config["REQUIRE_2FA"]


def _sign_in(user: User):
    """The office session starts: at the queue, or at enrolment where a second factor is required and missing."""
    login_user(start_session(_services().store, user))
    if second_factor_required() and not user.second_factor:
        flash(_("Für Ihr Konto ist ein zweiter Faktor vorgeschrieben. Bitte richten Sie ihn jetzt ein."))
        return redirect(url_for("office.account"))
    return redirect(url_for("office.dashboard"))


def _halfway() -> dict | None:
    """The account waiting for its code, if its password was right a few minutes ago at most."""
    halfway = session.get(HALFWAY)
    if not isinstance(halfway, dict):
        return None
    if not 0 <= time.time() - float(halfway.get("at", 0)) <= HALFWAY_SECONDS:
        session.pop(HALFWAY, None)
        flash(TOO_SLOW)
        return None
    return halfway


def _account_page(notify: NotifyForm, errors: dict):
    factor = _services().second_factor
    enrolment = factor.pending(current_user.id, current_user.email)
    return render_template("office/account.html", form=notify, code_form=EnrolForm(formdata=None),
                           enrolment=enrolment, qr=qr_svg(enrolment.uri) if enrolment else None,
                           codes_left=None if enrolment else factor.recovery_codes_left(current_user.id),
                           must_enrol=bool(enrolment) and second_factor_required(), errors=errors)


def _notify_form() -> NotifyForm:
    form = NotifyForm(formdata=None)
    form.notify.data = notify_choice(_services().store, current_user.id)
    return form


def _services():
    return current_app.extensions["atlas"]
