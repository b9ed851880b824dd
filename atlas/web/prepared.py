"""Prepared bodies and their responses: a body compressed once, with its ETag (prepare), answered gzipped or with
304 when the browser has it (respond). Named apart from the database's Store and the outbox's delivery of mails.

Pages, map scripts, region outlines and static files are kept like this; Flask-Compress leaves them alone (they
carry their Content-Encoding) and compresses only what is rendered per request (compress_per_request). Both send
gzip only to a browser that takes it (accepts_gzip).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import Flask, Response, request

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


def respond(stored: Prepared, max_age: int = 0, immutable: bool = False, public: bool = True) -> Response:
    """The stored body, gzipped if the browser accepts it; 304 if the browser's copy is current.

    max_age 0 means: keep it, but ask every time (the ETag makes the answer a 304 without a body).
    """
    response = Response(mimetype=stored.mimetype)
    response.set_etag(stored.etag)
    response.vary.add("Accept-Encoding")
    response.cache_control.public = public
    response.cache_control.private = not public
    if max_age:
        response.cache_control.max_age = max_age
        response.cache_control.immutable = immutable
    else:
        response.cache_control.no_cache = True
    if stored.etag in request.if_none_match:
        response.status_code = 304
        return response
    if accepts_gzip():
        response.set_data(stored.gzipped)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(stored.body)
    return response


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
