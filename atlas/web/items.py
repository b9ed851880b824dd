"""The items of the lists made per request (the near search, the search): a project's item is written once per
version of what the public sees and per language, and kept; a list then costs its distances, not a hundred
renderings of the same projects (nor their views: atlas.web.reader.public_views runs for those not kept yet).
Kept per app, the most recently used, bounded in number."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import current_app
from markupsafe import Markup

from atlas.i18n import current_language, distance
from atlas.present import listed_view
from atlas.versioned import Recent
from atlas.web.list_item import Words, escaped, field_badges, item_text, kept_badges
from atlas.web.reader import public_views

KEPT_ITEMS = 20_000  # about 1 kB each
# Where a kept item's distance goes: a comment, which no text of a project can hold (its "<" is written "&lt;").
DISTANCE = Markup("<!--entfernung-->")


def list_items(rows: list[dict], version: int | None) -> Markup:
    """The items of a list, one after the other: each project's item (atlas.web.list_item, written from the
    project's public view and its Handlungsfelder's badges, looked up once per set of fields in the list) as
    written for this language from the published projects at `version` (the snapshot the rows come from,
    atlas.published) – the same key always means the same item – with its distance (`km`) written in, for a row
    that has one. Rows of no snapshot (`version` None) are written each time."""
    return items_of([row["id"] for row in rows], [row.get("km") for row in rows], version,
                    lambda wanted: [rows[i] for i in wanted])


def items_of(ids: list[int], km: list, version: int | None, rows_at: Callable[[list[int]], list[dict]]) -> Markup:
    """list_items of the projects of these ids at these distances (None: none), whose rows are made only for the
    items written now (`rows_at`: the rows at these indexes): the search's page keeps most of its fifty items, and
    making fifty rows of the published snapshot cost more than looking the items up."""
    code = current_language()
    away = [escaped(distance(far, code)) if far is not None else None for far in km]
    words = Words()  # looked up when the first item is written: a kept list writes none
    badges = kept_badges()  # the app's, looked up once for the items the list writes
    listed = partial(listed_view, code=code)

    def written(view: dict, far) -> str:
        return item_text(view, field_badges(view["fields"], code, badges),
                         away=DISTANCE if far is not None else None, words=words)

    if version is None:
        items = [written(view, far) for view, far in zip(public_views(rows_at(list(range(len(ids)))), listed), away,
                                                         strict=True)]
    else:
        kept = current_app.extensions.get("atlas_items")
        if kept is None:  # one per app: another app's versions and ids are other projects
            kept = current_app.extensions.setdefault("atlas_items", Recent(KEPT_ITEMS))
        keys = [(version, code, int(i), far is not None) for i, far in zip(ids, away, strict=True)]
        items = kept.get_many(keys)
        missing = [i for i, found in enumerate(items) if found is None]
        if missing:
            for i, view in zip(missing, public_views(rows_at(missing), listed), strict=True):
                items[i] = written(view, away[i])
            kept.put_many([(keys[i], items[i]) for i in missing])
    return Markup("".join(item.replace(DISTANCE, far, 1) if far is not None else item
                          for item, far in zip(items, away, strict=True)))
