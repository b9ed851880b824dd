"""A command's process leaves what it made to the operating system, its database closed first (one_command); a
process that serves leaves what its warm-up made out of the garbage collector's rounds (atlas.collector), and
loses nothing by it: what a publication replaces still goes, by its references alone."""

from __future__ import annotations

import gc
import sqlite3
import subprocess
import weakref

import pytest
from helpers import ATLAS, SEED_CSV, cli_environment

from atlas.collector import YOUNG_COLLECTED_AFTER, one_command
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


def test_a_command_closes_what_it_opened_and_leaves_the_rest_to_the_collector_s_freeze(collector_set_back):
    """Its start's objects are looked at less often, and not at all when the process ends: closing what must be
    closed comes first, also where the command ends with an exit code."""
    made = []  # what the command makes, to live until its end
    closed = []
    with pytest.raises(SystemExit), one_command(lambda: closed.append(_collected(made[0]))):
        assert gc.get_threshold()[0] == YOUNG_COLLECTED_AFTER
        made.append({"kreis": ["03241"]})
        raise SystemExit(1)
    assert closed == [True], "closed where the command exits with a code, before the freeze"
    assert not _collected(made[0]), "then out of the collector's rounds"


def test_a_close_that_fails_leaves_the_command_s_own_exit_and_is_logged(collector_set_back, caplog):
    made = []

    def broken() -> None:
        raise OSError("disk I/O error")

    with pytest.raises(SystemExit) as exited, one_command(broken):
        made.append({"kreis": ["03241"]})
        raise SystemExit(3)
    assert exited.value.code == 3, "the command's exit code, not the close's error"
    assert "nicht schließen" in caplog.text and "disk I/O error" in caplog.text
    assert not _collected(made[0]), "frozen all the same"


def _collected(thing) -> bool:
    """Whether the collector still looks at it (frozen objects are in none of its generations)."""
    return any(candidate is thing for candidate in gc.get_objects())


@pytest.mark.once
def test_the_atlas_command_closes_its_database_before_the_process_ends(tmp_path):
    """Nothing frozen at the end is collected, so the store's connections are closed first: SQLite then writes
    its WAL into the database and removes it, as a connection that Python's end collected did."""
    database = tmp_path / "atlas.db"
    env = cli_environment(ATLAS_INSTANCE_PATH=str(tmp_path), ATLAS_DATABASE_URL=f"sqlite:///{database}",
                          ATLAS_TILES="none")
    for args in (["db", "upgrade"], ["import", SEED_CSV], ["export"]):
        done = subprocess.run(ATLAS + args, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in tmp_path.glob("atlas.db*")) == ["atlas.db"], f"closed after {args}"
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM projects").fetchone() == (7,)
