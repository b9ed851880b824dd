"""The database: add, publish, reject, query projects. SQLAlchemy Core; SQLite (WAL) by default, PostgreSQL works.

Kreis and ArL are computed here, when a project is written, never when a map is shown.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import (
    and_,
    func,
    insert,
    or_,
    select,
    text,
    update,
)

from atlas import facts, history, notices, search, tokens
from atlas.database import as_utc, open_engine
from atlas.geo import ROUGH_SLACK, box_around, distances, public_position
from atlas.handlungsfelder import mask
from atlas.labels import ARCHIVED, FIELD_LABELS, PENDING, PUBLISHED, REJECTED
from atlas.migrate import check_current
from atlas.places import Place
from atlas.projects import ProjectInput
from atlas.regions import Regions
from atlas.schema import changes, meta, projects

VERSION_TTL = 1.0  # seconds a process trusts the store version it read; its own writes renew it at once
INSERT_BATCH = 5_000  # rows per INSERT statement of a large import (one transaction still)
ID_BATCH = 5_000  # ids per IN (…) of one query: below every database's limit of bound parameters
STATUSES = (PENDING, PUBLISHED, REJECTED, ARCHIVED)  # archived: ended or withdrawn, off the map, kept in history

REFERENCE = re.compile(r"^(?:GS-?)?0*(\d{1,9})$", re.IGNORECASE)  # a project's reference number, as typed
PUBLIC_COLUMNS = ["id", "name", "traeger", "ort", "lat", "lon", "hf_mask", "handlungsfelder", "kreis_rs",
                  "kreis_name", "arl", "sprachen_mask", "zg_mask", "kosten", "zeiten", "quelle", "quelle_stand",
                  "from_source"]
SOURCE_FIELDS = ("quelle", "quelle_stand", "source_confirmed_at")
# Gathered from a public source and not yet confirmed by its Träger or its office (atlas.sources.unconfirmed)
FROM_SOURCE = and_(projects.c.quelle != "", projects.c.source_confirmed_at.is_(None))


class OutsideNiedersachsen(ValueError):
    pass


class StaleWrite(Exception):
    """The project changed since the form was loaded (or while the change was being written); nothing was written.

    `changes` are the recorded changes the writer has not seen, oldest first.
    """

    def __init__(self, project_id: int, changes: list[dict]):
        super().__init__(f"project {project_id} changed meanwhile")
        self.project_id = project_id
        self.changes = changes


class Store:
    def __init__(self, url: str, regions: Regions):
        self.regions = regions
        self.engine = open_engine(url)
        self._version: tuple[int, float] | None = None  # (version, when it was read)
        self._writes = 0  # a read that began before one of this process's writes is not kept
        check_current(self.engine)

    @contextmanager
    def write(self):
        """A transaction that reads and then writes: what it read stays true until it commits.

        PostgreSQL: rows read `with_for_update` are locked. SQLite: the write lock is taken at BEGIN (IMMEDIATE),
        so a second writer waits instead of failing on a stale snapshot.
        """
        with self.engine.connect().execution_options(atlas_write=True) as db, db.begin():
            yield db

    def add(self, project: ProjectInput, place: Place, status: str = PENDING) -> int:
        """Store one project at a located place; its Kreis and ArL are taken from the polygons now."""
        return self.add_many([(project, place)], status)[0]

    def submit(self, project: ProjectInput, place: Place, language: str = "de") -> tuple[int, str]:
        """A submission waits for its office; its submitter's private link is returned, and the mails it causes
        (receipt, office notices) are queued in the same transaction. Mails to the submitter are written in
        `language`, the one they submitted in."""
        [kreis] = self._assign([place])
        with self.write() as db:
            values = dict(_row(project, place, *kreis, PENDING, datetime.now(UTC)), language=language)
            project_id = db.execute(insert(projects).values(**values).returning(projects.c.id)).scalar_one()
            search.index(db, [dict(values, id=project_id)], new=True)
            link = notices.submitted(db, dict(values, id=project_id, row_version=1))
        return project_id, link

    def add_many(self, items: list[tuple[ProjectInput, Place]], status: str = PUBLISHED,
                 into_empty: bool = False) -> list[int]:
        """Store many projects in one transaction, assigned to Kreis and ArL by one spatial join.

        With `into_empty`, nothing is stored if the store holds any project: of several processes seeding at once,
        exactly one does.
        """
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        if not items:
            return []
        assigned = self._assign([place for _project, place in items])
        now = datetime.now(UTC)
        with self.write() as db:
            if into_empty:
                if db.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already keeps other writers out
                    db.execute(text("LOCK TABLE projects IN EXCLUSIVE MODE"))
                if db.execute(select(func.count()).select_from(projects)).scalar_one():
                    return []
            ids: list[int] = []
            statement = insert(projects).returning(projects.c.id, sort_by_parameter_order=True)
            for first in range(0, len(items), INSERT_BATCH):  # rows are made per batch: memory stays flat
                batch = zip(items[first:first + INSERT_BATCH], assigned[first:first + INSERT_BATCH], strict=True)
                rows = [_row(project, place, *kreis, status, now) for (project, place), kreis in batch]
                if status == PUBLISHED:
                    for row in rows:
                        row["published_at"] = row["confirmed_at"] = now
                batch_ids = _insert(db, statement, rows)
                search.index(db, [dict(row, id=i) for row, i in zip(rows, batch_ids, strict=True)], new=True)
                ids += batch_ids
            if status == PUBLISHED:
                _bump(db)
        self._changed()
        return ids

    def _assign(self, places: list[Place]) -> list[tuple[str, str, str]]:
        """(Kreis key, Kreis name, ArL) of each place, by one spatial join; any place outside refuses them all."""
        assigned = self.regions.assign_lonlat([p.lon for p in places], [p.lat for p in places])
        outside = assigned.kreis_rs.isna().to_numpy()
        if outside.any():
            raise OutsideNiedersachsen(f"{int(outside.sum())} Projekt(e) liegen außerhalb Niedersachsens")
        return list(zip(assigned.kreis_rs, assigned.kreis_name, assigned.arl, strict=True))

    def get(self, project_id: int) -> dict | None:
        with self.engine.connect() as db:
            row = db.execute(select(projects).where(projects.c.id == project_id)).mappings().first()
        return dict(row) if row else None

    def set_status(self, project_id: int, status: str, reason: str = "", actor: str = "system",
                   expected_version: int | None = None) -> int:
        """Publish or reject a project; the change is recorded with who made it and when. Returns the new version.

        With `expected_version` (the version the deciding person saw) a project changed meanwhile is not decided:
        StaleWrite names what changed.
        """
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.write() as db:
            old = _locked(db, project_id, expected_version)
            version = old["row_version"] + 1
            now = datetime.now(UTC)
            values = {"status": status, "reject_reason": reason, "updated_at": now, "row_version": version}
            if status == PUBLISHED:
                values.update(published_at=old["published_at"] or now, confirmed_at=now)
            db.execute(update(projects).where(projects.c.id == project_id).values(**values))
            _record(db, project_id, actor, now, status, reason, status, version)
            search.index(db, [dict(old, status=status)])
            notices.decided(db, old, status, reason, version)
            _bump(db)
        self._changed()
        return version

    def forget_email(self, project_id: int) -> None:
        """The submitter's address goes (withdrawn project); links that would mail them go too."""
        with self.write() as db:
            db.execute(update(projects).where(projects.c.id == project_id).values(email=""))
            tokens.revoke_all(db, project_id, tokens.FRESHNESS)

    def nearby(self, lat: float, lon: float, radius_km: float, statuses=(PENDING, PUBLISHED)) -> list[dict]:
        """Projects of these statuses whose public position lies within radius_km of a point, nearest first.

        The public position is the rounded one where the submitter asked for it: what this tells a caller, the
        public map tells everyone anyway.
        """
        south, north, west, east = box_around(lat, lon, radius_km)
        # Only the box in SQL: with a status condition SQLite would walk the status index, nearly every row.
        query = select(projects).where(projects.c.lat.between(south, north), projects.c.lon.between(west, east))
        with self.engine.connect() as db:
            rows = [dict(r) for r in db.execute(query).mappings() if r.status in statuses]
        km = distances(lat, lon, [r["lat"] for r in rows], [r["lon"] for r in rows], [r["approximate"] for r in rows])
        for row, distance in zip(rows, km, strict=True):
            row["distance_km"] = float(distance)
        return sorted((r for r in rows if r["distance_km"] <= radius_km), key=lambda r: r["distance_km"])

    def in_box(self, box: tuple[float, float, float, float], statuses=(PENDING,)) -> list[dict]:
        """Projects of these statuses whose exact position lies in a box (south, north, west, east), as stored."""
        south, north, west, east = box
        query = select(projects.c.id, projects.c.name, projects.c.status).where(
            projects.c.lat >= south, projects.c.lat < north, projects.c.lon >= west, projects.c.lon < east)
        with self.engine.connect() as db:
            return [dict(r) for r in db.execute(query).mappings() if r.status in statuses]

    def update(self, project_id: int, project: ProjectInput, place: Place, actor: str,
               expected_version: int | None = None, publish: bool = False) -> dict:
        """Change a project; Kreis and ArL are assigned again from its place.

        The status stays as it is (with `publish`, the project is published with the change: a submitter's
        proposal to a rejected project, taken by the office), unless the project moves into another district: then
        it waits again, in that office's queue. With `expected_version` (the version the edit form was loaded
        from) a project changed meanwhile is not overwritten: StaleWrite names what changed. The change is recorded
        field by field.
        Returns the row as it is now.
        """
        [kreis] = self._assign([place])  # the spatial join runs before the transaction: it holds no lock
        with self.write() as db:
            old = _locked(db, project_id, expected_version)
            now = datetime.now(UTC)
            new = _row(project, place, *kreis, old["status"], now)
            if new["arl"] != old["arl"]:
                new["status"] = PENDING  # the reason of an earlier rejection is cleared with it
            elif publish:
                new.update(status=PUBLISHED, published_at=old["published_at"] or now, confirmed_at=now)
            else:
                new["reject_reason"] = old["reject_reason"]
            for kept in ("created_at", *SOURCE_FIELDS):  # an edit neither changes the source nor confirms it
                del new[kept]
            changed = {k: v for k, v in new.items() if k not in ("updated_at", "hf_mask", "sprachen_mask", "zg_mask",
                                                                 "published_at", "confirmed_at") and v != old[k]}
            if not changed:
                return old
            new["row_version"] = old["row_version"] + 1
            detail = history.record({k: (old[k], v) for k, v in changed.items() if k in FIELD_LABELS})
            db.execute(update(projects).where(projects.c.id == project_id).values(**new))
            search.index(db, [dict(old, **new)])
            _record(db, project_id, actor, now, "edited", detail, new["status"], new["row_version"])
            if new["arl"] != old["arl"]:
                notices.moved(db, old, dict(old, **new))
            elif new["status"] != old["status"]:
                notices.decided(db, old, new["status"], "", new["row_version"])
            if PUBLISHED in (old["status"], new["status"]):
                _bump(db)
        self._changed()
        return self.get(project_id)

    def history(self, project_id: int) -> list[dict]:
        """Every recorded change of a project, oldest first."""
        with self.engine.connect() as db:
            return _history(db, project_id)

    def published(self, arl: str | None = None, hf: list[str] | None = None) -> pd.DataFrame:
        """Published projects for maps and lists; coordinates rounded where the submitter asked for it."""
        return self._public_frame(self._public_query(arl, hf))

    def published_ids(self, ids: list[int]) -> pd.DataFrame:
        """Published projects by id, in the order given (a search's ranking)."""
        if not ids:
            return self._public_frame(self._public_query().where(projects.c.id == -1))
        frame = self._public_frame(self._public_query().where(projects.c.id.in_(ids)))
        order = {project_id: i for i, project_id in enumerate(ids)}
        return frame.assign(rank=frame.id.map(order)).sort_values("rank", kind="stable").drop(columns="rank")

    def unconfirmed_since(self, ids: list[int], before: datetime) -> dict[int, datetime]:
        """Of these projects, the published ones last confirmed before `before`, with when: the few a page lists,
        not every project a map draws."""
        if not ids:
            return {}
        query = select(projects.c.id, projects.c.confirmed_at).where(
            projects.c.id.in_(ids), projects.c.status == PUBLISHED, projects.c.confirmed_at < before)
        with self.engine.connect() as db:
            return {row.id: as_utc(row.confirmed_at) for row in db.execute(query)}

    def published_one(self, project_id: int) -> pd.DataFrame:
        return self._public_frame(self._public_query().where(projects.c.id == project_id))

    def _public_query(self, arl: str | None = None, hf: list[str] | None = None):
        columns = [projects.c[name] if name in projects.c else FROM_SOURCE.label(name) for name in PUBLIC_COLUMNS]
        columns.append(projects.c.approximate)
        query = select(*columns).where(projects.c.status == PUBLISHED).order_by(projects.c.ort, projects.c.name)
        if arl:
            query = query.where(projects.c.arl == arl)
        if hf:
            query = query.where(projects.c.hf_mask.op("&")(mask(hf)) != 0)
        return query

    def _public_frame(self, query) -> pd.DataFrame:
        with self.engine.connect() as db:
            rows = [tuple(row) for row in db.execute(query)]  # plain tuples: pandas is slow on Row objects
        frame = pd.DataFrame.from_records(rows, columns=PUBLIC_COLUMNS + ["approximate"])
        rough = frame.approximate.astype(bool).to_numpy()
        frame["lat"] = public_position(frame.lat.to_numpy(dtype=float), rough)
        frame["lon"] = public_position(frame.lon.to_numpy(dtype=float), rough)
        return frame.drop(columns="approximate")

    def published_page(self, where: list, bbox: tuple[float, float, float, float] | None, offset: int,
                       limit: int) -> tuple[list[dict], int]:
        """One page of published projects (ordered by id) that meet SQL conditions `where` and whose *public*
        position lies in `bbox` (min lon, min lat, max lon, max lat); and how many there are in all.

        Without a box, SQL counts and pages. With one, the box is asked in SQL with the rounding's slack, then
        checked against the public positions: an approximate project is found where the public sees it, never
        where it is.
        """
        conditions = [projects.c.status == PUBLISHED, *where]
        with self.engine.connect() as db:
            if bbox is None:
                matched = db.execute(select(func.count()).select_from(projects).where(*conditions)).scalar_one()
                page = select(projects.c.id).where(*conditions).order_by(projects.c.id).offset(offset).limit(limit)
                ids = [row.id for row in db.execute(page)]
            else:
                query = select(projects.c.id, projects.c.lat, projects.c.lon, projects.c.approximate).where(
                    *conditions, projects.c.lon.between(bbox[0] - ROUGH_SLACK, bbox[2] + ROUGH_SLACK),
                    projects.c.lat.between(bbox[1] - ROUGH_SLACK, bbox[3] + ROUGH_SLACK)).order_by(projects.c.id)
                found = db.execute(query).all()
                rough = np.array([bool(r.approximate) for r in found], dtype=bool)
                lat = public_position(np.array([r.lat for r in found], dtype=float), rough)
                lon = public_position(np.array([r.lon for r in found], dtype=float), rough)
                inside = (lon >= bbox[0]) & (lon <= bbox[2]) & (lat >= bbox[1]) & (lat <= bbox[3])
                ids = [r.id for r, keep in zip(found, inside, strict=True) if keep]
                matched, ids = len(ids), ids[offset:offset + limit]
            rows = _public_rows(db, ids)
        return rows, matched

    def published_rows(self, ids: list[int]) -> list[dict]:
        """The published projects of these ids, whole rows as the public may see them (ordered by id)."""
        with self.engine.connect() as db:
            return _public_rows(db, sorted(ids))

    def rows(self, status: str | None = None, arl: str | None = None, hf: list[str] | None = None,
             kreis: str | None = None, words: str = "", ids: list[int] | None = None) -> list[dict]:
        """Projects of any status, oldest first: exports and the offices' queues. `words` is looked for in name,
        Träger and Ort (or, written as a reference number, GS-000042 or 42, is that project)."""
        query = select(projects).order_by(projects.c.created_at, projects.c.id)
        if ids is not None:
            query = query.where(projects.c.id.in_(ids[:ID_BATCH]))
        if words:
            number = REFERENCE.match(words.strip())
            if number:
                query = query.where(projects.c.id == int(number.group(1)))
            else:
                query = query.where(or_(*(column.ilike(f"%{_escaped(words.strip())}%", escape="\\")
                                          for column in (projects.c.name, projects.c.traeger, projects.c.ort))))
        if kreis:
            query = query.where(projects.c.kreis_rs == kreis)
        if status:
            query = query.where(projects.c.status == status)
        if arl:
            query = query.where(projects.c.arl == arl)
        if hf:
            query = query.where(projects.c.hf_mask.op("&")(mask(hf)) != 0)
        with self.engine.connect() as db:
            return [dict(r) for r in db.execute(query).mappings()]

    def status_counts(self, arl: str | None = None) -> dict[str, int]:
        """How many projects of each status (of one district): the office's tabs show them."""
        query = select(projects.c.status, func.count()).group_by(projects.c.status)
        if arl:
            query = query.where(projects.c.arl == arl)
        with self.engine.connect() as db:
            return dict(db.execute(query).all())

    def decided_at(self, ids: list[int]) -> dict[int, datetime]:
        """When each of these projects was last decided on (published, rejected, archived)."""
        found: dict[int, datetime] = {}
        with self.engine.connect() as db:
            for first in range(0, len(ids), ID_BATCH):
                query = (select(changes.c.project_id, func.max(changes.c.at))
                         .where(changes.c.project_id.in_(ids[first:first + ID_BATCH]),
                                changes.c.action.in_((PUBLISHED, REJECTED, ARCHIVED)))
                         .group_by(changes.c.project_id))
                found.update({project_id: as_utc(at) for project_id, at in db.execute(query)})
        return found

    def last_change(self) -> datetime | None:
        """When a published project last changed (the catalogue's modification date)."""
        query = select(func.max(projects.c.updated_at)).where(projects.c.status == PUBLISHED)
        with self.engine.connect() as db:
            moment = db.execute(query).scalar_one()
        return as_utc(moment) if moment else None

    def count(self, status: str | None = None) -> int:
        query = select(func.count()).select_from(projects)
        if status:
            query = query.where(projects.c.status == status)
        with self.engine.connect() as db:
            return db.execute(query).scalar_one()

    def version(self) -> int:
        """Renewed whenever what the public sees changes: caches key on it.

        Read from the database at most every VERSION_TTL seconds (a page served from cache costs no query), and
        at once after this process changed something: another process's publication shows within a second.
        """
        known = self._version
        if known is not None and time.monotonic() - known[1] < VERSION_TTL:
            return known[0]
        read_at, writes = time.monotonic(), self._writes
        with self.engine.connect() as db:
            value = db.execute(select(meta.c.value).where(meta.c.key == "version")).scalar_one()
        if writes == self._writes:
            self._version = (value, read_at)
        return value

    def _changed(self) -> None:
        """This process changed what the public sees: the next version() reads the database."""
        self._writes += 1
        self._version = None


