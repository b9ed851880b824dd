"""Duplicates on the office's blueprint: the district's finder, „kein Duplikat“, and merging two records field by
field – started from either record's page or from the finder. Every change checks both records' district and the
versions the office compared; an observer reads the finder and changes nothing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from atlas import duplicates, merge, notices
from atlas.access import may_change_office, may_read_office
from atlas.districts import ARLS
from atlas.i18n import _, lazy
from atlas.store import REFERENCE, StaleWrite
from atlas.text import clean_text, whole_number
from atlas.web import current_store
from atlas.web.forms import ActionForm
from atlas.web.office import ACTION_LABELS, STATUS_LABELS, bp
from atlas.web.office_team import project_to_change_or_403

SHOWN = 200  # pairs listed on the finder's page; more are counted
STALE_MERGE = lazy("Einer der beiden Einträge wurde geändert, seit Sie sie verglichen haben (siehe „Inzwischen "
                   "geändert“). Es wurde nichts zusammengeführt; Ihre Auswahl ist erhalten: Bitte prüfen Sie sie und "
                   "führen Sie dann erneut zusammen.")
STALE_DISTINCT = lazy("Einer der beiden Einträge wurde geändert, seit Sie sie verglichen haben. Es wurde nichts "
                      "vermerkt: Bitte vergleichen Sie erneut.")


@bp.get("/dubletten")
@login_required
def duplicate_finder():
    """The likely duplicates of the district (an admin or observer picks one, or sees all)."""
    districts = _districts()
    wanted = request.args.get("amt") or None
    if wanted is not None:
        if wanted not in districts:
            abort(400, _("Unbekannter oder fremder Amtsbezirk „%(value)s“.", value=clean_text(wanted)[:40]))
        districts = [wanted]
    store = current_store()
    distinct = store.distinct()
    pairs = [pair for arl in districts for pair in duplicates.find_pairs(store.finder_rows(arl), distinct)]
    return render_template("office/duplicates.html", pairs=pairs[:SHOWN], total=len(pairs), amt=wanted,
                           choices={slug: ARLS[slug].name for slug in _districts()}, labels=STATUS_LABELS,
                           reference_of=notices.reference, may_change=may_change_office)


@bp.post("/dubletten/kein-duplikat")
@login_required
def distinct():
    """„Kein Duplikat“: the pair is not shown again (a note in both histories)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    first, second = _number(request.form.get("erster")), _number(request.form.get("zweiter"))
    if first is None or second is None or first == second:
        abort(400)
    rows = [project_to_change_or_403(first), project_to_change_or_403(second)]
    versions = {row["id"]: _version(request.form.get(f"stand-{row['id']}")) for row in rows}
    back = (url_for("office.project", project_id=_number(request.form.get("zurueck")))
            if _number(request.form.get("zurueck")) in (first, second) else url_for("office.duplicate_finder"))
    try:
        current_store().mark_distinct(first, second, versions, current_user.email)
    except StaleWrite:
        flash(STALE_DISTINCT)
        return redirect(back)
    flash(_("Vermerkt: %(first)s und %(second)s sind verschiedene Projekte.", first=notices.reference(first),
            second=notices.reference(second)))
    return redirect(back)


@bp.route("/projekt/<id:project_id>/zusammenfuehren", methods=["GET", "POST"])
@login_required
def merge_records(project_id: int):
    """Two records side by side, field by field; the office picks which stays and what it holds."""
    row = project_to_change_or_403(project_id)
    other_id = _number(request.values.get("mit", ""))
    if other_id is None:
        flash(_("Bitte geben Sie die Nummer des anderen Eintrags an, etwa GS-000042."))
        return redirect(url_for("office.project", project_id=project_id, _anchor="duplikate"))
    other = current_store().get(other_id)
    if other is None:
        flash(_("Einen Eintrag %(reference)s gibt es nicht.", reference=notices.reference(other_id)))
        return redirect(url_for("office.project", project_id=project_id, _anchor="duplikate"))
    other = project_to_change_or_403(other_id)
    problem = _cannot_merge(row, other)
    if problem:
        flash(problem)
        return redirect(url_for("office.project", project_id=project_id, _anchor="duplikate"))
    if request.method == "GET":
        kept = merge.default_kept(row, other)
        gone = other if kept is row else row
        return _merge_page(row, other, kept["id"], merge.default_choices(kept, gone))
    if not ActionForm().validate_on_submit():
        abort(400)
    ids = (row["id"], other["id"])
    kept_id = _number(request.form.get("behalten"))
    versions = {i: _version(request.form.get(f"stand-{i}")) for i in ids}
    if kept_id not in ids:
        abort(400)
    choices = {group.key: int(request.form[f"feld-{group.key}"]) for group in merge.GROUPS
               if request.form.get(f"feld-{group.key}") in (str(ids[0]), str(ids[1]))}
    merged_id = ids[1] if kept_id == ids[0] else ids[0]
    try:
        current_store().merge(kept_id, merged_id, choices, versions, current_user.email)
    except StaleWrite as stale:
        flash(STALE_MERGE)
        fresh = current_store().get(project_id), current_store().get(other_id)
        return _merge_page(*fresh, kept_id, choices, meanwhile=stale.changes), 409
    except merge.CannotMerge as error:
        flash(_(str(error)))
        return redirect(url_for("office.project", project_id=project_id))
    flash(_("Zusammengeführt: %(gone)s ist jetzt Teil von %(kept)s. Verlauf, privater Link, Anfragen und die "
            "öffentliche Adresse führen hierher.", gone=notices.reference(merged_id),
            kept=notices.reference(kept_id)))
    return redirect(url_for("office.project", project_id=kept_id))


def _merge_page(first: dict, second: dict, kept_id: int, choices: dict[str, int], meanwhile=None):
    """The choice, field group by field group; a group both records hold alike is named, not asked."""
    rows = (first, second)
    groups, alike = [], []
    for group in merge.GROUPS:
        texts = [merge.group_text(group, row) for row in rows]
        if texts[0] == texts[1]:
            alike.append(_(group.label))
        else:
            groups.append({"key": group.key, "label": _(group.label), "options": list(zip(rows, texts, strict=True)),
                           "chosen": choices.get(group.key, kept_id)})
    return render_template("office/merge.html", rows=rows, kept_id=kept_id, groups=groups, alike=alike,
                           labels=STATUS_LABELS, actions=ACTION_LABELS, meanwhile=meanwhile,
                           reference_of=notices.reference)


def _cannot_merge(first: dict, second: dict) -> str:
    """Why two records cannot be merged, in words, or ""."""
    try:
        merge.check(first, second)
    except merge.CannotMerge as error:
        return _(str(error))
    if current_store().replaced_by(first["id"]) or current_store().replaced_by(second["id"]):
        return _(merge.ALREADY_MERGED)
    return ""


def _districts() -> list[str]:
    """The districts whose duplicates this account may see."""
    return [slug for slug in ARLS if may_read_office(current_user, slug)]


def _number(value) -> int | None:
    """A project's number as typed (GS-000042, 42) or sent, or None."""
    found = REFERENCE.match((value or "").strip()[:20])
    return int(found.group(1)) if found and 0 < int(found.group(1)) < 2**31 else None


def _version(value) -> int:
    """The version a form compared; a form without one (forged, or cut short) changes nothing: 400."""
    version = whole_number((value or "").strip())
    if version is None:
        abort(400, _("Das Formular nennt nicht den Stand der Einträge, auf den es sich bezieht. Bitte laden Sie die "
                     "Seite neu."))
    return version
