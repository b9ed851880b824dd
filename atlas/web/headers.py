"""Security headers on every response (Flask-Talisman): what the browser may load, run and frame.

Scripts come from this site only: the pages hold no inline script (a map's script is a file, see assets.py), so
the policy needs neither 'unsafe-inline' nor nonces, and cached pages stay byte for byte the same. Styles allow
inline attributes (the Handlungsfeld colours); they cannot run code. No page may be framed.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_talisman import Talisman
from werkzeug.datastructures import Headers

from atlas.mapdata import TILES


def secure(app: Flask) -> Talisman:
    tiles_url = TILES[app.config["TILES"]][0]
    images = ["'self'", "data:"] + ([f"https://{urlsplit(tiles_url).hostname}"] if tiles_url else [])
    policy = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return KeptHeaders(
        app,
        dict(policy, **{"frame-ancestors": "*"}),
        content_security_policy=policy,
        force_https=app.config["FORCE_HTTPS"],  # off by default: TLS usually ends at the reverse proxy
        strict_transport_security=True,  # sent only on requests that came over HTTPS
        strict_transport_security_include_subdomains=False,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        permissions_policy={"geolocation": "(self)", "camera": "()", "microphone": "()"},
    )


class KeptHeaders(Talisman):
    """Flask-Talisman with its work per view done once per process: the options of a view and the headers they
    make. Talisman looked a view's options up four times per request and wrote its policies out anew each time,
    the same text for every request of a view: a tenth of a millisecond of every page, a cached one's too. What
    differs by request is looked at every time – whether it came over HTTPS (the HSTS header), and redirecting
    to HTTPS where that is asked for (Talisman's own `_force_https`)."""

    def __init__(self, app: Flask, framed_policy: dict, **options):
        self._framed_policy = framed_policy  # the policy of a view other sites may frame (`frameable`)
        self._options_of: dict[str | None, dict] = {}
        self._headers_of: dict[tuple[str | None, bool], list[tuple[str, str]]] = {}
        super().__init__(app, **options)
        if self.content_security_policy_nonce_in:  # a nonce differs by request: kept headers would repeat one
            raise ValueError("KeptHeaders keeps a view's headers per process; it cannot send a per-request nonce")

    def _get_local_options(self) -> dict:
        endpoint = request.endpoint
        options = self._options_of.get(endpoint)
        if options is None:
            options = super()._get_local_options()  # this app's options: the view carries none of its own
            if getattr(current_app.view_functions.get(endpoint), "frameable", False):  # framed by any site
                options = dict(options, frame_options=None, content_security_policy=self._framed_policy)
            self._options_of[endpoint] = options
        return options

    def _set_response_headers(self, response):
        over_https = request.is_secure or request.headers.get("X-Forwarded-Proto", "http") == "https"
        key = (request.endpoint, over_https)
        headers = self._headers_of.get(key)
        if headers is None:  # Talisman's own headers for this view, in its order, written once
            made = SimpleNamespace(headers=Headers())
            super()._set_response_headers(made)
            headers = self._headers_of[key] = list(made.headers.items())
        for name, value in headers:
            response.headers[name] = value  # replacing one the view set, as Talisman does
        return response


def frameable(view):
    """Marks the one view other websites may show in a frame: no X-Frame-Options, `frame-ancestors *`. A mark, not
    Talisman's `talisman_view_options`: Talisman fills that dict on the view function with the options of the first
    app that answers it, and every later app of the process (another tile server's img-src) would send those."""
    view.frameable = True
    return view


def no_store(response):
    """Office pages and exports: never kept by a browser or a proxy."""
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response
