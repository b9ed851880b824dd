"""The web face: one blueprint per audience; views only translate HTTP."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import Flask, current_app, g, request
from jinja2 import BytecodeCache
from markupsafe import Markup
from werkzeug.routing import IntegerConverter

from atlas import facts
from atlas.districts import ARLS, BOUNDARIES
from atlas.filters import TIMES
from atlas.history import changes
from atlas.i18n import _, catalogue, distance, isolate, lazy, listing, number
from atlas.kept import code, file_bytes, write_whole
from atlas.links import absolute_url
from atlas.near import RADII_KM
from atlas.places import precision_label
from atlas.present import berlin_date, blank_project, local_time
from atlas.web.session_cookie import KeptSerializerSessions

ALLIANCE = "Niedersachsen packt an"

if TYPE_CHECKING:
    from atlas.services import Services
    from atlas.store import Store
    from atlas.web.cache import PageCache


class ProjectId(IntegerConverter):
    """A project number as the database can hold it (PostgreSQL integer): larger ones are a 404, not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=2**31 - 1)


class KeptTemplates(BytecodeCache):
    """Compiled templates kept per process, shared by every app in it (one in production; the tests make hundreds),
    and in the cache folder for the next start, in a folder of their own per version of this code and its
    libraries (atlas.kept.code: how Jinja compiles, escapes and translates is decided by them). Jinja itself checks
    what it reads against the template's source and Python's version, and compiles again where they differ."""

    _compiled: dict[str, bytes] = {}  # noqa: RUF012 - per process, for every app

    def __init__(self, cache_dir: Path):
        self.parent = cache_dir / "templates"
        self.folder = self.parent / code()

    def load_bytecode(self, bucket) -> None:
        data = self._compiled.get(bucket.key) or file_bytes(self.folder / bucket.key)
        if data is not None:
            self._compiled[bucket.key] = data
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket) -> None:
        self._compiled[bucket.key] = data = bucket.bytecode_to_string()
        if not self.folder.exists():  # the first of this code: another code's templates go
            for old in self.parent.glob("*"):
                shutil.rmtree(old, ignore_errors=True)
        write_whole(self.folder / bucket.key, data)


def register(app: Flask) -> None:
    app.jinja_env.bytecode_cache = KeptTemplates(Path(app.config["CACHE_DIR"]))
    app.url_map.converters["id"] = ProjectId
    app.session_interface = KeptSerializerSessions()
    from flask_login import LoginManager

    from atlas.accounts import session_user
    from atlas.web import (
        alerts,
        assets,
        claim,
        downloads,
        embed,
        errors,
        language,
        legal,
        mine,
        near,
        office,
        office_account,  # noqa: F401 - its views (login, logout, account) join office.bp
        office_merge,  # noqa: F401 - its views (duplicates, merging) join office.bp
        office_team,  # noqa: F401 - its views (holds, notes) join office.bp
        ogc,
        operations,
        poster,
        public,
        queue,  # noqa: F401 - the queue and its bulk actions join office.bp
        replaced,  # noqa: F401 - its view (the list of replaced projects) joins downloads.bp
        reports,
        search,
        submit,
        texts,
        viewport,
        workspace,  # noqa: F401 - the dashboard, the admin's pages and the activity log join office.bp
    )
    from atlas.web.cache import PageCache
    from atlas.web.csrf import protect_forms
    from atlas.web.headers import secure
    from atlas.web.limits import init_limits
    from atlas.web.moment import OneMomentPerRequest
    from atlas.web.penalty import PenaltyBox
    from atlas.web.shared_cache import SharedPages

    shared = SharedPages(app.config["PAGE_CACHE_URI"], code()) if app.config["PAGE_CACHE_URI"] else None
    app.extensions["atlas_pages"] = PageCache(max_bytes=app.config["PAGE_CACHE_BYTES"], shared=shared)
    @app.template_filter("km")
    def km(value: float) -> str:
        """3,4 – a distance's number in the reader's locale, one decimal (for messages that name the unit)."""
        return number(value, 1)

    app.add_template_filter(number)
    app.add_template_filter(distance)  # 3,4 km – with the unit as the reader's language writes it
    app.add_template_filter(listing)
    app.add_template_filter(isolate)
    from atlas.web.items import list_items

    app.add_template_global(list_items)  # the kept items of the lists made per request
    from atlas.web.list_item import field_badges, list_item

    app.add_template_global(list_item)  # a project's item in a list: project_item of templates/_partials.html
    app.add_template_global(field_badges)  # a project's Handlungsfelder: hf_badges of templates/_partials.html
    from atlas.web.fragments import (
        PAGE_QUERY,
        kept_fragment,
        query_mark,
        typed_mark,
        with_page_query,
        with_query,
        with_typed,
    )

    app.add_template_global(kept_fragment)  # the filters' fieldsets, kept per language and filter
    for writer in (with_page_query, query_mark, with_query, typed_mark, with_typed):  # what it takes of the page
        app.add_template_global(writer)
    app.add_template_global(PAGE_QUERY, "page_query")

    @app.template_filter("berlin")
    def berlin(moment) -> str:
        """26.11.2026 15:32 – a stored UTC time as people in Niedersachsen read it, whatever the database."""
        return local_time(moment)

    app.add_template_filter(berlin_date)  # 26.11.2026

    # The site's names, the same for every page of the app: globals of the templates, not a context made per page –
    # so macros imported without a page's context (templates/near/near.html) see them too.
    app.jinja_env.globals.update({
        "arls_nav": ARLS, "tiles": app.config["TILES"], "query_with": query_with, "ALLIANCE": ALLIANCE,
        "describe_changes": changes, "absolute_url": absolute_url,
        "alliance": Markup(f'<bdi lang="de">{ALLIANCE}</bdi>'),  # its own direction inside any line
        "blank_project": blank_project,
        "precision_label": precision_label, "search_radii": RADII_KM, "filter_choices": filter_choices,
        "boundaries": BOUNDARIES})

    app.register_blueprint(operations.bp)
    operations.log_requests(app)
    for module in (assets, public, viewport, near, search, office, submit, mine, alerts, legal, ogc, downloads, embed,
                   poster, claim, reports, texts):
        app.register_blueprint(module.bp)
    protect_forms(app).exempt(alerts.unsubscribe)  # RFC 8058: mail programs post it; the secret link is the proof
    init_limits(app)
    app.wsgi_app = OneMomentPerRequest(app.wsgi_app)  # the store's versions read once per request, always fresh
    door = PenaltyBox(app.wsgi_app)  # inside the proxy fix (added last, in create_app): it sees the real client
    app.wsgi_app = door
    app.extensions["atlas_door"] = door
    logins = LoginManager(app)
    logins.login_view = "office.login"
    logins.login_message = lazy("Bitte melden Sie sich an.")

    @logins.user_loader
    def load_user(token: str):
        return session_user(app.extensions["atlas"].store, token) if 20 <= len(token) <= 100 else None
    errors.register(app)
    language.register(app)
    secure(app)
    _count_with_digits(app)


