"""What reaches the operator's log: a warning repeated at every request is said once a while, with its count."""

from __future__ import annotations

import logging

from atlas.logs import OnceAWhile


def test_a_repeated_warning_passes_once_a_minute_with_the_count_held_back():
    now = [100.0]
    once = OnceAWhile(60, clock=lambda: now[0])
    passed = []
    for depth, at in [(1, 100.0), (2, 100.5), (3, 130.0), (4, 159.9), (5, 160.0), (6, 161.0), (7, 300.0)]:
        now[0] = at
        record = logging.LogRecord("waitress.queue", logging.WARNING, __file__, 1, "Task queue depth is %d",
                                   (depth,), None)
        if once.filter(record):
            passed.append(record.getMessage())
    assert passed == ["Task queue depth is 1",
                      "Task queue depth is 5 (3 such lines held back before this one)",
                      "Task queue depth is 7 (1 such lines held back before this one)"]
