"""Parts of a page that are the same for every reader of a language who asked the same (the filters' fieldsets of
the near search, the search, the maps): written once per app, language and validated key, and kept – a page made
per request then costs what is its own."""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import current_app, request
from markupsafe import Markup

from atlas.i18n import current_language
from atlas.versioned import Recent

KEPT_FRAGMENTS = 2_000  # a few kB each; the filters' combinations that people use are far fewer


def kept_fragment(name: str, key: Hashable, macro: Callable, *args) -> Markup:
    """What `macro(*args)` writes, kept under (name, the reader's language, key): `key` must hold everything the
    macro's output depends on besides the language and the app's files (validated values only)."""
    kept = current_app.extensions.get("atlas_fragments")
    if kept is None:  # one per app: another app's files and addresses are other ones
        kept = current_app.extensions.setdefault("atlas_fragments", Recent(KEPT_FRAGMENTS))
    full_key = (name, current_language(), request.script_root, key)  # the addresses start with the script's root
    found = kept.get(full_key)
    if found is None:
        found = Markup(macro(*args))
        kept.put(full_key, found)
    return found
