"""Password hashes cost CPU on purpose (scrypt): checked in a bounded pool, so a crowd guessing passwords waits for
its turn instead of taking the cores that serve the pages."""

from __future__ import annotations

import os
import secrets
import threading
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

# One check at a time per process by default: a scrypt takes about 50 ms of one core; the other cores keep serving.
POOL = threading.BoundedSemaphore(int(os.environ.get("ATLAS_HASH_THREADS", "1")))
WAIT_SECONDS = 10


_method = "scrypt"  # werkzeug's default; ATLAS_PASSWORD_HASH (the tests use a cheap one: they hash hundreds)


def configure(method: str) -> None:
    """The method for new password hashes, from the settings (checked hashes name their own method)."""
    global _method
    _method = method


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method)


def stand_in_hash() -> str:
    """A hash of no one's password, made with the current method: checking an unknown address costs what checking a
    known one does, so timing does not tell which addresses have an account."""
    return _stand_in(_method)


@lru_cache(maxsize=4)
def _stand_in(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


class Busy(Exception):
    """Too many password checks wait already; the person is asked to try again in a moment."""


def check_password(stored: str, password: str) -> bool:
    if not POOL.acquire(timeout=WAIT_SECONDS):
        raise Busy()
    try:
        return check_password_hash(stored, password)
    finally:
        POOL.release()
