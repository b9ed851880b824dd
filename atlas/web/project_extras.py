"""What the workspace adds to the office's project page: the reports from the public waiting for it, the reason
templates for a rejection, and the way to the next project of the queue the office came from."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from atlas import reasons, reports
from atlas.districts import ARLS
from atlas.text import whole_number
from atlas.web import current_store


def project_extras(row: dict) -> dict:
    store = current_store()
    return {"reports": reports.open_reports(store, row["id"]), "report_kinds": reports.KINDS,
            "resolutions": reports.resolutions, "reason_templates": reason_templates(row["arl"]),
            "next_url": _next_url(row["id"]), "may_act": current_user.may_moderate(row["arl"])}


def reason_templates(arl: str) -> list:
    if not current_user.may_moderate(arl) or arl not in ARLS:
        return []
    return reasons.templates(current_store(), arl)


def _next_url(project_id: int) -> str:
    """„Nächstes Projekt“ in the queue whose parameters the page was opened with (the pending tab by default)."""
    from atlas.web.queue import parse_queue

    try:
        query = parse_queue(request.args)
    except BadRequest:
        query = parse_queue({})
    params = query.params() + [("nach", str(project_id))]
    if query.arl and current_user.reads_all:
        params.append(("bezirk", query.arl))
    return url_for("office.next_project") + "?" + urlencode(params)


def chosen_template(arl: str):
    """The reason template a rejection form names (`vorlage`), if it is one of the district's."""
    chosen = whole_number(request.form.get("vorlage"))
    if chosen is None:
        return None
    template = reasons.template(current_store(), chosen)
    return template if template and template.arl == arl and current_user.may_moderate(arl) else None
