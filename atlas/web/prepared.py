"""Prepared bodies and their responses: a body with its ETag (prepare), compressed once for each content coding a
browser asks for, answered compressed or with 304 when the browser has it (respond). Named apart from the
database's Store and the outbox's delivery of mails.

Pages, map scripts, region outlines and static files are kept like this; what is rendered per request is
compressed as it is sent (compress_per_request). Both send zstd (RFC 8878) to a browser that takes it – every
current browser does – and gzip to one that takes only that (coding): at each one's level, zstd makes no more bytes
than gzip did there, for no more CPU – a kept page about as much, a page made per request a third (KEPT_LEVELS,
SENT_LEVELS; docs/benchmarks.md, "Stop 52").
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from flask import Flask, Response, request
from werkzeug.datastructures import Headers
from werkzeug.http import parse_accept_header
from werkzeug.utils import get_content_type

# zlib-ng: gzip at the same level for half the CPU of the standard library's zlib, and a few per cent smaller (a
# page of the API's features: 0.79 -> 0.39 ms, 7.4 -> 7.2 kB)
from zlib_ng import gzip_ng as gzip

from atlas.web.per_header import per_header

try:
    from compression import zstd  # Python 3.14
except ImportError:
    from backports import zstd

YEAR = 365 * 24 * 3600
CODINGS = ("zstd", "gzip")  # the content codings sent, the first where a browser takes both alike
# Levels of a body kept and sent many times (a page until the next publication, a file for the process's life):
# zstd at 5 makes fewer bytes than gzip at 6 did, with less CPU (a page of the API's features: 0.87 -> 0.69 ms,
# 23.3 -> 23.2 kB; a search page 0.35 -> 0.35 ms, 10.2 -> 9.9 kB). The search's pages and the API's pages of
# projects are kept at SENT_LEVELS: most of their queries are asked once (atlas.web.search, atlas.web.ogc)
KEPT_LEVELS = {"zstd": 5, "gzip": 6}
# Levels of a page made for one reader (a near search at a shared position): gzip's 3 took half the CPU of 6 for 8 %
# more bytes (a near page: 0.99 -> 0.51 ms, 9.0 -> 9.8 kB), and zstd's 3 makes fewer bytes than gzip's 3 for a
# third of its CPU (a near page: 0.28 -> 0.12 ms, 12.3 -> 12.0 kB)
SENT_LEVELS = {"zstd": 3, "gzip": 3}
_COMPRESS = {"zstd": lambda body, level: zstd.compress(body, level),
             "gzip": lambda body, level: gzip.compress(body, compresslevel=level, mtime=0)}
SMALLEST = 500  # bytes: a smaller body is sent as it is (its coding's header and frame would eat the gain)


class Prepared:
    """A body and its ETag, with its compressed forms: each made the first time a browser asks for it (a search
    page asked once is compressed once, in the coding of the browser that asked)."""

    __slots__ = ("body", "etag", "mimetype", "levels", "_codings")

    def __init__(self, body: bytes, etag: str, mimetype: str, levels: dict[str, int] = KEPT_LEVELS,
                 codings: dict[str, bytes] | None = None):
        self.body, self.etag, self.mimetype, self.levels = body, etag, mimetype, levels
        self._codings = dict(codings or {})

    def coded(self, coding: str) -> bytes:
        """The body in a content coding of CODINGS, compressed at its first use. Two threads asking at once may
        both compress it; each gets the same bytes."""
        found = self._codings.get(coding)
        if found is None:
            found = self._codings[coding] = _COMPRESS[coding](self.body, self.levels[coding])
        return found

    def sent(self, coding: str | None) -> tuple[bytes, str | None]:
        """The bytes to send a browser that takes `coding`, and the coding they are in: the body as it is where it
        would gain little (an image, a PDF, a few hundred bytes)."""
        if coding is None or not compressible(self.mimetype, len(self.body)):
            return self.body, None
        return self.coded(coding), coding

    @property
    def size(self) -> int:
        """Bytes held: the body and the compressed forms made so far."""
        return len(self.body) + sum(map(len, tuple(self._codings.values())))


def prepare(body: str | bytes, mimetype: str, levels: dict[str, int] = KEPT_LEVELS) -> Prepared:
    """A body named by its digest – the ETag is of the body itself, whichever coding it is sent in (a weak one, so:
    respond). `levels`: SENT_LEVELS for a body sent once and not kept."""
    raw = body.encode() if isinstance(body, str) else body
    return Prepared(raw, hashlib.sha256(raw).hexdigest()[:20], mimetype, levels)


def compressible(mimetype: str, size: int) -> bool:
    """Whether a body is worth compressing: text of at least SMALLEST bytes (HTML, CSS, scripts, JSON, CSV, Turtle,
    XML), not an image or a PDF, which are compressed already."""
    return size >= SMALLEST and _textual(mimetype)


@lru_cache(maxsize=64)
def _textual(mimetype: str) -> bool:
    bare = mimetype.partition(";")[0].strip().lower()  # "application/vnd.oai.openapi+json;version=3.0"
    return bare.startswith("text/") or bare.endswith(("json", "xml", "javascript"))


def respond(stored: Prepared, max_age: int = 0, immutable: bool = False, public: bool = True,
            vary: tuple[str, ...] = ()) -> Response:
    """The stored body, compressed if the browser takes a coding of CODINGS; 304 if the browser's copy is current.
    `vary`: what else than Accept-Encoding the answer depends on.

    max_age 0 means: keep it, but ask every time (the ETag makes the answer a 304 without a body).
    """
    # The headers written out at once, as werkzeug's Response writes them one by one (each change of its ETag, Vary
    # and Cache-Control objects writes the header again): a third of what sending a kept page cost the view.
    headers = Headers([("Content-Type", _content_type(stored.mimetype)), ("ETag", f'W/"{stored.etag}"'),
                       ("Vary", ", ".join(("Accept-Encoding", *vary))),
                       ("Cache-Control", _cache_control(max_age, immutable, public))])
    if request.if_none_match.contains_weak(stored.etag):
        return Response(status=304, headers=headers)
    body, sent_in = stored.sent(coding())
    response = Response(body, headers=headers)
    if sent_in:
        response.headers["Content-Encoding"] = sent_in
    return response


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
    the first of CODINGS between equals; None if it takes neither – `identity, gzip;q=0` names gzip to refuse it.
    Kept per header (atlas.web.per_header): werkzeug parsing it cost 10-20 µs of every answer sent compressed."""
    return _coding_of(request.headers.get("Accept-Encoding", ""))


