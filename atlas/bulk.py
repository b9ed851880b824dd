"""Bulk actions of an office on rows of its queue: approve, reject with a reason, archive.

Each row is checked as a single action is: the account may decide on it (its district), the project is still at
the version the office saw (a stale row is skipped and named; nothing else is undone), and the action fits it
(`refusal`: its status, and no decision on a record merged into another – the one rule of the single decisions
and of the buttons the office's project page offers, atlas.web.office). Each project gets one history entry. Rows
of one submitter are decided in one transaction with one mail that names all of them, in the submitter's language
(a reason from a template in its translation, where it has one). More actions join BULK_ACTIONS (issue 24's
„zuweisen“ needs the holds it brings).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from atlas import machine, notices, outbox, tokens
from atlas.i18n import N_
from atlas.labels import ARCHIVED, PENDING, PUBLISHED, REJECTED
from atlas.store import Store
from atlas.store.holds import HoldChanged

MAX_ROWS = 500  # rows one bulk action takes; the queue shows 50 a page


@dataclass(frozen=True)
class BulkAction:
    label: str  # German, translated where shown
    status: str | None  # the status it gives; None: it changes who handles the project (TAKE), not its status
    applies: Callable[[dict], bool]  # whether the action fits the project as it is
    needs_reason: bool = False


BULK_ACTIONS: dict[str, BulkAction] = {
    "freigeben": BulkAction(N_("Freigeben"), PUBLISHED, lambda row: row["status"] != PUBLISHED),
    "ablehnen": BulkAction(N_("Ablehnen"), REJECTED, lambda row: row["status"] in (PENDING, PUBLISHED),
                           needs_reason=True),
    "archivieren": BulkAction(N_("Archivieren"), ARCHIVED, lambda row: row["status"] == PUBLISHED),
    "uebernehmen": BulkAction(N_("Übernehmen (mir zuweisen)"), None, lambda row: True),
}
TAKE = "uebernehmen"
MERGED, UNFIT = "merged", "unfit"  # why an action does not fit a project (refusal)


def refusal(action: str, row: dict, kept_id: int | None) -> str | None:
    """Why `action` does not fit the project as it is, or None: MERGED for a record merged into `kept_id` (its merge
    decided its status: a decision would bring back a duplicate), UNFIT where the action's status rule says no."""
    chosen = BULK_ACTIONS[action]
    if kept_id is not None and chosen.status is not None:
        return MERGED
    return None if chosen.applies(row) else UNFIT


def fitting(row: dict, kept_id: int | None) -> list[str]:
    """The decisions (actions that give a status) that fit the project as it is: what its page offers."""
    return [action for action, chosen in BULK_ACTIONS.items()
            if chosen.status is not None and refusal(action, row, kept_id) is None]


@dataclass
class BulkResult:
    done: list[dict] = field(default_factory=list)  # the projects as they are now
    stale: list[dict] = field(default_factory=list)  # changed since the office looked: skipped (as they are now)
    forbidden: list[dict] = field(default_factory=list)  # another district's
    unfit: list[dict] = field(default_factory=list)  # the action does not fit their status (already published …)
    merged: list[tuple[dict, int]] = field(default_factory=list)  # (record, the project it was merged into): skipped
    missing: list[int] = field(default_factory=list)
    held: list[tuple[dict, str]] = field(default_factory=list)  # (project, the colleague who holds it): skipped


def apply(store: Store, action: str, items: list[tuple[int, int]], actor: str, may: Callable[[str], bool],
          reason: str = "", translated: Callable[[str], str] | None = None) -> BulkResult:
    """Do `action` to each (project id, version seen) that `may` (a district → allowed) allows. `translated` gives
    the reason in a submitter's language (a template's translation), the German `reason` otherwise."""
    chosen = BULK_ACTIONS[action]
    if chosen.status is None:
        raise ValueError(f"{action} changes no status: see take()")
    if chosen.needs_reason and not reason.strip():
        raise ValueError("a rejection needs a reason")
    if len(items) > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS} rows at once, got {len(items)}")
    result = BulkResult()
    kept = store.kept_ids([project_id for project_id, _version in items])  # a merge after this is a newer version
    for group in _by_submitter(store, dict(items)):
        with store.change_many(group) as (units, stale, missing):
            result.stale += [store_row for store_row in (_now(store, s.project_id) for s in stale) if store_row]
            result.missing += missing
            decided = []
            for unit in units:
                why = refusal(action, unit.row, kept.get(unit.row["id"]))
                if not may(unit.row["arl"]):
                    result.forbidden.append(unit.row)
                elif why == MERGED:
                    result.merged.append((unit.row, kept[unit.row["id"]]))
                elif why == UNFIT:
                    result.unfit.append(unit.row)
                else:
                    old = dict(unit.row)
                    decided.append((old, _decide(unit, chosen.status, reason, actor, store.machine_languages)))
            _tell_submitter(units[0].db if units else None, decided, chosen.status, reason, translated)
            result.done += [row for _old, row in decided]
    return result


