"""An office edits its reason templates for rejections (atlas.reasons): a title, the German text, translations."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from atlas import reasons
from atlas.districts import ARLS
from atlas.i18n import LANGUAGES, _
from atlas.text import clean_text, whole_number
from atlas.web import current_store
from atlas.web.forms import ActionForm
from atlas.web.office import bp

OTHER_LANGUAGES = {code: language for code, language in LANGUAGES.items() if code != "de"}


@bp.get("/begruendungen")
@login_required
def reason_list():
    return _page_with(_district(), {}, None)


@bp.post("/begruendungen")
@login_required
def reason_save():
    """A new template, or a change of one (its id and the version it was loaded at)."""
    arl = _district()
    if not ActionForm().validate_on_submit():
        abort(400)
    if request.form.get("vorschlaege") == "uebernehmen":
        if not reasons.templates(current_store(), arl):
            for title, body in reasons.SUGGESTED:
                reasons.save(current_store(), arl, _(title), _(body), {})
        flash(_("Die Vorschläge sind als Vorlagen angelegt; Sie können sie ändern."))
        return redirect(url_for("office.reason_list", bezirk=arl))
    title = clean_text(request.form.get("titel"))
    body = clean_text(request.form.get("text"), multiline=True)
    translations = {code: clean_text(request.form.get(f"text-{code}"), multiline=True)
                    for code in LANGUAGES if code != "de"}
    translations = {code: text for code, text in translations.items() if text}
    errors = {}
    if not title or len(title) > reasons.TITLE_LIMIT:
        errors["titel"] = _("Bitte geben Sie einen Titel mit höchstens %(n)s Zeichen an.", n=reasons.TITLE_LIMIT)
    if not body or len(body) > reasons.BODY_LIMIT or any(len(t) > reasons.BODY_LIMIT for t in translations.values()):
        errors["text"] = _("Bitte geben Sie den Text an, höchstens %(n)s Zeichen (auch jede Übersetzung).",
                           n=reasons.BODY_LIMIT)
    template_id = _number(request.form.get("id"))
    if errors:
        return _page_with(arl, errors, {"title": title, "body": body, "translations": translations,
                                        "id": template_id, "version": request.form.get("version", "")}), 400
    try:
        reasons.save(current_store(), arl, title, body, translations, template_id, _number(request.form.get("version")))
    except reasons.StaleTemplate:
        flash(_("Die Vorlage wurde inzwischen geändert oder gelöscht; es wurde nichts überschrieben. Bitte prüfen "
                "Sie den aktuellen Stand."))
        return _page_with(arl, {"form": _("Inzwischen geändert.")},
                          {"title": title, "body": body, "translations": translations, "id": None,
                           "version": ""}), 409
    flash(_("Die Vorlage „%(title)s“ ist gespeichert.", title=title))
    return redirect(url_for("office.reason_list", bezirk=arl))


@bp.post("/begruendungen/<id:template_id>/loeschen")
@login_required
def reason_delete(template_id: int):
    arl = _district()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        reasons.remove(current_store(), arl, template_id, _number(request.form.get("version")) or 0)
    except reasons.StaleTemplate:
        flash(_("Die Vorlage wurde inzwischen geändert oder gelöscht; es wurde nichts gelöscht."))
        return redirect(url_for("office.reason_list", bezirk=arl))
    flash(_("Die Vorlage ist gelöscht."))
    return redirect(url_for("office.reason_list", bezirk=arl))


def _page_with(arl: str, errors: dict, typed: dict | None) -> str:
    return render_template("office/reasons.html", templates=reasons.templates(current_store(), arl), arl=arl, arls=ARLS,
                           form=ActionForm(), reason_languages=OTHER_LANGUAGES,
                           suggested=reasons.SUGGESTED, errors=errors, typed=typed,
                           title_limit=reasons.TITLE_LIMIT, body_limit=reasons.BODY_LIMIT)


def _district() -> str:
    """An office's own district; the admin names one (`bezirk`); the observer has no templates to edit."""
    if current_user.is_observer:
        abort(403)
    if current_user.is_admin:
        arl = request.values.get("bezirk") or next(iter(ARLS))
        if arl not in ARLS:
            abort(400)
        return arl
    return current_user.arl


def _number(text: str | None) -> int | None:
    return whole_number((text or "").strip())
