"""What moves the store's version besides a change of a project: time. A published project whose confirmation ran
out is marked „nicht bestätigt seit …“ on the public pages; the line it crosses moves with the clock, so the pages
are renewed when a project crossed it since they were last renewed – never merely because a process started."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from atlas.labels import PUBLISHED
from atlas.schema import meta, projects, public_changes
from atlas.store.core import FROM_SOURCE, ID_BATCH, bump_version
from atlas.store.idlist import among_ids
from atlas.store.public import PUBLIC_COLUMNS

LINE_KEY = "unconfirmed_line"  # in meta: minutes since 1970 of the line last renewed for (0: never)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ROW_BATCH = 20_000  # rows of the driver held at once while every published project is read


class Versions:
    def renew_unconfirmed(self, line: datetime) -> bool:
        """The public marks now follow `line` (projects last confirmed before it are unconfirmed): renew what the
        public sees if a published project was confirmed between the line last renewed for and this one. Returns
        whether it did. The line is kept in whole minutes, rounded down: a project in the minute is looked at twice,
        never missed."""
        minutes = int((line - EPOCH).total_seconds() // 60)
        with self.write() as db:
            kept = db.execute(select(meta.c.value).where(meta.c.key == LINE_KEY).with_for_update()).scalar_one()
            since = EPOCH + timedelta(minutes=kept)
            crossed = [row.arl for row in db.execute(select(projects.c.arl).distinct().where(
                projects.c.status == PUBLISHED, projects.c.confirmed_at >= since, projects.c.confirmed_at < line))]
            if crossed:
                bump_version(db, crossed)  # only the pages of the districts where a mark appears
            db.execute(update(meta).where(meta.c.key == LINE_KEY).values(value=max(kept, minutes)))
        if crossed:
            self._changed()
        return bool(crossed)


class PublicLog:
    """What the in-memory copy of the published projects (atlas.published) reads: all of them, or those that
    changed since a version."""

    def public_rows(self, ids: list[int]) -> list[tuple]:
        """The published projects of these ids as rows of PUBLIC_COLUMNS + approximate + confirmed_at, at their
        exact positions, as the database's driver gives them (confirmed_at: a datetime, or in SQLite its text; the
        flags: 0 and 1 in SQLite)."""
        rows: list[tuple] = []
        with self.read() as db:
            for first in range(0, len(ids), ID_BATCH):
                rows += _driver_rows(db.execute(_public_query().where(among_ids(projects.c.id)),
                                                {"ids": ids[first:first + ID_BATCH]}))
        return rows

    def public_row_batches(self, size: int | None = None):
        """Every published project as public_rows gives them, in batches of at most `size` rows, all in the order of
        the public lists: Ort, name, id by their characters' code points, in any database as in Python. One read,
        open until the last batch is taken (or the generator is closed): a million projects are never Python rows
        all at once (atlas.published makes its columns batch by batch). PostgreSQL's driver still receives the
        whole answer first and holds it in its own memory until the read ends."""
        with self.read() as db:
            result = db.execute(_public_query().order_by(*_code_point_order(db, projects)))
            try:
                while batch := result.cursor.fetchmany(size or ROW_BATCH):
                    yield batch
            finally:
                result.close()

    def public_changes_since(self, version: int) -> list[dict] | None:
        """Every logged change after `version` (asked once the store's version moved on), oldest first (kind,
        project_id, arl, version); None where the log cannot tell them all and what depends on them is read whole
        anew: a version after it is not logged (the log keeps the last ones only), or a change of everything is."""
        query = (select(public_changes.c.version, public_changes.c.kind, public_changes.c.project_id,
                        public_changes.c.arl).where(public_changes.c.version > version)
                 .order_by(public_changes.c.version, public_changes.c.id))
        with self.read() as db:
            changes = [dict(row) for row in db.execute(query).mappings()]
        versions = sorted({change["version"] for change in changes})
        if not versions or versions != list(range(version + 1, versions[-1] + 1)) or any(
                change["kind"] == "all" for change in changes):
            return None
        return changes


    def version_token(self, version: int) -> int | None:
        """The random token the database logged with this version (None: not logged, or logged before tokens)."""
        query = select(public_changes.c.token).where(public_changes.c.version == version).limit(1)
        with self.read() as db:
            return db.execute(query).scalar()


def _public_query():
    columns = [projects.c[name] if name in projects.c else FROM_SOURCE.label(name) for name in PUBLIC_COLUMNS]
    return select(*columns, projects.c.approximate, projects.c.confirmed_at).where(projects.c.status == PUBLISHED)


def _driver_rows(result) -> list[tuple]:
    """All rows of a query in one step from the driver's cursor: not one SQLAlchemy row object (and one fetch) per
    row, which cost more than reading them at 100,000 projects."""
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _code_point_order(db, table) -> list:
    collation = "C" if db.dialect.name == "postgresql" else "BINARY"
    return [table.c.ort.collate(collation), table.c.name.collate(collation), table.c.id]
