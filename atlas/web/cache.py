"""Rendered pages, kept until what the public sees changes (the store's version moves on – or, for a page of one
ArL district, that district's version: its `scope`).

A page is kept as it is sent: compressed once per content coding, with its ETag (atlas.web.prepared). Bounded in
bytes, not entries, each page with the codings made of it: a flood of distinct pages evicts others and never grows
the process beyond the bound – the cheap ones to make first, so a flood of quick pages cannot push out the PDFs and
district files that take a second to make. Many requests for one page that is not there yet make it once (single
flight): the others wait for it; with Redis configured (atlas.web.shared_cache), once for all processes. Keys are
built from validated values only (see the views).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import has_request_context, request

from atlas.web.prepared import KEPT_LEVELS, Prepared, coding, prepare
from atlas.web.shared_cache import SharedPages

CHEAP_SECONDS = 0.05  # a page made faster than this is evicted before any that took longer


@dataclass
class _Kept:
    page: Prepared
    counted: int  # its bytes in the bound: the codings made for the browsers that asked (_coded)


class PageCache:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024, shared: SharedPages | None = None):
        self.max_bytes = max_bytes
        self.shared = shared  # Redis, if configured: pages made once for all processes
        self._pages: OrderedDict[Hashable, _Kept] = OrderedDict()
        # the keys of the cheap pages, in the same order: the first to evict is found at once. Looked for among
        # all pages, each eviction read past every dear one – and a page's seconds are wall time, so on a loaded
        # machine most pages are dear (a full cache of 1,052 /suche pages at 100k: 0.09 ms a new page, stop 54)
        self._cheap: OrderedDict[Hashable, None] = OrderedDict()
        self._making: dict[Hashable, threading.Event] = {}
        self._latest: dict[str | None, int] = {}  # the newest version of each scope a page was kept at
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.renders = 0

    def get(self, key: Hashable, version: int, render: Callable[[], str | bytes],
            mimetype: str = "text/html", scope: str | None = None, levels: dict[str, int] = KEPT_LEVELS) -> Prepared:
        """The page kept under `key` at this version of its scope (None: the state; else an ArL district), made by
        `render` if it is not there and compressed at `levels` (atlas.web.prepared)."""
        full_key = (scope, version, key)
        while True:
            with self._lock:
                found = self._hit(full_key)
                if found is not None:
                    break
                waiting = self._making.get(full_key)
                if waiting is None:
                    self._making[full_key] = threading.Event()
                    break
            waiting.wait()  # another request makes this page now: take its result (or make it, if it failed)
        if found is not None:
            return self._asked(full_key, found)

        def make() -> tuple[Prepared, float]:
            started = time.perf_counter()
            page = prepare(render(), mimetype, levels)
            with self._lock:
                self.renders += 1
            return page, time.perf_counter() - started

        try:
            page, seconds = self.shared.get(full_key, make) if self.shared else make()
            _coded(page)  # before it is counted: a page that fits only without its coding is not kept
            self._keep(full_key, page, seconds)
            return page
        finally:
            with self._lock:
                self._making.pop(full_key).set()

    def kept(self, key: Hashable, version: int, scope: str | None = None) -> Prepared | None:
        """The page kept under `key` at this version of its scope, if this process has it: for a view that learns
        only from its work whether the page is one to keep (then `get` makes it, once)."""
        full_key = (scope, version, key)
        with self._lock:
            found = self._hit(full_key)
        return self._asked(full_key, found) if found is not None else None

    def __len__(self) -> int:
        return len(self._pages)

    def _hit(self, full_key) -> _Kept | None:
        """The page kept under the key, counted as asked (under the lock), or None."""
        kept = self._pages.get(full_key)
        if kept is not None:
            self._pages.move_to_end(full_key)
            if full_key in self._cheap:
                self._cheap.move_to_end(full_key)
            self.hits += 1
        return kept

    def _asked(self, full_key, kept: _Kept) -> Prepared:
        """A kept page in the asking browser's coding, made outside the lock (compressing takes a while) and counted
        in the bound from now on: a page asked in zstd and then in gzip holds both. A page that no longer fits
        with its codings goes alone (its bytes are not the others' to make room for)."""
        _coded(kept.page)
        if kept.page.size != kept.counted:
            with self._lock:
                grown = kept.page.size - kept.counted  # again: another thread may have counted it meanwhile
                if not grown or self._pages.get(full_key) is not kept:  # one dropped meanwhile is counted out
                    return kept.page
                if kept.counted + grown > self.max_bytes:
                    self._drop(full_key)
                else:
                    kept.counted += grown
                    self.bytes += grown
                    self._bound()
        return kept.page

    def _keep(self, full_key, page: Prepared, seconds: float) -> None:
        scope, version, _key = full_key
        with self._lock:
            latest = self._latest.get(scope)
            if latest is None or version > latest:  # the first page of a newer version: the older ones go, once
                self._latest[scope] = version
                for old in [k for k in self._pages if k[0] == scope and k[1] < version]:
                    self._drop(old)
            # A page of an older version (made from the copy before a publication, or after a database was
            # restored) is kept too: those who wait for it take it, and the bound in bytes evicts it.
            size = page.size
            if size <= self.max_bytes:
                self._pages[full_key] = _Kept(page, size)
                self._cheap.pop(full_key, None)  # single flight keeps a key once; were it kept again, as it costs now
                if seconds < CHEAP_SECONDS:
                    self._cheap[full_key] = None
                self.bytes += size
            self._bound()

    def _bound(self) -> None:
        while self.bytes > self.max_bytes:
            self._drop(next(iter(self._cheap or self._pages)))

    def _drop(self, key: Hashable) -> None:
        self.bytes -= self._pages.pop(key).counted
        self._cheap.pop(key, None)


def _coded(page: Prepared) -> None:
    """The page made in the asking browser's coding, unless the browser has it already (a 304 sends no body)."""
    if has_request_context() and not request.if_none_match.contains_weak(page.etag):
        page.sent(coding())
