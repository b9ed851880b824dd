"""Accounts of the regional offices: created on the command line, passwords stored hashed, sessions on the server.

A signed-in browser holds only a random session token; the server keeps its hash. Logging out deletes it, and a
new password deletes every session of the account, so a copied cookie stops working. An account may have a second
factor (atlas.second_factor); then a session starts only after its code.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from atlas import audit
from atlas.districts import ARLS
from atlas.hashing import check_password, hash_password, stand_in_hash
from atlas.i18n import _
from atlas.notices import NOTIFY_CHOICES
from atlas.schema import office_sessions, recovery_codes, users
from atlas.store import Store

MIN_PASSWORD = 12
OFFICE, ADMIN, OBSERVER = "office", "admin", "observer"  # an office moderates its district; an admin everything;
ROLES = (OFFICE, ADMIN, OBSERVER)  # an observer (the ministry) reads every district and changes nothing
SESSION_HOURS = 12  # a session ends this long after the login, used or not
IDLE_HOURS = 2  # … or this long after its last request
SEEN_EVERY = timedelta(minutes=5)  # how often a session's last request is written down


@dataclass(frozen=True)
class User:
    id: int
    email: str
    arl: str | None
    is_admin: bool
    session_token: str = ""
    second_factor: bool = False  # enrolled: a login needs a code of the app (or a recovery code) too
    role: str = OFFICE

    # what Flask-Login asks of a user
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """What Flask-Login keeps in the signed cookie: the session's token, not the account's number."""
        return self.session_token

    def may_moderate(self, arl: str) -> bool:
        return self.is_admin or (self.role == OFFICE and self.arl == arl)

    def may_read(self, arl: str) -> bool:
        return self.reads_all or self.arl == arl

    @property
    def is_observer(self) -> bool:
        return self.role == OBSERVER

    @property
    def reads_all(self) -> bool:
        """Sees every district (the admin, the observer); an office sees its own."""
        return self.is_admin or self.role == OBSERVER

    @property
    def scope(self) -> str | None:
        """The district the account's lists are limited to; None: every district."""
        return None if self.reads_all else self.arl

    @property
    def district(self) -> str:
        if self.role == OBSERVER:
            return _("alle Amtsbezirke, nur lesend")
        return _("alle Amtsbezirke") if self.is_admin else ARLS[self.arl].name


class AccountExists(ValueError):
    """There is an account for this address already."""


def account_email(email: str) -> str | None:
    """The address as accounts keep it (trimmed, in small letters), or None if it is none."""
    email = email.strip().lower()
    return email if re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", email) else None


def create_user(store: Store, email: str, password: str, arl: str | None = None, admin: bool = False,
                observer: bool = False, actor: str | None = None) -> User:
    """A new account: an office's (`arl`), an admin or an observer; ValueError in German says what is wrong
    (AccountExists: the address has one). With `actor` (an admin in the web interface) the act is written to the
    audit log."""
    if account_email(email) is None:
        raise ValueError(f"„{email.strip()}“ ist keine gültige E-Mail-Adresse.")
    email = account_email(email)
    if admin + observer + bool(arl) != 1:
        raise ValueError("Bitte genau eines angeben: --arl SLUG, --admin oder --observer.")
    if arl and arl not in ARLS:
        raise ValueError(f"Unbekanntes Amt „{arl}“ (erlaubt: {', '.join(ARLS)}).")
    _check_password(password)
    role = ADMIN if admin else OBSERVER if observer else OFFICE
    with store.write() as db:
        try:
            new_id = db.execute(insert(users).values(
                email=email, password_hash=hash_password(password), arl=arl, is_admin=admin, role=role, active=True,
                created_at=datetime.now(UTC))).inserted_primary_key[0]
        except IntegrityError:
            raise AccountExists(f"Ein Konto für {email} gibt es schon.") from None
        if actor:
            audit.record(db, actor, audit.ACCOUNT_CREATED, f"{email} ({role}{', ' + arl if arl else ''})")
    return User(new_id, email, arl, admin, role=role)


def authenticate(store: Store, email: str, password: str) -> User | None:
    """The account if the password is right. An unknown address costs the same hash, so timing tells nothing."""
    with store.read() as db:
        row = db.execute(select(users).where(users.c.email == email.strip().lower())).mappings().first()
    stored = row["password_hash"] if row else stand_in_hash()
    if not check_password(stored, password) or row is None or not row["active"]:
        return None
    return _user(row)


def user_by_id(store: Store, user_id: int) -> User | None:
    with store.read() as db:
        row = db.execute(select(users).where(users.c.id == user_id, users.c.active.is_(True))).mappings().first()
    return _user(row) if row else None