def _row(project: ProjectInput, place: Place, rs: str, kreis_name: str, arl: str, status: str, now) -> dict:
    return {
        "name": project.name, "traeger": project.traeger, "description": project.description,
        "handlungsfelder": ";".join(project.handlungsfelder), "hf_mask": mask(project.handlungsfelder),
        "street": project.street, "plz": project.plz, "ort": project.ort or place.name,
        "lat": place.lat, "lon": place.lon, "precision": place.precision, "approximate": project.approximate,
        "kreis_rs": rs, "kreis_name": kreis_name, "arl": arl, "website": project.website, "email": project.email,
        "status": status, "reject_reason": "", "created_at": now, "updated_at": now,
        "sprachen": ";".join(project.sprachen), "sprachen_mask": facts.bits(project.sprachen, facts.LANGUAGE_BITS),
        "zielgruppen": ";".join(project.zielgruppen), "zg_mask": facts.bits(project.zielgruppen, facts.ZIELGRUPPEN),
        "kosten": project.kosten, "wann": project.wann, "zeiten": project.zeiten, "barrierefrei": project.barrierefrei,
        "kontakt": project.kontakt, "quelle": project.quelle, "quelle_stand": project.quelle_stand,
        "source_confirmed_at": now if project.confirmed else None,
    }


