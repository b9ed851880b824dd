"""What moves the store's version besides a change of a project: time. A published project whose confirmation ran
out is marked „nicht bestätigt seit …“ on the public pages; the line it crosses moves with the clock, so the pages
are renewed when a project crossed it since they were last renewed – never merely because a process started."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from atlas.labels import PUBLISHED
from atlas.schema import meta, projects
from atlas.store.core import _bump

LINE_KEY = "unconfirmed_line"  # in meta: minutes since 1970 of the line last renewed for (0: never)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
            crossed = db.execute(select(projects.c.id).where(
                projects.c.status == PUBLISHED, projects.c.confirmed_at >= since, projects.c.confirmed_at < line)
                .limit(1)).first() is not None
            if crossed:
                _bump(db)
            db.execute(update(meta).where(meta.c.key == LINE_KEY).values(value=max(kept, minutes)))
        if crossed:
            self._changed()
        return crossed
