"""Settings: their defaults, where the package's files are, the checks made at start, and logging."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from atlas.i18n import german

PACKAGE = Path(__file__).resolve().parent
DEFAULT_USER_AGENT = "gemeinsame-sache-atlas/0.1"
DEFAULT_BASE_URL = "http://127.0.0.1:5000"  # `make run`; anywhere public ATLAS_BASE_URL must name the real address
LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


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


def default_settings(instance_path: Path) -> dict:
    return {
        "SECRET_KEY": None,  # None: a random key kept in the instance folder (atlas.secret_key)
        "DATA_DIR": str(resource("data")),
        "DATABASE_URL": f"sqlite:///{instance_path / 'atlas.db'}",
        "CACHE_DIR": str(instance_path / "cache"),  # what is derived from data/ and quicker to read than to build
        "SEED_CSV": str(resource("data") / "projects.csv"),
        "GEOCODER": "offline",
        "NOMINATIM_URL": "https://nominatim.openstreetmap.org",
        "NOMINATIM_USER_AGENT": DEFAULT_USER_AGENT,
        "NOMINATIM_TIMEOUT": 5,
        "NOMINATIM_MIN_INTERVAL": 1.0,
        # Map tiles: basemap.de (BKG); OpenStreetMap's servers only when asked (their usage policy does not cover a
        # production site); `none`: no third-party request at all, the atlas's own basemap only
        "TILES": "basemap",
        # Mail: without ATLAS_MAIL_URL each mail is written as an .eml file into MAIL_DIR (see atlas.mail)
        "MAIL_URL": "",
        "MAIL_DIR": str(instance_path / "mail"),
        "MAIL_FROM": "Gemeinsame Sache <atlas@localhost>",
        "BASE_URL": DEFAULT_BASE_URL,  # the public address: every absolute link is made from it (required in public)
        "TRUSTED_HOSTS": None,  # e.g. ["atlas.niedersachsen.de"]: a request naming another Host is a 400 (Flask)
        "TRUSTED_PROXY": "127.0.0.1",  # `atlas serve` behind a proxy: the address the proxy connects from
        # Who runs the atlas (Impressum, Datenschutzerklärung, Barrierefreiheit): the alliance's Geschäftsstelle
        "OPERATOR_NAME": "Niedersächsische Staatskanzlei",
        "OPERATOR_UNIT": "Geschäftsstelle „Niedersachsen packt an“",
        "OPERATOR_ADDRESS": "Planckstraße 2, 30169 Hannover",
        "OPERATOR_EMAIL": "buendnis@niedersachsen.de",
        "OPERATOR_PHONE": "",
        "OPERATOR_PRIVACY_CONTACT": "",  # the data protection officer; empty: reached through the operator
        "OPERATOR_REPRESENTED_BY": "",  # links in mails are absolute, on this address
        "MAIL_INTERVAL": 3,  # seconds between two looks into the outbox by `atlas serve`
        "FRESHNESS_DAYS": 365,  # a published project is asked after this many days whether it still runs
        "HOLD_DAYS": 14,  # „Ich übernehme das“ lapses after this many days unless its clerk takes it again
        "ALERT_RATE_LIMIT": "10 per hour;50 per day",  # area alert sign-ups per client
        "PAGE_CACHE_BYTES": 64 * 1024 * 1024,  # rendered pages kept per process
        "BABEL_DEFAULT_LOCALE": "de",
        "BABEL_TRANSLATION_DIRECTORIES": str(PACKAGE / "translations"),  # compiled by `make` (pybabel compile)
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,  # set ATLAS_SESSION_COOKIE_SECURE=true behind HTTPS
        "REMEMBER_COOKIE_SECURE": False,
        "FORCE_HTTPS": False,  # redirect plain HTTP to HTTPS (when no reverse proxy does it)
        "RATELIMIT_STORAGE_URI": "memory://",  # one process (waitress); several processes need redis://
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        # Redis down: log a warning, count in this process's memory with each route's own limit (routes without one
        # stay unlimited), look for Redis again later
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "SUBMIT_RATE_LIMIT": "20 per minute;300 per day",  # POSTs per client; a submission takes two
        "LOGIN_RATE_LIMIT": "10 per minute;100 per day",  # password and code POSTs per client
        # failed password or code POSTs per account, from any address: a guesser who changes addresses is still
        # slowed (the price: someone who knows an address can keep that account out for a while)
        "ACCOUNT_LOGIN_RATE_LIMIT": "10 per 10 minutes;50 per day",
        "REQUIRE_2FA": False,  # true: an office account without a second factor must enrol at its next login
        "API_RATE_LIMIT": "600 per minute",  # GETs of /ogc per client; a GIS client pages through 1,000 at a time
        # What costs the server a render per request, sized to what a person does (a flood from one client meets
        # 429 soon and leaves the CPU to everyone else):
        "SEARCH_RATE_LIMIT": "60 per minute;1000 per hour",  # the near search and the text search
        "DOWNLOAD_RATE_LIMIT": "30 per minute;300 per hour",  # „Daten herunterladen“ (GeoJSON, CSV)
        "EMBED_RATE_LIMIT": "60 per minute;1000 per hour",  # an embedded map around a place (each visitor counts)
        "POSTER_RATE_LIMIT": "20 per minute;200 per hour",  # a poster as a page
        "PDF_RATE_LIMIT": "5 per minute;30 per hour",  # a poster as PDF: a person prints a few, not 120
        "DATA_LICENCE": "CC BY 4.0",  # the project data's licence, named in the API and every download
        "DATA_LICENCE_URL": "https://creativecommons.org/licenses/by/4.0/deed.de",
        "DCAT_PUBLISHER_URL": "https://www.stk.niedersachsen.de/",  # the publisher's homepage in the catalogue
        "DCAT_CONTRIBUTOR_ID": "",  # the data provider's ID at GovData (dcatde:contributorID), once it has one
        "MAX_CONTENT_LENGTH": 1_000_000,  # bytes of a request body; a submission is a few kilobytes
        "LOG_LEVEL": "INFO",
        "PASSWORD_HASH": "scrypt",  # how new passwords are hashed (werkzeug method names)
        "PROXY_COUNT": 0,  # reverse proxies in front of the app; their X-Forwarded-For then names the client
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "application/javascript", "text/javascript",
                               "application/json", "application/geo+json"],
    }


def _check_fallback_keys(fallbacks) -> None:
    """Earlier secret keys, kept during a rotation (Flask reads sessions signed with them, atlas.second_factor the
    secrets sealed with them): a JSON list of keys, each as safe as a current one would have to be."""
    from atlas.secret_key import UnsafeSecretKey, check_secret_key

    if fallbacks is None:
        return
    if not isinstance(fallbacks, list) or not all(isinstance(key, str) for key in fallbacks):
        raise SettingError('ATLAS_SECRET_KEY_FALLBACKS ist eine JSON-Liste früherer Schlüssel, etwa ["…"], nicht '
                           f"{type(fallbacks).__name__}.")
    for key in fallbacks:
        try:
            check_secret_key(key)
        except UnsafeSecretKey as error:
            raise SettingError(f"ATLAS_SECRET_KEY_FALLBACKS: {error}") from None


def for_the_public(config, host: str | None = None) -> bool:
    """Served to others: behind a proxy, with HTTPS forced, by gunicorn, or on an address other than loopback."""
    served_openly = host is not None and host not in ("127.0.0.1", "localhost", "::1")
    return (served_openly or int(config["PROXY_COUNT"]) > 0 or bool(config["FORCE_HTTPS"])
            or "gunicorn" in os.environ.get("SERVER_SOFTWARE", ""))


def check_settings(config) -> list[str]:
    """Refuse settings that cannot work (SettingError); return warnings about ones that are unsafe for the public."""
    from atlas.mapdata import TILES

    if config["TILES"] not in TILES:
        raise SettingError(f"ATLAS_TILES muss einer von {', '.join(TILES)} sein, nicht {config['TILES']!r}.")
    if config["GEOCODER"] not in ("offline", "nominatim"):
        raise SettingError(f"ATLAS_GEOCODER muss 'offline' oder 'nominatim' sein, nicht {config['GEOCODER']!r}.")
    if config["MAIL_URL"]:
        from atlas.mail import check_mail_url

        try:
            check_mail_url(str(config["MAIL_URL"]))
        except ValueError as error:
            raise SettingError(str(error)) from None
    if not str(config["BASE_URL"]).startswith(("http://", "https://")):
        raise SettingError(f"ATLAS_BASE_URL ist die Adresse des Atlas mit http:// oder https://, nicht "
                         f"{config['BASE_URL']!r}.")
    if not str(config["FRESHNESS_DAYS"]).isdigit() or int(config["FRESHNESS_DAYS"]) < 1:
        raise SettingError(f"ATLAS_FRESHNESS_DAYS ist eine Zahl von Tagen (1 oder mehr), nicht "
                         f"{config['FRESHNESS_DAYS']!r}.")
    if not str(config["HOLD_DAYS"]).isdigit() or int(config["HOLD_DAYS"]) < 1:
        raise SettingError(f"ATLAS_HOLD_DAYS ist eine Zahl von Tagen (1 oder mehr), nach denen „Ich übernehme das“ "
                           f"verfällt, nicht {config['HOLD_DAYS']!r}.")
    _check_fallback_keys(config.get("SECRET_KEY_FALLBACKS"))
    if str(config["REQUIRE_2FA"]).lower() not in ("0", "1", "true", "false"):
        raise SettingError(f"ATLAS_REQUIRE_2FA ist 1 (zweiter Faktor für alle Konten) oder 0, nicht "
                           f"{config['REQUIRE_2FA']!r}.")
    if not str(config["PROXY_COUNT"]).isdigit():
        raise SettingError(f"ATLAS_PROXY_COUNT ist die Zahl der Proxys davor (0, 1, …), nicht "
                           f"{config['PROXY_COUNT']!r}.")
    if for_the_public(config) and config["BASE_URL"] == DEFAULT_BASE_URL:
        raise SettingError(german(
            "ATLAS_BASE_URL fehlt: Öffentlich betrieben (hinter einem Proxy, mit HTTPS oder mit gunicorn) braucht "
            "der Atlas seine Adresse, etwa ATLAS_BASE_URL=https://atlas.niedersachsen.de – Links in Seiten, Dateien "
            "und Mails entstehen daraus, nie aus der Anfrage."))
    if str(config["LOG_LEVEL"]).upper() not in LOG_LEVELS:
        raise SettingError(german("ATLAS_LOG_LEVEL muss einer von %(levels)s sein, nicht %(value)r.",
                             levels=", ".join(LOG_LEVELS), value=config["LOG_LEVEL"]))
    warnings = []
    several = "gunicorn" in os.environ.get("SERVER_SOFTWARE", "")
    if several and str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        warnings.append("Mehrere Prozesse zählen Rate-Limits getrennt (memory://): ATLAS_RATELIMIT_STORAGE_URI="
                        "redis://… setzen, sonst gilt jedes Limit je Prozess.")
    if int(config["PROXY_COUNT"]) and not config["SESSION_COOKIE_SECURE"]:
        warnings.append("Hinter einem Proxy (meist HTTPS) ohne ATLAS_SESSION_COOKIE_SECURE=true: Anmelde-Cookies "
                        "würden auch unverschlüsselt gesendet.")
    if config["GEOCODER"] == "nominatim" and config["NOMINATIM_USER_AGENT"] == DEFAULT_USER_AGENT:
        warnings.append("ATLAS_NOMINATIM_USER_AGENT nennt keinen Kontakt; Nominatim verlangt einen eigenen.")
    if config["DATABASE_URL"].startswith("sqlite") and several:
        warnings.append("SQLite mit mehreren Prozessen: geht, aber für mehrere Maschinen ist PostgreSQL nötig.")
    return warnings


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure_logging(app) -> None:
    """Log lines of the atlas (access log, warnings) and of its rate limiter (storage down, back) to stderr, each
    once: through one handler on the root logger, which the other libraries' warnings reach too. waitress's
    `logging.basicConfig()` then finds it and adds none of its own (a second handler printed every line twice). A
    root logger set up already (by the operator's logging configuration, or pytest, which captures its own) is
    left as it is."""
    for name in ("atlas", "flask-limiter"):
        logging.getLogger(name).setLevel(str(app.config["LOG_LEVEL"]).upper())
    root = logging.getLogger()
    if not root.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
