"""Rendered pages shared by every process of the atlas through Redis (PAGE_CACHE_URI=redis://…): N workers on one
or several machines make a page once per version, not once each.

A process that misses a page in its own cache (atlas.web.cache) looks in Redis; if the page is not there, the first
process to take the key's lock makes it and puts it there, the others wait for it (one render per key across
processes). Pages are kept compressed (zstd) under a digest of their key – scope, version, and the view's validated
values – and of the code that made them (atlas.kept.code: a deployment of other code, or its half during a rolling
one, makes its own pages instead of serving the old code's until the next publication), and expire a day after they
were made: a page of an older version is never asked again.

Redis down or slow: the process makes the page itself, as without Redis, logs a warning, and looks for Redis again
after RETRY_SECONDS.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Hashable

from atlas.web.prepared import Prepared, zstd

log = logging.getLogger(__name__)

PREFIX = "atlas:page:"
KEEP_SECONDS = 24 * 3600  # a page's life in Redis; a new version is a new key anyway
LOCK_SECONDS = 60  # the longest a render may hold a key's lock (a district's PDF poster is well below)
POLL_SECONDS = 0.02  # how often a waiting process looks whether the page is there
RETRY_SECONDS = 10  # after a failure, Redis is left alone this long
TIMEOUT_SECONDS = 5  # a connection or answer of Redis (a map-data body of megabytes travels within it)
# Delete the lock only if it is still ours (it may have run out and been taken by another process)
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"


class SharedPages:
    def __init__(self, uri: str, made_by: str):
        """`made_by`: the fingerprint of the code that makes the pages (atlas.kept.code), part of every key."""
        import redis  # only where configured: `pip install 'atlas[redis]'`

        self._made_by = made_by

        self._errors = redis.RedisError
        self._redis = redis.Redis.from_url(uri, socket_connect_timeout=TIMEOUT_SECONDS,
                                           socket_timeout=TIMEOUT_SECONDS)
        self._release = self._redis.register_script(RELEASE)
        self._down_until = 0.0
        self.fetched = self.made = 0  # pages taken from Redis, pages made here and put there

    def get(self, full_key: Hashable, make: Callable[[], tuple[Prepared, float]]) -> tuple[Prepared, float]:
        """The page under this key from Redis, or made by `make` (which returns it and what it cost) – here, if
        this process takes the lock first or Redis cannot be reached, else in the process that took it."""
        if time.monotonic() < self._down_until:
            return make()
        name = PREFIX + hashlib.sha256(repr((self._made_by, full_key)).encode()).hexdigest()
        made: list[tuple[Prepared, float]] = []  # made here: not made again if Redis fails after

        def make_once() -> tuple[Prepared, float]:
            made.append(make())
            return made[0]

        try:
            return self._shared(name, make_once)
        except self._errors as error:
            log.warning("Redis für geteilte Seiten nicht erreichbar (%s): dieser Prozess macht seine Seiten selbst, "
                        "nächster Versuch in %s s", error, RETRY_SECONDS)
            self._down_until = time.monotonic() + RETRY_SECONDS
            return made[0] if made else make()

    def _shared(self, name: str, make) -> tuple[Prepared, float]:
        lock, token = name + ":lock", uuid.uuid4().hex
        deadline = time.monotonic() + LOCK_SECONDS
        while True:
            found = self._fetch(name)
            if found is not None:
                return found
            if self._redis.set(lock, token, nx=True, px=LOCK_SECONDS * 1000):
                break
            if time.monotonic() > deadline:  # the other one hangs: make it here rather than wait longer
                return make()
            time.sleep(POLL_SECONDS)
        try:
            found = self._fetch(name)  # made and put there between the look and the lock
            if found is not None:
                return found
            page, seconds = make()
            body, coding = page.sent("zstd")  # an image or a PDF as it is
            self._redis.hset(name, mapping={coding or "body": body, "etag": page.etag, "mimetype": page.mimetype,
                                            "seconds": repr(seconds)})
            self._redis.expire(name, KEEP_SECONDS)
            self.made += 1
            return page, seconds
        finally:
            self._release(keys=[lock], args=[token])

    def _fetch(self, name: str) -> tuple[Prepared, float] | None:
        kept = self._redis.hgetall(name)
        if not kept:
            return None
        self.fetched += 1
        packed = kept.get(b"zstd")
        body = zstd.decompress(packed) if packed is not None else kept[b"body"]
        page = Prepared(body, kept[b"etag"].decode(), kept[b"mimetype"].decode(),
                        codings={"zstd": packed} if packed is not None else None)
        return page, float(kept[b"seconds"])