def _count_with_digits(app: Flask) -> None:
    """Templates translate with atlas.i18n's catalogue (the request's, looked up once: a page asks for dozens of
    messages; their `_` keeps what a message without values becomes, atlas.web.templating.messages_kept), and their
    ngettext fills %(num)s with the number as the reader's language writes it (1.200, 1 200)."""
    from jinja2 import pass_context

    from atlas.web.templating import messages_kept

    app.jinja_env.install_gettext_callables(  # in place of Flask-Babel's, which look the catalogue up per message
        gettext=lambda message: catalogue().ugettext(message),
        ngettext=lambda singular, plural_form, n: catalogue().ungettext(singular, plural_form, n), newstyle=True,
        pgettext=lambda context, message: catalogue().upgettext(context, message),
        npgettext=lambda context, singular, plural_form, n: catalogue().unpgettext(context, singular, plural_form, n))
    app.jinja_env.globals["_"] = messages_kept(app.jinja_env.globals["gettext"])
    translate = app.jinja_env.globals["ngettext"]  # Jinja's newstyle wrapper of the one above

    @pass_context
    def ngettext(context, singular: str, plural_form: str, count: int, **variables):
        variables.setdefault("num", number(count))
        if context.eval_ctx.autoescape:  # what Jinja's wrapper makes of it, without its two calls through the context
            return Markup(catalogue().ungettext(singular, plural_form, count)) % variables
        return context.call(translate, singular, plural_form, count, **variables)

    app.jinja_env.globals["ngettext"] = ngettext


def filter_choices() -> dict:
    """What the filters offer, in the reader's language."""
    return {"sprachen": [(code, name, facts.LANGUAGE_BITS[code]) for code, name in facts.language_choices()],
            "zielgruppen": [(slug, c.label, c.bit) for slug, c in facts.ZIELGRUPPEN.items() if slug != "alle"],
            "zeiten": [(slug, _(label)) for slug, label in TIMES.items()]}


def query_with(**changes) -> str:
    """The page's query string with some parameters replaced (lists stay lists). A page that names its validated
    parameters (`keep_params`) is linked with those only: a cached page never carries what its first visitor added."""
    params = [(k, v) for k, v in page_params() if k not in changes]
    params += [(k, v) for k, v in changes.items() if v is not None]
    return urlencode(params)


def keep_params(params: list[tuple[str, str]]) -> None:
    """The validated parameters that make this page what it is: its links are built from them alone."""
    g.page_params = [(k, str(v)) for k, v in params if k != "lang"]


def page_params() -> list[tuple[str, str]]:
    if "page_params" in g:
        return g.page_params
    return [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]


def current_services() -> Services:
    """The app's services (store, geocoder, regions, mail, …): the one way a view reaches them."""
    return current_app.extensions["atlas"]


def current_store() -> Store:
    """The app's store of projects (atlas.store)."""
    return current_app.extensions["atlas"].store


def current_pages() -> PageCache:
    """The app's kept pages and resources (atlas.web.cache): the one way a view reaches them."""
    return current_app.extensions["atlas_pages"]
