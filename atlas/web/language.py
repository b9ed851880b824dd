"""The reader's language: `?lang=xx` (kept in a cookie from then on), else the cookie, else the browser's
Accept-Language, else German. Every page says it in `<html lang dir>` and offers the others, each named in
itself."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import Flask, has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from atlas.i18n import DEFAULT, LANGUAGES, _, current_language, plural
from atlas.mapdata import script_json

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


def browser_language(header: str) -> str:
    """The best of our languages by a browser's Accept-Language header, as werkzeug's best_match finds it. Every
    page asked without `?lang` or the cookie asks it, a browser sends the same header with each request, and parsing
    and matching it cost 10–40 µs: kept per process and header, at most BROWSER_HEADERS of them (then they start
    anew)."""
    found = _BEST_LANGUAGE.get(header)
    if found is None:
        found = parse_accept_header(header, LanguageAccept).best_match(list(LANGUAGES), default=DEFAULT)
        if len(header) <= KEPT_HEADER:  # a longer one is no browser's: not kept (1,000 of 250 kB held 240 MB)
            if len(_BEST_LANGUAGE) >= BROWSER_HEADERS:
                _BEST_LANGUAGE.clear()
            _BEST_LANGUAGE[header] = found
    return found


BROWSER_HEADERS = 1_000  # distinct Accept-Language headers: a browser's language settings, few in a population
KEPT_HEADER = 200  # characters: a browser's header is seldom over 100 ("ar-EG,ar;q=0.9,en-US;q=0.8,en;q=0.7": 35)
_BEST_LANGUAGE: dict[str, str] = {}


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
        vary = response.headers.get("Vary")
        varied = _VARIED.get(vary)
        if varied is None:  # the Vary header read and written once, not twice
            response.vary.update(("Accept-Language", "Cookie"))
            if len(_VARIED) < VARY_HEADERS:
                _VARIED[vary] = response.headers.get("Vary")
        elif varied != vary:
            response.headers["Vary"] = varied
        return response

    @app.context_processor
    def language_context():
        code = current_language()
        return {"language": LANGUAGES.get(code, LANGUAGES[DEFAULT]), "languages": LANGUAGES,
                "browser_text": browser_text}


# What werkzeug's `vary.update` makes of a page's Vary header, per header as the view sent it (the kept pages' and
# Flask's few): parsing and writing it again cost 5-10 µs of every page.
VARY_HEADERS = 64
_VARIED: dict[str | None, str] = {}

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
