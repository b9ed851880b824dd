"""What is kept for a version of what the public sees.

`Versioned`: one value, made again once the version moves on (the near search's index, the search's times), made
once per version however many threads ask at the same moment. `Recent`: many values by keys that name
their version (the search's answers, the lists' items), the most recently used, bounded in number. (Rendered pages
are kept by atlas.web.cache, bounded in bytes, per district and shared between processes; the map's tiles by
atlas.viewport, per snapshot.)"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
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


class Recent(Generic[K, T]):
    def __init__(self, limit: int):
        self.limit = limit
        self._values: OrderedDict[K, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> T | None:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
            return found

    def get_many(self, keys: list[K]) -> list[T | None]:
        """get for each of these keys, under one taking of the lock (a list made per request asks for dozens)."""
        with self._lock:
            values, found = self._values, []
            for key in keys:
                value = values.get(key)
                if value is not None:
                    values.move_to_end(key)
                found.append(value)
            return found

    def put(self, key: K, value: T) -> None:
        self.put_many([(key, value)])

    def put_many(self, pairs: list[tuple[K, T]]) -> None:
        """put for each (key, value), in their order, under one taking of the lock."""
        with self._lock:
            values = self._values
            for key, value in pairs:
                values[key] = value
                values.move_to_end(key)
            while len(values) > self.limit:
                values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
