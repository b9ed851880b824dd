"""Work queues in a table (the outbox's mails, the machine's translation jobs): a worker leases the rows that are due,
so two workers never take the same row and a row whose worker died is due again when its lease runs out."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Table, select, update


def lease_due(db, table: Table, open_rows, now: datetime, lease: timedelta, batch: int) -> list[dict]:
    """Up to `batch` rows of `table` that are open (`open_rows`, a condition) and due, oldest first, leased until
    now + lease with one more attempt counted; rows another worker holds locked are skipped (PostgreSQL)."""
    due = (select(table).where(open_rows, table.c.next_try_at <= now)
           .order_by(table.c.id).limit(batch).with_for_update(skip_locked=True))
    rows = [dict(row) for row in db.execute(due).mappings()]
    if rows:
        db.execute(update(table).where(table.c.id.in_([row["id"] for row in rows]))
                   .values(next_try_at=now + lease, attempts=table.c.attempts + 1))
    return rows
