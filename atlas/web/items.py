"""The items of the lists made per request (the near search, the search): a project's parts are written once per
version of what the public sees and per language, and kept; a list then costs its distances, not a hundred
renderings of the same projects (nor their views: atlas.web.reader.public_views runs for those not kept yet).
Kept per app, the most recently used, bounded in number."""

from __future__ import annotations

from flask import current_app
from markupsafe import Markup

from atlas.i18n import current_language, distance
from atlas.versioned import Recent
from atlas.web.reader import public_views

KEPT_ITEMS = 20_000  # about 1 kB each


def list_items(rows: list[dict], version: int | None, name_macro, rest_macro, badges_macro) -> list[tuple]:
    """(row, name, rest, distance) for each project of a list: its name's link and the rest of its item (two macros
    of templates/_partials.html, called with the project's public view and its Handlungsfelder's badges, which
    `badges_macro` writes once per set of fields in the list) as written for this language from the published
    projects at `version` (the snapshot the rows come from, atlas.published) – the same key always means the same
    parts – and its distance (`km`) written out, or None for a row without one. Rows of no snapshot (`version`
    None) are written each time."""
    code = current_language()
    away = [distance(row["km"], code) if "km" in row else None for row in rows]
    badges: dict[tuple, Markup] = {}

    def written(view: dict) -> tuple[Markup, Markup]:
        fields = view["fields"]
        if fields not in badges:
            badges[fields] = Markup(badges_macro(fields))
        return Markup(name_macro(view)), Markup(rest_macro(view, False, badges[fields]))

    if version is None:
        return [(row, *written(view), far) for row, view, far in zip(rows, public_views(rows), away, strict=True)]
    kept = current_app.extensions.get("atlas_items")
    if kept is None:  # one per app: another app's versions and ids are other projects
        kept = current_app.extensions.setdefault("atlas_items", Recent(KEPT_ITEMS))
    keys = [(version, code, int(row["id"])) for row in rows]
    parts = [kept.get(key) for key in keys]
    missing = [i for i, found in enumerate(parts) if found is None]
    if missing:
        for i, view in zip(missing, public_views([rows[i] for i in missing]), strict=True):
            parts[i] = written(view)
            kept.put(keys[i], parts[i])
    return [(row, name, rest, far) for row, (name, rest), far in zip(rows, parts, away, strict=True)]
