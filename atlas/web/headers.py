"""Security headers on every response (Flask-Talisman): what the browser may load, run and frame.

Scripts come from this site only: the pages hold no inline script (a map's script is a file, see assets.py), so
the policy needs neither 'unsafe-inline' nor nonces, and cached pages stay byte for byte the same. Styles allow
inline attributes (the Handlungsfeld colours); they cannot run code. No page may be framed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from flask_talisman import Talisman

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
    @app.before_request
    def allow_framing_where_asked():
        """The embedded map (see `frameable`) may be framed by any site; every other page by none."""
        view = app.view_functions.get(request.endpoint)
        options = getattr(view, "talisman_view_options", None)
        if options is not None and options.get("frame_options") is None:
            options.setdefault("content_security_policy", dict(policy, **{"frame-ancestors": "*"}))

    return Talisman(
        app,
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


def frameable(view):
    """Marks the one view other websites may show in a frame: no X-Frame-Options, `frame-ancestors *`."""
    view.talisman_view_options = {"frame_options": None}
    return view


def no_store(response):
    """Office pages and exports: never kept by a browser or a proxy."""
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response
