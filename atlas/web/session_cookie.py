"""Flask's signed session cookie, with its signer made once per secret key instead of once per request."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class KeptSerializerSessions(SecureCookieSessionInterface):
    """Flask's session cookie as it is, but the serializer that signs and reads it is kept while the app's keys stay
    the same: Flask builds it anew for every request – a session or not, a kept page too – and itsdangerous tries
    its JSON on an empty dict each time to learn that it writes text (30 µs, a twentieth of sending a kept page).
    The serializer holds nothing of a request, so the threads of a process can share it."""

    def __init__(self):
        self._kept: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:  # the first request, or keys changed (a test, a rotated key)
            kept = self._kept = (keys, super().get_signing_serializer(app))
        return kept[1]