def _public_rows(db, ids: list[int]) -> list[dict]:
    """Whole rows of published projects by id (in batches of ID_BATCH), at their public positions."""
    rows = []
    for first in range(0, len(ids), ID_BATCH):
        rows += [dict(r) for r in db.execute(select(projects).where(
            projects.c.id.in_(ids[first:first + ID_BATCH]), projects.c.status == PUBLISHED)
            .order_by(projects.c.id)).mappings()]
    if rows:
        rough = np.array([bool(row["approximate"]) for row in rows])
        lats = public_position(np.array([row["lat"] for row in rows], dtype=float), rough)
        lons = public_position(np.array([row["lon"] for row in rows], dtype=float), rough)
        for row, lat, lon in zip(rows, lats, lons, strict=True):
            row["lat"], row["lon"] = float(lat), float(lon)
    return rows


def _insert(db, statement, rows: list[dict]) -> list[int]:
    """Insert rows and return their ids in order. SQLite inserts with RETURNING one row at a time; its writer holds
    the database alone here (BEGIN IMMEDIATE), so the new ids follow the largest one: one executemany, checked."""
    if db.dialect.name != "sqlite":
        return [row.id for row in db.execute(statement, rows)]
    first = db.execute(select(func.coalesce(func.max(projects.c.id), 0))).scalar_one() + 1
    db.execute(insert(projects), rows)
    last = db.execute(select(func.max(projects.c.id))).scalar_one()
    if last != first + len(rows) - 1:
        raise RuntimeError(f"expected ids {first}–{first + len(rows) - 1}, the table ends at {last}")
    return list(range(first, last + 1))