def start_session(store: Store, user: User) -> User:
    """A new server-side session for a signed-in account; the returned user carries its token."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with store.write() as db:
        db.execute(insert(office_sessions).values(token_hash=_hash(token), user_id=user.id, created_at=now,
                                                  seen_at=now))
    return replace(user, session_token=token)


def session_user(store: Store, token: str) -> User | None:
    """The account of a live session, or None if the session ended, expired or never existed."""
    now = datetime.now(UTC)
    query = (select(users, office_sessions.c.created_at.label("session_created"), office_sessions.c.seen_at)
             .join(office_sessions, office_sessions.c.user_id == users.c.id)
             .where(office_sessions.c.token_hash == _hash(token)))
    with store.read() as db:
        row = db.execute(query).mappings().first()
    if row is None or not row["active"]:
        return None
    created, seen = _utc(row["session_created"]), _utc(row["seen_at"])
    if now - created > timedelta(hours=SESSION_HOURS) or now - seen > timedelta(hours=IDLE_HOURS):
        end_session(store, token)
        return None
    if now - seen > SEEN_EVERY:
        with store.write() as db:
            db.execute(update(office_sessions).where(office_sessions.c.token_hash == _hash(token)).values(seen_at=now))
    return _user(row, token)


def end_session(store: Store, token: str) -> None:
    with store.write() as db:
        db.execute(delete(office_sessions).where(office_sessions.c.token_hash == _hash(token)))


def end_other_sessions(store: Store, user_id: int, keep_token: str) -> int:
    """Every session of the account but this one (after enrolling a second factor: a thief's session ends)."""
    with store.write() as db:
        return db.execute(delete(office_sessions).where(office_sessions.c.user_id == user_id,
                                                        office_sessions.c.token_hash != _hash(keep_token))).rowcount


def set_password(store: Store, email: str, password: str) -> int:
    """A new password for an account; every session of it ends. Returns how many sessions ended."""
    _check_password(password)
    email = email.strip().lower()
    with store.write() as db:
        user_id = db.execute(select(users.c.id).where(users.c.email == email)).scalar()
        if user_id is None:
            raise ValueError(f"Ein Konto {email} gibt es nicht.")
        db.execute(update(users).where(users.c.id == user_id).values(password_hash=hash_password(password)))
        return db.execute(delete(office_sessions).where(office_sessions.c.user_id == user_id)).rowcount


@dataclass(frozen=True)
class SecondFactorReset:
    email: str
    had_factor: bool  # False: there was none, or only one waiting for its first code
    sessions_ended: int


def reset_second_factor(store: Store, user_id: int, actor: str) -> SecondFactorReset:
    """Remove an account's second factor (secret, recovery codes) and end its sessions; its next login needs the
    password alone (and enrolment again where ATLAS_REQUIRE_2FA asks for it). Recorded in the audit table."""
    with store.write() as db:
        row = db.execute(select(users.c.email, users.c.totp_confirmed_at).where(users.c.id == user_id)).first()
        if row is None:
            raise ValueError(f"Ein Konto mit der Nummer {user_id} gibt es nicht.")
        db.execute(update(users).where(users.c.id == user_id).values(totp_secret=None, totp_confirmed_at=None,
                                                                     totp_last_step=None))
        db.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
        ended = db.execute(delete(office_sessions).where(office_sessions.c.user_id == user_id)).rowcount
        audit.record(db, actor, audit.SECOND_FACTOR_RESET, row.email)
    return SecondFactorReset(row.email, row.totp_confirmed_at is not None, ended)


def user_id_for(store: Store, email: str) -> int | None:
    with store.read() as db:
        return db.execute(select(users.c.id).where(users.c.email == email.strip().lower())).scalar()


def _user(row, token: str = "") -> User:
    return User(row["id"], row["email"], row["arl"], row["is_admin"], token, row["totp_confirmed_at"] is not None,
                row["role"])


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"Das Passwort braucht mindestens {MIN_PASSWORD} Zeichen.")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands back UTC without a zone


def notify_choice(store: Store, user_id: int) -> str:
    with store.read() as db:
        return db.execute(select(users.c.notify).where(users.c.id == user_id)).scalar_one()


def set_notify(store: Store, user_id: int, choice: str) -> None:
    """A mail per event, or one digest a day (atlas.notices)."""
    if choice not in NOTIFY_CHOICES:
        raise ValueError(f"unknown notification choice {choice!r}")
    with store.write() as db:
        db.execute(update(users).where(users.c.id == user_id).values(notify=choice))
