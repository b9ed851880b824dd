"""Parts of a page that are the same for every reader of a language who asked the same (the filters' fieldsets of
the near search, the search, the maps; the header of every page): written once per app, language and validated key,
and kept – a page made per request then costs what is its own. Where a kept part links to the page with its query
(the header's language links, the download links), or holds what the reader typed (the near search's and the
search's forms), it marks the place, and the query is written in there each time: the marks are comments, which
none of the texts of a kept part holds (theirs are escaped or the catalogue's)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from urllib.parse import urlencode

from flask import current_app, request
from markupsafe import Markup, escape

from atlas.i18n import current_language
from atlas.versioned import Recent
from atlas.web import page_params

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


def query_mark(separator: str) -> Markup:
    """Where a kept link takes a query (with_query): after `separator` ("?", or "&" after a query of its own), or,
    with none, before "&" and what the link adds itself (PAGE_QUERY)."""
    return Markup(f"<!--abfrage{separator}-->")


PAGE_QUERY = query_mark("")  # where the header's links to the page in another language take its parameters


def with_query(fragment: Markup, query: str) -> Markup:
    """A kept fragment with `query` (encoded) written where its links mark it (query_mark): after the mark's
    separator, or before "&" (PAGE_QUERY); nothing where the query is empty – escaped as the template escaped it."""
    text = str(fragment)
    for separator, written in (("?", f"?{query}"), ("&", f"&{query}"), ("", f"{query}&")):
        text = text.replace(query_mark(separator), escape(written) if query else "")
    return Markup(text)


def typed_mark(field: str) -> Markup:
    """Where a kept form shows what the reader typed into its field `field` (with_typed)."""
    return Markup(f"<!--{field}-->")


def with_typed(fragment: Markup, **typed: str | None) -> Markup:
    """A kept form with what the reader typed written where its fields mark it (typed_mark): the first mark of
    each, escaped as the template escaped it (so a value that holds a mark stays text, and no later one is found in
    it)."""
    for field, value in typed.items():
        fragment = fragment.replace(typed_mark(field), value or "", 1)  # Markup's replace escapes the value
    return fragment


def with_page_query(fragment: Markup) -> Markup:
    """A kept fragment (the header, templates/base.html) with the page's own parameters written where it marks them
    (PAGE_QUERY): its links to this page in the other languages, `?<parameters>&lang=xx`."""
    return with_query(fragment, urlencode(page_params()))
