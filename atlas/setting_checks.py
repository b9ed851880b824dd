"""What the settings must agree on before the atlas starts: refused where they cannot work, warned about where they
are unsafe for the public. Each setting's own kind and range is checked where it is read (atlas.settings)."""

from __future__ import annotations

import os
from pathlib import Path

from atlas.i18n import german
from atlas.settings import DEFAULT_BASE_URL, DEFAULT_USER_AGENT, SettingError


def for_the_public(config, host: str | None = None) -> bool:
    """Served to others: behind a proxy, with HTTPS forced, by gunicorn, or on an address other than loopback."""
    served_openly = host is not None and host not in ("127.0.0.1", "localhost", "::1")
    return served_openly or config["PROXY_COUNT"] > 0 or config["FORCE_HTTPS"] or _under_gunicorn()


def check_settings(config) -> list[str]:
    """Refuse settings that cannot work (SettingError); return warnings about ones that are unsafe for the public."""
    if config["MAIL_URL"]:
        from atlas.mail import check_mail_url

        try:
            check_mail_url(config["MAIL_URL"])
        except ValueError as error:
            raise SettingError(str(error)) from None
    if not config["BASE_URL"].startswith(("http://", "https://")):
        raise SettingError(german("ATLAS_BASE_URL ist die Adresse des Atlas mit http:// oder https://, nicht "
                                  "%(value)r.", value=config["BASE_URL"]))
    _check_data_dir(config["DATA_DIR"])
    _check_fallback_keys(config["SECRET_KEY_FALLBACKS"])
    _check_rate_limit_storage(config["RATELIMIT_STORAGE_URI"])
    if config["PAGE_CACHE_URI"] and not config["PAGE_CACHE_URI"].startswith(("redis://", "rediss://", "unix://")):
        raise SettingError(german("ATLAS_PAGE_CACHE_URI ist leer (jeder Prozess macht seine Seiten) oder eine "
                                  "Redis-Adresse wie redis://HOST:6379/1."))  # not the value: it may hold a password
    if for_the_public(config) and config["BASE_URL"] == DEFAULT_BASE_URL:
        raise SettingError(german(
            "ATLAS_BASE_URL fehlt: Öffentlich betrieben (hinter einem Proxy, mit HTTPS oder mit gunicorn) braucht "
            "der Atlas seine Adresse, etwa ATLAS_BASE_URL=https://atlas.niedersachsen.de – Links in Seiten, Dateien "
            "und Mails entstehen daraus, nie aus der Anfrage."))
    warnings = []
    several = _under_gunicorn()
    if several and config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        warnings.append(german("Mehrere Prozesse zählen Rate-Limits getrennt (memory://): ATLAS_RATELIMIT_STORAGE_URI="
                               "redis://… setzen, sonst gilt jedes Limit je Prozess."))
    if config["PROXY_COUNT"] and not config["SESSION_COOKIE_SECURE"]:
        warnings.append(german("Hinter einem Proxy (meist HTTPS) ohne ATLAS_SESSION_COOKIE_SECURE=true: "
                               "Anmelde-Cookies würden auch unverschlüsselt gesendet."))
    if config["GEOCODER"] == "nominatim" and config["NOMINATIM_USER_AGENT"] == DEFAULT_USER_AGENT:
        warnings.append(german("ATLAS_NOMINATIM_USER_AGENT nennt keinen Kontakt; Nominatim verlangt einen eigenen."))
    if config["DATABASE_URL"].startswith("sqlite") and several:
        warnings.append(german("SQLite mit mehreren Prozessen: geht, aber für mehrere Maschinen ist PostgreSQL "
                               "nötig."))
    return warnings


def rate_limit_storage_refused(reason: str) -> SettingError:
    return SettingError(german("ATLAS_RATELIMIT_STORAGE_URI geht so nicht (%(reason)s): memory:// oder "
                               "redis://HOST:6379 angeben (Redis braucht `pip install 'atlas[redis]'`).",
                               reason=reason))


def _check_rate_limit_storage(uri: str) -> None:
    """A storage the rate limiter (limits) does not know is refused by every command, not only by the server: the
    scheme alone is checked here (no connection; the library only imported when the value is not the default)."""
    if uri.startswith("memory://"):
        return
    from limits.storage import SCHEMES

    scheme = uri.split("://", 1)[0] if "://" in uri else ""
    if scheme not in SCHEMES or scheme.startswith("async+"):
        raise rate_limit_storage_refused(german("unbekanntes Schema %(scheme)r", scheme=scheme))


def _check_data_dir(folder: str) -> None:
    """The boundaries and the gazetteer are read from ATLAS_DATA_DIR when they are first needed (a place assigned, a
    page with a map): a folder without them is refused at the start, not found out by the first visitor."""
    missing = [f"{part}/" for part in ("regions", "gazetteer") if not (Path(folder) / part).is_dir()]
    if missing:
        raise SettingError(german("ATLAS_DATA_DIR (%(folder)r) enthält kein %(missing)s: den Ordner data/ des Atlas "
                                  "angeben, mit regions/ und gazetteer/.", folder=folder,
                                  missing=" und kein ".join(missing)))


def _under_gunicorn() -> bool:
    return "gunicorn" in os.environ.get("SERVER_SOFTWARE", "")


def _check_fallback_keys(fallbacks) -> None:
    """Earlier secret keys, kept during a rotation (Flask reads sessions signed with them, atlas.second_factor the
    secrets sealed with them): a JSON list of keys, each as safe as a current one would have to be."""
    from atlas.secret_key import UnsafeSecretKey, check_secret_key

    if fallbacks is None:
        return
    if not isinstance(fallbacks, list) or not all(isinstance(key, str) for key in fallbacks):
        raise SettingError(german('ATLAS_SECRET_KEY_FALLBACKS ist eine JSON-Liste früherer Schlüssel, etwa ["…"], '
                                  "nicht %(kind)s.", kind=type(fallbacks).__name__))
    for key in fallbacks:
        try:
            check_secret_key(key)
        except UnsafeSecretKey as error:
            raise SettingError(f"ATLAS_SECRET_KEY_FALLBACKS: {error}") from None
