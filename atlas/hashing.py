"""Password hashes cost CPU on purpose (scrypt): checked in a bounded pool, so a crowd guessing passwords waits for
its turn instead of taking the cores that serve the pages."""

from __future__ import annotations

import secrets
import threading
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

# One check at a time per process by default (ATLAS_HASH_THREADS): a scrypt takes about 50 ms of one core; the other
# cores keep serving.
POOL = threading.BoundedSemaphore(1)
_threads = 1
WAIT_SECONDS = 10


_method = "scrypt"  # werkzeug's default; ATLAS_PASSWORD_HASH (the tests use a cheap one: they hash hundreds)


def configure(method: str, threads: int = 1) -> None:
    """The method for new password hashes (checked hashes name their own method) and how many checks run at once,
    from the settings."""
    global _method, _threads, POOL
    _method = method
    if threads != _threads:
        POOL, _threads = threading.BoundedSemaphore(threads), threads


def method() -> str:
    """The method new password hashes are made with (ATLAS_PASSWORD_HASH)."""
    return _method


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
