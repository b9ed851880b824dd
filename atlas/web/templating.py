"""The pages' Jinja environment: Flask's, with a dict's keys read at the cost of a key, and the imports of macros
checked at the cost of a set's difference."""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable
from itertools import chain

from flask.templating import Environment
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from atlas.i18n import catalogue

DICT_ATTRIBUTES = frozenset(dir(dict))  # a plain dict has these and no others (no __dict__ of its own)


class Templates(Environment):
    """`p.name` in a template is Jinja's `getattr(p, "name")`, which tries the attribute first and, on a dict, fails
    with an exception before it reads the key: a list of a hundred projects reads thousands of keys. For a plain
    dict and a name that is none of dict's own attributes, that attempt always fails, so the key is read at once.
    The result is Jinja's in every case: the value under the key, or undefined; `d.items` is still the method."""

    def getattr(self, obj, attribute: str):
        if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def make_globals(self, d):
        """A template's globals, as Jinja makes them (the template's own over the environment's, which stay live)."""
        return Globals({} if d is None else d, self.globals)


class Globals(ChainMap):
    """Jinja's ChainMap of a template's globals, whose keys() is a set the C code compares: each import of macros
    without the page's context (`{% from "_partials.html" import … %}`) asks which of the page's globals the
    imported template lacks, `page's keys - globals.keys()`, and a ChainMap's keys view answers that key by key in
    Python, through a generator per key (the four dozen globals of a page: about 30 µs a page, now 2). The keys
    are those of the maps at the moment asked – as the view would have given them then."""

    def keys(self):
        return dict.fromkeys(chain.from_iterable(self.maps)).keys()


def messages_kept(gettext: Callable) -> Callable:
    """The templates' `_` for a page: Jinja's newstyle `gettext` (given) with the catalogue's text of a message kept
    per catalogue – as markup, and what it makes without values. Jinja reaches it through an alias, calls the
    catalogue through the context again, wraps the text as markup and formats it even without values ("%%" is "%"):
    about 14 µs a message, and a page shows a few dozen; the kept text costs the catalogue's lookup, and a message
    with values (a list's pager, its count, its place) only its formatting, `Markup(text) % values`, as Jinja's.
    The same text in every case – where the template does not escape (a mail's text), it is Jinja's own."""
    kept: dict[object, tuple[dict[str, Markup], dict[str, Markup]]] = {}  # an app's catalogues: one per language

    @pass_context
    def translated(context: Context, message: str, **variables):
        if not context.eval_ctx.autoescape:
            return context.call(gettext, message, **variables)
        messages = catalogue()
        found = kept.get(messages)
        if found is None:
            found = kept[messages] = ({}, {})
        formatted, texts = found
        if variables:
            text = texts.get(message)
            if text is None:
                text = texts[message] = Markup(messages.ugettext(message))
            return text % variables
        text = formatted.get(message)
        if text is None:
            text = formatted[message] = Markup(messages.ugettext(message)) % {}
        return text

    return translated
