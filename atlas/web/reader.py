"""What a public reader gets of the projects: only published ones (404 otherwise), as lists show them, and their
texts (atlas.texts) in the page's language where a current translation exists, the German text otherwise – for
the project page, the lists, and the maps' data (their popups and lists)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import repeat
from operator import itemgetter

import numpy as np
import pandas as pd
from flask import abort, current_app, has_request_context, request

from atlas.freshness import unconfirmed_before
from atlas.i18n import DEFAULT, LANGUAGES, current_language
from atlas.mapdata import SUMMARY_SHOWN, UNCONFIRMED_SINCE, Table
from atlas.present import BERLIN, DAY, project_view
from atlas.published import COLUMNS as SNAPSHOT_COLUMNS
from atlas.store import PUBLIC_COLUMNS, PUBLISHED
from atlas.texts import Shown, reader_texts, shown
from atlas.web import current_store


def project_texts(row: dict) -> dict[str, Shown]:
    """Description and summary of one project, for its page."""
    return reader_texts(row, current_store().translations(row["id"]), current_language())


def with_summaries(views: list[dict]) -> list[dict]:
    """Project views (of a list) with `summary_shown`, their summary as the reader gets it; returned."""
    code = current_language()
    found = _translations_of([int(v["id"]) for v in views]) if code != DEFAULT and views else {}
    for view in views:
        view["summary_shown"] = shown(view, found.get(int(view["id"]), []), code, "summary")
    return views


def reader_frame(frame: Table) -> Table:
    """Published projects (a frame, or its columns: atlas.mapdata.Table) with their German summary, for a map's
    data: with their summaries as the reader gets them (atlas.mapdata.SUMMARY_SHOWN, a column added to the columns
    handed on, not a frame made anew)."""
    code = current_language()
    if "summary" not in frame or code == DEFAULT or code not in LANGUAGES or not len(frame["id"]):
        return frame
    # plain lists, not pandas' filter and to_dict: a near search's hundred projects cost 0.8 ms here instead of 3.7
    rows = [{"id": int(i), "summary": summary} for i, summary in
            zip(np.asarray(frame["id"]).tolist(), np.asarray(frame["summary"], dtype=object), strict=True)]
    wanted = [row["id"] for row in rows if isinstance(row["summary"], str) and row["summary"]]
    found = _translations_of(wanted) if wanted else {}
    return {**{name: frame[name] for name in frame},
            SUMMARY_SHOWN: [shown(row, found.get(row["id"], []), code, "summary") for row in rows]}


REMEMBERED = 1_000  # ids in a request's translations kept for the next asking: a list's, a map's few


def _translations_of(ids: list[int]) -> dict[int, list]:
    """The translations of these projects, each asked of the store once per request: a list made per request wants
    them for its items (with_summaries) and again for its map's data (reader_frame) – a second query of 0.2 ms for
    the fifty projects of a near search, in every language but German. Only reading pages ask for them, so none of
    them is changed in the request after it was asked. A map's thousands are asked as they are (once a request).
    Kept in the request's environ, not on `g`: an app context already pushed (the background's mails) outlives its
    requests, and would keep them from one to the next."""
    if len(ids) > REMEMBERED or not has_request_context():
        return current_store().translations_of(ids)
    kept = request.environ.setdefault("atlas.translations", {})
    missing = [i for i in ids if i not in kept]
    if missing:
        found = current_store().translations_of(missing)
        kept.update({i: found.get(i, []) for i in missing})
    return {i: kept[i] for i in ids if kept[i]}


def listed_columns(rows: list[dict]) -> Table:
    """The rows of a list made per request (a near search, a search) as a map's data wants them: their public
    columns, with the summaries as the reader gets them – plain lists, no frame (pandas costs more than 50 rows do,
    docs/benchmarks.md)."""
    names = [*PUBLIC_COLUMNS, "confirmed_at"] if rows and "confirmed_at" in rows[0] else PUBLIC_COLUMNS
    # the rows turned into columns at once (each row's values by one itemgetter, then zip): a quarter of the cost
    # of a comprehension per name
    columns = zip(*map(itemgetter(*names), rows), strict=True) if rows else repeat((), len(names))
    return listed_lists({name: list(values) for name, values in zip(names, columns, strict=True)})


def listed_lists(columns: dict[str, list]) -> Table:
    """listed_columns of rows given column by column (atlas.published's lists, which the search's rows come from:
    turning rows back into columns is work for nothing); the lists are taken as they are."""
    return reader_frame(with_unconfirmed(columns))


def map_frame(published, positions) -> Table:
    """These published projects (positions in the snapshot `published`, atlas.published) as a map's data wants
    them: PUBLIC_COLUMNS and UNCONFIRMED_SINCE (with_unconfirmed)."""
    return with_unconfirmed(published.frame(positions, SNAPSHOT_COLUMNS))


def with_unconfirmed(frame: Table) -> Table:
    """Published projects with `confirmed_at` (seconds since 1970, NaN: never, as atlas.published keeps it) as a
    map's data wants them: instead of that moment, UNCONFIRMED_SINCE, the day from which a project whose
    confirmation ran out is marked „nicht bestätigt seit …“ (as public_views marks it in the server's lists), ""
    for the others. Without `confirmed_at`, the frame as it is."""
    if "confirmed_at" not in frame:
        return frame
    line = unconfirmed_before(current_app.config["FRESHNESS_DAYS"]).timestamp()
    seconds = np.asarray(frame["confirmed_at"], dtype=float)
    stale = seconds < line  # NaN (never confirmed) is never below it
    days = np.full(len(seconds), "", dtype=object)
    if stale.any():
        moments = pd.to_datetime(seconds[stale], unit="s", utc=True).tz_convert(BERLIN)
        days[stale] = np.asarray(moments.strftime(DAY), dtype=object)  # as berlin_date writes it
    return {**{name: frame[name] for name in frame if name != "confirmed_at"}, UNCONFIRMED_SINCE: days}


def get_published_or_404(project_id: int) -> dict:
    row = current_store().get(project_id)
    if row is None or row["status"] != PUBLISHED:
        abort(404)
    return row


def public_views(rows: list[dict], view: Callable[[dict], dict] = project_view) -> list[dict]:
    """Projects as a public page lists them: with their Handlungsfelder, and `unconfirmed_since` for those whose
    confirmation ran out (the freshness cycle moves the version on when one ran out since, atlas.freshness). Rows
    of the published snapshot carry when they were confirmed; others are asked of the store. `view`: the view of
    a row (atlas.present.listed_view, for what a list's items write of it alone)."""
    views = [view(row) for row in rows]
    before = unconfirmed_before(current_app.config["FRESHNESS_DAYS"])
    if all(isinstance(row.get("confirmed_at"), float) for row in rows):  # the snapshot's (seconds): no query
        line = before.timestamp()
        since = {int(row["id"]): datetime.fromtimestamp(row["confirmed_at"], UTC) for row in rows
                 if row["confirmed_at"] < line}  # NaN (never confirmed) is never below it
    else:
        since = current_store().unconfirmed_since([int(v["id"]) for v in views], before)
    for listed in views:
        if int(listed["id"]) in since:
            listed["unconfirmed_since"] = since[int(listed["id"])]
    return with_summaries(views)
