"""What the first requests would otherwise wait for, made in a thread while the server already takes requests: by
`atlas serve` once it listens, and by each gunicorn worker once it has loaded the app (atlas/gunicorn_conf.py)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from atlas.collector import settle


def warm_up_in_background(s, done: Callable[[float], None] | None = None) -> threading.Thread:
    """Starts `warm_up(s)` in a thread of its own (a request that needs what it makes meanwhile waits for it, as
    without the warm-up); `done(seconds)` is called when it is made, not when it failed."""

    def run() -> None:
        started = time.monotonic()
        if warm_up(s):
            settle()  # what the warm-up made lives as long as the process: the collector need not go through it again
            if done is not None:
                done(time.monotonic() - started)

    thread = threading.Thread(target=run, name="warm-up", daemon=True)  # a server that stops does not wait for it
    thread.start()
    return thread


def warm_up(s) -> bool:
    """What the first requests would otherwise wait for: the published projects and their near index (every page)
    and the gazetteer. (Folium is not: the maps it renders are kept in the cache folder, atlas.kept.) False when
    something failed: it is logged, and a request that needs it makes it again and says what went wrong."""
    try:
        s.near.current()
        s.geocoder  # noqa: B018
    except Exception:
        logging.getLogger("atlas").exception("warming up failed")
        return False
    return True
