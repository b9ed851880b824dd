"""The project texts a reader gets (atlas.texts): in the page's language where a current translation exists, the
German text otherwise. For the project page, the lists, and the maps' data (their popups and lists)."""

from __future__ import annotations

import pandas as pd

from atlas.i18n import DEFAULT, LANGUAGES
from atlas.mapdata import SUMMARY_SHOWN
from atlas.texts import Shown, reader_texts, shown
from atlas.web import current_store, language


def project_texts(row: dict) -> dict[str, Shown]:
    """Description and summary of one project, for its page."""
    return reader_texts(row, current_store().translations(row["id"]), language.current())


def with_summaries(views: list[dict]) -> list[dict]:
    """Project views (of a list) with `summary_shown`, their summary as the reader gets it; returned."""
    code = language.current()
    found = current_store().translations_of([int(v["id"]) for v in views]) if code != DEFAULT and views else {}
    for view in views:
        view["summary_shown"] = shown(view, found.get(int(view["id"]), []), code, "summary")
    return views


def reader_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame of published projects (with their German summary) for a map's data, its summaries as the reader
    gets them (atlas.mapdata.SUMMARY_SHOWN)."""
    code = language.current()
    if "summary" not in frame or code == DEFAULT or code not in LANGUAGES or frame.empty:
        return frame
    wanted = frame[frame["summary"].fillna("") != ""]
    found = current_store().translations_of([int(i) for i in wanted["id"]]) if not wanted.empty else {}
    rows = frame[["id", "summary"]].to_dict("records")
    return frame.assign(**{SUMMARY_SHOWN: [shown(row, found.get(int(row["id"]), []), code, "summary")
                                           for row in rows]})
