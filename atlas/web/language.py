"""The reader's language: `?lang=xx` (kept in a cookie from then on), else the cookie, else the browser's
Accept-Language, else German. Every page says it in `<html lang dir>` and offers the others, each named in
itself."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import Flask, has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_set_header

from atlas.i18n import DEFAULT, LANGUAGES, _, current_language, plural
from atlas.mapdata import script_json
from atlas.web.per_header import per_header

COOKIE = "sprache"
YEAR = 365 * 24 * 3600


def select_locale() -> Locale:
    """The reader's language as Babel's Locale, one kept per language: Flask-Babel parses a code it is given on every
    request (Locale.parse, 3-6 µs) and takes a Locale as it is."""
    if not has_request_context():  # the command line, and the mail sender (it forces each mail's language)
        return _locale(DEFAULT)
    asked = _first(request.args, "lang")
    if asked in LANGUAGES:
        return _locale(asked)
    kept = _first(request.cookies, COOKIE)
    if kept in LANGUAGES:
        return _locale(kept)
    return _locale(browser_language(request.headers.get("Accept-Language", "")))


def _first(values, key: str) -> str:
    """The first value of `key` in a query's or the cookies' MultiDict, "" if there is none: werkzeug's `get` finds a
    missing key by raising and catching a BadRequestKeyError (an HTTP exception made, 2-3 µs), and most requests name
    neither a language nor the cookie."""
    return values[key] if key in values else ""


@lru_cache(maxsize=16)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@per_header
def browser_language(header: str) -> str:
    """The best of our languages by a browser's Accept-Language header, as werkzeug's best_match finds it. Every
    page asked without `?lang` or the cookie asks it: kept per header (atlas.web.per_header)."""
    return parse_accept_header(header, LanguageAccept).best_match(list(LANGUAGES), default=DEFAULT)


def register(app: Flask) -> None:
    @app.after_request
    def keep_choice(response):
        if response.mimetype != "text/html":  # read once: werkzeug parses the Content-Type header each time
            return response
        asked = _first(request.args, "lang")
        # A page the reader opened keeps the choice; a resource's `lang` only names its version (the maps'
        # scripts), and a frame in another site sets no cookie.
        if request.endpoint != "embed.embedded" and asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=YEAR, samesite="Lax", httponly=True,
                                secure=app.config["SESSION_COOKIE_SECURE"])
        response.headers["Vary"] = _varied(response.headers.get("Vary", ""))
        return response

    @app.context_processor
    def language_context():
        code = current_language()
        return {"language": LANGUAGES.get(code, LANGUAGES[DEFAULT]), "languages": LANGUAGES,
                "browser_text": browser_text}


@lru_cache(maxsize=64)
def _varied(vary: str) -> str:
    """What werkzeug's `vary.update` makes of a page's Vary header (as the view sent it: the kept pages' and Flask's
    few) with the language's two added: parsing and writing it again cost 5-10 µs of every page."""
    varied = parse_set_header(vary)
    varied.update(("Accept-Language", "Cookie"))
    return varied.to_header()


_BROWSER_TEXT: dict[str, str] = {}  # per language: the catalogues do not change while the process runs


def browser_text() -> str:
    """The #atlas-text block of every page, as JSON safe inside <script>; made once per language."""
    code = current_language()
    if code not in _BROWSER_TEXT:
        _BROWSER_TEXT[code] = script_json(browser_texts())
    return _BROWSER_TEXT[code]


def browser_texts() -> dict:
    """What the browser code (static/js/) writes into the page, in the page's language. Counts come in every plural
    form the language has (CLDR categories, as the browser's Intl.PluralRules names them), with {n} for the number."""
    rule = Locale.parse(current_language()).plural_form
    samples: dict[str, int] = {}
    for n in (*range(0, 200), 1000, 1001, 1.5):
        samples.setdefault(rule(n), n)
    return {
        "projects": {category: plural("%(num)s Projekt", "%(num)s Projekte", n).replace(str(n), "{n}", 1)
                     for category, n in samples.items() if isinstance(n, int)},
        "toProject": _("Zur Projektseite"),
        "inView": _("%(projects)s im Kartenausschnitt", projects="{projects}"),  # a map by viewport (viewlist.js)
        "inViewFailed": _("Die Projekte im Kartenausschnitt konnten gerade nicht geladen werden. Bitte verschieben "
                          "Sie die Karte gleich noch einmal."),
        "tilesFailed": _("Ein Teil der Karte konnte gerade nicht geladen werden. Bitte verschieben Sie die Karte "
                         "gleich noch einmal."),  # a tile of a map by viewport (viewport.js)
        "mapDataFailed": _("Die Projekte der Karte konnten gerade nicht geladen werden. Wenn Sie filtern, wird die "
                           "Seite neu geladen."),  # the map's data (map.js): the server filters instead (filters.js)
        "filterFailed": _("Der Filter konnte gerade nicht angewendet werden. Bitte versuchen Sie es gleich noch "
                          "einmal."),  # the time filter asks the server which projects are open (filters.js)
        "free": _("kostenlos"),
        "zoomIn": _("Hineinzoomen"),
        "zoomOut": _("Herauszoomen"),
        "closePopup": _("Schließen"),  # a map popup's close button (maps.js)
        "suggestions": _("Vorschläge für Orte"),
        "suggestionsHint": _("Vorschläge: mit den Pfeiltasten wählen, mit Enter übernehmen."),
        "fromSources": _("Aus öffentlichen Quellen zusammengetragen, Stand %(stand)s – vom Träger noch nicht "
                         "bestätigt", stand="{stand}"),
        "source": _("Quelle"),
        "unconfirmedSince": _("nicht bestätigt seit %(date)s", date="{date}"),  # the day comes with the map's data
        "machine": _("maschinell übersetzt"),  # a project's text (atlas.texts)
        "original": _("Original (Deutsch) anzeigen"),
        "outdated": _("Übersetzung veraltet"),
        # how the language joins a list (CLDR, as atlas.i18n.listing joins it): not every browser knows every language
        "list": dict(Locale.parse(current_language()).list_patterns["standard"]),
    }
