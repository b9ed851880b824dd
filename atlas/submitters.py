"""What a submitter does through the private link: see the status, propose a change, withdraw the project.

A proposed change is kept beside the project and published only when the office approves it; the office sees it
field by field. Withdrawing takes the project off the map (archived, kept in the history) and deletes the
submitter's address.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from atlas import notices, texts, tokens
from atlas.history import value_text
from atlas.i18n import _
from atlas.labels import FIELD_LABELS
from atlas.places import Place
from atlas.projects import ProjectInput
from atlas.regions import Regions
from atlas.schema import projects, proposals
from atlas.store import ARCHIVED, REJECTED, Store

WAITING, APPROVED, DECLINED, REPLACED, TAKEN_BACK = "waiting", "approved", "declined", "replaced", "withdrawn"
FIELDS = ("name", "traeger", "description", "summary", "handlungsfelder", "street", "plz", "ort", "website", "email",
          "approximate", "sprachen", "zielgruppen", "kosten", "wann", "zeiten", "barrierefrei", "kontakt")
LISTS = ("handlungsfelder", "sprachen", "zielgruppen")
DEFAULTS = asdict(ProjectInput("", "", "", []))  # for a proposal made before the facts existed (all empty then)


def project_by_link(store: Store, raw: str) -> dict | None:
    """The project a private link opens, or None."""
    with store.read() as db:
        project_id = tokens.subject(db, raw, tokens.PROJECT)
    return store.get(project_id) if project_id else None


class Archived(Exception):
    """The project was archived (it ended, or was withdrawn): it takes no more proposals."""


def propose(store: Store, project_id: int, project: ProjectInput, place: Place, based_on: int) -> int:
    """Keep a proposed change for the office (an earlier one still waiting is replaced) and tell the office."""
    data = _proposal_data(project, place)
    with store.change(project_id) as unit:
        db, row, now = unit.db, unit.row, unit.now
        if row["status"] == ARCHIVED:
            raise Archived(project_id)
        db.execute(update(proposals).where(proposals.c.project_id == project_id, proposals.c.status == WAITING)
                   .values(status=REPLACED, decided_at=now))
        proposal_id = db.execute(insert(proposals).values(
            project_id=project_id, data=json.dumps(data, ensure_ascii=False), based_on=based_on, status=WAITING,
            created_at=now, decided_by="").returning(proposals.c.id)).scalar_one()
        notices.proposed(db, row, proposal_id)
    return proposal_id


def changes_nothing(store: Store, row: dict, project: ProjectInput, place: Place) -> bool:
    """Would this proposal leave the project as it is? Then it is no proposal: the office would get a mail and a
    task with no field to decide."""
    return not differences(row, {"data": _proposal_data(project, place)}, store.translations(row["id"]))


def _proposal_data(project: ProjectInput, place: Place) -> dict:
    data = dict(asdict(project), lat=place.lat, lon=place.lon, precision=place.precision, place=place.name)
    data.pop("extra", None)
    return data


def waiting_proposal(store: Store, project_id: int) -> dict | None:
    with store.read() as db:
        row = db.execute(select(proposals).where(proposals.c.project_id == project_id,
                                                 proposals.c.status == WAITING)).mappings().first()
    return dict(row, data=json.loads(row["data"])) if row else None


def differences(project: dict, proposal: dict, translations: list | None = None) -> list[tuple[str, str, str]]:
    """(label, now, proposed) for every field the proposal changes, its translations (atlas.texts) after them."""
    data = dict(proposal["data"])
    now = dict(project, **{key: [v for v in project[key].split(";") if v] for key in LISTS})
    for key in FIELDS:
        data.setdefault(key, now[key])
    found = [(_(FIELD_LABELS.get(key, key)), value_text(key, now[key]), value_text(key, data[key]))
             for key in FIELDS if value_text(key, now[key]) != value_text(key, data[key])]
    existing = {texts.key(t.field, t.language): t for t in translations or []}
    for name, text in sorted(texts.as_keys(data.get("translations") or {}).items()):
        old = existing.get(name)
        if text != (old.text if old else "") and (text or (old and old.origin != texts.MACHINE)):
            found.append((texts.label(name), value_text(name, old.text if old else ""), value_text(name, text)))
    return found


def waiting_ids(store: Store, arl: str | None) -> list[int]:
    """The projects (of one district) with a proposal waiting for the office, oldest proposal first."""
    query = (select(proposals.c.project_id).join(projects, projects.c.id == proposals.c.project_id)
             .where(proposals.c.status == WAITING).order_by(proposals.c.created_at))
    if arl:
        query = query.where(projects.c.arl == arl)
    with store.read() as db:
        return [row[0] for row in db.execute(query)]


def proposed_input(proposal: dict, regions: Regions) -> tuple[ProjectInput, Place]:
    data = proposal["data"]
    project = ProjectInput(**{key: data.get(key, DEFAULTS[key]) for key in FIELDS},
                           translations=data.get("translations"))
    place = Place(data["place"], data["lat"], data["lon"], data["precision"], "Vorschlag",
                  regions.locate(data["lat"], data["lon"]))
    return project, place


def approve_proposal(store: Store, proposal: dict, actor: str, expected_version: int | None) -> dict:
    """Apply the proposal to the project (StaleWrite if the project changed since the office looked at it). A
    rejected project is published with it: its submitter was told so when they proposed the change."""
    project, place = proposed_input(proposal, store.regions)
    rejected = store.get(proposal["project_id"])["status"] == REJECTED
    new = store.update(proposal["project_id"], project, place, actor=f"{actor} (Vorschlag des Einreichers)",
                       expected_version=expected_version, publish=rejected, origin=texts.SUBMITTER)
    _close(store, proposal["id"], APPROVED, actor)
    return new


def decline_proposal(store: Store, proposal: dict, actor: str) -> None:
    _close(store, proposal["id"], DECLINED, actor)


def take_back(store: Store, project_id: int, proposal_id: int, expected_version: int) -> bool:
    """The submitter takes back the waiting proposal they saw: the office has nothing to decide any more. With the
    project locked at the version they saw (StaleWrite if it changed: an office took a proposal over meanwhile).
    False where that proposal no longer waits (decided, or replaced by a newer one)."""
    with store.change(project_id, expected_version) as unit:
        return _closed(unit.db, proposal_id, TAKEN_BACK, "Einreicher", project_id)


def withdraw(store: Store, project_id: int, expected_version: int | None) -> None:
    """The submitter ends the project: off the map, in the history, without their address."""
    store.set_status(project_id, ARCHIVED, "Vom Einreicher zurückgezogen.", actor="Einreicher",
                     expected_version=expected_version)
    store.forget_email(project_id)


def _close(store: Store, proposal_id: int, status: str, actor: str) -> None:
    with store.write() as db:
        _closed(db, proposal_id, status, actor)


def _closed(db, proposal_id: int, status: str, actor: str, project_id: int | None = None) -> bool:
    """Decide a proposal in `db`'s transaction if it still waits (and, given, is one of this project's): whether it
    did."""
    wanted = [proposals.c.id == proposal_id, proposals.c.status == WAITING]
    if project_id is not None:
        wanted.append(proposals.c.project_id == project_id)
    done = db.execute(update(proposals).where(*wanted).values(status=status, decided_at=datetime.now(UTC),
                                                               decided_by=actor))
    return done.rowcount == 1
