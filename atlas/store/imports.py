"""Many new projects at once (an import, a seed): located projects are assigned to Kreis and ArL a batch at a time
(one spatial join per batch) and kept as plain values – in a temporary file for an import, so that an import of a
million rows holds one batch in memory, not a million objects – until all of them are written in one transaction."""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text

from atlas import search_index
from atlas.labels import PUBLISHED
from atlas.places import Place
from atlas.projects import ProjectInput
from atlas.schema import projects
from atlas.store.core import INSERT_BATCH, STATUSES, bump_version, insert_rows, new_row, outside_niedersachsen

STAMPED = ("created_at", "updated_at")  # the moment of writing, filled in when the batch is written
KEPT_POSITIONS = 20_000  # positions whose Kreis an import keeps (about 6 MB), for the batches after


class Prepared:
    """Located projects on their way into the store, in batches of plain values (no datetimes: `source_confirmed_at`
    holds whether the project is confirmed until the moment of writing is known)."""

    def __init__(self, store, status: str, on_disk: bool = False):
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        self.status = status
        self.count = 0  # projects added
        self.outside = 0  # … of them outside Niedersachsen by the Kreise's polygons: none will be written
        self.names: list[str] = []  # the columns of each kept row
        self._store = store
        self._waiting: list[tuple[ProjectInput, Place]] = []
        self._file = tempfile.TemporaryFile(prefix="atlas-import-") if on_disk else None
        self._kept: list[list[tuple]] = []  # the batches, unless they are in the file
        self._batches = 0
        self._kreise: dict = {}  # the Kreis of each position joined so far (Store.kreise_in_memory)

    def add(self, project: ProjectInput, place: Place) -> None:
        self._waiting.append((project, place))
        self.count += 1
        if len(self._waiting) >= INSERT_BATCH:
            self._flush()

    def finish(self) -> Prepared:
        """The last batch assigned and kept: `outside` is now final."""
        self._flush()
        return self

    def batches(self) -> Iterator[list[dict]]:
        """The rows, a batch at a time, as `new_row` makes them but without the moment of writing."""
        self._flush()
        if self._file:
            self._file.seek(0)
        for i in range(self._batches):
            values = marshal.loads(self._file.read(int.from_bytes(self._file.read(8), "little"))) if self._file \
                else self._kept[i]
            yield [dict(zip(self.names, row, strict=True)) for row in values]

    def close(self) -> None:
        if self._file:
            self._file.close()
        self._kept = []

    def _flush(self) -> None:
        items, self._waiting = self._waiting, []
        if not items:
            return
        if len(self._kreise) > KEPT_POSITIONS:  # rows that each lie elsewhere (addresses geocoded online)
            self._kreise = {}
        assigned, outside = self._store.kreise_in_memory([place for _project, place in items], self._kreise)
        self.outside += outside
        if self.outside:  # the import is refused: nothing more to keep
            return
        rows = []
        for (project, place), kreis in zip(items, assigned, strict=True):
            row = new_row(project, place, *kreis, self.status, None)
            row["source_confirmed_at"] = project.confirmed
            rows.append(tuple(row.values()))
        self.names = self.names or list(row)
        if self._file:  # marshal.load from a file reads it piece by piece: a batch is read whole, by its length
            data = marshal.dumps(rows)
            self._file.write(len(data).to_bytes(8, "little") + data)
        else:
            self._kept.append(rows)
        self._batches += 1


class Imports:
    def names_and_places(self) -> list[tuple[int, str, str, str]]:
        """(id, name, Träger, Ort) of every stored project, whatever its status: what an import's rows are compared
        with (atlas.transfer)."""
        with self.read() as db:
            return [tuple(row) for row in db.execute(select(projects.c.id, projects.c.name, projects.c.traeger,
                                                            projects.c.ort))]

    def prepare(self, status: str, on_disk: bool = False) -> Prepared:
        """An empty batch of new projects to add to, then to write with `add_prepared`."""
        return Prepared(self, status, on_disk)

    def add_prepared(self, prepared: Prepared, into_empty: bool = False) -> list[int]:
        """Store the prepared projects in one transaction; their ids, in the order they were added.
        OutsideNiedersachsen if any of them lies outside (nothing is stored).

        With `into_empty`, nothing is stored if the store holds any project: of several processes seeding at once,
        exactly one does.
        """
        if prepared.finish().outside:
            raise outside_niedersachsen(prepared.outside)
        status = prepared.status
        now = datetime.now(UTC)
        with self.write() as db:
            if into_empty:
                if db.dialect.name == "postgresql":  # SQLite's BEGIN IMMEDIATE already keeps other writers out
                    db.execute(text("LOCK TABLE projects IN EXCLUSIVE MODE"))
                if db.execute(select(func.count()).select_from(projects)).scalar_one():
                    return []
            ids: list[int] = []
            arls: set[str] = set()
            statement = insert(projects).returning(projects.c.id, sort_by_parameter_order=True)
            with search_index.importing(db), _indexes_built_after(db, prepared.count):
                for rows in prepared.batches():  # one batch in memory at a time
                    for row in rows:
                        for name in STAMPED:
                            row[name] = now
                        row["source_confirmed_at"] = now if row["source_confirmed_at"] else None
                        if status == PUBLISHED:
                            row["published_at"] = row["confirmed_at"] = now
                    batch_ids = insert_rows(db, statement, rows)
                    arls.update(row["arl"] for row in rows)
                    for row, project_id in zip(rows, batch_ids, strict=True):  # written: the batch's own dicts
                        row["id"] = project_id
                    search_index.index(db, rows, new=True)
                    ids += batch_ids
                search_index.merge_after_import(db, len(ids) if status == PUBLISHED else 0)
            if status == PUBLISHED and ids:
                bump_version(db, arls, ids)
        self._changed()
        return ids


@contextmanager
def _indexes_built_after(db, adding: int):
    """Around the INSERTs of an import on SQLite that at least doubles the projects: their indexes dropped, and
    made again from the table afterwards, in the same transaction (each as its own SQL says, so the schema is as
    it was). Keeping six indexes up to date row by row cost 100k rows about twice as much as building them from
    the finished table (1.5–2.1 → 0.7 s for the rows, 0.45 s for the indexes); with many more projects already
    stored, building them anew would cost more than it saves. Readers see the indexes of before until the commit."""
    if db.dialect.name != "sqlite" or adding < db.execute(select(func.count()).select_from(projects)).scalar_one():
        yield
        return
    indexes = db.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'projects' "
                                 "AND sql IS NOT NULL ORDER BY rowid").all()
    for name, _sql in indexes:
        db.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in indexes:
        db.exec_driver_sql(sql)
