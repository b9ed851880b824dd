"""The admin's account management (create, deactivate, activate, reset a password, change a role – each in the
audit log), the activity log per office (filterable, exportable), and the observer's rule: it reads everything and
every write is refused (403). On the office blueprint."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from atlas import account_admin, audit
from atlas.accounts import ADMIN, OBSERVER, OFFICE, ROLES, AccountExists, account_email, create_user
from atlas.districts import ARLS
from atlas.i18n import _, lazy
from atlas.labels import ACTION_LABELS
from atlas.present import local_time
from atlas.text import clean_text, whole_number
from atlas.transfer import spreadsheet_cell
from atlas.web import current_store
from atlas.web.forms import ActionForm
from atlas.web.office import bp
from atlas.web.prepared import attachment

# What an observer may still post: its own session and account (signing in and out, its notifications, its second
# factor). Every other POST of the office blueprint is a write and answers 403 (tests/test_office_roles.py checks
# every POST route the app has, so a new one cannot be forgotten).
OBSERVER_MAY_POST = {"office.login", "office.login_code", "office.logout", "office.account", "office.enrol",
                     "office.renew_recovery_codes"}
ROLE_LABELS = {OFFICE: lazy("Amt (sein Bezirk)"), ADMIN: lazy("Admin (alles, auch Konten)"),
               OBSERVER: lazy("Beobachtung (liest alles, ändert nichts)")}
AUDIT_LABELS = {audit.ACCOUNT_CREATED: lazy("Konto angelegt"), audit.ACCOUNT_DEACTIVATED: lazy("Konto deaktiviert"),
                audit.ACCOUNT_ACTIVATED: lazy("Konto aktiviert"), audit.PASSWORD_RESET: lazy("Passwort zurückgesetzt"),
                audit.ROLE_CHANGED: lazy("Rolle geändert"),
                audit.SECOND_FACTOR_ENROLLED: lazy("Zweiter Faktor eingerichtet"),
                audit.SECOND_FACTOR_RESET: lazy("Zweiter Faktor zurückgesetzt"),
                audit.RECOVERY_CODE_USED: lazy("Wiederherstellungscode verwendet"),
                audit.RECOVERY_CODES_RENEWED: lazy("Wiederherstellungscodes erneuert")}
EXPORT_LIMIT = 100_000


@bp.before_request
def observer_reads_only():
    if (request.method not in ("GET", "HEAD", "OPTIONS") and current_user.is_authenticated
            and getattr(current_user, "is_observer", False) and request.endpoint not in OBSERVER_MAY_POST):
        abort(403, _("Ihr Konto darf nur lesen."))


@bp.get("/konten")
@login_required
def account_list():
    if not current_user.reads_all:
        abort(403)
    return _accounts_page()


@bp.post("/konten")
@login_required
def account_create():
    """A new account, its password shown once; what is wrong is named at its field, with what was chosen kept."""
    _admin_only()
    typed = {"email": clean_text(request.form.get("email"))[:254], "rolle": request.form.get("rolle", ""),
             "bezirk": request.form.get("bezirk") or None}
    if typed["rolle"] not in ROLES:
        abort(400)
    errors = _new_account_problems(typed)
    if errors:
        return _accounts_page(errors=errors, typed=typed), 400
    password = account_admin.temporary_password()
    role = typed["rolle"]
    try:
        user = create_user(current_store(), typed["email"], password, arl=typed["bezirk"] if role == OFFICE else None,
                           admin=role == ADMIN, observer=role == OBSERVER, actor=current_user.email)
    except AccountExists:
        errors = {"neu-email": _("Ein Konto für %(email)s gibt es schon.", email=account_email(typed["email"]))}
        return _accounts_page(errors=errors, typed=typed), 409
    return _accounts_page(new_password={"email": user.email, "password": password,
                                        "message": _("Konto %(email)s angelegt.", email=user.email)})


def _new_account_problems(typed: dict) -> dict[str, str]:
    """What keeps the new account's form from making one, by the id of its field."""
    errors = {}
    if account_email(typed["email"]) is None:
        errors["neu-email"] = _("„%(email)s“ ist keine gültige E-Mail-Adresse.", email=typed["email"])
    if typed["rolle"] == OFFICE and typed["bezirk"] not in ARLS:
        errors["neu-bezirk"] = _("Ein Amtskonto braucht seinen Amtsbezirk.")
    return errors


