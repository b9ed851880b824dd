"""Prepared bodies and their responses: a body with its ETag (prepare), compressed once for each content coding a
browser asks for, answered compressed or with 304 when the browser has it (respond). Named apart from the
database's Store and the outbox's delivery of mails.

Pages, map scripts, region outlines and static files are kept like this; what is rendered per request is
compressed as it is sent (compress_per_request). Both send zstd (RFC 8878) to a browser that takes it – every
current browser does – and gzip to one that takes only that (coding): at each one's level, zstd makes no more bytes
than gzip did there, for a third to four fifths of the CPU (KEPT_LEVELS, SENT_LEVELS; docs/benchmarks.md,
"Stop 52").
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from flask import Flask, Response, has_request_context, request
from werkzeug.datastructures import Headers
from werkzeug.utils import get_content_type

# zlib-ng: gzip at the same level for half the CPU of the standard library's zlib, and a few per cent smaller (a
# page of the API's features: 0.79 -> 0.39 ms, 7.4 -> 7.2 kB)
from zlib_ng import gzip_ng as gzip

try:
    from compression import zstd  # Python 3.14
except ImportError:
    from backports import zstd

YEAR = 365 * 24 * 3600
CODINGS = ("zstd", "gzip")  # the content codings sent, the first where a browser takes both alike
# Levels of a body kept and sent many times (a page until the next publication, a file for the process's life):
# zstd at 5 makes fewer bytes than gzip at 6 did, with less CPU (a page of the API's features: 0.86 -> 0.73 ms,
# 23.3 -> 23.2 kB; a search page 0.34 -> 0.31 ms, 10.2 -> 9.9 kB)
KEPT_LEVELS = {"zstd": 5, "gzip": 6}
# Levels of a page made for one reader (a near search at a shared position): gzip's 3 took half the CPU of 6 for 8 %
# more bytes (a near page: 0.99 -> 0.51 ms, 9.0 -> 9.8 kB), and zstd's 3 makes fewer bytes than gzip's 3 for a
# third of its CPU (a near page: 0.16 -> 0.10 ms, 12.4 -> 12.1 kB)
SENT_LEVELS = {"zstd": 3, "gzip": 3}
COMPRESSED_TYPES = frozenset({"text/html", "text/css", "application/javascript", "text/javascript",
                              "application/json", "application/geo+json"})
SMALLEST = 500  # bytes: a smaller body is sent as it is (its coding's header and frame would eat the gain)


class Prepared:
    """A body and its ETag, with its compressed forms: each made the first time a browser asks for it (a search
    page asked once is compressed once, in the coding of the browser that asked)."""

    __slots__ = ("body", "etag", "mimetype", "_zstd", "_gzip")

    def __init__(self, body: bytes, etag: str, mimetype: str, zstd: bytes | None = None, gzip: bytes | None = None):
        self.body, self.etag, self.mimetype = body, etag, mimetype
        self._zstd, self._gzip = zstd, gzip

    def coded(self, coding: str) -> bytes:
        """The body in a content coding of CODINGS, compressed at its first use. Two threads asking at once may
        both compress it; each gets the same bytes."""
        if coding == "zstd":
            if self._zstd is None:
                self._zstd = compressed(self.body, coding, KEPT_LEVELS)
            return self._zstd
        if self._gzip is None:
            self._gzip = compressed(self.body, coding, KEPT_LEVELS)
        return self._gzip

    @property
    def size(self) -> int:
        """Bytes held: the body and the compressed forms made so far."""
        return len(self.body) + len(self._zstd or b"") + len(self._gzip or b"")


def prepare(body: str | bytes, mimetype: str) -> Prepared:
    """A body named by its digest – the ETag is of the body itself, whichever coding it is sent in –, compressed
    at once for the browser that asked, if one did (so a page cache counts its bytes as it keeps it)."""
    raw = body.encode() if isinstance(body, str) else body
    prepared = Prepared(raw, hashlib.sha256(raw).hexdigest()[:20], mimetype)
    asked = coding() if has_request_context() else None
    if asked:
        prepared.coded(asked)
    return prepared


def respond(stored: Prepared, max_age: int = 0, immutable: bool = False, public: bool = True,
            vary: tuple[str, ...] = ()) -> Response:
    """The stored body, compressed if the browser takes a coding of CODINGS; 304 if the browser's copy is current.
    `vary`: what else than Accept-Encoding the answer depends on.

    max_age 0 means: keep it, but ask every time (the ETag makes the answer a 304 without a body).
    """
    # The headers written out at once, as werkzeug's Response writes them one by one (each change of its ETag, Vary
    # and Cache-Control objects writes the header again): a third of what sending a kept page cost the view.
    headers = Headers([("Content-Type", _content_type(stored.mimetype)), ("ETag", f'"{stored.etag}"'),
                       ("Vary", ", ".join(("Accept-Encoding", *vary))),
                       ("Cache-Control", _cache_control(max_age, immutable, public))])
    if stored.etag in request.if_none_match:
        return Response(status=304, headers=headers)
    chosen = coding()
    if chosen:
        response = Response(stored.coded(chosen), headers=headers)
        response.headers["Content-Encoding"] = chosen
        return response
    return Response(stored.body, headers=headers)


@lru_cache(maxsize=64)
def _content_type(mimetype: str) -> str:
    return get_content_type(mimetype, "utf-8")


@lru_cache(maxsize=64)
def _cache_control(max_age: int, immutable: bool, public: bool) -> str:
    """The Cache-Control header of a kept body, as werkzeug writes it: once per kind of answer."""
    control = Response().cache_control
    control.public = public
    control.private = not public
    if max_age:
        control.max_age = max_age
        control.immutable = immutable
    else:
        control.no_cache = True
    return control.to_header()


def coding() -> str | None:
    """The content coding of CODINGS the browser takes with the highest quality above 0 (named, or matched by `*`),
    the first of CODINGS between equals; None if it takes neither – `identity, gzip;q=0` names gzip to refuse it."""
    accepted = request.accept_encodings
    quality, chosen = max((accepted[name], -i) for i, name in enumerate(CODINGS))
    return CODINGS[-chosen] if quality > 0 else None


def compressed(body: bytes, coding: str, levels: dict[str, int]) -> bytes:
    if coding == "zstd":
        return zstd.compress(body, levels[coding])
    return gzip.compress(body, compresslevel=levels[coding], mtime=0)


def compress_per_request(app: Flask) -> None:
    """What is rendered per request is compressed as it is sent, in the coding `respond` would choose. (Until stop
    52 Flask-Compress did this; it takes an encoding the browser refuses with q=0 when nothing else is named but
    `*`, and would have chosen otherwise than `coding` for kept pages.) A response that carries its coding (a
    kept page) or a validator (none made per request has one) is left as it is."""

    @app.after_request
    def compress(response: Response) -> Response:
        vary = response.headers.get("Vary")  # read, not parsed: a kept page's names it already
        if not vary:
            response.headers["Vary"] = "Accept-Encoding"
        elif "accept-encoding" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Accept-Encoding"
        chosen = coding()
        if (chosen is None or not 200 <= response.status_code < 300 or response.mimetype not in COMPRESSED_TYPES
                or response.is_streamed or "Content-Encoding" in response.headers or "ETag" in response.headers):
            return response
        body = response.get_data()
        if len(body) >= SMALLEST:
            response.set_data(compressed(body, chosen, SENT_LEVELS))
            response.headers["Content-Encoding"] = chosen
        return response


def attachment(body: str | bytes, mimetype: str, name: str) -> Response:
    """A file to save (an office's export, a CSV of figures, an XLIFF file): made per request, never kept."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
