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
from atlas.store import ARCHIVED, FROM_SOURCE, PUBLISHED, Store, _bump, _locked, _record

WAITING, ACCEPTED, DECLINED = "waiting", "accepted", "declined"
CLAIMED, SOURCE_CONFIRMED, CLAIM_DECLINED = "claimed", "source_confirmed", "claim_declined"  # history actions


class NotClaimable(ValueError):
    """The project is not (or no longer) an unconfirmed entry on the map."""


class ClaimDecided(ValueError):
    """The claim was decided meanwhile, by someone else."""


def make(store: Store, project_id: int, email: str, message: str, language: str) -> int | None:
    """A claim waiting for the office, which hears of it; None if this address has one waiting for the project."""
    with store.write() as db:
        row = _locked(db, project_id, None)
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
    with store.engine.connect() as db:
        return [dict(r) for r in db.execute(select(claims).where(
            claims.c.project_id == project_id, claims.c.status == WAITING).order_by(claims.c.id)).mappings()]


def waiting_ids(store: Store, arl: str | None) -> list[int]:
    """The projects (of one district) with a claim waiting, oldest claim first."""
    query = (select(claims.c.project_id, func.min(claims.c.id).label("first"))
             .join(projects, projects.c.id == claims.c.project_id).where(claims.c.status == WAITING)
             .group_by(claims.c.project_id).order_by("first"))
    if arl:
        query = query.where(projects.c.arl == arl)
    with store.engine.connect() as db:
        return [row.project_id for row in db.execute(query)]


def unconfirmed_ids(store: Store, arl: str | None) -> list[int]:
    """The published projects (of one district) gathered from sources and not confirmed yet."""
    query = select(projects.c.id).where(projects.c.status == PUBLISHED, FROM_SOURCE).order_by(projects.c.id)
    if arl:
        query = query.where(projects.c.arl == arl)
    with store.engine.connect() as db:
        return list(db.execute(query).scalars())


def accept(store: Store, claim_id: int, actor: str, expected_version: int | None) -> dict:
    """The claimant is the Träger: the project gets their address and counts as confirmed, they get its private
    link; every other claim waiting for it is declined. StaleWrite if the project changed since the office
    looked at it, ClaimDecided if the claim was decided meanwhile."""
    now = datetime.now(UTC)
    with store.write() as db:
        claim = _waiting_claim(db, claim_id)
        row = _locked(db, claim["project_id"], expected_version)
        if row["status"] == ARCHIVED:
            raise NotClaimable(row["id"])
        version = row["row_version"] + 1
        db.execute(update(projects).where(projects.c.id == row["id"]).values(
            email=claim["email"], language=claim["language"], source_confirmed_at=row["source_confirmed_at"] or now,
            confirmed_at=now, freshness_asked_at=None, updated_at=now, row_version=version))
        _record(db, row["id"], actor, now, CLAIMED, history.record({"email": (row["email"], claim["email"])}),
                row["status"], version)
        _close(db, claim_id, ACCEPTED, actor, now)
        tokens.revoke_all(db, row["id"], tokens.PROJECT, tokens.FRESHNESS)  # only the Träger holds a link now
        link = tokens.issue(db, tokens.PROJECT, row["id"])
        outbox.queue(db, f"claim-accepted:{claim_id}", "claim_accepted", claim["email"],
                     {"reference": notices.reference(row["id"]), "name": row["name"], "project_id": row["id"],
                      "token": link, "lang": claim["language"]})
        others = db.execute(select(claims).where(claims.c.project_id == row["id"], claims.c.status == WAITING)
                            ).mappings().all()
        for other in others:
            _decline(db, dict(other), row, actor, now)
        _bump(db)
    store._changed()
    return store.get(claim["project_id"])


def decline(store: Store, claim_id: int, actor: str, expected_version: int | None) -> None:
    """Not the Träger (or not to be told from the message): the claimant hears so, the project stays as it is.
    StaleWrite if the project changed since the office looked at it."""
    now = datetime.now(UTC)
    with store.write() as db:
        claim = _waiting_claim(db, claim_id)
        row = _locked(db, claim["project_id"], expected_version)
        _decline(db, claim, row, actor, now)


def confirm(store: Store, project_id: int, actor: str, expected_version: int | None) -> int:
    """The office confirms an entry gathered from a source itself (it asked the Träger): the mark goes. Returns
    the project's version; StaleWrite if it changed since the office looked at it."""
    now = datetime.now(UTC)
    with store.write() as db:
        row = _locked(db, project_id, expected_version)
        if row["source_confirmed_at"] is not None:
            return row["row_version"]
        version = row["row_version"] + 1
        db.execute(update(projects).where(projects.c.id == project_id).values(
            source_confirmed_at=now, confirmed_at=now, freshness_asked_at=None, updated_at=now, row_version=version))
        _record(db, project_id, actor, now, SOURCE_CONFIRMED, "", row["status"], version)
        _bump(db)
    store._changed()
    return version


def _waiting_claim(db, claim_id: int) -> dict:
    claim = db.execute(select(claims).where(claims.c.id == claim_id).with_for_update()).mappings().first()
    if claim is None:
        raise KeyError(claim_id)
    if claim["status"] != WAITING:
        raise ClaimDecided(claim_id)
    return dict(claim)


def _decline(db, claim: dict, row: dict, actor: str, now: datetime) -> None:
    _close(db, claim["id"], DECLINED, actor, now)
    _record(db, row["id"], actor, now, CLAIM_DECLINED, "", row["status"], row["row_version"])
    outbox.queue(db, f"claim-declined:{claim['id']}", "claim_declined", claim["email"],
                 {"reference": notices.reference(row["id"]), "name": row["name"], "project_id": row["id"],
                  "lang": claim["language"]})


def _close(db, claim_id: int, status: str, actor: str, now: datetime) -> None:
    db.execute(update(claims).where(claims.c.id == claim_id).values(status=status, decided_at=now, decided_by=actor))
