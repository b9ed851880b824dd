"""What is kept for a version of the public data: one value made once per version however many ask at once, and
many values kept by keys that name their version, the most recently used, never more than the bound."""

from __future__ import annotations

import threading
import time

import pytest

from atlas.versioned import Recent, Versioned

pytestmark = pytest.mark.once  # no database


def test_a_versioned_value_is_made_once_per_version_however_many_threads_ask():
    kept: Versioned[str] = Versioned()
    made = []

    def make(version):
        def build():
            time.sleep(0.05)  # long enough for the other threads to ask meanwhile
            made.append(version)
            return f"index {version}"
        return build

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(kept.get(1, make(1)))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["index 1"] * 8 and made == [1] and kept.builds == 1
    assert kept.get(2, make(2)) == "index 2" and kept.get(2, make(2)) == "index 2" and made == [1, 2]


def test_recent_values_keep_the_most_recently_used_and_never_more_than_the_bound():
    recent: Recent[tuple, str] = Recent(limit=2)
    recent.put((1, "a"), "A")
    recent.put((1, "b"), "B")
    assert recent.get((1, "a")) == "A"  # now the most recent
    recent.put((1, "c"), "C")  # the least recently used, b, goes
    assert recent.get((1, "b")) is None and recent.get((1, "a")) == "A" and recent.get((1, "c")) == "C"
    assert len(recent) == 2
    recent.put((2, "a"), "A2")  # a new version is another key
    assert recent.get((2, "a")) == "A2" and len(recent) == 2
    recent.clear()
    assert len(recent) == 0 and recent.get((2, "a")) is None


def test_recent_values_asked_and_kept_many_at_once_as_one_by_one():
    recent: Recent[int, str] = Recent(limit=3)
    recent.put_many([(1, "A"), (2, "B"), (3, "C")])
    assert recent.get_many([3, 9, 1]) == ["C", None, "A"]  # 3, then 1 the most recent; 2 the least
    recent.put_many([(4, "D")])
    assert recent.get_many([2, 1, 3, 4]) == [None, "A", "C", "D"] and len(recent) == 3
    recent.put_many([(5, "E"), (6, "F"), (7, "G"), (8, "H")])  # more than the bound at once: the last three stay
    assert recent.get_many([5, 6, 7, 8]) == [None, "F", "G", "H"] and len(recent) == 3
