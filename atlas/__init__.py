"""Gemeinsame Sache: the project atlas of „Niedersachsen packt an“."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from atlas.logs import configure_logging
from atlas.secret_key import secret_key
from atlas.setting_checks import check_settings
from atlas.settings import instance_folder, load, resource, unusable_instance


class Atlas(Flask):
    """Flask, with what it asks of the app's functions on every request asked once. Flask hands every hook, view
    and context processor of a request to `ensure_sync`, which asks `inspect` whether it is a coroutine function: a
    dozen to twenty times a request, about 9 µs of a kept page and 14-31 of a page made per request. The answer is the
    function's for good, so the plain ones are remembered (at most PLAIN_KEPT: the app's own are a few dozen); a
    coroutine function is wrapped as Flask wraps it, every time. Remembered means kept alive: a function made anew
    for each request (`after_this_request`'s, a class-based view's with `init_every_request`; the atlas has neither)
    would be held until PLAIN_KEPT are, with what it holds – such a one must not come through here."""

    PLAIN_KEPT = 1_024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain: dict = {}

    def ensure_sync(self, func):
        try:
            if func in self._plain:
                return func
        except TypeError:  # a callable that cannot be a key (unhashable): asked each time, as Flask asks
            return super().ensure_sync(func)
        synced = super().ensure_sync(func)
        if synced is func and len(self._plain) < self.PLAIN_KEPT:
            self._plain[func] = None
        return synced


def create_app(config: dict | None = None, web: bool = True) -> Flask:
    """Defaults, then ATLAS_* from the environment, then the given dict (the tests'), each cast once to its kind.

    `web=False`: the settings, the services and the commands, without the pages (for the commands that need none,
    such as `atlas db upgrade`: they start in a fraction of the time; `serve_pages` adds them later)."""
    instance = instance_folder(config)
    # static files are served by atlas.web.assets (versioned, kept compressed), not by Flask's own route
    app = Atlas(__name__, template_folder=str(resource("templates")), static_folder=None, instance_path=str(instance))
    app.config.update(load(instance, given=config))
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

    configure_hashing(app.config["PASSWORD_HASH"], app.config["HASH_THREADS"])
    app.extensions["atlas"] = Services(app.config)
    if web:
        serve_pages(app)
    from atlas.cli import commands

    for command in commands:
        app.cli.add_command(command)
    return app


def serve_pages(app: Flask) -> None:
    """The pages, the office, the API and what serving them needs, added to an app made without them."""
    from flask_babel import Babel

    from atlas.web import register
    from atlas.web.language import select_locale
    from atlas.web.prepared import compress_per_request
    from atlas.web.templating import Templates

    app.jinja_environment = Templates  # before anything (Flask-Babel first) makes the app's environment
    Babel(app, locale_selector=select_locale)
    compress_per_request(app)
    register(app)
    if app.config["PROXY_COUNT"]:  # outermost: everything inside sees the client the proxies name
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
