"""Accounts of the regional offices: created on the command line, passwords stored hashed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from atlas.regions import ARLS
from atlas.store import Store, users

MIN_PASSWORD = 12


@dataclass(frozen=True)
class User:
    id: int
    email: str
    arl: str | None
    is_admin: bool

    # what Flask-Login asks of a user
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    def may_moderate(self, arl: str) -> bool:
        return self.is_admin or self.arl == arl

    @property
    def district(self) -> str:
        return "alle Amtsbezirke" if self.is_admin else ARLS[self.arl].name


def create_user(store: Store, email: str, password: str, arl: str | None = None, admin: bool = False) -> User:
    """A new office account; ValueError in German says what is wrong."""
    email = email.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", email):
        raise ValueError(f"„{email}“ ist keine gültige E-Mail-Adresse.")
    if admin == bool(arl):
        raise ValueError("Bitte genau eines angeben: --arl SLUG oder --admin.")
    if arl and arl not in ARLS:
        raise ValueError(f"Unbekanntes Amt „{arl}“ (erlaubt: {', '.join(ARLS)}).")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"Das Passwort braucht mindestens {MIN_PASSWORD} Zeichen.")
    with store.engine.begin() as db:
        try:
            new_id = db.execute(insert(users).values(
                email=email, password_hash=generate_password_hash(password), arl=arl, is_admin=admin,
                created_at=datetime.now(UTC))).inserted_primary_key[0]
        except IntegrityError:
            raise ValueError(f"Ein Konto für {email} gibt es schon.") from None
    return User(new_id, email, arl, admin)


def authenticate(store: Store, email: str, password: str) -> User | None:
    with store.engine.connect() as db:
        row = db.execute(select(users).where(users.c.email == email.strip().lower())).mappings().first()
    if row is None or not check_password_hash(row["password_hash"], password):
        return None
    return User(row["id"], row["email"], row["arl"], row["is_admin"])


def get_user(store: Store, user_id: int) -> User | None:
    with store.engine.connect() as db:
        row = db.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return User(row["id"], row["email"], row["arl"], row["is_admin"]) if row else None
