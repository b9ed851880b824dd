"""Gemeinsame Sache: the project atlas of „Niedersachsen packt an“."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from atlas.secret_key import secret_key

ROOT = Path(__file__).resolve().parent.parent


def default_settings(instance_path: Path) -> dict:
    return {
        "SECRET_KEY": None,  # None: a random key kept in the instance folder (atlas.secret_key)
        "DATA_DIR": str(ROOT / "data"),
        "DATABASE_URL": f"sqlite:///{instance_path / 'atlas.db'}",
        "SEED_CSV": str(ROOT / "data" / "projects.csv"),
        "GEOCODER": "offline",
        "NOMINATIM_URL": "https://nominatim.openstreetmap.org",
        "NOMINATIM_USER_AGENT": "gemeinsame-sache-atlas/0.1",
        "NOMINATIM_TIMEOUT": 5,
        "NOMINATIM_MIN_INTERVAL": 1.0,
        "TILES": "osm",
        "PAGE_CACHE_BYTES": 64 * 1024 * 1024,  # rendered pages kept per process
        "BABEL_DEFAULT_LOCALE": "de",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,  # set ATLAS_SESSION_COOKIE_SECURE=true behind HTTPS
        "REMEMBER_COOKIE_SECURE": False,
        "FORCE_HTTPS": False,  # redirect plain HTTP to HTTPS (when no reverse proxy does it)
        "RATELIMIT_STORAGE_URI": "memory://",  # one process (waitress); several processes need redis://
        "RATELIMIT_HEADERS_ENABLED": True,
        "SUBMIT_RATE_LIMIT": "20 per minute;300 per day",  # POSTs per client; a submission takes two
        "LOGIN_RATE_LIMIT": "10 per minute;100 per day",
        "MAX_CONTENT_LENGTH": 1_000_000,  # bytes of a request body; a submission is a few kilobytes
        "PROXY_COUNT": 0,  # reverse proxies in front of the app; their X-Forwarded-For then names the client
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "application/javascript", "text/javascript",
                               "application/json", "application/geo+json"],
    }


def create_app(config: dict | None = None) -> Flask:
    """Defaults, then ATLAS_* from the environment, then the test dict."""
    config = config or {}
    instance = config.get("INSTANCE_PATH") or os.environ.get("ATLAS_INSTANCE_PATH") or ROOT / "instance"
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(Path(instance).resolve()))
    app.config.from_mapping(default_settings(Path(app.instance_path)))
    app.config.from_prefixed_env("ATLAS")
    app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SECRET_KEY"] = secret_key(app.config["SECRET_KEY"], Path(app.instance_path))
    if int(app.config["PROXY_COUNT"]):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from atlas.services import Services

    app.extensions["atlas"] = Services(app.config)

    from flask_babel import Babel
    from flask_compress import Compress

    from atlas.web import register

    Babel(app)
    Compress(app)
    register(app)

    from atlas.cli import commands

    for command in commands:
        app.cli.add_command(command)
    return app
