"""Secret links: random tokens of 256 bits, kept only as their SHA-256, each for one purpose and one subject.

A token names what it opens (`purpose`, `subject_id`); a link of one purpose opens nothing else. Confirmation
links expire; a project's private link lives as long as the project.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, or_, select

from atlas.schema import tokens

PROJECT = "project"  # the submitter's private link: status, proposed change, withdrawal
FRESHNESS = "freshness"  # the answers to "is this still current?"
CONFIRM = "confirm"  # the double opt-in of an area alert
UNSUBSCRIBE = "unsubscribe"
PURPOSES = (PROJECT, FRESHNESS, CONFIRM, UNSUBSCRIBE)
MAX_LENGTH = 100  # a longer path segment is no token of ours and is not hashed


def issue(db, purpose: str, subject_id: int, valid_for: timedelta | None = None) -> str:
    """A new token for a subject, written in the caller's transaction; the caller sends it and forgets it."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    raw = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    db.execute(insert(tokens).values(token_hash=digest(raw), purpose=purpose, subject_id=subject_id,
                                     created_at=now, expires_at=now + valid_for if valid_for else None))
    return raw


def subject(db, raw: str, purpose: str) -> int | None:
    """What a token of this purpose opens, or None for an unknown, expired or other-purpose token."""
    if not raw or len(raw) > MAX_LENGTH:
        return None
    now = datetime.now(UTC)
    return db.execute(select(tokens.c.subject_id).where(
        tokens.c.token_hash == digest(raw), tokens.c.purpose == purpose,
        or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > now))).scalar()


def revoke(db, raw: str) -> None:
    db.execute(delete(tokens).where(tokens.c.token_hash == digest(raw)))


def revoke_all(db, subject_id: int, *purposes: str) -> None:
    """Every token of a subject for these purposes: its links stop working."""
    db.execute(delete(tokens).where(tokens.c.subject_id == subject_id, tokens.c.purpose.in_(purposes)))


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
