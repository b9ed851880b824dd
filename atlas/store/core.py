"""The store's door: its connection, its transactions, the unit of work for one project, and the version that tells
every cache whether what the public sees has changed.

Nothing outside atlas.store opens the database: other modules use `read()` and `write()` for their own tables, and
`change()` (or the store's methods) for a project.
"""

from __future__ import annotations

import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, func, insert, select, text, update

from atlas import facts, search_index
from atlas.districts import ARLS
from atlas.handlungsfelder import mask
from atlas.labels import ARCHIVED, PENDING, PUBLISHED, REJECTED
from atlas.places import Place
from atlas.projects import ProjectInput
from atlas.schema import changes, meta, projects, public_changes
from atlas.store.driver import driver_rows

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Engine

    from atlas.regions import Regions

INSERT_BATCH = 5_000  # rows per INSERT statement of a large import (one transaction still)
ID_BATCH = 5_000  # ids per IN (…) of one query: below every database's limit of bound parameters
STATUSES = (PENDING, PUBLISHED, REJECTED, ARCHIVED)  # archived: ended or withdrawn, off the map, kept in history
REFERENCE = re.compile(r"^(?:GS-?)?0*(\d{1,9})$", re.IGNORECASE)  # a project's reference number, as typed
SOURCE_FIELDS = ("quelle", "quelle_stand", "source_confirmed_at")
# Gathered from a public source and not yet confirmed by its Träger or its office (atlas.sources.unconfirmed)
FROM_SOURCE = and_(projects.c.quelle != "", projects.c.source_confirmed_at.is_(None))
# Places whose Kreise PostGIS is asked for; an import's many are joined in memory (the boundaries are held for the
# maps anyway): 16× faster than one query for all (docs/benchmarks.md, PostGIS against the in-memory path)
KREISE_IN_SQL = 100
LOGGED_AT_MOST = 1_000  # projects of one change logged one by one; more (an import) are logged as "read all again"
KEPT_CHANGES = 10_000  # versions whose changes stay logged; a process further behind reads everything again
# The versions read within the current moment (one web request: atlas.web.moment), per store; None: no moment
_MOMENT: ContextVar[dict | None] = ContextVar("atlas_store_moment", default=None)


@contextmanager
def one_moment():
    """Within it, each store reads its versions from the database once – at the first question, not at the start –
    and answers every later question with them, unless this process changes something meanwhile. One web request
    is one moment: every process sees a publication made by any other as soon as it was committed (the next
    request reads the versions), and a page is made from one version throughout."""
    token = _MOMENT.set({})
    try:
        yield
    finally:
        _MOMENT.reset(token)


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


class Change:
    """One project, locked until the transaction ends, and what is done to it: every write moves its version on
    and is recorded in its history, its search document follows, and the public pages are renewed when what they
    show may have changed. `db` is the same transaction, for what goes with the change (mails in the outbox,
    links, claims)."""

    def __init__(self, db, row: dict, now: datetime):
        self.db = db
        self.row = row  # as it is now (after the writes so far)
        self.before = dict(row)  # as it was locked
        self.now = now
        self.public = False  # what the public sees changed: the store's version moves on with the commit
        self.arls: set[str] = set()  # … in these districts (their pages are renewed, the others' stay valid)

    @property
    def id(self) -> int:
        return self.row["id"]

    def write(self, values: dict, action: str, detail: str = "", actor: str = "system") -> dict:
        """Change columns of the project as one new version, recorded as `action` (with `detail`) by `actor`."""
        was = self.row
        values = {"updated_at": self.now, **values, "row_version": was["row_version"] + 1}
        self.db.execute(update(projects).where(projects.c.id == self.id).values(**values))
        self.row = dict(was, **values)
        search_index.index(self.db, [self.row])
        _record(self.db, self.row, actor, self.now, action, detail)
        for row in (was, self.row):
            if row["status"] == PUBLISHED:
                self.public = True
                self.arls.add(row["arl"])
        return self.row

    def touch(self, **values) -> None:
        """Bookkeeping columns that are no change of the project (when it was asked, an address forgotten): no new
        version, no history."""
        self.db.execute(update(projects).where(projects.c.id == self.id).values(**values))
        self.row = dict(self.row, **values)

    def note(self, action: str, detail: str = "", actor: str = "system") -> None:
        """A history entry at the project's current version (something happened around it: a claim declined)."""
        _record(self.db, self.row, actor, self.now, action, detail)

    def renew_public(self) -> None:
        """What the public sees of this project changed without a new version (its confirmation)."""
        self.public = True
        self.arls.add(self.row["arl"])


