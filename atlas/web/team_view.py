"""What the office's pages show of the team's work: who holds a project, the notes and merged records in its
history, its likely duplicates – for the project page, the queue and (as a partial) the dashboard.

Plain data for the templates; the views that change any of it are atlas.web.office_team and
atlas.web.office_merge.
"""

from __future__ import annotations

from flask_login import current_user

from atlas import duplicates, notices
from atlas.access import may_change_office, may_read_office
from atlas.geo import box_around
from atlas.store.merging import FINDER_STATUSES
from atlas.web import current_store


def project_team(row: dict, note_text: str = "", note_errors: dict | None = None) -> dict:
    """The project page's part: its hold (and whom it can go to), the history with notes, likely duplicates, the
    form of a new note (with what was typed, if it was refused)."""
    store = current_store()
    hold = store.hold_of(row["id"])
    colleagues = [c for c in store.colleagues(row["arl"])]
    return {
        "hold": hold, "hold_lapses": hold.lapses_at(store.hold_days) if hold else None,
        "colleagues": colleagues,
        "may_change": may_change_office(current_user, row["arl"]),
        "team_history": store.office_history(row["id"]),
        "duplicate_pairs": likely_duplicates(row), "kept_by": store.replaced_by(row["id"]),
        "note_text": note_text, "note_errors": note_errors or {},
        "reference_of": notices.reference,
    }


def likely_duplicates(row: dict) -> list[tuple[dict, duplicates.Pair]]:
    """(the other project, the pair) for each likely duplicate of this one nearby."""
    if row["status"] not in FINDER_STATUSES:
        return []
    store = current_store()
    near = store.finder_rows(row["arl"], box_around(row["lat"], row["lon"], duplicates.FINDER_KM))
    pairs = duplicates.pairs_with(next((r for r in near if r["id"] == row["id"]), _finder_row(row)), near,
                                  store.distinct([r["id"] for r in near]))
    return [(duplicates.other(pair, row["id"]), pair) for pair in pairs]


def queue_holds(ids: list[int]) -> dict:
    """Who holds each of these projects (the queue names them)."""
    return current_store().holds_of(ids)


def team_dashboard(arl: str | None) -> dict:
    """The dashboard's part (atlas.web.workspace): „Mir zugewiesen“ (how many projects the signed-in clerk holds,
    of the district shown) and each clerk with how many they hold and since when the oldest – the partial
    templates/office/_holds_by_person.html."""
    store = current_store()
    return {"held_by_me": len(store.held_ids(current_user.id, arl)), "holds_by_person": store.holds_by_person(arl)}


def readable(row: dict) -> bool:
    return may_read_office(current_user, row["arl"])


def _finder_row(row: dict) -> dict:
    return {key: row[key] for key in ("id", "name", "traeger", "ort", "lat", "lon", "status", "kreis_name", "arl",
                                      "quelle", "source_confirmed_at", "row_version", "created_at")}
