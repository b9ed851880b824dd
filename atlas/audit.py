"""What was done to office accounts, and by whom: one line per act, never changed (an admin page will list them)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from atlas.schema import audit
from atlas.store import Store

SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
SECOND_FACTOR_RESET = "second_factor_reset"
RECOVERY_CODE_USED = "recovery_code_used"
RECOVERY_CODES_RENEWED = "recovery_codes_renewed"
ACCOUNT_CREATED = "account_created"  # an admin's acts in the web interface (atlas.account_admin)
ACCOUNT_DEACTIVATED = "account_deactivated"
ACCOUNT_ACTIVATED = "account_activated"
PASSWORD_RESET = "password_reset"
ROLE_CHANGED = "role_changed"


def record(db: Connection, actor: str, action: str, subject: str) -> None:
    """One line, written in the transaction of the act it records."""
    db.execute(insert(audit).values(at=datetime.now(UTC), actor=actor[:254], action=action, subject=subject[:254]))


def entries(store: Store, subject: str | None = None) -> list[dict]:
    """The lines, newest first; of one account if `subject` names it."""
    query = select(audit).order_by(audit.c.id.desc())
    if subject is not None:
        query = query.where(audit.c.subject == subject)
    with store.read() as db:
        return [dict(row) for row in db.execute(query).mappings()]
