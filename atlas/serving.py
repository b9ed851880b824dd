"""waitress's connections as `atlas serve` runs them: without its busy loop while a task sends.

waitress (3.0) sends a response from the thread that made it, holding the connection's output lock, and wakes its
main loop (pull_trigger) only if the socket takes not all of it. Meanwhile the main loop finds the connection
writable (its buffer holds what the thread sends), fails to take the lock, and asks select() again, which answers
at once: the loop spins for as long as the thread sends – and with more threads than cores the thread waits for
the GIL there, while the spinning loop takes it from the threads that make pages (Pylons/waitress#364 names the
loop). With 16 clients on 8 threads, a new page of the API cost the main loop about 30 turns and 70 tries of the
lock, the server a median 5.50 ms CPU instead of 4.52 (docs/benchmarks.md, stop 49). Here the loop leaves such a
connection alone until the thread is done; the thread wakes it for whatever the socket did not take.
"""

from __future__ import annotations

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer


class QuietChannel(HTTPChannel):
    def writable(self) -> bool:
        # Above the high watermark the thread waits for the loop to send (and wakes it before it waits, while it
        # still holds the lock): then the loop asks as waitress does.
        if (self.requests and 0 < self.total_outbufs_len <= self.adj.outbuf_high_watermark
                and not (self.will_close or self.close_when_flushed)):
            if not self.outbuf_lock.acquire(blocking=False):
                return False  # its thread sends now, and wakes the loop for any rest (write_soon)
            self.outbuf_lock.release()
        return super().writable()

    def write_soon(self, data) -> int:
        try:
            return super().write_soon(data)
        finally:
            # waitress wakes the loop while it still holds the lock, when writable() above says no: again, after
            if self.total_outbufs_len:
                self.server.pull_trigger()


def quiet_connections(listeners: dict) -> None:
    """Every server of waitress's socket map (create_server's `map`: one per address it listens on) makes its
    connections QuietChannels."""
    for dispatcher in listeners.values():
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = QuietChannel
