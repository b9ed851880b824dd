"""Several projects in one unit of work: a bulk action of an office changes the projects of one submitter together,
so the one mail that tells them of it is written in the same transaction as the changes."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

from atlas.store.core import Change, StaleWrite, bump_version, locked_row


class BulkWrites:
    @contextmanager
    def change_many(self, items: list[tuple[int, int]]):
        """Lock each (project id, version seen) and yield (units, stale, missing): a unit of work (atlas.store.core
        Change) per project that is as it was seen, the StaleWrite of each that changed meanwhile (nothing is
        written to those), and the ids that do not exist. One transaction: every write in it commits together."""
        now = datetime.now(UTC)
        with self.write() as db:
            units, stale, missing = [], [], []
            for project_id, version in sorted(items):  # one order for every writer: no deadlock between two bulks
                try:
                    units.append(Change(db, locked_row(db, project_id, version), now))
                except StaleWrite as changed:
                    stale.append(changed)
                except KeyError:
                    missing.append(project_id)
            yield units, stale, missing
            public = [unit for unit in units if unit.public]
            if public:  # the districts and projects the public sees changed, logged for the other processes
                bump_version(db, set().union(*(unit.arls for unit in public)), [unit.id for unit in public])
        if public:
            self._changed()
