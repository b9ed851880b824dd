"""Rate limits per client (Flask-Limiter): bots cannot flood the submission form or guess passwords."""

from __future__ import annotations

import threading
import time
from functools import lru_cache

import flask_limiter._limits
from flask import current_app, request, session
from flask.globals import request_ctx
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.storage import MemoryStorage

from atlas.web.clients import client_of

SWEEP_SECONDS = 5.0  # how often the counters of one process are swept for those whose window ended


class SweptMemoryStorage(MemoryStorage):
    """The limits' counters in one process (`memory://`): limits' own MemoryStorage, whose expired counters are
    swept at most every SWEEP_SECONDS. limits sweeps after every counted request that comes 10 ms after the last
    one, in a thread of its own and over every client counted: with 100,000 clients in the current minute each
    visitor's request cost 11 ms more CPU (bench/crowd.py). An expired counter is never read as a live one – the
    storage drops it when it is next asked – so sweeping less often only keeps the memory of a gone client a few
    seconds longer. Registered for `memory://` in place of limits' class (limits' scheme registry)."""

    STORAGE_SCHEME = ["memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        self._swept_at = time.monotonic()
        self._sweeping = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # what limits calls (by its private name) after each write
        if time.monotonic() - self._swept_at < SWEEP_SECONDS or not self._sweeping.acquire(blocking=False):
            return
        try:
            if time.monotonic() - self._swept_at >= SWEEP_SECONDS and not self.timer.is_alive():
                self._swept_at = time.monotonic()
                self.timer = threading.Timer(0, self._MemoryStorage__expire_events)
                self.timer.daemon = True
                self.timer.start()
        finally:
            self._sweeping.release()


# Storage and switches come from the app config: RATELIMIT_STORAGE_URI (memory:// for one process,
# redis://… for several), RATELIMIT_ENABLED; as environment variables ATLAS_RATELIMIT_….
def refused(limit) -> None:
    """A client broke a limit: a GET of that kind of page is refused at the door until the limit frees it
    (atlas.web.penalty), so a flood costs the server almost nothing from then on."""
    if request.method == "GET":
        door = current_app.extensions.get("atlas_door")
        if door is not None:
            door.sentence(client(), request.path, limit.reset_at - time.time())


def client() -> str:
    """Who sent this request (atlas.web.clients: an IPv6 client by its /64)."""
    return client_of(get_remote_address())


limiter = Limiter(key_func=client, on_breach=refused)


def init_limits(app) -> None:
    """The limiter on an app. Flask-Limiter's in-memory fallback (counting on while Redis is down) is limits'
    MemoryStorage made by Flask-Limiter itself: it is swept as `memory://` is (SweptMemoryStorage), for an outage is
    when every process counts in memory. The limiter object outlives an app within one process (tests make many): a
    new app starts on its own storage, not in the fallback an earlier app's outage left it in."""
    limiter.init_app(app)
    if limiter._fallback_limiter is not None:
        limiter._fallback_storage = SweptMemoryStorage()
        limiter._fallback_limiter = type(limiter._fallback_limiter)(limiter._fallback_storage)
    limiter._storage_dead = False
    hooks = app.before_request_funcs[None]
    hooks[hooks.index(limiter._check_request_limit)] = _middleware_check(app)
    _only_where_checked(app)
    flask_limiter._limits.parse_many = _parsed  # the name Flask-Limiter's Limit.__iter__ calls at every check
    _names_hold()


def _names_hold() -> None:
    """The names of Flask-Limiter's that this module relies on and that nothing else checks at start: a release that
    named its request state otherwise would leave every limit's headers and deductions out without a word – the
    failed logins' limit (deduct_when) among them –, one that parsed a limit otherwise only this module's speed."""
    missing = [name for name, code in ((CHECKED, Limiter.context.fget.__code__),
                                       ("parse_many", flask_limiter._limits.Limit.__iter__.__code__))
               if name not in code.co_names]
    if missing:
        raise RuntimeError(f"Flask-Limiter no longer uses {', '.join(missing)}: atlas.web.limits must follow it")


def _only_where_checked(app) -> None:
    """Flask-Limiter's steps after a request – its headers (and deductions), then forgetting what the check kept –
    only in a request whose limits were checked. The check keeps what it found on the request's context, and
    where no check ran (a page without a limit: a kept page, a static file) there is nothing to write and nothing
    to forget; asking for it cost 10-15 µs of every such request (its context made, to be found empty)."""
    after, teardown = app.after_request_funcs[None], app.teardown_request_funcs[None]
    inject = next(hook for hook in after if getattr(hook, "func", None) is Limiter._Limiter__inject_headers)
    release = next(hook for hook in teardown if getattr(hook, "__func__", None) is Limiter._Limiter__release_context)

    def headers_where_checked(response):
        return inject(response) if hasattr(request_ctx, CHECKED) else response

    def release_where_checked(error=None) -> None:
        if hasattr(request_ctx, CHECKED):
            release(error)

    after[after.index(inject)] = headers_where_checked
    teardown[teardown.index(release)] = release_where_checked


CHECKED = "_limiter_request_context"  # Flask-Limiter's state of a request, on its context once a check ran


@lru_cache(maxsize=64)
def _parsed(limits: str) -> tuple:
    """A limit's text ("10 per minute") parsed once per process: Flask-Limiter parses it again at every check of a
    limit given as a function (each of ours reads the app's setting), with regular expressions, 10-30 µs of every
    limited request. The parsed limits are values (limits' RateLimitItem), read and never changed."""
    return tuple(parse_many(limits))


def _middleware_check(app):
    """Flask-Limiter's check before every request, asked only where it can find a limit. A view's own limit
    (`@limiter.limit`) is checked by the view's wrapper, not here; before the request Flask-Limiter counts only the
    app's default, application and meta limits, a blueprint's limits (the API's) and limits hinted for the
    endpoint. This app sets none of the first three, so elsewhere that check finds nothing – and cost a tenth of a
    millisecond of every page, a kept page and a static file too. Answers are kept per endpoint (blueprint limits
    are set at import); the rest is asked every time, as Flask-Limiter may learn them later. Flask-Limiter's in-memory
    fallback limits of their own (RATELIMIT_IN_MEMORY_FALLBACK, for a storage that is down) would apply to every route
    and are not asked for here: the settings do not offer them (a route without a limit stays unlimited while Redis is
    down, docs/operating.md)."""
    blueprint_limited: dict[str, bool] = {}
    manager = limiter.limit_manager

    def check_where_limited() -> None:
        endpoint = request.endpoint or ""
        limited = blueprint_limited.get(endpoint)
        if limited is None:
            blueprint = endpoint.rpartition(".")[0]
            limited = blueprint_limited[endpoint] = bool(blueprint and manager.blueprint_limits(app, blueprint))
        if (limited or manager.has_hints(endpoint) or limiter._meta_limits or manager._application_limits
                or manager._default_limits):
            limiter._check_request_limit()

    return check_where_limited


def submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def account_login_limit() -> str:
    return current_app.config["ACCOUNT_LOGIN_RATE_LIMIT"]


HALFWAY = "halfway"  # the session key of a login whose password was right and whose code is still to come


def login_account() -> str:
    """Whose login this is: the address typed at the password step, the account waiting for its code at the next.
    Both steps count against one account, from whatever client."""
    halfway = session.get(HALFWAY) if request.endpoint == "office.login_code" else None
    email = halfway.get("email", "") if isinstance(halfway, dict) else request.form.get("email", "")
    return "account:" + str(email).strip().lower()[:254]


def failed(response) -> bool:
    """A login step that was refused (wrong password or code, or a form that was not valid)."""
    return response.status_code == 400


def alert_limit() -> str:
    return current_app.config["ALERT_RATE_LIMIT"]


def api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def search_limit() -> str:
    return current_app.config["SEARCH_RATE_LIMIT"]


def download_limit() -> str:
    return current_app.config["DOWNLOAD_RATE_LIMIT"]


def map_view_limit() -> str:
    return current_app.config["MAP_VIEW_RATE_LIMIT"]


def embed_limit() -> str:
    return current_app.config["EMBED_RATE_LIMIT"]


def poster_limit() -> str:
    return current_app.config["POSTER_RATE_LIMIT"]


def report_limit() -> str:
    return current_app.config["REPORT_RATE_LIMIT"]


def pdf_limit() -> str:
    return current_app.config["PDF_RATE_LIMIT"]


def no_place_asked() -> bool:
    """An embedded map of the state, a district or a Kreis is one kept page for everyone: only a place costs."""
    return not (request.args.get("ort") or request.args.get("lat"))
