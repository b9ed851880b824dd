"""The office as a team, on the office's blueprint: „Ich übernehme das“ (take, hand over, release a project) and
internal notes. Every change checks the district and what the clerk saw; an observer changes nothing."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from atlas import mentions
from atlas.access import may_change_office, may_read_office
from atlas.i18n import _, listing
from atlas.store.holds import HoldChanged, NotAColleague
from atlas.store.notes import NOTE_LENGTH
from atlas.text import clean_text, whole_number
from atlas.web import current_store
from atlas.web.forms import EXPIRED, ActionForm
from atlas.web.office import bp, render_project

ACTIONS = ("nehmen", "uebergeben", "freigeben")


@bp.context_processor
def team_helpers() -> dict:
    """`hold_of(id)` for the office's pages that only mention a hold (the edit form tells who holds it)."""
    return {"hold_of": lambda project_id: current_store().hold_of(project_id)}


@bp.post("/projekt/<id:project_id>/zustaendig")
@login_required
def hold(project_id: int):
    """Take the project („Ich übernehme das“), hand it to a colleague, or release it. The form names the holder
    the clerk saw: if someone else holds it by now, nothing changes and the page says who (409)."""
    row = project_to_change_or_403(project_id)
    action = request.form.get("aktion", "")
    if not ActionForm().validate_on_submit() or action not in ACTIONS:
        abort(400)
    seen = _account_id(request.form.get("gesehen", ""))
    holder = {"nehmen": current_user.id, "freigeben": None}.get(action, _account_id(request.form.get("an", "")))
    if action == "uebergeben" and holder is None:
        flash(_("Bitte wählen Sie, wem Sie das Projekt übergeben."))
        return redirect(url_for("office.project", project_id=project_id, _anchor="zustaendig"))
    try:
        now = current_store().set_hold(project_id, holder, current_user.id, current_user.email, seen)
    except HoldChanged as changed:
        if changed.hold is None:
            flash(_("Inzwischen hat niemand mehr das Projekt übernommen. Es wurde nichts geändert; bitte prüfen Sie "
                    "den Stand und wählen Sie erneut."))
        else:
            flash(_("Inzwischen hat %(email)s das Projekt übernommen. Es wurde nichts geändert; Sie können es "
                    "trotzdem übernehmen oder bearbeiten.", email=changed.hold.email))
        return render_project(current_store().get(project_id), 409)
    except NotAColleague:
        abort(400, _("Dieses Konto arbeitet nicht im Amtsbezirk des Projekts."))
    if now is None:
        flash(_("Niemand hat das Projekt jetzt übernommen."))
    elif now.user_id == current_user.id:
        flash(_("Sie haben das Projekt übernommen: Die Kolleginnen und Kollegen sehen es in der Übersicht."))
    else:
        flash(_("Das Projekt ist an %(email)s übergeben; sie oder er bekommt eine Mail.", email=now.email))
    return redirect(url_for("office.project", project_id=row["id"], _anchor="zustaendig"))


@bp.post("/projekt/<id:project_id>/notiz")
@login_required
def note(project_id: int):
    """An internal note: with author and time in the project's history, for the offices only; colleagues named
    with @ or ticked are mailed a link."""
    row = project_to_change_or_403(project_id)
    text = clean_text(request.form.get("text", "")[:2 * NOTE_LENGTH], multiline=True)
    if not ActionForm().validate_on_submit():
        return render_project(row, 400, note_text=text, note_errors={"notiz-text": EXPIRED})
    if not text:
        return render_project(row, 400, note_text=text,
                              note_errors={"notiz-text": _("Bitte schreiben Sie die Notiz.")})
    if len(text) > NOTE_LENGTH:
        return render_project(row, 400, note_text=text, note_errors={"notiz-text": _(
            "Eine Notiz hat höchstens %(max)s Zeichen, diese %(length)s.", max=NOTE_LENGTH, length=len(text))})
    ticked = [i for i in (_account_id(v) for v in request.form.getlist("erwaehnen")) if i is not None]
    mentioned, unknown = mentions.resolve(text, current_store().colleagues(row["arl"]), ticked)
    mentioned = [c for c in mentioned if c["id"] != current_user.id]
    current_store().add_note(project_id, current_user.id, current_user.email, text, mentioned)
    flash(_("Die Notiz ist gespeichert.") + (" " + _("Benachrichtigt: %(names)s.", names=listing(
        c["email"] for c in mentioned)) if mentioned else ""))
    if unknown:
        flash(_("Nicht zugeordnet (kein oder mehr als ein Konto dieses Amtes): %(names)s.",
                names=listing("@" + name for name in unknown)))
    return redirect(url_for("office.project", project_id=project_id, _anchor="verlauf"))


def project_to_change_or_403(project_id: int) -> dict:
    """The project, if the signed-in account may change the office side of it (district, role); 404, 403."""
    return _project_if(project_id, may_change_office)


def project_to_read_or_403(project_id: int) -> dict:
    """The project, if the signed-in account may read its office side (its office, an admin, an observer)."""
    return _project_if(project_id, may_read_office)


def _project_if(project_id: int, allowed) -> dict:
    row = current_store().get(project_id)
    if row is None:
        abort(404)
    if not allowed(current_user, row["arl"]):
        abort(403)
    return row


def _account_id(value: str) -> int | None:
    return whole_number((value or "").strip())
