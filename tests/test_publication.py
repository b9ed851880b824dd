"""What moves the store's version – the key of every cache and of the map data's URL – and what does not: a
publication does; a start of `atlas serve` (its freshness cycle) does not, unless a confirmation ran out since."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import SQLITE_FILE, submit
from sqlalchemy import update

from atlas import freshness
from atlas.background import Background
from atlas.schema import projects
from atlas.store import PUBLISHED

DAYS = 365


def set_confirmed(app, project_id: int, when: datetime) -> None:
    with app.extensions["atlas"].store.write() as db:
        db.execute(update(projects).where(projects.c.id == project_id).values(confirmed_at=when))


def test_a_start_of_atlas_serve_is_no_publication(seeded):
    """`atlas serve` runs the freshness cycle at every start: the version stays, the caches and every returning
    browser's map data stay valid."""
    store = seeded.extensions["atlas"].store
    store.renew_unconfirmed(freshness.unconfirmed_before(DAYS))  # the first cycle after the upgrade
    before = store.version()
    for _start in range(3):
        Background(seeded)._round()  # what a start runs first: the freshness cycle, digests, the outbox
    assert store.version() == before
    assert seeded.test_client().get("/healthz").json["store_version"] == before


def test_a_confirmation_running_out_renews_the_public_pages_once(app):
    """The cycle a year and a month later: the project's confirmation ran out, its mark appears – once."""
    store = app.extensions["atlas"].store
    project_id, _ = submit(app)
    store.set_status(project_id, PUBLISHED, actor="test")
    freshness.run(store, DAYS)
    before = store.version()
    later = datetime.now(UTC) + timedelta(days=DAYS + freshness.ANSWER_DAYS + 1)
    assert freshness.run(store, DAYS, now=later).unconfirmed == 1
    assert store.version() == before + 1
    freshness.run(store, DAYS, now=later + timedelta(hours=1))
    assert store.version() == before + 1


def test_the_line_is_kept_in_whole_minutes_and_a_project_in_its_minute_is_not_missed(app):
    store = app.extensions["atlas"].store
    project_id, _ = submit(app)
    store.set_status(project_id, PUBLISHED, actor="test")
    line = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)
    store.renew_unconfirmed(line)
    before = store.version()
    set_confirmed(app, project_id, line + timedelta(seconds=10))  # after the line, in the same minute
    assert not store.renew_unconfirmed(line + timedelta(seconds=5))
    assert store.renew_unconfirmed(line + timedelta(seconds=20))
    assert store.version() == before + 1


@SQLITE_FILE
def test_yesterdays_database_learns_the_line_and_renews_once_only_if_a_confirmation_ran_out(tmp_path):
    """Migration 0013_scale on a database at 0009 with projects in it (the seven of wave 1, published), one of them
    unconfirmed for long: the line was never kept, so the first cycle renews the pages once; the next does not."""
    from helpers import make_app, old_database
    from sqlalchemy import text

    from atlas.migrate import upgrade

    database = old_database(tmp_path, "0009", "UPDATE projects SET status = 'published', confirmed_at = created_at")
    assert upgrade(f"sqlite:///{database}")[0] == "0009"
    app = make_app(tmp_path, migrate=False, DATABASE_URL=f"sqlite:///{database}")
    store = app.extensions["atlas"].store
    with store.read() as db:
        assert db.execute(text("SELECT value FROM meta WHERE key = 'unconfirmed_line'")).scalar_one() == 0
    assert store.count(PUBLISHED) == 7
    set_confirmed(app, 1, datetime.now(UTC) - timedelta(days=DAYS + freshness.ANSWER_DAYS + 5))
    before = store.version()
    freshness.run(store, DAYS)
    assert store.version() == before + 1
    freshness.run(store, DAYS)
    assert store.version() == before + 1
