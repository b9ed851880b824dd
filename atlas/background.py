"""What `atlas serve` does beside answering requests: deliver the outbox every few seconds, work off machine
translation jobs, queue due digests every hour and run the freshness cycle once a day. Setups without `atlas serve`
(gunicorn) use the cron commands `atlas mail send`, `atlas translate run`, `atlas mail digest` and `atlas freshness`
instead."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from atlas import alerts, freshness
from atlas.mail_texts import deliver

log = logging.getLogger("atlas.mail")
DIGEST_EVERY = 3600.0
FRESHNESS_EVERY = 86400.0
TRANSLATE_SECONDS = 30.0  # machine translation per round at most, then the outbox's turn again


class Background(threading.Thread):
    def __init__(self, app: Flask):
        super().__init__(name="atlas-background", daemon=True)
        self.app = app
        self.interval = app.config["MAIL_INTERVAL"]
        self.stopped = threading.Event()
        self._next = {"digest": 0.0, "freshness": 0.0}

    def stop(self) -> None:
        self.stopped.set()

    def run(self) -> None:
        while not self.stopped.is_set():
            with self.app.app_context():
                self._round()
            self.stopped.wait(self.interval)

    def _round(self) -> None:
        store = self.app.extensions["atlas"].store
        now = time.monotonic()
        try:
            if now >= self._next["freshness"]:
                self._next["freshness"] = now + FRESHNESS_EVERY
                cycle = freshness.run(store, self.app.config["FRESHNESS_DAYS"])
                self.app.extensions["atlas"].outbox.purge()
                log.info("Aktualität: %s Projekte gefragt, %s nicht bestätigt (%s ohne Adresse, für das Amt)",
                         cycle.asked, cycle.unconfirmed, cycle.for_office)
            if now >= self._next["digest"]:
                self._next["digest"] = now + DIGEST_EVERY
                alerts.send_digests(store)
            deliver(self.app)
            self.app.extensions["atlas"].machine.run(seconds=TRANSLATE_SECONDS)
        except Exception:  # the server keeps serving; the outbox keeps what was not sent
            log.exception("Hintergrundarbeit fehlgeschlagen; nächster Versuch in %s s", self.interval)
