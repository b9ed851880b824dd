"""For the people who run the atlas: a health check for load balancers and one access-log line per request."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Flask, current_app, g, jsonify, request
from sqlalchemy.exc import SQLAlchemyError

from atlas.migrate import SchemaNotCurrent
from atlas.web import current_services
from atlas.web.limits import limiter

bp = Blueprint("operations", __name__)
access_log = logging.getLogger("atlas.access")


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """200 with the store's version while the database answers and the regions are loaded; 503 otherwise."""
    services = current_services()
    report = {"regions": len(services.regions.kreise), "database": False, "store_version": None}
    try:
        report["store_version"] = services.store.version()
        report["database"] = True
    except (SQLAlchemyError, SchemaNotCurrent, OSError) as error:
        current_app.logger.warning("health check: database not usable: %s", error)
    healthy = report["database"] and report["regions"] > 0
    response = jsonify(dict(report, status="ok" if healthy else "fehler"))
    response.cache_control.no_store = True
    return response, 200 if healthy else 503


def log_requests(app: Flask) -> None:
    """One line per request: method, path, status, milliseconds (no query string: it may carry a place; no
    secret link: a token in the path is logged as [token])."""

    @app.before_request
    def _start():
        g.atlas_started = time.perf_counter()

    @app.after_request
    def _log(response):
        started = g.pop("atlas_started", None)
        if started is not None:
            path = request.path
            token = (request.view_args or {}).get("token")
            if token:
                path = path.replace(token, "[token]")
            access_log.info("%s %s %s %.1f ms", request.method, path, response.status_code,
                            (time.perf_counter() - started) * 1000)
        return response
