"""Parts of a page that are the same for every reader of a language who asked the same (the filters' fieldsets of
the near search, the search, the maps): written once per app, language and validated key, and kept – a page made
per request then costs what is its own."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import current_app, request
from markupsafe import Markup

from atlas.web import language

KEPT_FRAGMENTS = 2_000  # a few kB each; the filters' combinations that people use are far fewer


def kept_fragment(name: str, key: Hashable, macro: Callable, *args) -> Markup:
    """What `macro(*args)` writes, kept under (name, the reader's language, key): `key` must hold everything the
    macro's output depends on besides the language and the app's files (validated values only)."""
    kept = current_app.extensions.setdefault("atlas_fragments", {})
    full_key = (name, language.current(), request.script_root, key)  # the addresses start with the script's root
    found = kept.get(full_key)
    if found is None:
        if len(kept) >= KEPT_FRAGMENTS:
            kept.clear()
        found = kept[full_key] = Markup(macro(*args))
    return found
