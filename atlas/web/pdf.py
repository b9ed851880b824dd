"""PDFs are made in a process of their own (atlas.pdf, WeasyPrint): making one takes a core for a second or more of
Python, and in the web process it would hold the interpreter while every other page waits. One at a time; a
request that would wait longer than a moment is told to come back."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as WaitedTooLong

from werkzeug.exceptions import ServiceUnavailable

from atlas.i18n import _
from atlas.pdf import make_pdf

WAITING_AT_MOST = 3  # requests waiting for a PDF to be made in this process; more are refused at once
SECONDS = 60  # what one PDF may take, waiting included
_queue = threading.BoundedSemaphore(WAITING_AT_MOST)
_maker: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def render_pdf(html: str) -> bytes:
    if not _queue.acquire(blocking=False):
        raise ServiceUnavailable(_BUSY())
    try:
        return _pool().submit(make_pdf, html).result(timeout=SECONDS)
    except WaitedTooLong:
        raise ServiceUnavailable(_BUSY()) from None
    finally:
        _queue.release()


def _BUSY() -> str:  # noqa: N802 - a message, said when it is needed
    return _("Gerade werden viele Aushänge erstellt. Bitte versuchen Sie es in einer Minute noch einmal.")


def _pool() -> ProcessPoolExecutor:
    """One maker process, started on the first PDF (spawned: a fork would copy the web process's threads)."""
    global _maker
    with _lock:
        if _maker is None:
            _maker = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return _maker
