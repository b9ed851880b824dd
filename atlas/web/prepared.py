"""Prepared bodies and their responses: a body compressed once, with its ETag (prepare), answered gzipped or with
304 when the browser has it (respond). Named apart from the database's Store and the outbox's delivery of mails.

Pages, map scripts, region outlines and static files are kept like this; Flask-Compress leaves them alone (they
carry their Content-Encoding) and compresses only what is rendered per request (compress_per_request). Both send
gzip only to a browser that takes it (accepts_gzip).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from flask import Flask, Response, request
from werkzeug.datastructures import Headers
from werkzeug.utils import get_content_type

# zlib-ng: gzip at the same level for half the CPU of the standard library's zlib, and a few per cent smaller (a
# page of the API's features: 0.79 -> 0.39 ms, 7.4 -> 7.2 kB)
from zlib_ng import gzip_ng as gzip

YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Prepared:
    body: bytes
    gzipped: bytes
    etag: str
    mimetype: str

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped)


def prepare(body: str | bytes, mimetype: str) -> Prepared:
    """Compress once (gzip level 6, what a browser gains most from) and name the content by its digest: the ETag
    is of the body itself, whichever zlib compressed it."""
    raw = body.encode() if isinstance(body, str) else body
    return Prepared(raw, gzip.compress(raw, compresslevel=6, mtime=0), hashlib.sha256(raw).hexdigest()[:20], mimetype)


def respond(stored: Prepared, max_age: int = 0, immutable: bool = False, public: bool = True,
            vary: tuple[str, ...] = ()) -> Response:
    """The stored body, gzipped if the browser accepts it; 304 if the browser's copy is current. `vary`: what else
    than Accept-Encoding the answer depends on.

    max_age 0 means: keep it, but ask every time (the ETag makes the answer a 304 without a body).
    """
    # The headers written out at once, as werkzeug's Response writes them one by one (each change of its ETag, Vary
    # and Cache-Control objects writes the header again): a third of what sending a kept page cost the view.
    headers = Headers([("Content-Type", _content_type(stored.mimetype)), ("ETag", f'"{stored.etag}"'),
                       ("Vary", ", ".join(("Accept-Encoding", *vary))),
                       ("Cache-Control", _cache_control(max_age, immutable, public))])
    if stored.etag in request.if_none_match:
        return Response(status=304, headers=headers)
    if accepts_gzip():
        response = Response(stored.gzipped, headers=headers)
        response.headers["Content-Encoding"] = "gzip"
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


def accepts_gzip() -> bool:
    """Whether the browser takes gzip: named, or matched by `*`, with a quality above 0 – `identity, gzip;q=0`
    names it to refuse it."""
    return request.accept_encodings["gzip"] > 0


def compress_per_request(app: Flask) -> None:
    """Flask-Compress for what is rendered per request, asked only when the browser takes gzip: Flask-Compress
    (1.25) takes the encoding of the highest quality even when that is 0, and gzips for `gzip;q=0`."""
    from flask_compress import Compress

    compress = Compress(app)  # not registered by itself (COMPRESS_REGISTER, atlas.settings.FIXED)

    @app.after_request
    def compressed(response: Response) -> Response:
        if accepts_gzip():
            return compress.after_request(response)
        response.vary.add("Accept-Encoding")
        return response


def attachment(body: str | bytes, mimetype: str, name: str) -> Response:
    """A file to save (an office's export, a CSV of figures, an XLIFF file): made per request, never kept."""
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})
