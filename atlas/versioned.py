"""A value kept for one version of what the public sees, made again once the version moves on: the near search's
index, the search's vocabulary and times. Made once per version however many threads ask at the same moment.
(Rendered pages are kept by atlas.web.cache, bounded in bytes and per district; the search's answers by the
searcher, in an LRU keyed on the version.)"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Versioned(Generic[T]):
    def __init__(self):
        self._lock = threading.Lock()
        self._kept: tuple[Hashable, T] | None = None
        self.builds = 0  # how often it was made (the tests count rebuilds)

    def get(self, version: Hashable, make: Callable[[], T]) -> T:
        """The value for `version`, made by `make` now if the one kept is of another version."""
        with self._lock:
            if self._kept is None or self._kept[0] != version:
                self._kept = (version, make())
                self.builds += 1
            return self._kept[1]
