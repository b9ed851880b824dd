"""The settings: one typed table (name, default, kind, help), read once at start from defaults and `ATLAS_*`
environment variables, each cast to its kind there – nothing casts a setting where it is used. An `ATLAS_*`
variable that names no setting is refused with the closest name, so a typo never passes silently."""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from atlas.i18n import german

PACKAGE = Path(__file__).resolve().parent
DEFAULT_USER_AGENT = "gemeinsame-sache-atlas/0.1"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"  # `make run`; anywhere public ATLAS_BASE_URL must name the real address
PREFIX = "ATLAS_"
# ATLAS_* variables that are not settings of the app: read by the test suite, not by the atlas
NOT_SETTINGS = {"ATLAS_TEST_BACKEND"}


class SettingError(ValueError):
    """A setting that cannot work; the message names it and what to set instead."""


def resource(name: str, in_checkout: str | None = None) -> Path:
    """templates/, static/, data/ (or npm/): inside the package when installed from a wheel, beside it (or at
    `in_checkout`) in a checkout."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / (in_checkout or name)


def unusable_instance(path: str, error: OSError) -> SettingError:
    """The instance folder (database, key, mails, caches) cannot be made or written."""
    return SettingError(german("Der Instanz-Ordner %(path)s ist nicht nutzbar (%(reason)s): ATLAS_INSTANCE_PATH auf "
                               "einen Ordner setzen, den der Atlas anlegen und beschreiben darf.",
                               path=path, reason=error.strerror))


@dataclass(frozen=True)
class Setting:
    name: str
    default: object  # a value, or a function of the instance folder
    kind: str  # text, int, float, bool, list, json, limit (Flask-Limiter's „10 per minute;100 per day“), choice, url
    help: str  # for the operator (docs/operating.md is made from it; `atlas settings` prints it)
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    secret: bool = False  # never printed
    shown_default: str = ""  # how the documentation names a default that depends on the machine

    def default_for(self, instance: Path):
        return self.default(instance) if callable(self.default) else self.default

    def cast(self, raw: str):
        """The value of an environment variable as this setting's kind; SettingError names what is wrong."""
        try:
            # a secret from a file ends in a line break, which no key holds (and a request would show it)
            value = CASTS[self.kind](raw.strip() if self.kind != "text" or self.secret else raw)
        except (ValueError, TypeError):
            raise SettingError(german("%(name)s ist %(kind)s, nicht %(value)r.", name=PREFIX + self.name,
                                      kind=KIND_WORDS[self.kind], value=raw[:80])) from None
        return self.check(value)

    def check(self, value):
        if self.choices and value not in self.choices:
            raise SettingError(german("%(name)s muss einer von %(choices)s sein, nicht %(value)r.",
                                      name=PREFIX + self.name, choices=", ".join(self.choices), value=value))
        if self.minimum is not None and value < self.minimum:
            raise SettingError(german("%(name)s ist mindestens %(minimum)s, nicht %(value)r.",
                                      name=PREFIX + self.name, minimum=self.minimum, value=value))
        return value


def _bool(raw: str) -> bool:
    words = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
    return words[raw.lower()] if raw.lower() in words else _not_valid()


def _list(raw: str) -> list[str]:
    """A JSON list of strings, or words separated by commas."""
    if raw.startswith("["):
        value = json.loads(raw)
        return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else _not_valid()
    return [word.strip() for word in raw.split(",") if word.strip()]


def _limit(raw: str) -> str:
    from limits import parse_many

    parse_many(raw)  # ValueError for anything Flask-Limiter could not read
    return raw


def _url(raw: str) -> str:
    """Empty, or an address with http:// or https://."""
    return raw if not raw or raw.startswith(("http://", "https://")) else _not_valid()


def _not_valid():
    raise ValueError("not valid")


