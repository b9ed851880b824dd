"""The office's queue: search, order, filters and pages in the URL; bulk actions on the rows chosen; „Nächstes
Projekt“. On the office blueprint; atlas.queue says what a tab and a filter are, the store answers."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest

from atlas import bulk, notices, reasons
from atlas.districts import ARLS
from atlas.i18n import _, plural
from atlas.present import project_view
from atlas.queue import FILTERS, SORTS, TABS, QueueQuery, context_now
from atlas.text import clean_text, whole_number
from atlas.web import current_store
from atlas.web.forms import ActionForm
from atlas.web.office import bp, kreise
from atlas.web.team_view import queue_holds

MAX_PAGE = 100_000
BULK_REASON_LIMIT = 1000


@bp.get("/warteschlange")
@login_required
def queue():
    query = parse_queue(request.args)
    rows, total = current_store().queue_page(query, _context())
    pages = max(1, -(-total // query.per_page))
    if query.page > pages and total:
        raise BadRequest(_("Seite %(page)s gibt es nicht: die Liste hat %(pages)s Seite(n).", page=query.page,
                           pages=pages))
    counts = {slug: sum(count for count, _oldest in by_arl.values())
              for slug, by_arl in current_store().tasks(TABS, query.arl, _context()).items()}
    ids = [r["id"] for r in rows]
    waiting, holders = current_store().waiting_tasks(ids), queue_holds(ids)  # holders: „Ich übernehme das“
    views = [dict(project_view(r), reference=notices.reference(r["id"]), waiting=waiting[r["id"]],
                  holder=holders.get(r["id"])) for r in rows]
    return render_template("office/queue.html", projects=views, query=query, total=total, pages=pages,
                           tabs=TABS, counts=counts, kreise=kreise(query.arl), filters=FILTERS, sorts=SORTS,
                           actions=bulk.BULK_ACTIONS, templates=_templates(), form=ActionForm(),
                           back=_query_string(query), arls=ARLS, may_act=not current_user.is_observer,
                           reason_limit=BULK_REASON_LIMIT)


@bp.post("/warteschlange/aktion")
@login_required
def bulk_action():
    """Approve, reject, archive or take („Ich übernehme das“) the rows chosen; each is checked as a single action
    is."""
    back = _back()
    if not ActionForm().validate_on_submit():
        abort(400)
    action = request.form.get("aktion", "")
    if action not in bulk.BULK_ACTIONS:
        abort(400, _("Bitte wählen Sie eine Aktion."))
    items = _rows(request.form.getlist("zeile"))
    if not items:
        flash(_("Bitte wählen Sie mindestens ein Projekt aus."))
        return redirect(back)
    if action == bulk.TAKE:
        _tell(action, bulk.take(current_store(), items, current_user.id, current_user.email, current_user.may_moderate))
        return redirect(back)
    reason, translated = _reason(action)
    if bulk.BULK_ACTIONS[action].needs_reason and not reason:
        flash(_("Bitte begründen Sie die Ablehnung: mit einer Vorlage oder einem eigenen Text."))
        return redirect(back)
    result = bulk.apply(current_store(), action, items, current_user.email, current_user.may_moderate, reason,
                        translated)
    _tell(action, result)
    return redirect(back)


@bp.get("/naechstes")
@login_required
def next_project():
    """The project after `nach` in the queue the office came from (its URL parameters), or the queue at its end."""
    query = parse_queue(request.args)
    after = request.args.get("nach", type=int)
    ids = current_store().queue_ids(query, _context())
    following = ids[ids.index(after) + 1:] if after in ids else ids
    if not following:
        flash(_("Das war das letzte Projekt dieser Liste."))
        return redirect(url_for("office.queue") + "?" + _query_string(query))
    return redirect(url_for("office.project", project_id=following[0]) + "?" + _query_string(query))


def parse_queue(args) -> QueueQuery:
    """The queue asked for in the URL; an unknown value is a 400 that names it."""
    tab = args.get("status", "pending")
    if tab not in TABS:
        raise BadRequest(_("Unbekannter Status „%(status)s“.", status=clean_text(tab)[:20]))
    arl = current_user.scope
    if arl is None and args.get("bezirk"):
        if args["bezirk"] not in ARLS:
            raise BadRequest(_("Unbekannter Amtsbezirk „%(value)s“.", value=clean_text(args["bezirk"])[:40]))
        arl = args["bezirk"]
    chosen: dict[str, tuple[str, ...]] = {}
    for name, spec in FILTERS.items():
        values = [v for v in args.getlist(name) if v]
        if not values:
            continue
        allowed = set(kreise(arl)) if name == "kreis" else {value for value, _label in spec.choices}
        wrong = [v for v in values if v not in allowed]
        if wrong:
            if name == "kreis":
                raise BadRequest(_("Dieser Kreis gehört nicht zu Ihrem Amtsbezirk."))
            raise BadRequest(_("Unbekannter Wert „%(value)s“ für „%(name)s“.", value=clean_text(wrong[0])[:40],
                               name=_(spec.label)))
        chosen[name] = tuple(dict.fromkeys(values if spec.multiple else values[:1]))
    sort = args.get("sortierung", "alter")
    if sort not in SORTS:
        raise BadRequest(_("Unbekannte Sortierung „%(value)s“.", value=clean_text(sort)[:20]))
    page = args.get("seite", "1")
    number = whole_number(page)
    if number is None or not 1 <= number <= MAX_PAGE:
        raise BadRequest(_("Ungültige Seitenzahl „%(value)s“: erlaubt sind ganze Zahlen ab 1.",
                           value=clean_text(page)[:20]))
    return QueueQuery(tab=tab, arl=arl, words=clean_text(args.get("q"))[:100], filters=chosen, sort=sort,
                      page=number)


def _query_string(query: QueueQuery, **changes) -> str:
    from urllib.parse import urlencode

    params = query.params(**changes)
    if query.arl and current_user.reads_all:
        params.append(("bezirk", query.arl))
    return urlencode(params)


def _back() -> str:
    """The queue the form was sent from (its parameters, checked again), to return to."""
    from urllib.parse import parse_qs

    from werkzeug.datastructures import MultiDict

    raw = request.form.get("zurueck", "")[:2000]
    args = MultiDict([(k, v) for k, values in parse_qs(raw).items() for v in values])
    return url_for("office.queue") + "?" + _query_string(parse_queue(args))


def _rows(values: list[str]) -> list[tuple[int, int]]:
    """„id:version“ of each row chosen; anything else is a forged form."""
    items = {}
    for value in values[:bulk.MAX_ROWS + 1]:
        project, _sep, version = value.partition(":")
        project, version = whole_number(project), whole_number(version)
        if project is None or version is None:
            abort(400)
        items[project] = version
    if len(items) > bulk.MAX_ROWS:
        abort(400, _("Höchstens %(num)s Projekte auf einmal.", num=bulk.MAX_ROWS))
    return list(items.items())


def _reason(action: str):
    """The reason typed, or the template chosen (with its translations for the submitters)."""
    if not bulk.BULK_ACTIONS[action].needs_reason:
        return "", None
    typed = clean_text(request.form.get("begruendung"), multiline=True)[:BULK_REASON_LIMIT]
    if typed:
        return typed, None
    chosen = whole_number(request.form.get("vorlage"))
    template = reasons.template(current_store(), chosen) if chosen is not None else None
    if template is None or not current_user.may_moderate(template.arl):
        return "", None
    return template.body, template.text_in


def _tell(action: str, result: bulk.BulkResult) -> None:
    done = len(result.done)
    messages = {
        "freigeben": plural("%(num)s Projekt freigegeben.", "%(num)s Projekte freigegeben.", done),
        "ablehnen": plural("%(num)s Projekt abgelehnt.", "%(num)s Projekte abgelehnt.", done),
        "archivieren": plural("%(num)s Projekt archiviert.", "%(num)s Projekte archiviert.", done),
        bulk.TAKE: plural("%(num)s Projekt übernommen.", "%(num)s Projekte übernommen.", done),
    }
    flash(messages.get(action) or plural("%(num)s Projekt geändert.", "%(num)s Projekte geändert.", done))
    for row in result.stale:
        flash(_("Nicht entschieden, weil inzwischen geändert: %(reference)s „%(name)s“. Bitte prüfen Sie es "
                "erneut.", reference=notices.reference(row["id"]), name=row["name"]))
    for row, email in result.held:
        flash(_("Übersprungen, weil %(email)s es inzwischen übernommen hat: %(reference)s „%(name)s“.", email=email,
                reference=notices.reference(row["id"]), name=row["name"]))
    for row in result.unfit:
        flash(_("Übersprungen, weil der Status nicht passt: %(reference)s „%(name)s“ (%(status)s).",
                reference=notices.reference(row["id"]), name=row["name"], status=_(TABS[row["status"]].label)))
    for row, kept_id in result.merged:
        flash(_("Übersprungen, weil es zusammengeführt ist in %(kept)s: %(reference)s „%(name)s“.",
                kept=notices.reference(kept_id), reference=notices.reference(row["id"]), name=row["name"]))
    for row in result.forbidden:
        flash(_("Übersprungen, weil es nicht zu Ihrem Amtsbezirk gehört: %(reference)s.",
                reference=notices.reference(row["id"])))
    for project_id in result.missing:
        flash(_("Übersprungen, weil es das Projekt nicht gibt: %(reference)s.",
                reference=notices.reference(project_id)))


def _templates() -> list:
    if current_user.is_observer:
        return []
    if current_user.is_admin:
        return [t for arl in ARLS for t in reasons.templates(current_store(), arl)]
    return reasons.templates(current_store(), current_user.arl)


def _context():
    return context_now(current_app.config["FRESHNESS_DAYS"], current_user.id, current_user.email,
                       current_store().hold_days)
