"""The items of the lists made per request (the near search, the search): a project's parts are written once per
version of what the public sees and per language, and kept; a list then costs its distances, not a hundred
renderings of the same projects. Kept per app, the most recently used, bounded in number."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app
from markupsafe import Markup

from atlas.web import language

KEPT_PARTS = 20_000  # about 0.5 kB each


class KeptParts:
    def __init__(self, limit: int = KEPT_PARTS):
        self.limit = limit
        self._parts: OrderedDict[tuple, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, make) -> Markup:
        with self._lock:
            if key in self._parts:
                self._parts.move_to_end(key)
                return self._parts[key]
        part = Markup(make())
        with self._lock:
            self._parts[key] = part
            while len(self._parts) > self.limit:
                self._parts.popitem(last=False)
        return part


def kept_part(project: dict, macro, version: int | None) -> Markup:
    """A part of a project's list item (a macro of templates/_partials.html called with the project's view), as it
    was written for this language from the published projects at `version` (the snapshot the view took the rows
    from, atlas.published): the same key always means the same part."""
    if version is None:  # rows not of a snapshot: nothing to key them by
        return Markup(macro(project))
    key = (macro.name, version, language.current(), int(project["id"]))
    kept = current_app.extensions.get("atlas_items")
    if kept is None:  # one per app: another app's versions and ids are other projects
        kept = current_app.extensions.setdefault("atlas_items", KeptParts())
    return kept.get(key, lambda: macro(project))
