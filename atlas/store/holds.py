"""„Ich übernehme das“: which clerk handles a project. One holder per project; everyone of the office sees who it
is, and may still act. A hold is taken, handed over to a colleague (who hears of it by mail) or released, each in
the project's history; it lapses `hold_days` after it was taken (ATLAS_HOLD_DAYS), unless taken again.

A hold is no change of the project: its version stays, so nobody's open form goes stale by it. Instead each
change of a hold names the holder its writer saw (`seen`): if someone else holds the project by now, nothing is
changed and HoldChanged names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, exists, func, insert, or_, select

from atlas import notices, outbox
from atlas.database import as_utc
from atlas.schema import holds, projects, users
from atlas.store.core import ID_BATCH

DEFAULT_HOLD_DAYS = 14
HOLD_TAKEN, HOLD_GIVEN, HOLD_RELEASED = "hold_taken", "hold_given", "hold_released"  # history actions


@dataclass(frozen=True)
class Hold:
    project_id: int
    user_id: int
    email: str  # the holder's
    taken_at: datetime
    given_by: str  # who handed it over; "" if the holder took it

    def lapses_at(self, days: int) -> datetime:
        return self.taken_at + timedelta(days=days)


class HoldChanged(Exception):
    """Someone else holds the project by now (or nobody does): nothing was changed. `hold` is the hold as it is."""

    def __init__(self, project_id: int, hold: Hold | None):
        super().__init__(f"the hold of project {project_id} changed meanwhile")
        self.project_id = project_id
        self.hold = hold


class NotAColleague(ValueError):
    """The account does not exist, is deactivated or does not work in the project's district."""


class Holds:
    hold_days = DEFAULT_HOLD_DAYS  # services sets ATLAS_HOLD_DAYS

    def hold_of(self, project_id: int) -> Hold | None:
        """Who holds the project now (a lapsed hold is none)."""
        return self.holds_of([project_id]).get(project_id)

    def holds_of(self, ids: list[int]) -> dict[int, Hold]:
        """The live holds of these projects, by project (a queue's page of them)."""
        found: dict[int, Hold] = {}
        with self.read() as db:
            for first in range(0, len(ids), ID_BATCH):
                query = _live(self._lapse_cutoff()).where(holds.c.project_id.in_(ids[first:first + ID_BATCH]))
                found.update({row.project_id: _hold(row) for row in db.execute(query)})
        return found

    def held_ids(self, user_id: int, arl: str | None = None) -> list[int]:
        """The projects (of one district) this account holds, longest held first: „Mir zugewiesen“."""
        query = _live(self._lapse_cutoff()).where(holds.c.user_id == user_id).order_by(holds.c.taken_at)
        if arl:
            query = query.where(projects.c.arl == arl)
        with self.read() as db:
            return [row.project_id for row in db.execute(query)]

    def held_rows(self, user_id: int) -> list[dict]:
        """The projects this account holds, with name, Ort and since when (the daily digest lists them)."""
        query = (_live(self._lapse_cutoff()).add_columns(projects.c.name, projects.c.ort)
                 .where(holds.c.user_id == user_id).order_by(holds.c.taken_at))
        with self.read() as db:
            return [{"id": row.project_id, "name": row.name, "ort": row.ort, "since": as_utc(row.taken_at),
                     "given_by": row.given_by} for row in db.execute(query)]

    def holds_by_person(self, arl: str | None = None) -> list[dict]:
        """For the dashboard: each clerk (of one district) with how many projects they hold and since when the
        oldest, most first."""
        live = _live(self._lapse_cutoff())
        if arl:
            live = live.where(projects.c.arl == arl)
        held = live.subquery()
        query = (select(held.c.user_id, held.c.email, func.count().label("count"),
                        func.min(held.c.taken_at).label("oldest"))
                 .group_by(held.c.user_id, held.c.email).order_by(func.count().desc(), held.c.email))
        with self.read() as db:
            return [{"user_id": row.user_id, "email": row.email, "count": row.count, "oldest": as_utc(row.oldest)}
                    for row in db.execute(query)]

    def colleagues(self, arl: str) -> list[dict]:
        """The active accounts that work in a district (its office and the admins): a hold goes to one of them, a
        note may mention them."""
        query = select(users.c.id, users.c.email).where(_works_in(arl)).order_by(users.c.email)
        with self.read() as db:
            return [dict(row) for row in db.execute(query).mappings()]

    def set_hold(self, project_id: int, holder_id: int | None, actor_id: int, actor: str,
                 seen_id: int | None) -> Hold | None:
        """Take the project (holder = actor), hand it to a colleague (who is mailed) or release it (None).

        `seen_id` is the holder the actor saw (None: nobody). If another holds it by now – not the one seen, not
        the one it is given to – nothing changes: HoldChanged. NotAColleague for a holder who does not work in the
        project's district. Returns the hold as it is now.
        """
        with self.change(project_id) as unit:
            db, row = unit.db, unit.row
            current = _current(db, project_id, self._lapse_cutoff())
            if current is not None and current.user_id not in (seen_id, holder_id):
                raise HoldChanged(project_id, current)
            if holder_id is None:
                if current is None:
                    return None
                db.execute(delete(holds).where(holds.c.project_id == project_id))
                unit.note(HOLD_RELEASED, "" if current.user_id == actor_id else current.email, actor)
                return None
            email = _colleague(db, holder_id, row["arl"])
            db.execute(delete(holds).where(holds.c.project_id == project_id))
            given_by = "" if holder_id == actor_id else actor
            db.execute(insert(holds).values(project_id=project_id, user_id=holder_id, taken_at=unit.now,
                                            given_by=given_by))
            if given_by:
                unit.note(HOLD_GIVEN, email, actor)
                outbox.queue(db, f"hold:{project_id}:{holder_id}:{unit.now:%Y%m%d%H%M%S%f}", "hold_given", email,
                             {"reference": notices.reference(project_id), "name": row["name"], "ort": row["ort"],
                              "project_id": project_id, "by": actor})
            elif current is None or current.user_id != actor_id:
                unit.note(HOLD_TAKEN, "", actor)
            return Hold(project_id, holder_id, email, unit.now, given_by)

    def _lapse_cutoff(self) -> datetime:
        """A hold taken before this has lapsed."""
        return datetime.now(UTC) - timedelta(days=int(self.hold_days))


