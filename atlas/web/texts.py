"""The offices' translation view (atlas.texts): per language, what of their district's projects is missing or
outdated; German and one language side by side per project; XLIFF 2.0 out and in for translation agencies; and, for
the admin, the machine's engines with this month's use against their budgets."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField

from atlas import notices
from atlas.i18n import LANGUAGES, _, lazy, plural
from atlas.store import PENDING, PUBLISHED, StaleWrite
from atlas.text import whole_number
from atlas.texts import FIELD_NAMES, FIELDS, LIMITS, ORIGIN_LABELS, clean, key, other_languages, state, without_german
from atlas.web import current_services, current_store
from atlas.web.forms import EXPIRED, ActionForm, required_version
from atlas.web.headers import no_store
from atlas.web.office import STALE_EDIT, get_project_for_office_or_403
from atlas.web.prepared import attachment

bp = Blueprint("texts", __name__, url_prefix="/amt/uebersetzungen")
bp.after_request(no_store)
SHOWN_STATES = ("missing", "outdated")  # what the overview lists unless asked for everything


@bp.app_context_processor
def text_context():
    return {"translation_languages": other_languages(), "all_languages": LANGUAGES}


class TranslationForm(FlaskForm):
    version = HiddenField()
    summary = StringField(lazy("Kurzbeschreibung"))
    description = TextAreaField(lazy("Beschreibung"))


class XliffForm(FlaskForm):
    datei = FileField(lazy("XLIFF-2.0-Datei"))


@bp.get("/")
@login_required
def overview():
    language = _language(request.args.get("sprache"))
    everything = request.args.get("alle") == "1"
    store = current_store()
    rows = store.text_rows(arl=_district(), statuses=(PUBLISHED, PENDING))
    found = store.translations_of([row["id"] for row in rows])
    listed = []
    for row in rows:
        have = {t.field: t for t in found.get(row["id"], []) if t.language == language}
        states = {name: state(row, have.get(name), name) for name in FIELDS}
        if everything or any(s in SHOWN_STATES for s in states.values()):
            listed.append({"row": row, "states": states, "have": have, "reference": notices.reference(row["id"])})
    counts = {s: sum(1 for item in listed for v in item["states"].values() if v == s)
              for s in ("missing", "outdated", "current")}
    machine = current_services().machine.status() if current_user.is_admin else None
    return render_template("office/texts.html", target=LANGUAGES[language], code=language, listed=listed,
                           everything=everything, counts=counts, origins=ORIGIN_LABELS, machine=machine,
                           export_form=ActionForm(), import_form=XliffForm(), codes=other_languages())


@bp.route("/<id:project_id>/<code>", methods=["GET", "POST"])
@login_required
def project(project_id: int, code: str):
    """German and one language side by side: the office writes or corrects the translation, or confirms that an
    outdated one still fits the German text."""
    language = _language(code, strict=True)
    row = get_project_for_office_or_403(project_id)
    have = {t.field: t for t in current_store().translations(project_id) if t.language == language}
    form = TranslationForm() if request.method == "POST" else TranslationForm(
        version=str(row["row_version"]), **{name: have[name].text for name in have})
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            errors = {"form": EXPIRED}
        else:
            typed = {name: clean(name, form[name].data) for name in FIELDS}
            for name, text in typed.items():
                if len(text) > LIMITS[name]:
                    errors[name] = _("Höchstens %(n)s Zeichen, eingegeben %(count)s.", n=LIMITS[name],
                                     count=len(text))
            errors = {**_without_german(row, {language: typed}), **errors}
            wanted = {key(name, language): text for name, text in typed.items()}
            if not errors:
                try:
                    current_store().set_translations(project_id, wanted, current_user.email, required_version(form))
                except StaleWrite:
                    errors = {"form": STALE_EDIT}
                    form.version.data = str(current_store().get(project_id)["row_version"])
                else:
                    flash(_("Die Übersetzung ist gespeichert."))
                    return redirect(url_for("texts.overview", sprache=language))
    return render_template("office/text.html", project=row, target=LANGUAGES[language], code=language,
                           form=form, have=have, errors=errors, origins=ORIGIN_LABELS, limits=LIMITS,
                           reference=notices.reference(project_id),
                           states={name: state(row, have.get(name), name) for name in FIELDS}), 400 if errors else 200


def _without_german(row: dict, translations: dict[str, dict[str, str]]) -> dict[str, str]:
    """The translations typed for a German text the project does not have, each named with its fix."""
    return {name: _("Es gibt keine deutsche %(field)s, zu der diese Übersetzung gehören kann: Bitte tragen Sie sie "
                    "zuerst unter „Bearbeiten“ ein. Ihre Übersetzung ist hier erhalten.", field=_(FIELD_NAMES[name]))
            for name in without_german(row, translations)}


@bp.post("/xliff")
@login_required
def export():
    """The chosen projects (of the district) as XLIFF 2.0 for one language."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    language = _language(request.form.get("sprache"), strict=True)
    ids = [n for n in map(whole_number, request.form.getlist("projekt")) if n is not None]
    rows = [row for row in current_store().text_rows(arl=_district(), ids=ids, statuses=(PUBLISHED, PENDING))]
    if not rows:
        flash(_("Bitte wählen Sie mindestens ein Projekt für die Datei."))
        return redirect(url_for("texts.overview", sprache=language))
    from atlas import xliff  # the Translate Toolkit and lxml: 55 ms that a start need not pay for an agency's file

    body = xliff.export(rows, current_store().translations_of([row["id"] for row in rows]), language)
    name = f"projekte-de-{language}.xlf"
    return attachment(body, "application/xliff+xml", name)


