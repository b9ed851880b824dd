"""Rendered pages, kept until what the public sees changes (the store's version moves on).

A page is kept as it is sent: compressed once, with its ETag (atlas.web.delivery). Bounded in bytes, not
entries: a flood of distinct pages evicts the least recently used ones and never grows the process beyond the
bound. Keys are built from validated values only (see the views).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from atlas.web.delivery import Stored, store


class PageCache:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Hashable, Stored] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: int, render: Callable[[], str], mimetype: str = "text/html") -> Stored:
        full_key = (version, key)
        with self._lock:
            if full_key in self._pages:
                self._pages.move_to_end(full_key)
                self.hits += 1
                return self._pages[full_key]
        page = store(render(), mimetype)
        with self._lock:
            self.misses += 1
            if full_key not in self._pages and page.size <= self.max_bytes:
                self._pages[full_key] = page
                self.bytes += page.size
            for old in [k for k in self._pages if k[0] != version]:
                self._drop(old)
            while self.bytes > self.max_bytes:
                self._drop(next(iter(self._pages)))
        return page

    def __len__(self) -> int:
        return len(self._pages)

    def _drop(self, key: Hashable) -> None:
        self.bytes -= self._pages.pop(key).size
