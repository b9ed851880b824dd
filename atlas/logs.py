"""Where the atlas's log lines go: stderr, each once."""

from __future__ import annotations

import logging

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
