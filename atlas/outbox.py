"""The outbox: a mail is a row written in the transaction of the change that causes it; a sender delivers it later.

Each row names its event (`published:12:v3:person@example.org`), so one event queues one mail however often the code
that queues it runs. Delivery claims due rows for a while (a lease), sends each, and marks it sent; a failed attempt
is tried again later, each time waiting longer; a mail the server refuses for good, or one that failed for two days,
is marked failed and shown by `atlas mail status` for 30 days. When the server or the settings fail (not the mail),
the round ends: the others would fail alike. A sent mail keeps neither its address nor its text. Several processes
may deliver at once: a claimed row is skipped by the others. If a process dies between sending and marking, the
lease runs out and the mail goes once more, with the same Message-ID, so mail programs show it once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, func, select, update

from atlas.database import as_utc, dialect_of
from atlas.leases import lease_due
from atlas.mail import MailError
from atlas.schema import outbox

log = logging.getLogger("atlas.mail")
LEASE = timedelta(minutes=2)  # a claimed mail is left to its sender this long
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=2)
KEEP_FAILED = timedelta(days=30)
BATCH = 50


def queue(db, event: str, kind: str, recipient: str, params: dict) -> None:
    """Queue a mail in the caller's transaction; a second mail for the same event is not queued."""
    now = datetime.now(UTC)
    db.execute(dialect_of(db).insert(outbox).values(
        event=event[:200], kind=kind, recipient=recipient, params=json.dumps(params, ensure_ascii=False),
        created_at=now, next_try_at=now, attempts=0, last_error="").on_conflict_do_nothing())


@dataclass
class Delivery:
    sent: int = 0
    retry: int = 0
    failed: int = 0


class Outbox:
    def __init__(self, store):
        self.store = store

    def deliver(self, send: Callable[[dict], None], now: datetime | None = None) -> Delivery:
        """Send every mail that is due now; `send(row)` raises MailError when a mail did not go (any other exception
        is a failed attempt too, tried again and given up in time). A fault of the server or the settings
        (MailError.server_wide) ends the round at once: the other mails would fail alike, and fifty failed logins may
        lock the account; they wait as long as the mail that failed."""
        result = Delivery()
        while rows := self._claim(now or datetime.now(UTC)):
            for done, row in enumerate(rows, 1):
                until = self._attempt(row, send, result)
                if until is not None:
                    self._postpone(rows[done:], until, result)
                    return result
            if len(rows) < BATCH:
                break
        return result

    def _claim(self, now: datetime) -> list[dict]:
        with self.store.write() as db:
            return lease_due(db, outbox, and_(outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None)), now, LEASE,
                             BATCH)

    def _attempt(self, row: dict, send: Callable[[dict], None], result: Delivery) -> datetime | None:
        """Send one mail and record how it went; when the server or the settings failed, the time the others should
        wait until."""
        try:
            send(row)
        except Exception as error:  # whatever failed (a mail not written, a bug), the row records the attempt
            expected = isinstance(error, MailError)
            now = datetime.now(UTC)
            attempts = row["attempts"] + 1
            give_up = (expected and error.permanent) or now - as_utc(row["created_at"]) > GIVE_UP_AFTER
            wait = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
            message = str(error) if expected else f"{type(error).__name__}: {error}"
            values = {"last_error": message[:500]}
            values.update(failed_at=now) if give_up else values.update(next_try_at=now + wait)
            self._set(row["id"], **values)
            log.warning("Mail %s an %s %s: %s", row["id"], row["recipient"],
                        "aufgegeben" if give_up else f"neuer Versuch in {wait.seconds} s", message,
                        exc_info=not expected)
            result.failed += give_up
            result.retry += not give_up
            return now + wait if expected and error.server_wide else None
        # once sent, neither the secret link nor the address is kept
        self._set(row["id"], sent_at=datetime.now(UTC), params="{}", recipient="", last_error="")
        result.sent += 1
        return None

    def _postpone(self, rows: list[dict], until: datetime, result: Delivery) -> None:
        """Mails of the round not tried: due again with the one that failed, and their claim counts no attempt
        (unless another sender claimed one since: a long round outlives the claims)."""
        if rows:
            with self.store.write() as db:
                for row in rows:
                    db.execute(update(outbox).where(outbox.c.id == row["id"],
                                                    outbox.c.attempts == row["attempts"] + 1)
                               .values(next_try_at=until, attempts=row["attempts"]))
            log.warning("Zustellung unterbrochen: %s weitere Mail(s) warten bis zum nächsten Versuch", len(rows))
        result.retry += len(rows)

    def _set(self, row_id: int, **values) -> None:
        with self.store.write() as db:
            db.execute(update(outbox).where(outbox.c.id == row_id).values(**values))

    def purge(self, now: datetime | None = None) -> int:
        """Failed mails are shown for KEEP_FAILED, then deleted with their address."""
        with self.store.write() as db:
            return db.execute(delete(outbox).where(outbox.c.failed_at < (now or datetime.now(UTC)) - KEEP_FAILED)
                              ).rowcount

    def status(self) -> dict:
        """How many mails wait, were sent, failed; the waiting and failed ones with their last error."""
        with self.store.read() as db:
            counts = dict(db.execute(select(
                func.count().filter(outbox.c.sent_at.is_(None) & outbox.c.failed_at.is_(None)),
                func.count().filter(outbox.c.sent_at.is_not(None)),
                func.count().filter(outbox.c.failed_at.is_not(None)),
            )).one()._mapping)
            open_rows = db.execute(select(outbox.c.id, outbox.c.kind, outbox.c.recipient, outbox.c.attempts,
                                          outbox.c.next_try_at, outbox.c.failed_at, outbox.c.last_error)
                                   .where(outbox.c.sent_at.is_(None)).order_by(outbox.c.id).limit(200)).mappings()
            listed = [dict(row) for row in open_rows]
        waiting, sent, failed = counts.values()
        return {"waiting": waiting, "sent": sent, "failed": failed, "open": listed}