@bp.post("/xliff-einlesen")
@login_required
def import_xliff():
    """Translations back from an agency: each for the German text it was made from, of a project of the district."""
    form = XliffForm()
    if not form.validate_on_submit() or not form.datei.data:
        flash(_("Bitte wählen Sie eine XLIFF-Datei."))
        return redirect(url_for("texts.overview"))
    from atlas import xliff  # as in export()

    imported = xliff.read(form.datei.data.read(xliff.MAX_BYTES + 1))
    problems, written = list(imported.problems), 0
    for project_id, entries in imported.texts.items():
        taken, refused = _take_over(project_id, entries)
        written, problems = written + taken, problems + refused
    flash(plural("%(num)s Übersetzung übernommen.", "%(num)s Übersetzungen übernommen.", written))
    for problem in problems[:20]:
        flash(problem)
    return redirect(url_for("texts.overview", sprache=imported.language or None))


def _take_over(project_id: int, entries: dict[str, tuple[str, str]]) -> tuple[int, list[str]]:
    """The translations of one project from an agency's file ({"description:ar": (German source, text)}), each only
    for the German text the project has, written only onto the version that was checked: (how many, problems)."""
    reference = notices.reference(project_id)
    row = current_store().get(project_id)
    if row is None or not current_user.may_moderate(row["arl"]):
        return 0, [_("%(reference)s: kein Projekt Ihres Bezirks.", reference=reference)]
    problems, wanted = [], {}
    for name, (source, text) in entries.items():
        if source != (row.get(name.partition(":")[0]) or ""):
            problems.append(_("%(reference)s: Der deutsche Text hat sich seit dem Export geändert; diese "
                              "Übersetzung wurde nicht übernommen.", reference=reference))
        else:
            wanted[name] = text
    if not wanted:
        return 0, problems
    try:
        current_store().set_translations(project_id, wanted, current_user.email, row["row_version"])
    except StaleWrite:
        return 0, [*problems, _("%(reference)s: Das Projekt wurde während des Einlesens geändert; keine seiner "
                                "Übersetzungen wurde übernommen. Bitte prüfen Sie es und lesen Sie die Datei dann "
                                "erneut ein.", reference=reference)]
    return len(wanted), problems


def _language(value: str | None, strict: bool = False) -> str:
    if value in other_languages():
        return value
    if strict or value:
        abort(404 if strict else 400)
    return other_languages()[0]


def _district() -> str | None:
    return None if current_user.is_admin else current_user.arl
