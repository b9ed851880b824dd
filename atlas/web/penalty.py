"""The door for floods: a client that broke the limit of an expensive page is refused at the door (WSGI, before
Flask) for that kind of page until its limit frees it, with a fixed short answer.

A refusal by Flask-Limiter costs a few milliseconds (the app, the error page, the log line); a flood from one
client with a few connections would still take the cores from everyone else. At the door it costs a tenth of a
millisecond. Only GET requests: a refused form (a submission, a login) is answered by the app, with what was typed.
"""

from __future__ import annotations

import threading
import time

from atlas.web.clients import client_of

MAX_CLIENTS = 100_000  # sentences kept; the oldest go first
BODY = (b"<!doctype html><html lang=\"de\"><meta charset=\"utf-8\"><title>429</title>"
        b"<p>Zu viele Anfragen dieser Art. Bitte warten Sie einen Moment und versuchen Sie es dann erneut.</p>"
        b"<p lang=\"en\">Too many requests of this kind. Please wait a moment and try again.</p></html>")


def area(path: str) -> str:
    """The kind of page a path is: its first segment (/suche, /aushang, /daten …)."""
    return "/" + path.lstrip("/").split("/", 1)[0]


class PenaltyBox:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self._until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self.refused = 0

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and self._until:
            key = (client_of(environ.get("REMOTE_ADDR", "")), area(environ.get("PATH_INFO", "")))
            until = self._until.get(key)
            if until is not None:
                wait = until - time.monotonic()
                if wait > 0:
                    self.refused += 1
                    start_response("429 Too Many Requests", [
                        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(BODY))),
                        ("Retry-After", str(int(wait) + 1)), ("Cache-Control", "no-store")])
                    return [BODY]
                with self._lock:
                    self._until.pop(key, None)
        return self.wsgi_app(environ, start_response)

    def sentence(self, client: str, path: str, seconds: float) -> None:
        """Refuse this client (atlas.web.clients' key) this kind of page at the door for `seconds` (when its limit
        frees it)."""
        with self._lock:
            if len(self._until) >= MAX_CLIENTS:
                self._until.pop(next(iter(self._until)))
            self._until[(client, area(path))] = time.monotonic() + max(0.0, seconds)
