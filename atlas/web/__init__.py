"""The web face: one blueprint per audience; views only translate HTTP."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, request

from atlas.regions import ARLS


def register(app: Flask) -> None:
    from flask_babel import format_decimal
    from flask_login import LoginManager
    from flask_wtf import CSRFProtect

    from atlas.accounts import get_user
    from atlas.web import assets, errors, near, office, public, submit
    from atlas.web.cache import PageCache
    from atlas.web.limits import limiter

    app.extensions["atlas_pages"] = PageCache(size=int(app.config["PAGE_CACHE_SIZE"]))
    @app.template_filter("km")
    def km(value: float) -> str:
        """3,4 – a distance in the reader's locale, one decimal."""
        return format_decimal(value, format="#,##0.0")

    @app.context_processor
    def site_context():
        return {"arls_nav": ARLS, "tiles": app.config["TILES"], "query_with": query_with}

    app.register_blueprint(assets.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(near.bp)
    app.register_blueprint(office.bp)
    app.register_blueprint(submit.bp)
    CSRFProtect(app)
    limiter.init_app(app)
    logins = LoginManager(app)
    logins.login_view = "office.login"
    logins.login_message = "Bitte melden Sie sich an."

    @logins.user_loader
    def load_user(user_id: str):
        return get_user(app.extensions["atlas"].store, int(user_id)) if user_id.isdigit() else None
    errors.register(app)


def query_with(**changes) -> str:
    """The current query string with some parameters replaced (lists stay lists)."""
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    params += [(k, v) for k, v in changes.items() if v is not None]
    return urlencode(params)