class StoreCore:
    def __init__(self, engine: Engine, load_regions: Callable[[], Regions]):
        """`engine`: from atlas.store.opening.open_checked; `load_regions`: gives the Kreise's boundaries, called
        when a place is first assigned."""
        self._load_regions = load_regions
        self._engine = engine
        self._writes = 0  # a read that began before one of this process's writes is not kept
        # the languages a machine translates published texts into (atlas.machine); empty: no engine configured
        self.machine_languages: tuple[str, ...] = ()

    @property
    def regions(self) -> Regions:
        """The Kreise's boundaries, as the loader keeps them (read once per process, atlas.services)."""
        return self._load_regions()

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql": where a query must say things its own way (the text search)."""
        return self._engine.dialect.name

    @contextmanager
    def read(self):
        """A connection for reading (for tables of other modules: accounts, outbox, tokens …)."""
        with self._engine.connect() as db:
            yield db

    @contextmanager
    def write(self):
        """A transaction that reads and then writes: what it read stays true until it commits.

        PostgreSQL: rows read `with_for_update` are locked. SQLite: the write lock is taken at BEGIN (IMMEDIATE),
        so a second writer waits instead of failing on a stale snapshot.
        """
        with self._engine.connect().execution_options(atlas_write=True) as db, db.begin():
            yield db

    @contextmanager
    def change(self, project_id: int, expected_version: int | None = None):
        """The unit of work for one project: locked, checked against the version the writer saw (StaleWrite names
        what changed since), written, recorded, and the public caches renewed if need be – all in one transaction.
        KeyError for a project that does not exist."""
        with self.write() as db:
            unit = Change(db, locked_row(db, project_id, expected_version), datetime.now(UTC))
            yield unit
            if unit.public:
                bump_version(db, unit.arls, [unit.id])
        if unit.public:
            self._changed()

    def renew_public(self, arls=None) -> None:
        """What the public sees changed without any project changing: the pages of these districts (default: all)."""
        with self.write() as db:
            bump_version(db, arls)
        self._changed()

    def close(self) -> None:
        """Close this process's connections (the store opens them again when asked)."""
        self._engine.dispose()

    def version(self, arl: str | None = None) -> int:
        """Renewed whenever what the public sees changes (of one ArL district, if named): caches key on it.

        Read from the database once per moment (a web request, atlas.web.moment) and outside one at every
        question; again at once after this process changed something. A publication in any process is seen by
        every other with its next request.
        """
        return self.versions()[arl]

    def versions(self) -> dict[str | None, int]:
        """The store's version (key None) and each district's: a district's is the store's version of the last
        change there. One query of one indexed table; the rest of a moment asks none."""
        moment = _MOMENT.get()
        if moment is not None and id(self) in moment:
            return moment[id(self)]
        writes = self._writes
        values = dict(self._read_versions())
        found = {None: values["version"], **{arl: values[f"version:{arl}"] for arl in ARLS}}
        if moment is not None and writes == self._writes:
            moment[id(self)] = found
        return found

    def _read_versions(self) -> list[tuple[str, int]]:
        """The versions' query through the driver (atlas.store.driver): through SQLAlchemy's Connection it cost four
        times the query itself on every request (SQLite: 135 -> 32 µs CPU)."""
        return driver_rows(self._engine, VERSIONS_SQL)

    def version_of(self, db) -> int:
        """The store's version as `db` reads it in its transaction: the version of the data its other statements read
        there (a search keeps what it counted under it: atlas.search)."""
        if db.dialect.name == "sqlite":  # through the driver, as the moment's versions are read
            return int(db.connection.driver_connection.execute(VERSION_SQL).fetchone()[0])
        return int(db.execute(text(VERSION_SQL)).scalar_one())

    def versions_now(self) -> dict[str | None, int]:
        """The versions as the database holds them now (not those read at the start of the current moment)."""
        self._forget_moment()
        return self.versions()

    def _changed(self) -> None:
        """This process changed what the public sees: the moment's next question reads the database again."""
        self._writes += 1
        self._forget_moment()

    def _forget_moment(self) -> None:
        moment = _MOMENT.get()
        if moment is not None:
            moment.pop(id(self), None)

    def _assign(self, places: list[Place]) -> list[tuple[str, str, str]]:
        """(Kreis key, Kreis name, ArL) of each place: PostGIS's answer where the database has it (atlas.store.spatial)
        for the few places of a submission or an edit, else one spatial join in memory; any place outside refuses
        them all."""
        if len(places) <= KREISE_IN_SQL and self.kreise_in_postgis:
            found = self.kreise_of([p.lon for p in places], [p.lat for p in places])
            outside = sum(kreis is None for kreis in found)
        else:
            found, outside = self.kreise_in_memory(places)
        if outside:
            raise outside_niedersachsen(outside)
        return found

    def kreise_in_memory(self, places: list[Place], known: dict | None = None) -> tuple[list[tuple[str, str, str]],
                                                                                        int]:
        """(Kreis key, Kreis name, ArL) of each place by one spatial join over the Kreise in memory (an import's
        batches: thousands at once, where PostGIS is many times slower), and how many lie outside. `known`:
        (lon, lat) -> (Kreis, outside) of positions joined before, filled in here – an import's batches name the
        same places again and again, each is joined once."""
        known = {} if known is None else known
        # many rows of an import share a place: joined once each
        new = list(dict.fromkeys(position for p in places if (position := (p.lon, p.lat)) not in known))
        if new:
            assigned = self.regions.assign_lonlat([lon for lon, _lat in new], [lat for _lon, lat in new])
            kreise = zip(assigned.kreis_rs, assigned.kreis_name, assigned.arl, strict=True)
            known.update(zip(new, zip(kreise, assigned.kreis_rs.isna(), strict=True), strict=True))
        found = [known[p.lon, p.lat] for p in places]
        return [kreis for kreis, _missing in found], sum(missing for _kreis, missing in found)


