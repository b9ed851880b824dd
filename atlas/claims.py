"""Entries gathered from public sources, taken over by their Träger: „Ist das Ihr Projekt?“

Someone of the Träger leaves an e-mail address (and a message) for a project gathered from a source: a claim. The
district's office decides. Accepted, the project gets the claimant's address, its private link goes to them and
the entry counts as confirmed; the other claims waiting for it are declined. The office may also confirm an entry
itself. Every decision is in the project's history; the mails go through the outbox, in the claimant's language.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, insert, select, update

from atlas import history, notices, outbox, sources, tokens
from atlas.schema import claims, projects
from atlas.store import ARCHIVED, FROM_SOURCE, PUBLISHED, Store

WAITING, ACCEPTED, DECLINED = "waiting", "accepted", "declined"
CLAIMED, SOURCE_CONFIRMED, CLAIM_DECLINED = "claimed", "source_confirmed", "claim_declined"  # history actions


class NotClaimable(ValueError):
    """The project is not (or no longer) an unconfirmed entry on the map."""


class ClaimDecided(ValueError):
    """The claim was decided meanwhile, by someone else."""


def make(store: Store, project_id: int, email: str, message: str, language: str) -> int | None:
    """A claim waiting for the office, which hears of it; None if this address has one waiting for the project."""
    with store.change(project_id) as unit:
        db, row = unit.db, unit.row
        if row["status"] != PUBLISHED or not sources.unconfirmed(row):
            raise NotClaimable(project_id)
        if db.execute(select(claims.c.id).where(claims.c.project_id == project_id, claims.c.status == WAITING,
                                                func.lower(claims.c.email) == email.lower())).first():
            return None
        claim_id = db.execute(insert(claims).values(
            project_id=project_id, email=email, message=message, language=language, status=WAITING,
            created_at=datetime.now(UTC), decided_by="").returning(claims.c.id)).scalar_one()
        notices.office(db, row, f"claim:{claim_id}", "office_claim", claim_id=claim_id)
    return claim_id


def waiting(store: Store, project_id: int) -> list[dict]:
    """The claims waiting for a project, oldest first."""
    with store.read() as db:
        return [dict(r) for r in db.execute(select(claims).where(
            claims.c.project_id == project_id, claims.c.status == WAITING).order_by(claims.c.id)).mappings()]


def waiting_ids(store: Store, arl: str | None) -> list[int]:
    """The projects (of one district) with a claim waiting, oldest claim first."""
    query = (select(claims.c.project_id, func.min(claims.c.id).label("first"))
             .join(projects, projects.c.id == claims.c.project_id).where(claims.c.status == WAITING)
             .group_by(claims.c.project_id).order_by("first"))
    if arl:
        query = query.where(projects.c.arl == arl)
    with store.read() as db:
        return [row.project_id for row in db.execute(query)]


def unconfirmed_ids(store: Store, arl: str | None) -> list[int]:
    """The published projects (of one district) gathered from sources and not confirmed yet."""
    query = select(projects.c.id).where(projects.c.status == PUBLISHED, FROM_SOURCE).order_by(projects.c.id)
    if arl:
        query = query.where(projects.c.arl == arl)
    with store.read() as db:
        return list(db.execute(query).scalars())


def accept(store: Store, claim_id: int, actor: str, expected_version: int | None) -> dict:
    """The claimant is the Träger: the project gets their address and counts as confirmed, they get its private
    link; every other claim waiting for it is declined. StaleWrite if the project changed since the office
    looked at it, ClaimDecided if the claim was decided meanwhile."""
    project_id = _claimed_project(store, claim_id)
    with store.change(project_id, expected_version) as unit:
        db, row, now = unit.db, unit.row, unit.now
        claim = _waiting_claim(db, claim_id)
        if row["status"] == ARCHIVED:
            raise NotClaimable(row["id"])
        row = unit.write({"email": claim["email"], "language": claim["language"],
                          "source_confirmed_at": row["source_confirmed_at"] or now, "confirmed_at": now,
                          "freshness_asked_at": None}, CLAIMED,
                         history.record({"email": (row["email"], claim["email"])}), actor)
        _close(db, claim_id, ACCEPTED, actor, now)
        tokens.revoke_all(db, row["id"], tokens.PROJECT, tokens.FRESHNESS)  # only the Träger holds a link now
        link = tokens.issue(db, tokens.PROJECT, row["id"])
        outbox.queue(db, f"claim-accepted:{claim_id}", "claim_accepted", claim["email"],
                     {"reference": notices.reference(row["id"]), "name": row["name"], "project_id": row["id"],
                      "token": link, "lang": claim["language"]})
        others = db.execute(select(claims).where(claims.c.project_id == row["id"], claims.c.status == WAITING)
                            ).mappings().all()
        for other in others:
            _decline(unit, dict(other), actor)
        unit.renew_public()  # the mark „aus öffentlichen Quellen“ goes
    return store.get(project_id)


def decline(store: Store, claim_id: int, actor: str, expected_version: int | None) -> None:
    """Not the Träger (or not to be told from the message): the claimant hears so, the project stays as it is.
    StaleWrite if the project changed since the office looked at it."""
    with store.change(_claimed_project(store, claim_id), expected_version) as unit:
        _decline(unit, _waiting_claim(unit.db, claim_id), actor)


def confirm(store: Store, project_id: int, actor: str, expected_version: int | None) -> int:
    """The office confirms an entry gathered from a source itself (it asked the Träger): the mark goes. Returns
    the project's version; StaleWrite if it changed since the office looked at it."""
    with store.change(project_id, expected_version) as unit:
        if unit.row["source_confirmed_at"] is not None:
            return unit.row["row_version"]
        unit.write({"source_confirmed_at": unit.now, "confirmed_at": unit.now, "freshness_asked_at": None},
                   SOURCE_CONFIRMED, "", actor)
        unit.renew_public()
    return unit.row["row_version"]


def _waiting_claim(db, claim_id: int) -> dict:
    claim = db.execute(select(claims).where(claims.c.id == claim_id).with_for_update()).mappings().first()
    if claim is None:
        raise KeyError(claim_id)
    if claim["status"] != WAITING:
        raise ClaimDecided(claim_id)
    return dict(claim)


def _claimed_project(store: Store, claim_id: int) -> int:
    """The project a claim is about (KeyError for an unknown claim)."""
    with store.read() as db:
        project_id = db.execute(select(claims.c.project_id).where(claims.c.id == claim_id)).scalar()
    if project_id is None:
        raise KeyError(claim_id)
    return project_id


def _decline(unit, claim: dict, actor: str) -> None:
    row = unit.row
    _close(unit.db, claim["id"], DECLINED, actor, unit.now)
    unit.note(CLAIM_DECLINED, "", actor)
    outbox.queue(unit.db, f"claim-declined:{claim['id']}", "claim_declined", claim["email"],
                 {"reference": notices.reference(row["id"]), "name": row["name"], "project_id": row["id"],
                  "lang": claim["language"]})


def _close(db, claim_id: int, status: str, actor: str, now: datetime) -> None:
    db.execute(update(claims).where(claims.c.id == claim_id).values(status=status, decided_at=now, decided_by=actor))
