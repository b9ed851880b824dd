"""Python's cyclic garbage collector, set for the atlas's processes: it leaves alone what their start made (gc.freeze)
and looks at young objects less often.

What a start makes (the app, the published projects, their near index, the gazetteer: about 260,000 tracked
objects at 100k projects) lives as long as the process, and none of it is freed by the collector: it dies, if
ever, by its references (a publication's old snapshot holds no cycles). Yet each full collection went through all
of it again. Pages leave a few cycles each (a request and its headers), which the collector still finds – all but
those of the requests in flight at the moment of the freeze, once: a few kilobytes for the process's life."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

YOUNG_COLLECTED_AFTER = 10_000  # new objects before a young collection (Python's default is 700)
# … during an import: the objects of a batch of rows (5,000 rows, about 100,000 objects) die by their references
# before the collector would look at them
IMPORT_YOUNG_COLLECTED_AFTER = 100_000


def settle() -> None:
    """For a process that serves, once its warm-up is made (atlas.warming): set for the rest of its life. At 100k,
    a mix of near searches, `/suche` and API pages spent 0.24 ms a request in the collector and paused for a full
    collection of about 90 ms every few hundred requests; after this 0.05 ms and no such pause (stop 49). Garbage
    that is there already is collected first, not kept for good."""
    gc.collect()
    _collect_less()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Around an import in a process of its own (`atlas import`, `atlas seed`), set back after, also where it fails
    (not for a process that serves: its unfreeze would undo `settle`). An import makes millions of objects that die
    young or are written to disk a batch at a time: 100k rows spent 1.5 s of 13 in the collector, with 10,000 new
    objects between young collections 0.6 s (the peak memory the same, 240 MB). At 10,000 the objects of a batch
    still in use were looked at again and again (158 young collections, 14 of the middle generation); at 100,000
    they are mostly gone by then: `atlas import` of 100k rows spent 0.42 s in the collector, now 0.05 s
    (gc.callbacks, start included), the peak memory the same, 236 MB (stop 55)."""
    threshold = gc.get_threshold()
    _collect_less(IMPORT_YOUNG_COLLECTED_AFTER)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@contextmanager
def one_command(close: Callable[[], None]) -> Iterator[None]:
    """Around a whole command in a process of its own (`atlas`, atlas.cli.main). What its start loads – the
    modules, the app, the gazetteer, the boundaries – lives until the process ends: the collector looks at young
    objects less often meanwhile (`atlas import` of one row: two full collections of about 0.04 s each during its
    start, and 300 young ones). When the command is done, `close` closes what must be closed (the database's
    connections: SQLite checkpoints its WAL and removes it), and everything left is frozen: Python's own end would
    otherwise collect all of it once more and free it object by object – 0.4–0.5 s of CPU after every command,
    a third of a small import's (stop 55). The operating system takes back the memory at once."""
    _collect_less()
    try:
        yield
    finally:
        try:
            close()
        except Exception:  # the command's own exit or error stays the one the caller gets; this one is logged
            logging.getLogger("atlas").exception("Die Datenbank ließ sich nach dem Befehl nicht schließen.")
        gc.freeze()


def _collect_less(young: int = YOUNG_COLLECTED_AFTER) -> None:
    gc.freeze()
    gc.set_threshold(young, *gc.get_threshold()[1:])
