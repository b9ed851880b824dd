"""Gemeinsame Sache: the project atlas of „Niedersachsen packt an“."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from atlas.secret_key import secret_key
from atlas.settings import check_settings, configure_logging, default_settings, resource, unusable_instance


def create_app(config: dict | None = None) -> Flask:
    """Defaults, then ATLAS_* from the environment, then the test dict."""
    config = config or {}
    instance = config.get("INSTANCE_PATH") or os.environ.get("ATLAS_INSTANCE_PATH") or Path.cwd() / "instance"
    # static files are served by atlas.web.assets (versioned, kept compressed), not by Flask's own route
    app = Flask(__name__, template_folder=str(resource("templates")), static_folder=None,
                instance_path=str(Path(instance).resolve()))
    app.config.from_mapping(default_settings(Path(app.instance_path)))
    app.config.from_prefixed_env("ATLAS")
    app.config.update(config)
    warnings = check_settings(app.config)
    configure_logging(app)
    for warning in warnings:
        app.logger.warning(warning)
    try:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SECRET_KEY"] = secret_key(app.config["SECRET_KEY"], Path(app.instance_path))
    except OSError as error:
        raise unusable_instance(app.instance_path, error) from error
    from atlas.hashing import configure as configure_hashing
    from atlas.services import Services

    configure_hashing(app.config["PASSWORD_HASH"])
    app.extensions["atlas"] = Services(app.config)

    from flask_babel import Babel
    from flask_compress import Compress

    from atlas.web import register
    from atlas.web.language import select_locale

    Babel(app, locale_selector=select_locale)
    Compress(app)
    register(app)
    if int(app.config["PROXY_COUNT"]):  # outermost: everything inside sees the client the proxies name
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from atlas.cli import commands

    for command in commands:
        app.cli.add_command(command)
    return app
