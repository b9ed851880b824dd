"""Bulk actions of an office on rows of its queue: approve, reject with a reason, archive.

Each row is checked as a single action is: the account may decide on it (its district), the project is still at
the version the office saw (a stale row is skipped and named; nothing else is undone), and the action fits its
status. Each project gets one history entry. Rows of one submitter are decided in one transaction with one mail
that names all of them, in the submitter's language (a reason from a template in its translation, where it has
one). More actions join BULK_ACTIONS (issue 24's „zuweisen“ needs the holds it brings).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from atlas import notices, outbox, tokens
from atlas.i18n import N_
from atlas.labels import ARCHIVED, PENDING, PUBLISHED, REJECTED
from atlas.store import Store

MAX_ROWS = 500  # rows one bulk action takes; the queue shows 50 a page


@dataclass(frozen=True)
class BulkAction:
    label: str  # German, translated where shown
    status: str
    applies: Callable[[dict], bool]  # whether the action fits the project as it is
    needs_reason: bool = False


BULK_ACTIONS: dict[str, BulkAction] = {
    "freigeben": BulkAction(N_("Freigeben"), PUBLISHED, lambda row: row["status"] != PUBLISHED),
    "ablehnen": BulkAction(N_("Ablehnen"), REJECTED, lambda row: row["status"] in (PENDING, PUBLISHED),
                           needs_reason=True),
    "archivieren": BulkAction(N_("Archivieren"), ARCHIVED, lambda row: row["status"] == PUBLISHED),
}


@dataclass
class BulkResult:
    done: list[dict] = field(default_factory=list)  # the projects as they are now
    stale: list[dict] = field(default_factory=list)  # changed since the office looked: skipped (as they are now)
    forbidden: list[dict] = field(default_factory=list)  # another district's
    unfit: list[dict] = field(default_factory=list)  # the action does not fit their status (already published …)
    missing: list[int] = field(default_factory=list)


def apply(store: Store, action: str, items: list[tuple[int, int]], actor: str, may: Callable[[str], bool],
          reason: str = "", translated: Callable[[str], str] | None = None) -> BulkResult:
    """Do `action` to each (project id, version seen) that `may` (a district → allowed) allows. `translated` gives
    the reason in a submitter's language (a template's translation), the German `reason` otherwise."""
    chosen = BULK_ACTIONS[action]
    if chosen.needs_reason and not reason.strip():
        raise ValueError("a rejection needs a reason")
    if len(items) > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS} rows at once, got {len(items)}")
    result = BulkResult()
    for group in _by_submitter(store, dict(items)):
        with store.change_many(group) as (units, stale, missing):
            result.stale += [store_row for store_row in (_now(store, s.project_id) for s in stale) if store_row]
            result.missing += missing
            decided = []
            for unit in units:
                if not may(unit.row["arl"]):
                    result.forbidden.append(unit.row)
                elif not chosen.applies(unit.row):
                    result.unfit.append(unit.row)
                else:
                    decided.append((dict(unit.row), _decide(unit, chosen.status, reason, actor)))
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


def _decide(unit, status: str, reason: str, actor: str) -> dict:
    """What Store.set_status writes, in the group's transaction."""
    values = {"status": status, "reject_reason": reason if status == REJECTED else ""}
    if status == PUBLISHED:
        values.update(published_at=unit.row["published_at"] or unit.now, confirmed_at=unit.now)
    detail = reason if status == REJECTED else ("Vom Amt archiviert." if status == ARCHIVED else "")
    row = unit.write(values, status, detail, actor)
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
