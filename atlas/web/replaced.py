"""„Ersetzte Projekte“ on the downloads' blueprint: which once published project ids were merged into which, as JSON
and as CSV (atlas.replacements). Open to every origin, like the other downloads; the DCAT catalogue names both."""

from __future__ import annotations

from flask import abort, current_app

from atlas import replacements
from atlas.links import absolute_url
from atlas.web import current_pages, current_store
from atlas.web.downloads import bp
from atlas.web.limits import download_limit, limiter
from atlas.web.prepared import respond

KINDS = {"json": "application/json", "csv": "text/csv"}


@bp.get("/daten/ersetzte-projekte.<fmt>")
@limiter.limit(download_limit)
def replaced_projects(fmt: str):
    if fmt not in KINDS:
        abort(404)
    store = current_store()
    licence, licence_url = current_app.config["DATA_LICENCE"], current_app.config["DATA_LICENCE_URL"]

    def page(project_id: int) -> str:
        return absolute_url("public.project", project_id=project_id)

    def render():
        rows = store.replacements()
        return (replacements.as_json(rows, page, licence, licence_url) if fmt == "json"
                else replacements.as_csv(rows, page, licence))

    body = current_pages().get(("ersetzt", fmt), store.version(), render, mimetype=KINDS[fmt])
    response = respond(body)
    response.headers.update({"Content-Disposition": f'attachment; filename="ersetzte-projekte.{fmt}"',
                             "Access-Control-Allow-Origin": "*", "Link": f'<{licence_url}>; rel="license"'})
    return response