def outside_niedersachsen(count: int) -> OutsideNiedersachsen:
    return OutsideNiedersachsen(f"{count} Projekt(e) liegen außerhalb Niedersachsens")


def new_row(project: ProjectInput, place: Place, rs: str, kreis_name: str, arl: str, status: str, now) -> dict:
    return {
        "name": project.name, "traeger": project.traeger, "description": project.description,
        "summary": project.summary,
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


def insert_rows(db, statement, rows: list[dict]) -> list[int]:
    """Insert rows and return their ids in order. SQLite inserts with RETURNING one row at a time; its writer holds
    the database alone here (BEGIN IMMEDIATE), so the new ids follow the largest one: one executemany, checked.
    PostgreSQL takes the ids from the sequence and the rows by COPY (atlas.copying)."""
    names = list(rows[0])
    # what an INSERT would fill in: the columns' defaults (SQLAlchemy's, not the database's)
    defaults = {c.name: c.default.arg for c in projects.c
                if c.name not in names and c.name != "id" and c.default is not None and c.default.is_scalar}
    if db.dialect.name == "postgresql":
        from atlas.copying import copy_rows, new_ids

        ids = new_ids(db, "projects", len(rows))
        copy_rows(db, "projects", ["id", *names, *defaults], ([i, *(row[name] for name in names), *defaults.values()]
                                                              for i, row in zip(ids, rows, strict=True)))
        return ids
    if db.dialect.name != "sqlite":
        return [row.id for row in db.execute(statement, rows)]
    first = db.execute(select(func.coalesce(func.max(projects.c.id), 0))).scalar_one() + 1
    extra = list(defaults.values())
    db.exec_driver_sql(*_plain_insert(db.dialect, [*names, *defaults], [[*row.values(), *extra] for row in rows]))
    last = db.execute(select(func.max(projects.c.id))).scalar_one()
    if last != first + len(rows) - 1:
        raise RuntimeError(f"expected ids {first}–{first + len(rows) - 1}, the table ends at {last}")
    return list(range(first, last + 1))


def _plain_insert(dialect, names: list[str], rows: list[list]) -> tuple[str, list[tuple]]:
    """An INSERT of many rows (lists of values in the order of `names`) as the driver takes it: each value made as
    SQLAlchemy's column type makes it (a moment as text, in SQLite), each distinct value once – without
    SQLAlchemy's work for every row and value."""
    for at, name in enumerate(names):
        make = projects.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if make is not None:
            made: dict = {None: None}
            for row in rows:
                value = row[at]
                row[at] = made[value] if value in made else made.setdefault(value, make(value))
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    return f"INSERT INTO projects ({columns}) VALUES ({', '.join('?' * len(names))})", [tuple(row) for row in rows]


def locked_row(db, project_id: int, expected_version: int | None) -> dict:
    """The project's row, locked until the transaction ends; StaleWrite if it is not the version expected."""
    row = db.execute(select(projects).where(projects.c.id == project_id).with_for_update()).mappings().first()
    if row is None:
        raise KeyError(project_id)
    if expected_version is not None and row["row_version"] != expected_version:
        raise StaleWrite(project_id, history_rows(db, project_id, after_version=expected_version))
    return dict(row)


def history_rows(db, project_id: int, after_version: int | None = None) -> list[dict]:
    # Changes of one project are written under its row lock, so their ids are in the order they took effect.
    query = select(changes).where(changes.c.project_id == project_id).order_by(changes.c.id)
    if after_version is not None:
        query = query.where(changes.c.row_version > after_version)
    return [dict(row) for row in db.execute(query).mappings()]


def _record(db, row: dict, actor: str, at: datetime, action: str, detail: str) -> None:
    """A history entry of the project as `row` holds it now: its status, version and district after the change."""
    db.execute(insert(changes).values(project_id=row["id"], actor=actor, at=at, action=action, detail=detail,
                                      status=row["status"], row_version=row["row_version"], arl=row["arl"]))


VERSION_KEYS = ["version"] + [f"version:{arl}" for arl in ARLS]
# Asked at every request: plain SQL of constants, without SQLAlchemy's compiling and typing (a third of its cost)
VERSIONS_SQL = "SELECT key, value FROM meta WHERE key IN ({})".format(", ".join(f"'{key}'" for key in VERSION_KEYS))
VERSION_SQL = "SELECT value FROM meta WHERE key = 'version'"


def bump_version(db, arls=None, project_ids: list[int] | None = None) -> int:
    """Move the store's version on, and the versions of these districts (None: all) to it; log what changed, so
    other processes read only that again (atlas.published). Returns the new version.

    The version's row stays locked until the transaction ends (PostgreSQL): versions are committed in their order,
    so a reader that sees a version's changes sees every earlier one's.
    """
    version = db.execute(update(meta).where(meta.c.key == "version").values(value=meta.c.value + 1)
                         .returning(meta.c.value)).scalar_one()
    arls = sorted(ARLS if arls is None else set(arls))
    db.execute(update(meta).where(meta.c.key.in_([f"version:{arl}" for arl in arls])).values(value=version))
    if project_ids is not None and len(project_ids) > LOGGED_AT_MOST:
        logged = [{"kind": "all", "project_id": None, "arl": None}]
    else:
        logged = [{"kind": "project", "project_id": int(i), "arl": None} for i in project_ids or []]
        logged += [{"kind": "pages", "project_id": None, "arl": arl} for arl in arls]
    token = secrets.randbits(62)  # names this version in this database (a kept copy checks it: atlas.published)
    db.execute(insert(public_changes), [dict(row, version=version, token=token) for row in logged])
    if version % 256 == 0:  # now and then: forget what every process has long caught up with
        db.execute(delete(public_changes).where(public_changes.c.version <= version - KEPT_CHANGES))
    return version
