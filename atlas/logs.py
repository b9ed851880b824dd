"""Where the atlas's log lines go: stderr, each once."""

from __future__ import annotations

import logging
import threading
import time

LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


def configure_logging(app) -> None:
    """Log lines of the atlas (access log, warnings) and of its rate limiter (storage down, back) to stderr, each
    once: through one handler on the root logger, which the other libraries' warnings reach too. waitress's
    `logging.basicConfig()` then finds it and adds none of its own (a second handler printed every line twice). A
    root logger set up already (by the operator's logging configuration, or pytest, which captures its own) is
    left as it is."""
    for name in ("atlas", "flask-limiter"):
        logging.getLogger(name).setLevel(app.config["LOG_LEVEL"])
    root = logging.getLogger()
    if not root.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)


class OnceAWhile(logging.Filter):
    """Lets one record through every `seconds` and counts those it held back in the line it lets through next.
    For waitress's "Task queue depth is N": waitress warns at every request it has to queue, so under a crowd of
    16 clients the log got a line per request (4,400 in 20 s of a near-search load test), burying the access log
    and costing the busy server a formatted write each; a line a minute with the count still says the server is
    short of threads."""

    def __init__(self, seconds: float = 60.0, clock=time.monotonic):
        super().__init__()
        self.seconds, self.clock = seconds, clock
        self._lock = threading.Lock()  # waitress adds tasks from its main thread; a filter should not assume it
        self._next = float("-inf")
        self._held = 0

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            now = self.clock()
            if now < self._next:
                self._held += 1
                return False
            held, self._held, self._next = self._held, 0, now + self.seconds
        if held:
            record.msg, record.args = f"{record.getMessage()} ({held} such lines held back before this one)", ()
        return True