def held_by(user_id: int | None, cutoff: datetime):
    """A condition on projects: this account holds the project, taken after `cutoff` (the queue's „Mir
    zugewiesen“, atlas.queue.FILTERS)."""
    return exists().where(holds.c.project_id == projects.c.id, holds.c.user_id == user_id,
                          holds.c.taken_at > cutoff).correlate(projects)


def _works_in(arl):
    """A condition on accounts: active, and of the district's office (`arl`, a slug or projects.c.arl) or an admin.
    A deactivated account is offered for nothing, mentioned nowhere, mailed nothing, and holds nothing."""
    return and_(users.c.active.is_(True), or_(users.c.arl == arl, users.c.is_admin.is_(True)))


def _live(cutoff: datetime):
    """Holds not lapsed, of accounts that (still) work in the project's district, with the holder's address."""
    return (select(holds.c.project_id, holds.c.user_id, holds.c.taken_at, holds.c.given_by, users.c.email)
            .join(users, users.c.id == holds.c.user_id).join(projects, projects.c.id == holds.c.project_id)
            .where(holds.c.taken_at > cutoff, _works_in(projects.c.arl)))


def _current(db, project_id: int, cutoff: datetime) -> Hold | None:
    row = db.execute(_live(cutoff).where(holds.c.project_id == project_id)).first()
    return _hold(row) if row else None


def _colleague(db, user_id: int, arl: str) -> str:
    email = db.execute(select(users.c.email).where(users.c.id == user_id, _works_in(arl))).scalar()
    if email is None:
        raise NotAColleague(f"account {user_id} does not work in district {arl!r}")
    return email


def _hold(row) -> Hold:
    return Hold(row.project_id, row.user_id, row.email, as_utc(row.taken_at), row.given_by)
