"""What an admin does to accounts in the web interface: list, deactivate and activate, reset a password, change a
role (creating one is atlas.accounts.create_user with an actor). Each act is one line of the audit log, written in
the transaction of the act; ending an account's access ends its sessions at once.

An admin cannot deactivate or demote their own account: the last admin would lock everyone out.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, func, select, update

from atlas import audit
from atlas.accounts import ADMIN, OBSERVER, OFFICE, ROLES
from atlas.districts import ARLS
from atlas.hashing import hash_password
from atlas.schema import office_sessions, users
from atlas.store import Store

TEMPORARY_PASSWORD_BYTES = 12  # 16 characters of URL-safe base64: above MIN_PASSWORD, said once to the admin


class OwnAccount(ValueError):
    """An admin tried to lock themselves out."""


def accounts(store: Store) -> list[dict]:
    """Every account with its role, district, state and open sessions, by district and address."""
    sessions = (select(office_sessions.c.user_id, func.count().label("sessions"))
                .group_by(office_sessions.c.user_id).subquery())
    query = (select(users.c.id, users.c.email, users.c.arl, users.c.role, users.c.active, users.c.created_at,
                    users.c.totp_confirmed_at, func.coalesce(sessions.c.sessions, 0).label("sessions"))
             .outerjoin(sessions, sessions.c.user_id == users.c.id).order_by(users.c.role, users.c.arl, users.c.email))
    with store.read() as db:
        return [dict(row) for row in db.execute(query).mappings()]


def account(store: Store, user_id: int) -> dict | None:
    with store.read() as db:
        row = db.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


def set_active(store: Store, user_id: int, active: bool, actor_id: int, actor: str) -> dict:
    """Deactivate (sessions end, no login) or activate an account again."""
    if user_id == actor_id and not active:
        raise OwnAccount(user_id)
    with store.write() as db:
        row = _locked(db, user_id)
        db.execute(update(users).where(users.c.id == user_id).values(active=active))
        if not active:
            db.execute(delete(office_sessions).where(office_sessions.c.user_id == user_id))
        if row["active"] != active:
            audit.record(db, actor, audit.ACCOUNT_ACTIVATED if active else audit.ACCOUNT_DEACTIVATED, row["email"])
    return dict(row, active=active)


def temporary_password() -> str:
    return secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)


def reset_password(store: Store, user_id: int, actor: str) -> tuple[dict, str]:
    """A new random password for the account, returned once (the admin hands it over); its sessions end."""
    password = temporary_password()
    with store.write() as db:
        row = _locked(db, user_id)
        db.execute(update(users).where(users.c.id == user_id).values(password_hash=hash_password(password)))
        db.execute(delete(office_sessions).where(office_sessions.c.user_id == user_id))
        audit.record(db, actor, audit.PASSWORD_RESET, row["email"])
    return row, password


def change_role(store: Store, user_id: int, role: str, arl: str | None, actor_id: int, actor: str) -> dict:
    """A new role (an office needs its district, the others have none); the account's sessions end, so it signs in
    with what it may do now."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if role == OFFICE and arl not in ARLS:
        raise ValueError(f"an office account needs a district, got {arl!r}")
    if user_id == actor_id and role != ADMIN:
        raise OwnAccount(user_id)
    arl = arl if role == OFFICE else None
    with store.write() as db:
        row = _locked(db, user_id)
        if (row["role"], row["arl"]) == (role, arl):
            return row
        db.execute(update(users).where(users.c.id == user_id).values(role=role, arl=arl, is_admin=role == ADMIN))
        db.execute(delete(office_sessions).where(office_sessions.c.user_id == user_id))
        audit.record(db, actor, audit.ROLE_CHANGED,
                     f"{row['email']}: {_described(row['role'], row['arl'])} → {_described(role, arl)}")
    return dict(row, role=role, arl=arl)


def _described(role: str, arl: str | None) -> str:
    return f"{role} {arl}" if role == OFFICE and arl else role


def _locked(db, user_id: int) -> dict:
    row = db.execute(select(users).where(users.c.id == user_id).with_for_update()).mappings().first()
    if row is None:
        raise KeyError(user_id)
    return dict(row)


__all__ = ["ADMIN", "OBSERVER", "OFFICE", "OwnAccount", "account", "accounts", "change_role", "reset_password",
           "set_active"]
