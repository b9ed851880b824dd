"""Answers worked out from the text of one request header, kept per process: a browser sends the same header with
every request, and parsing and matching it anew cost 10–40 µs of every page (the language it reads, the coding it
takes). At most HEADERS of them, the least recently asked dropped first; a header longer than any browser's
(LONGEST) is answered each time and never kept (1,000 headers of 250 kB would hold 240 MB)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

T = TypeVar("T")

HEADERS = 1_000  # distinct headers: a few per kind of browser, its language settings and client library
LONGEST = 200  # characters: a browser's header is seldom over 100 ("ar-EG,ar;q=0.9,en-US;q=0.8,en;q=0.7": 35)


def per_header(answer: Callable[[str], T]) -> Callable[[str], T]:
    """`answer` of a header's text, kept per header (its `kept.cache_info()` tells what is kept)."""
    kept = lru_cache(maxsize=HEADERS)(answer)

    @wraps(answer)
    def answered(header: str) -> T:
        return kept(header) if len(header) <= LONGEST else answer(header)

    answered.kept = kept
    return answered