def _by_submitter(store: Store, versions: dict[int, int]) -> list[list[tuple[int, int]]]:
    """The rows in groups: those of one submitter's address together, each project without an address alone."""
    groups: dict[str, list[tuple[int, int]]] = {}
    for row in store.rows(ids=list(versions)):
        key = row["email"].lower() or f"#{row['id']}"
        groups.setdefault(key, []).append((row["id"], versions[row["id"]]))
    known = {i for group in groups.values() for i, _v in group}
    groups.update({f"?{i}": [(i, v)] for i, v in versions.items() if i not in known})  # reported as missing
    return list(groups.values())


def _decide(unit, status: str, reason: str, actor: str, languages: tuple[str, ...]) -> dict:
    """What Store.set_status writes, in the group's transaction (a publication queues its texts for the machine)."""
    values = {"status": status, "reject_reason": reason if status == REJECTED else ""}
    if status == PUBLISHED:
        values.update(published_at=unit.row["published_at"] or unit.now, confirmed_at=unit.now)
    detail = reason if status == REJECTED else ("Vom Amt archiviert." if status == ARCHIVED else "")
    row = unit.write(values, status, detail, actor)
    machine.queue(unit.db, row, languages, unit.now)
    unit.renew_public()
    return row


def _tell_submitter(db, decided: list[tuple[dict, dict]], status: str, reason: str, translated) -> None:
    """One mail to the group's submitter: as a single decision writes it for one project, a list for several."""
    told = [(old, new) for old, new in decided if old["email"] and status in (PUBLISHED, REJECTED)
            and old["status"] != status]
    if not told:
        return
    language = told[0][0]["language"]
    their_reason = translated(language) if translated and status == REJECTED else reason
    if len(told) == 1:
        old, new = told[0]
        notices.decided(db, old, status, their_reason, new["row_version"])
        return
    listed = [{"reference": notices.reference(new["id"]), "name": new["name"], "project_id": new["id"],
               **({"token": tokens.issue(db, tokens.PROJECT, new["id"])} if status == REJECTED else {})}
              for _old, new in told]
    key = ",".join(f"{new['id']}v{new['row_version']}" for _old, new in told)
    outbox.queue(db, f"{status}-many:{hashlib.sha256(key.encode()).hexdigest()[:32]}", f"{status}_many",
                 told[0][0]["email"], {"projects": listed, "reason": their_reason, "lang": language})


def _now(store: Store, project_id: int) -> dict | None:
    return store.get(project_id)


def take(store: Store, items: list[tuple[int, int]], user_id: int, actor: str,
         may: Callable[[str], bool]) -> BulkResult:
    """„Ich übernehme das“ for each (project id, version seen) that `may` (a district → allowed) allows: a row
    changed since the office looked, or taken by a colleague meanwhile, is skipped and named."""
    if len(items) > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS} rows at once, got {len(items)}")
    result = BulkResult()
    rows = {row["id"]: row for row in store.rows(ids=[project_id for project_id, _version in items])}
    for project_id, version in items:
        row = rows.get(project_id)
        if row is None:
            result.missing.append(project_id)
        elif not may(row["arl"]):
            result.forbidden.append(row)
        elif row["row_version"] != version:
            result.stale.append(row)
        else:
            try:
                store.set_hold(project_id, user_id, user_id, actor, seen_id=None)
            except HoldChanged as changed:
                result.held.append((row, changed.hold.email if changed.hold else ""))
                continue
            result.done.append(row)
    return result
