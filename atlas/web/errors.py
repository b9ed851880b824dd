"""Errors people cannot fix are pages in the site's layout."""

from __future__ import annotations

from flask import Flask, render_template
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from atlas.i18n import lazy

MESSAGES = {
    400: (lazy("Ungültige Anfrage"), lazy("Die Anfrage enthält ungültige Angaben.")),
    403: (lazy("Kein Zugriff"), lazy("Dafür fehlt Ihnen die Berechtigung.")),
    404: (lazy("Seite nicht gefunden"), lazy("Diese Seite gibt es nicht (mehr). Vielleicht hilft die Karte weiter.")),
    405: (lazy("Nicht erlaubt"), lazy("Diese Aktion ist hier nicht möglich.")),
    413: (lazy("Zu viele Daten"), lazy("Die Anfrage ist zu groß. Bitte kürzen Sie Ihre Angaben.")),
    429: (lazy("Zu viele Anfragen"), lazy("Bitte warten Sie einen Moment und versuchen Sie es dann erneut.")),
    500: (lazy("Interner Fehler"), lazy("Etwas ist schiefgegangen. Bitte versuchen Sie es später erneut.")),
    503: (lazy("Vorübergehend nicht erreichbar"), lazy("Bitte versuchen Sie es in ein paar Minuten erneut.")),
}
DATABASE_DOWN = lazy("Die Datenbank des Atlas ist gerade nicht erreichbar. Bitte versuchen Sie es in ein paar Minuten "
                     "erneut; Ihre Eingaben in einem Formular gehen dabei nicht verloren, wenn Sie zurückgehen.")
RETRY_AFTER = 60  # seconds a client is asked to wait while the database is down


def register(app: Flask) -> None:
    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        """A Host that ATLAS_TRUSTED_HOSTS does not name: no page can be built for it (its links would need it)."""
        return app.response_class("400 Bad Request: unknown host\n", status=400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        title, text = MESSAGES.get(error.code, (error.name, error.description))
        said = error.description and error.description != type(error).description  # a message of the atlas's own
        detail = error.description if error.code in (400, 503) and said else ""
        return render_template("errors/error.html", code=error.code, title=title, text=text, detail=detail), error.code

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(error: Exception):
        """The database cannot be reached (or answers with a connection error): a 503 that says so."""
        app.logger.error("database unavailable: %s", str(error).splitlines()[0][:200])
        title, _text = MESSAGES[503]
        response = app.make_response((render_template("errors/error.html", code=503, title=title,
                                                      text=DATABASE_DOWN, detail=""), 503))
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error")
        title, text = MESSAGES[500]
        return render_template("errors/error.html", code=500, title=title, text=text, detail=""), 500