@bp.post("/konten/<id:user_id>")
@login_required
def account_change(user_id: int):
    """Deactivate, activate, reset the password or change the role of an account."""
    _admin_only()
    act = request.form.get("aktion", "")
    row = account_admin.account(current_store(), user_id)
    if row is None:
        abort(404)
    try:
        if act in ("deaktivieren", "aktivieren"):
            account_admin.set_active(current_store(), user_id, act == "aktivieren", current_user.id, current_user.email)
            flash(_("%(email)s ist deaktiviert; seine Sitzungen sind beendet.", email=row["email"])
                  if act == "deaktivieren" else _("%(email)s ist wieder aktiv.", email=row["email"]))
        elif act == "passwort":
            _row, password = account_admin.reset_password(current_store(), user_id, current_user.email)
            return _accounts_page(new_password={"email": row["email"], "password": password,
                                                "message": _("Neues Passwort für %(email)s.", email=row["email"])})
        elif act == "rolle":
            role, arl = request.form.get("rolle", ""), request.form.get("bezirk") or None
            if role not in ROLES or (role == OFFICE and arl not in ARLS):
                flash(_("Ein Amtskonto braucht seinen Amtsbezirk."))
                return redirect(url_for("office.account_list"))
            account_admin.change_role(current_store(), user_id, role, arl, current_user.id, current_user.email)
            flash(_("Die Rolle von %(email)s ist geändert; seine Sitzungen sind beendet.", email=row["email"]))
        else:
            abort(400)
    except account_admin.OwnAccount:
        flash(_("Ihr eigenes Konto können Sie nicht deaktivieren oder herabstufen."))
    return redirect(url_for("office.account_list"))


@bp.get("/aktivitaet")
@login_required
def activity():
    """Who did what, when, in the district (an office's own; the admin and the observer choose one or all)."""
    arl, actor, action, since, until, page = _activity_filter()
    rows, total = current_store().activity(arl, actor, action, since, until, offset=(page - 1) * 100,
                                    accounts=current_user.reads_all and arl is None)
    pages = max(1, -(-total // 100))
    return render_template("office/activity.html", rows=rows, total=total, page=page, pages=pages, arl=arl,
                           arls=ARLS, actor=actor, action=action, since=request.args.get("von", ""),
                           until=request.args.get("bis", ""), actions=_action_labels(), labels=_action_labels())


@bp.get("/aktivitaet.csv")
@login_required
def activity_csv():
    arl, actor, action, since, until, _page = _activity_filter()
    rows, _total = current_store().activity(arl, actor, action, since, until, limit=EXPORT_LIMIT,
                                     accounts=current_user.reads_all and arl is None)
    labels = _action_labels()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Zeit"), _("Wer"), _("Was"), _("Projekt"), _("Nummer"), _("Amtsbezirk"), _("Einzelheiten")])
    for row in rows:
        writer.writerow([spreadsheet_cell(str(v)) for v in (
            local_time(row["at"]), row["actor"], labels.get(row["action"], row["action"]), row["name"] or "",
            f"GS-{row['project_id']:06d}" if row["project_id"] else "",
            ARLS[row["arl"]].name if row["arl"] in ARLS else "", row["detail"][:500])])
    name = f"aktivitaet-{arl or 'alle'}.csv"
    return attachment(("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv", name)


def _activity_filter():
    arl = current_user.scope
    if arl is None and request.args.get("bezirk"):
        if request.args["bezirk"] not in ARLS:
            abort(400, _("Unbekannter Amtsbezirk."))
        arl = request.args["bezirk"]
    actor = clean_text(request.args.get("wer"))[:254]
    action = request.args.get("was", "")
    if action and action not in _action_labels():
        abort(400, _("Unbekannte Aktion."))
    since, until = _day(request.args.get("von")), _day(request.args.get("bis"))
    page = whole_number(request.args.get("seite", "1"))
    if page is None or not 1 <= page <= 100_000:
        abort(400)
    return arl, actor, action, since, until + timedelta(days=1) if until else None, page


def _day(text: str | None) -> datetime | None:
    """A date of the form (YYYY-MM-DD) as the start of that day in Niedersachsen; anything else is a 400."""
    if not text:
        return None
    try:
        from zoneinfo import ZoneInfo

        return datetime.strptime(text[:10], "%Y-%m-%d").replace(tzinfo=ZoneInfo("Europe/Berlin"))
    except ValueError:
        abort(400, _("Bitte ein Datum wie 2026-03-31 angeben."))


def _action_labels() -> dict[str, str]:
    labels = {key: _(label) for key, label in ACTION_LABELS.items()}
    labels.update({key: str(label) for key, label in AUDIT_LABELS.items()})
    return labels


def _accounts_page(new_password: dict | None = None, errors: dict | None = None, typed: dict | None = None):
    """The accounts page as the answer to an admin's act: a new password is shown this once (not in a flash kept in
    the cookie); a new account's form that made none comes back with what is wrong and what was chosen."""
    store = current_store()
    return render_template("office/accounts.html", accounts=account_admin.accounts(store), roles=ROLE_LABELS,
                           arls=ARLS, form=ActionForm(), log=audit.entries(store)[:50], audit_labels=AUDIT_LABELS,
                           may_act=current_user.is_admin, new_password=new_password, errors=errors or {},
                           typed=typed or {})


def _admin_only() -> None:
    if not current_user.is_admin:
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
