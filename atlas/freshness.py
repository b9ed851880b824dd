"""Is the project still running? Published projects are confirmed periodically by their submitters.

A project last confirmed more than `days` ago is asked once (a mail with three answers: still current, update
through the private link, ended). Without an answer for ANSWER_DAYS more it counts as unconfirmed: marked
„nicht bestätigt seit …“ for the public, listed under „Veraltet“ for its office, which may archive it. A project
without an address to ask (most entries gathered from public sources) is no mail to nobody: once due, it is a task
for its office at once, in the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select

from atlas import notices, outbox, tokens
from atlas.database import as_utc
from atlas.schema import projects
from atlas.store import ARCHIVED, PUBLISHED, Store

ANSWER_DAYS = 30
CURRENT, ENDED = "aktuell", "beendet"


@dataclass
class Cycle:
    asked: int
    unconfirmed: int
    for_office: int = 0  # of the unconfirmed: due, without an address to ask


def run(store: Store, days: int, now: datetime | None = None) -> Cycle:
    """Ask every project that is due (once per confirmation), and count those that did not answer in time."""
    now = now or datetime.now(UTC)
    due = select(projects.c.id).where(
        projects.c.status == PUBLISHED, projects.c.email != "", projects.c.confirmed_at < now - timedelta(days=days),
        or_(projects.c.freshness_asked_at.is_(None), projects.c.freshness_asked_at < projects.c.confirmed_at))
    with store.read() as db:
        ids = list(db.execute(due).scalars())
    asked = sum(_ask(store, project_id, days, now) for project_id in ids)
    # whose confirmation ran out since the last cycle is marked on the public pages from now on (only then do they
    # change: a cycle at every start of `atlas serve` is no publication)
    store.renew_unconfirmed(unconfirmed_before(days, now))
    stale = unconfirmed(store, days, now=now)
    return Cycle(asked, len(stale), sum(1 for row in stale if not row["email"]))


def _ask(store: Store, project_id: int, days: int, now: datetime) -> bool:
    with store.change(project_id) as unit:
        row = unit.row
        if row["freshness_asked_at"] and row["freshness_asked_at"] >= row["confirmed_at"]:
            return False  # another process asked meanwhile
        answer = tokens.issue(unit.db, tokens.FRESHNESS, project_id, timedelta(days=ANSWER_DAYS + days))
        private = tokens.issue(unit.db, tokens.PROJECT, project_id)
        outbox.queue(unit.db, f"freshness:{project_id}:{row['confirmed_at']:%Y%m%d%H%M%S}", "freshness",
                     row["email"], {"reference": notices.reference(project_id), "name": row["name"],
                                    "project_id": project_id, "answer": answer, "private": private,
                                    "answer_days": ANSWER_DAYS, "lang": row["language"]})
        unit.touch(freshness_asked_at=now)
    return True


def asked_project(store: Store, raw: str) -> dict | None:
    """The project a freshness link asks about, while the link is valid."""
    with store.read() as db:
        project_id = tokens.subject(db, raw, tokens.FRESHNESS)
    return store.get(project_id) if project_id else None


def answer(store: Store, raw: str, choice: str) -> dict | None:
    """The submitter's answer through the mail's link; the link is used up. None: unknown or expired link."""
    if choice not in (CURRENT, ENDED):
        raise ValueError(choice)
    with store.write() as db:
        project_id = tokens.subject(db, raw, tokens.FRESHNESS)
        if project_id is None:
            return None
        tokens.revoke(db, raw)
    if choice == ENDED:  # off the map, and the address goes with it
        store.set_status(project_id, ARCHIVED, "Vom Träger als beendet gemeldet.", actor="Einreicher")
        store.forget_email(project_id)
        return store.get(project_id)
    with store.change(project_id) as unit:
        unit.touch(confirmed_at=unit.now, freshness_asked_at=None)
        unit.note("confirmed", "", "Einreicher")
        unit.renew_public()  # the mark „nicht bestätigt“ goes
    return store.get(project_id)


def _last_confirmation(days: int, nobody_to_ask: bool, now: datetime | None) -> datetime:
    """A project confirmed before this moment is the office's to look after: without an address to ask, as soon as
    it is due; otherwise when the answer did not come in time."""
    return (now or datetime.now(UTC)) - timedelta(days=days) if nobody_to_ask else unconfirmed_before(days, now)


def unconfirmed_before(days: int, now: datetime | None = None) -> datetime:
    """Projects last confirmed before this moment count as unconfirmed."""
    return (now or datetime.now(UTC)) - timedelta(days=days + ANSWER_DAYS)


def is_unconfirmed(row: dict, days: int, now: datetime | None = None) -> bool:
    """Whether the office should look after the project: its confirmation ran out (or, without an address to ask,
    it is due)."""
    return (row["status"] == PUBLISHED and row["confirmed_at"] is not None
            and as_utc(row["confirmed_at"]) < _last_confirmation(days, not row["email"], now))


def unconfirmed(store: Store, days: int, arl: str | None = None, now: datetime | None = None) -> list[dict]:
    """Published projects whose confirmation ran out, and those due without an address to ask, oldest confirmation
    first: the office's „Veraltet“ tab."""
    query = (select(projects).where(projects.c.status == PUBLISHED, or_(
        projects.c.confirmed_at < _last_confirmation(days, False, now),
        and_(projects.c.email == "", projects.c.confirmed_at < _last_confirmation(days, True, now))))
             .order_by(projects.c.confirmed_at))
    if arl:
        query = query.where(projects.c.arl == arl)
    with store.read() as db:
        return [dict(row) for row in db.execute(query).mappings()]