CASTS: dict[str, Callable[[str], object]] = {
    "text": str, "choice": str, "int": int, "float": float, "bool": _bool, "list": _list, "json": json.loads,
    "limit": _limit, "url": _url,
}
KIND_WORDS = {
    "text": "ein Text", "choice": "ein Wort aus einer Liste", "int": "eine ganze Zahl", "float": "eine Zahl",
    "bool": "1 oder 0 (true oder false)", "list": 'eine Liste (["a", "b"] oder a,b)', "json": "ein JSON-Wert",
    "limit": "ein Rate-Limit wie „10 per minute;100 per day“", "url": "eine Adresse mit http:// oder https://",
}


def _instance(name: str) -> Callable[[Path], str]:
    return lambda instance: str(instance / name)


S = Setting
SETTINGS: tuple[Setting, ...] = (
    # Where things are
    S("INSTANCE_PATH", lambda instance: str(instance), "text",
      "the folder for the SQLite database, the signing key, mails written as files and caches",
      shown_default="`instance/`"),
    S("DATABASE_URL", lambda instance: f"sqlite:///{instance / 'atlas.db'}", "text",
      "SQLAlchemy URL: SQLite (embedded) or PostgreSQL, `postgresql+psycopg://user:password@host:5432/atlas` "
      "(needs `pip install 'atlas[postgres]'`)", secret=True, shown_default="`sqlite:///instance/atlas.db`"),
    S("DATA_DIR", lambda instance: str(resource("data")), "text",
      "the boundaries and the gazetteer (`data/` of the checkout or the wheel)", shown_default="`data/`"),
    S("CACHE_DIR", _instance("cache"), "text", "what a start makes from `data/` and the code, and its copy of the "
      "published projects: quicker to read than to make (may be emptied at any time)",
      shown_default="`instance/cache/`"),
    S("SEED_CSV", lambda instance: str(resource("data") / "projects.csv"), "text",
      "what `atlas seed` loads into an empty database", shown_default="`data/projects.csv`"),
    # Secrets and accounts
    S("SECRET_KEY", None, "text",
      "signs sessions and forms and unlocks the offices' second factors; at least 32 bytes; known example values "
      "are refused", secret=True, shown_default="none: a random key in the instance folder"),
    S("SECRET_KEY_FALLBACKS", None, "json",
      "during a key rotation: a JSON list of the earlier keys, still accepted for sessions and second factors (see "
      "[Second factor for the offices](offices.md#second-factor-for-the-offices))", secret=True, shown_default="none"),
    S("REQUIRE_2FA", False, "bool", "`1`: every office account must set up a second factor at its next login"),
    S("PASSWORD_HASH", "scrypt", "text", "how new passwords are hashed (werkzeug's method names; the tests use a "
                                         "cheap one)"),
    S("HASH_THREADS", 1, "int", "password checks at once per process (each takes about 50 ms of one core)",
      minimum=1),
    # The public address and the proxy
    S("BASE_URL", DEFAULT_BASE_URL, "text",
      "the atlas's public address: every absolute link (embedding code, downloads, API, catalogue, mails, the private "
      "link, the poster's QR code) is made from it, never from a request's Host. **Required** wherever the atlas is "
      "public: behind a proxy, with `ATLAS_FORCE_HTTPS`, under gunicorn or served on another address than loopback "
      "– it refuses to start without"),
    S("TRUSTED_HOSTS", None, "list", "e.g. `'[\"atlas.niedersachsen.de\"]'`: a request naming another Host (or "
                                     "X-Forwarded-Host) gets a 400", shown_default="none"),
    S("PROXY_COUNT", 0, "int",
      "reverse proxies in front of the app: their `X-Forwarded-For`, `-Proto` and `-Host` then name the client the "
      "rate limits count, HTTPS (for HSTS and secure links) and the host – under gunicorn through werkzeug's "
      "`ProxyFix`, under `atlas serve` through waitress's trusted-proxy settings (from `ATLAS_TRUSTED_PROXY` only); "
      "leave 0 without a proxy, or anyone could pick their own address", minimum=0),
    S("TRUSTED_PROXY", "127.0.0.1", "text", "with `ATLAS_PROXY_COUNT`, the address `atlas serve` (waitress) "
                                            "believes X-Forwarded-* headers from; from anyone else they are dropped"),
    S("SESSION_COOKIE_SECURE", False, "bool", "`true` behind HTTPS: session cookies only over TLS"),
    S("REMEMBER_COOKIE_SECURE", False, "bool", "`true` behind HTTPS, as `ATLAS_SESSION_COOKIE_SECURE`"),
    S("FORCE_HTTPS", False, "bool", "redirect plain HTTP to HTTPS (when no reverse proxy does it)"),
    S("MAX_CONTENT_LENGTH", 1_000_000, "int", "bytes of a request body; a submission is a few kilobytes",
      minimum=1000),
    # Geocoding and the map
    S("GEOCODER", "offline", "choice", "`offline` (gazetteer only) or `nominatim` (online provider through geopy for "
                                       "addresses and unknown places)", choices=("offline", "nominatim")),
    S("NOMINATIM_URL", "https://nominatim.openstreetmap.org", "text", "base URL of the Nominatim service"),
    S("NOMINATIM_USER_AGENT", DEFAULT_USER_AGENT, "text", "user agent sent to Nominatim (set your contact)"),
    S("NOMINATIM_TIMEOUT", 5.0, "float", "seconds", minimum=0.1),
    S("NOMINATIM_MIN_INTERVAL", 1.0, "float", "seconds between two requests to Nominatim (its policy: one a second)",
      minimum=0),
    S("TILES", "basemap", "choice",
      "map tiles: `basemap` (the web raster of basemap.de, BKG, `sgx.geodatenzentrum.de`, dl-de/by-2-0), `osm` "
      "(OpenStreetMap's tile servers: only where this asks for them, their usage policy does not cover a production "
      "site) or `none` (no third-party request at all; the atlas's own basemap and boundaries still drawn). The "
      "Content-Security-Policy's `img-src`, the footer, the Impressum and the Datenschutzerklärung follow it",
      choices=("basemap", "osm", "none")),
    S("MAP_CLUSTER_ABOVE", 5000, "int",
      "a map of the state or of a district with more projects than this no longer gets every project: the server "
      "sends clusters per map tile and zoom, the projects themselves where the view is close, and the list the "
      "projects in view (`0`: always)", minimum=0),
    # Mail
    S("MAIL_URL", "", "text", "`smtp://host:25`, `smtp+starttls://user:password@host:587`, "
                              "`smtps://user:password@host:465` (user and password URL-encoded); see [Mail](mail.md)",
      secret=True, shown_default="none: each mail is written as an `.eml` file into `instance/mail/` (and the log "
                                 "says where)"),
    S("MAIL_DIR", _instance("mail"), "text", "where mails are written as files without `ATLAS_MAIL_URL`",
      shown_default="`instance/mail/`"),
    S("MAIL_FROM", "Gemeinsame Sache <atlas@localhost>", "text", "sender of every mail"),
    S("MAIL_INTERVAL", 3.0, "float", "seconds between two looks of `atlas serve` into the outbox (and at its "
                                                  "machine translation jobs)", minimum=0.1),
    S("FRESHNESS_DAYS", 365, "int", "after how many days a published project is asked whether it still runs",
      minimum=1),
    # Machine translation of project texts (atlas.machine): off unless an engine is named
    S("TRANSLATE_URL", "", "url", "the address of a LibreTranslate server (`http://127.0.0.1:5050`): project texts "
                                  "are then translated by it as jobs; see [Translations](translations.md#machine-"
                                  "translation)", shown_default="none: no LibreTranslate"),
    S("TRANSLATE_KEY", "", "text", "LibreTranslate's API key, if the server asks for one", secret=True),
    S("TRANSLATE_BUDGET", 2_000_000, "int", "characters sent to LibreTranslate per month at most", minimum=0),
    S("DEEPL_KEY", "", "text", "a DeepL API key: project texts are then translated by DeepL as jobs, with the "
                               "glossary of `atlas/translations/glossary.toml`", secret=True,
      shown_default="none: no DeepL"),
    S("DEEPL_URL", "", "url", "DeepL's API address; empty: chosen by the key (`:fx` keys: API Free)",
      shown_default="empty"),
    S("DEEPL_BUDGET", 500_000, "int", "characters sent to DeepL per month at most (API Free's monthly amount)",
      minimum=0),
    S("HOLD_DAYS", 14, "int", "after how many days an office's „Ich übernehme das“ lapses unless the clerk takes the "
                              "project again (see [Working as a team](offices.md#working-as-a-team))", minimum=1),
    # Caches and logging
    S("PAGE_CACHE_BYTES", 64 * 1024 * 1024, "int", "rendered public pages kept per process, at most this many bytes",
      minimum=0),
    S("PAGE_CACHE_URI", "", "text",
      "`redis://host:6379/1`: rendered pages and map data shared by all processes and servers – each made once per "
      "version, not once per process (`pip install 'atlas[redis]'`); Redis down, each process makes its own and "
      "looks for Redis again after 10 s", secret=True, shown_default="none: each process makes its own pages"),
    S("LOG_LEVEL", "INFO", "choice", "`INFO` writes one access line per request to stderr: method, path, status, "
                                     "milliseconds", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    # Rate limits (Flask-Limiter's syntax)
    S("RATELIMIT_STORAGE_URI", "memory://", "text",
      "where the limits are counted; one process (as `make run`) needs nothing else, several processes need "
      "`redis://host:6379/0` (`pip install 'atlas[redis]'`)", secret=True),
    S("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True, "bool",
      "while Redis is unreachable, each process counts in its own memory with each route's own limit (routes without "
      "one stay unlimited, `/healthz` always) and logs a warning; it looks for Redis again and goes back to it"),
    S("RATELIMIT_ENABLED", True, "bool", "`false` switches every rate limit off (for a load test, never in public)"),
    S("SUBMIT_RATE_LIMIT", "20 per minute;300 per day", "limit",
      "POSTs to `/einreichen` per client address ([Flask-Limiter syntax](https://flask-limiter.readthedocs.io/)); a "
      "submission takes two"),
    S("LOGIN_RATE_LIMIT", "10 per minute;100 per day", "limit",
      "login attempts (password and code) per client address"),
    S("ACCOUNT_LOGIN_RATE_LIMIT", "10 per 10 minutes;50 per day", "limit",
      "failed login attempts (password or code) per account, from any address: a guesser who changes addresses is "
      "still slowed"),
    S("API_RATE_LIMIT", "600 per minute", "limit", "requests to `/ogc` per client address"),
    S("SEARCH_RATE_LIMIT", "60 per minute;1000 per hour", "limit", "near searches and text searches per client"),
    S("DOWNLOAD_RATE_LIMIT", "30 per minute;300 per hour", "limit", "downloads (`/daten/…`) per client"),
    S("MAP_VIEW_RATE_LIMIT", "3000 per minute;60000 per hour", "limit",
      "a large map's tiles and list in view (`/karte/kacheln.json`, `/karte/ausschnitt.json`) per client: a map "
      "asks for up to about 50 tiles at each move, and several people may share an address"),
    S("EMBED_RATE_LIMIT", "60 per minute;1000 per hour", "limit",
      "embedded maps around a place per client (a map of the state, a district or a Kreis is one kept page: "
      "unlimited)"),
    S("POSTER_RATE_LIMIT", "20 per minute;200 per hour", "limit", "posters as pages per client"),
    S("PDF_RATE_LIMIT", "5 per minute;30 per hour", "limit", "posters as PDF per client: a person prints a few"),
    S("REPORT_RATE_LIMIT", "5 per 10 minutes;20 per day", "limit",
      "reports („Eintrag melden“) per client address: each one is a task for an office"),
    S("ALERT_RATE_LIMIT", "10 per hour;50 per day", "limit", "sign-ups at `/benachrichtigung` per client address"),
    # Open data
    S("DATA_LICENCE", "CC BY 4.0", "text", "the project data's licence, named in the API and in every download"),
    S("DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/deed.de", "text", "the licence's text"),
    S("DCAT_PUBLISHER_URL", "https://www.stk.niedersachsen.de/", "text",
      "the publisher's homepage in the DCAT-AP.de catalogue"),
    S("DCAT_CONTRIBUTOR_ID", "", "text", "the ID GovData assigns the data provider (`dcatde:contributorID`); left "
                                         "out while empty"),
    # Who runs the atlas (Impressum, Datenschutzerklärung, Barrierefreiheit)
    S("OPERATOR_NAME", "Niedersächsische Staatskanzlei", "text",
      "the operator's details on the [legal pages](pages.md#legal-pages-and-accessibility), with the alliance's "
      "Geschäftsstelle as the default; name and e-mail are also the DCAT catalogue's publisher and contact point"),
    S("OPERATOR_UNIT", "Geschäftsstelle „Niedersachsen packt an“", "text", "the operator's unit"),
    S("OPERATOR_ADDRESS", "Planckstraße 2, 30169 Hannover", "text", "the operator's postal address"),
    S("OPERATOR_EMAIL", "buendnis@niedersachsen.de", "text", "the operator's e-mail address"),
    S("OPERATOR_PHONE", "", "text", "the operator's phone number (left out while empty)"),
    S("OPERATOR_REPRESENTED_BY", "", "text", "who represents the operator (left out while empty)"),
    S("OPERATOR_PRIVACY_CONTACT", "", "text", "the data protection officer; empty: reached through the operator"),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}

# What the atlas sets for the Flask extensions it uses: fixed, not the operator's to change.
FIXED = {
    "BABEL_DEFAULT_LOCALE": "de",
    "BABEL_TRANSLATION_DIRECTORIES": str(PACKAGE / "translations"),  # compiled by `make` (pybabel compile)
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    "RATELIMIT_SWALLOW_ERRORS": True,  # Redis down: counted in memory meanwhile (see the fallback setting)
    "RATELIMIT_HEADERS_ENABLED": True,
}


def load(instance: Path, environ: Mapping[str, str] | None = None, given: Mapping | None = None) -> dict:
    """Every setting, typed: the defaults, then `ATLAS_*` variables of the environment, then `given` (the tests'
    values, or an embedding program's). Unknown variables and values that are not of their kind are refused."""
    environ = os.environ if environ is None else environ
    values = {setting.name: setting.default_for(instance) for setting in SETTINGS} | FIXED
    for variable, raw in environ.items():
        if variable.startswith(PREFIX) and variable not in NOT_SETTINGS:
            values[_known(variable).name] = _known(variable).cast(raw)
    for name, value in (given or {}).items():
        setting = BY_NAME.get(name)
        values[name] = setting.cast(value) if setting and isinstance(value, str) else value
    return values


def instance_folder(given: Mapping | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The instance folder, known before the other settings (their defaults lie in it)."""
    environ = os.environ if environ is None else environ
    return Path((given or {}).get("INSTANCE_PATH") or environ.get(PREFIX + "INSTANCE_PATH")
                or Path.cwd() / "instance").resolve()


def _known(variable: str) -> Setting:
    name = variable.removeprefix(PREFIX)
    if name in BY_NAME:
        return BY_NAME[name]
    close = difflib.get_close_matches(name, BY_NAME, n=1, cutoff=0.6)
    hint = german(" Gemeint ist wohl %(name)s.", name=PREFIX + close[0]) if close else ""
    raise SettingError(german("%(variable)s ist keine Einstellung des Atlas.", variable=variable) + hint
                       + german(" Alle Einstellungen nennt `atlas settings`."))


def shown(setting: Setting, value) -> str:
    """A value as `atlas settings` prints it: a secret never, only whether it has one."""
    if setting.secret:
        return german("(verborgen)") if value else german("(leer)")
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def documentation() -> str:
    """The table of docs/operating.md#configuration, made from SETTINGS (a test keeps the page equal to it)."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        default = setting.shown_default or _markdown_default(setting.default)
        lines.append(f"| `{PREFIX}{setting.name}` | {default} | {setting.help} |")
    return "\n".join(lines)


def _markdown_default(value) -> str:
    if value in ("", None):
        return "empty"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    return f"`{value}`"
