"""A process that serves leaves what its warm-up made out of the garbage collector's rounds (atlas.collector), and
loses nothing by it: what a publication replaces still goes, by its references alone."""

from __future__ import annotations

import gc
import weakref

import pytest

from atlas.collector import YOUNG_COLLECTED_AFTER
from atlas.store import ARCHIVED
from atlas.warming import warm_up_in_background


@pytest.fixture
def collector_set_back():
    """The test's own process serves nothing: its collector is set back after."""
    threshold = gc.get_threshold()
    yield
    gc.enable()
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_once_warmed_up_a_server_s_collector_leaves_its_start_alone(seeded, collector_set_back):
    frozen = gc.get_freeze_count()
    warm_up_in_background(seeded.extensions["atlas"]).join(120)
    assert gc.get_freeze_count() > frozen, "what the warm-up made is out of the collector's rounds"
    assert gc.get_threshold()[0] == YOUNG_COLLECTED_AFTER


def test_what_a_publication_replaces_goes_without_the_collector(seeded, collector_set_back):
    """Frozen objects that a cycle held would stay for the process's life: the published copy and its near index
    hold none, so they go as soon as a publication replaces them."""
    services = seeded.extensions["atlas"]
    warm_up_in_background(services).join(120)
    snapshot, index = weakref.ref(services.public.current()), weakref.ref(services.near.current())
    gc.disable()  # only references free them now
    first = int(services.public.current()["id"][0])
    services.store.set_status(first, ARCHIVED, "Pause")
    assert first not in services.near.current().projects["id"].tolist()
    assert snapshot() is None and index() is None