@per_header
def _coding_of(header: str) -> str | None:
    accepted = parse_accept_header(header)  # as werkzeug's request.accept_encodings reads it
    quality, chosen = max((accepted[name], -i) for i, name in enumerate(CODINGS))
    return CODINGS[-chosen] if quality > 0 else None


def compress_per_request(app: Flask) -> None:
    """What is rendered per request is compressed as it is sent, in the coding `respond` would choose and by the
    same rule (`compressible`). Until stop 52 Flask-Compress did this, asked only where `accepts_gzip()` said yes;
    with two codings its choice and ours part (for `gzip;q=0, *` it takes the refused gzip, which it ranks above
    what `*` allows). A kept page carries its coding already; error pages and redirects are sent as they are."""

    @app.after_request
    def compress(response: Response) -> Response:
        vary = response.headers.get("Vary")  # read, not parsed: a kept page's names it already
        if not vary:
            response.headers["Vary"] = "Accept-Encoding"
        elif "accept-encoding" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Accept-Encoding"
        chosen = coding()
        if (chosen is None or not 200 <= response.status_code < 300 or response.is_streamed
                or "Content-Encoding" in response.headers):
            return response
        body = response.get_data()
        if compressible(response.mimetype, len(body)):
            response.set_data(_COMPRESS[chosen](body, SENT_LEVELS[chosen]))
            response.headers["Content-Encoding"] = chosen
        return response


def attachment(body: str | bytes, mimetype: str, name: str) -> Response:
    """A file to save (an office's export, a CSV of figures, an XLIFF file): made per request, never kept. A `text/`
    type is named without its coding: Werkzeug adds „; charset=utf-8“, a second time if it was named already."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
