"""The pages' Jinja environment: Flask's, with a dict's keys read at the cost of a key."""

from __future__ import annotations

from flask.templating import Environment

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
