"""The languages of the atlas, and gettext for code that has no Flask of its own.

German is the source: every message is written in German and translated in the catalogues under
atlas/translations (made with Babel: `make translations`). While a page or a mail is being written, the messages
come out in the reader's language (Flask-Babel's locale); elsewhere (the command line) they stay German.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.lists import format_list
from babel.numbers import NumberPattern, parse_pattern
from babel.units import format_unit
from flask import g, has_request_context
from flask_babel import LazyString, force_locale, get_locale, get_translations

__all__ = ["LANGUAGES", "DEFAULT", "Language", "N_", "_", "current_language", "distance", "german", "isolate", "lazy",
           "listing", "number", "plural", "speaking", "translating"]


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself
    direction: str  # "ltr" or "rtl"


LANGUAGES: dict[str, Language] = {language.code: language for language in (
    Language("de", "Deutsch", "ltr"),
    Language("en", "English", "ltr"),
    Language("ar", "العربية", "rtl"),
    Language("uk", "Українська", "ltr"),
    Language("fa", "فارسی", "rtl"),
    Language("ps", "پښتو", "rtl"),
    Language("tr", "Türkçe", "ltr"),
    Language("ru", "Русский", "ltr"),
    Language("fr", "Français", "ltr"),
)}
DEFAULT = "de"


def _(message: str, **params) -> str:
    """The message in the reader's language, with %(name)s placeholders filled. Outside a request (the command
    line, an import of 100k rows) it is the German source, without asking Flask-Babel each time."""
    if not has_request_context():
        return message % params if params else message
    text = catalogue().ugettext(message)
    return text % params if params else text


def catalogue():
    """The catalogue of the language being written: the page's, or the one a mail is forced into (`speaking`).
    Flask-Babel's, kept for the request beside the locale it is for: each of Flask-Babel's own gettext calls looks
    at its request context three times and spells the locale out, and a page asks for dozens of messages."""
    return _kept()[1]


def _kept() -> tuple:
    """(locale, catalogue) of the language being written, kept on the request's `g` once asked: asking Flask-Babel
    for its locale costs three lookups of `g` (4 µs, and a page asks some fifty times). Only `speaking` changes the
    language within a request; it sets what is kept aside while it lasts. Outside a request, Flask-Babel's each time."""
    kept = g.get("atlas_catalogue")
    if kept is None:
        kept = (get_locale(), get_translations())
        if has_request_context():
            g.atlas_catalogue = kept
    return kept


def lazy(message: str, **params):
    """A message translated when it is shown, for constants defined at import time."""
    return LazyString(_, message, **params)


def plural(singular: str, plural_form: str, count: int, **params) -> str:
    """"1 Projekt", "1.200 Projekte" – the form and the digits as the reader's language writes them."""
    params.setdefault("num", number(count))
    if not has_request_context():
        return (singular if count == 1 else plural_form) % params
    return catalogue().ungettext(singular, plural_form, count) % params


def number(value: float, decimals: int = 0) -> str:
    """1.200 (de), 1,200 (en), 1 200 (ru): a number as the reader's language writes it – as Babel's format_decimal
    writes it, with the pattern and the locale it would parse on each call (four fifths of its 28 µs) parsed once."""
    return _decimal_pattern(decimals).apply(value, _numbers_locale(current_language()))


@lru_cache(maxsize=8)
def _decimal_pattern(decimals: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


@lru_cache(maxsize=16)
def _numbers_locale(code: str) -> Locale:
    return Locale.parse(code)


def distance(km: float, code: str | None = None) -> str:
    """3,4 km (de), 3.4 كم (ar), 3,4 км (ru): a distance with its unit, one decimal, in the reader's language (or in
    the language `code`, for a list that asked for the reader's once)."""
    # rounded as Babel rounds (the decimal of str(km), half to even), so the text is Babel's: a list of 100
    # distances shows a few dozen distinct ones, each formatted once per language
    return _distance(tenths(km), code or current_language())


TENTH = Decimal("0.1")


def tenths(km: float) -> str:
    """"3.4": the decimal of str(km) rounded to tenths, half to even – as Babel rounds it. Python's own rounding
    ("%.1f") rounds the float's binary value, half to even, which is the same but where str(km) ends in a 5 in the
    second decimal ("0.15", a tie for the decimal, not for the binary value below it): only there is the decimal
    rounded (a near search writes about fifty distances; Decimal's way cost three times as much each)."""
    text = str(km)
    fraction = text.partition(".")[2]
    if len(fraction) == 2 and fraction[1] == "5":
        return str(Decimal(text).quantize(TENTH))
    return f"{km:.1f}"


@lru_cache(maxsize=4096)
def _distance(rounded: str, code: str) -> str:
    text = format_unit(Decimal(rounded), "length-kilometer", length="short", format="#,##0.0", locale=code)
    return text.replace(" ", "\u00a0")  # number and unit stay on one line


def listing(items) -> str:
    """Deutsch, Arabisch und Englisch: a list as the reader's language joins it."""
    items = [str(item) for item in items]
    return format_list(items, locale=current_language()) if items else ""


ISOLATE, POP = "\u2068", "\u2069"  # FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE


def isolate(text: str) -> str:
    """Text of another direction inside a right-to-left line of plain text (a mail): set apart by Unicode
    isolates, so its words and punctuation stay in their order. Unchanged for left-to-right readers."""
    language = LANGUAGES.get(current_language())
    return f"{ISOLATE}{text}{POP}" if language and language.direction == "rtl" and text else text


def german(message: str, **params) -> str:
    """A message for the operator (the command line, the log): German, as the operator's tools speak it; not in the
    readers' catalogues."""
    return message % params if params else message


def N_(message: str) -> str:
    """Marks a message for the catalogues where it is defined; it is translated where it is shown (with _)."""
    return message


def current_language() -> str:
    """The reader's language code while a page or mail is written; German elsewhere."""
    if not has_request_context():
        return DEFAULT
    locale = _locale()
    return locale.language if locale else DEFAULT


def translating() -> bool:
    """Whether messages are written in the reader's language now (a page or a mail is being written); elsewhere
    they stay German, whatever language is asked for (`speaking` changes nothing there)."""
    return has_request_context()


def _locale():
    """The locale of the language being written, kept on `g` like the catalogue but apart from it: a kept page asks
    for its language (its key) and never for a message, and the catalogue is Flask-Babel's slowest question (its
    cache is keyed by the locale spelt out: 30 µs)."""
    kept = g.get("atlas_catalogue")
    if kept is not None:
        return kept[0]
    locale = g.get("atlas_locale")
    if locale is None:
        locale = g.atlas_locale = get_locale()
    return locale


@contextmanager
def speaking(code: str):
    """Messages in this language for a while, whatever the page's (a German file made on an Arabic page)."""
    if not has_request_context():
        yield
        return
    with force_locale(code):
        page = g.pop("atlas_catalogue", None), g.pop("atlas_locale", None)  # the page's, given back afterwards
        try:
            yield
        finally:
            g.atlas_catalogue, g.atlas_locale = page