def _escaped(text: str) -> str:
    """Typed words as a LIKE pattern matches them: % and _ are letters here."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _locked(db, project_id: int, expected_version: int | None) -> dict:
    """The project's row, locked until the transaction ends; StaleWrite if it is not the version expected."""
    row = db.execute(select(projects).where(projects.c.id == project_id).with_for_update()).mappings().first()
    if row is None:
        raise KeyError(project_id)
    if expected_version is not None and row["row_version"] != expected_version:
        raise StaleWrite(project_id, _history(db, project_id, after_version=expected_version))
    return dict(row)


def _history(db, project_id: int, after_version: int | None = None) -> list[dict]:
    # Changes of one project are written under its row lock, so their ids are in the order they took effect.
    query = select(changes).where(changes.c.project_id == project_id).order_by(changes.c.id)
    if after_version is not None:
        query = query.where(changes.c.row_version > after_version)
    return [dict(row) for row in db.execute(query).mappings()]


def _record(db, project_id: int, actor: str, at: datetime, action: str, detail: str, status: str,
            row_version: int) -> None:
    db.execute(insert(changes).values(project_id=project_id, actor=actor, at=at, action=action, detail=detail,
                                      status=status, row_version=row_version))


def _bump(db) -> None:
    db.execute(update(meta).where(meta.c.key == "version").values(value=meta.c.value + 1))
