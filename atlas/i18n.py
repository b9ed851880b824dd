"""The languages of the atlas, and gettext for code that has no Flask of its own.

German is the source: every message is written in German and translated in the catalogues under
atlas/translations (made with Babel: `make translations`). While a page or a mail is being written, the messages
come out in the reader's language (Flask-Babel's locale); elsewhere (the command line) they stay German.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from flask import has_request_context
from flask_babel import force_locale, get_locale, gettext, lazy_gettext, ngettext

__all__ = ["LANGUAGES", "DEFAULT", "Language", "N_", "_", "current_language", "lazy", "plural", "speaking"]


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
    Language("tr", "Türkçe", "ltr"),
    Language("ru", "Русский", "ltr"),
)}
DEFAULT = "de"


def _(message: str, **params) -> str:
    """The message in the reader's language, with %(name)s placeholders filled. Outside a request (the command
    line, an import of 100k rows) it is the German source, without asking Flask-Babel each time."""
    if not has_request_context():
        return message % params if params else message
    return gettext(message, **params)


def lazy(message: str, **params):
    """A message translated when it is shown, for constants defined at import time."""
    return lazy_gettext(message, **params)


def plural(singular: str, plural_form: str, number: int, **params) -> str:
    """"1 Projekt", "12 Projekte" – and whatever the reader's language does with numbers."""
    if not has_request_context():
        return (singular if number == 1 else plural_form) % dict(params, num=number)
    return ngettext(singular, plural_form, number, **params)


def N_(message: str) -> str:
    """Marks a message for the catalogues where it is defined; it is translated where it is shown (with _)."""
    return message


def current_language() -> str:
    """The reader's language code while a page or mail is written; German elsewhere."""
    if not has_request_context():
        return DEFAULT
    locale = get_locale()
    return locale.language if locale else DEFAULT


@contextmanager
def speaking(code: str):
    """Messages in this language for a while, whatever the page's (a German file made on an Arabic page)."""
    if not has_request_context():
        yield
        return
    with force_locale(code):
        yield
