"""Password hashes cost CPU on purpose (scrypt): checked in a bounded pool, so a crowd guessing passwords waits for
its turn instead of taking the cores that serve the pages."""

from __future__ import annotations

import os
import threading

from werkzeug.security import check_password_hash

# One check at a time per process by default: a scrypt takes about 50 ms of one core; the other cores keep serving.
POOL = threading.BoundedSemaphore(int(os.environ.get("ATLAS_HASH_THREADS", "1")))
WAIT_SECONDS = 10


class Busy(Exception):
    """Too many password checks wait already; the person is asked to try again in a moment."""


def check_password(stored: str, password: str) -> bool:
    if not POOL.acquire(timeout=WAIT_SECONDS):
        raise Busy()
    try:
        return check_password_hash(stored, password)
    finally:
        POOL.release()
