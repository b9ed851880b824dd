"""Rendered pages, kept until what the public sees changes (the store's version moves on)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class PageCache:
    def __init__(self, size: int = 128):
        self.size = size
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, version: int, render: Callable[[], str]) -> str:
        full_key = (version, key)
        with self._lock:
            if full_key in self._pages:
                self._pages.move_to_end(full_key)
                self.hits += 1
                return self._pages[full_key]
        page = render()
        with self._lock:
            self.misses += 1
            self._pages[full_key] = page
            for old in [k for k in self._pages if k[0] != version]:
                del self._pages[old]
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return page
