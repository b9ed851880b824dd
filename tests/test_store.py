"""The store: Kreis and ArL computed on write, statuses, WAL, and the version that renews caches."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from sqlalchemy import text

from atlas.projects import validate_project
from atlas.store import PENDING, PUBLISHED, REJECTED, OutsideNiedersachsen


def located(services, name="Sprachcafé", ort="Lamspringe", hf="sprache"):
    project, errors = validate_project({"name": name, "traeger": "Verein", "handlungsfelder": hf, "ort": ort})
    assert not errors
    return project, services.geocoder.geocode(ort=ort).place


def test_a_project_gets_its_kreis_and_arl_when_written(services):
    store = services.store
    project_id = store.add(*located(services))
    row = store.get(project_id)
    assert (row["kreis_rs"], row["kreis_name"], row["arl"], row["status"]) == ("03254", "Hildesheim",
                                                                              "leine-weser", PENDING)
    assert row["created_at"] is not None and row["precision"] == "place"


def test_only_published_projects_are_public_and_publishing_renews_the_version(services):
    store = services.store
    project_id = store.add(*located(services))
    before = store.version()
    assert store.published().empty
    store.set_status(project_id, PUBLISHED)
    assert store.version() > before
    assert list(store.published().id) == [project_id]
    store.set_status(project_id, REJECTED, "kein Bezug zu Geflüchteten")
    assert store.published().empty
    assert store.get(project_id)["reject_reason"] == "kein Bezug zu Geflüchteten"


def test_published_projects_filter_by_arl_and_handlungsfeld(services):
    store = services.store
    store.add_many([located(services, "A", "Meppen", "sprache"),
                    located(services, "B", "Hemmingen", "teilhabe;sprache"),
                    located(services, "C", "Göttingen", "engagement")], PUBLISHED)
    assert set(store.published(arl="weser-ems").name) == {"A"}
    assert set(store.published(hf=["sprache"]).name) == {"A", "B"}
    assert set(store.published(hf=["teilhabe", "engagement"]).name) == {"B", "C"}


def test_a_place_outside_niedersachsen_is_never_stored(services):
    project, _ = validate_project({"name": "X", "handlungsfelder": "sprache", "ort": "Bremen"})
    place = services.geocoder.geocode("Bremen").place
    with pytest.raises(OutsideNiedersachsen):
        services.store.add(project, place)
    assert services.store.count() == 0


def test_concurrent_writers_lose_nothing(services):
    store = services.store
    if store.dialect == "sqlite":  # WAL: readers and one writer at once
        with store.read() as db:
            assert db.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    item = located(services)

    def write():
        for _ in range(25):
            store.add(*item)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count() == 100


def test_approximate_locations_are_published_rounded(services):
    project, place = located(services)
    project.approximate = True
    project_id = services.store.add(project, place, PUBLISHED)
    public = services.store.published().iloc[0]
    exact = services.store.get(project_id)
    assert public.lat == round(exact["lat"], 2) and public.lon == round(exact["lon"], 2)


def test_a_publication_in_another_process_reaches_this_one_at_once(app, tmp_path):
    from helpers import make_app

    from atlas.store import one_moment

    other = make_app(tmp_path / "anderer-prozess", DATABASE_URL=app.config["DATABASE_URL"])
    here, there = app.extensions["atlas"], other.extensions["atlas"]
    seen = here.store.version()
    project, place = located(here)
    project_id = there.store.add(project, place, PENDING)
    with one_moment():  # a request of this process that began before the publication keeps its version
        assert here.store.version() == seen
        there.store.set_status(project_id, PUBLISHED, actor="test")
        assert there.store.version() > seen, "the writing process sees its change at once"
        assert here.store.version() == seen, "one version throughout a request"
    assert here.store.version() == there.store.version() > seen, "the next question sees it"
    with one_moment():
        assert here.store.version() == there.store.version()


@pytest.mark.once
def test_every_name_the_store_package_offers_is_there_and_its_statuses_need_no_part_loaded():
    """atlas.store loads its parts when a name is first asked for: each name of `__all__` is found, in its part;
    the statuses come without loading any part (a fresh Python)."""
    import atlas.store

    for name in atlas.store.__all__:
        assert getattr(atlas.store, name) is not None, name
    assert set(atlas.store.__all__) <= set(dir(atlas.store))
    assert atlas.store.Store.__module__ == "atlas.store.assembled"
    with pytest.raises(AttributeError, match="gibts_nicht"):
        atlas.store.gibts_nicht  # noqa: B018
    loaded = subprocess.run([sys.executable, "-c", "import sys\nfrom atlas.store import PUBLISHED, PENDING\n"
                             "print(PUBLISHED, *sorted(m for m in sys.modules if m.startswith('atlas.store.')))"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert loaded == [PUBLISHED], loaded


def test_a_list_of_ids_bound_as_one_value_finds_what_in_finds_and_takes_only_numbers(services):
    """The pages of the API read their rows by a list of ids bound as one value (atlas.store.idlist): the same rows
    as SQLAlchemy's IN with one parameter per id, for every kind of list, in both databases."""
    from sqlalchemy import select
    from sqlalchemy.exc import StatementError

    from atlas.schema import projects, replaced
    from atlas.store.idlist import among_ids

    project, place = located(services)
    published = [services.store.add(project, place, PUBLISHED) for _ in range(6)]
    pending = services.store.add(project, place, PENDING)
    lists = [[], [published[0]], published[::-1], published + published, [pending, *published[:2]],
             [2**31 - 1, -1, 0], list(range(-2000, max(published) + 2000))]  # unknown ids; thousands of them
    with services.store.read() as db:
        for ids in lists:
            bound = db.execute(select(projects.c.id).where(among_ids(projects.c.id)).order_by(projects.c.id),
                               {"ids": ids}).scalars().all()
            expanded = db.execute(select(projects.c.id).where(projects.c.id.in_(ids)).order_by(projects.c.id)
                                  ).scalars().all()
            assert bound == expanded
        assert db.execute(select(projects.c.id).where(among_ids(projects.c.id, "mine")), {"mine": [pending]}
                          ).scalars().all() == [pending]
        # another column is another statement (SQLAlchemy keeps compiled statements by their parts)
        assert db.execute(select(replaced.c.project_id).where(among_ids(replaced.c.kept_id)), {"ids": published}
                          ).scalars().all() == []
    assert [row.id for row in services.store.published_rows([pending, *published[::-1]])] == published
    for hostile in (["1) OR (1=1"], ["12"], [1.5], [None]):  # refused before the statement runs
        with pytest.raises(StatementError) as refused:
            services.store.published_rows(hostile)
        assert isinstance(refused.value.orig, TypeError)


def test_the_open_rows_read_through_the_driver_are_those_sqlalchemy_reads(services):
    """A page of the API reads its rows through the database driver (atlas.store.driver); a page with a filter
    through SQLAlchemy's Connection: the same values of the same types – a rough position rounded, a merged record
    named, an entry from a public source unconfirmed, a time in RFC 3339 in UTC (atlas.database.rfc3339)."""
    import re
    from dataclasses import replace

    from atlas.store import ProjectQuery

    store = services.store
    project, place = located(services)
    plain, kept, merged = (store.add(project, place, PUBLISHED) for _ in range(3))
    rough = store.add(replace(project, street="Marktplatz 1", approximate=True), place, PUBLISHED)
    sourced = store.add(replace(project, quelle="https://example.org/liste", quelle_stand="2025-03", confirmed=False),
                        place, PUBLISHED)
    store.merge(kept, merged, {}, {kept: store.get(kept)["row_version"], merged: store.get(merged)["row_version"]},
                "amt@example.org")
    store.add(project, place, PENDING)
    everything = ProjectQuery(limit=1000)
    assert store.published_rows([sourced, rough, kept, plain]) == store.published_page(everything)[0]
    rows = {row.id: row for row in store.published_rows([plain, kept, merged, rough, sourced])}
    assert sorted(rows) == [plain, kept, rough, sourced]
    assert rows[kept].ersetzt == [merged] and rows[plain].ersetzt == []
    assert rows[rough].approximate is True and rows[plain].approximate is False
    assert (rows[rough].lat, rows[rough].lon) != (rows[plain].lat, rows[plain].lon)  # where the public sees it
    assert rows[sourced].from_source is True and rows[plain].from_source is False
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z", row.updated_at)
               and isinstance(row.lat, float) for row in rows.values())


def test_a_page_of_open_rows_is_found_by_primary_key_not_through_the_status_index():
    """SQLite sought each id of a page in the status index and then the row; the status is checked on the row."""
    from sqlalchemy import create_engine

    from atlas.schema import metadata
    from atlas.store.public import _OPEN_ROWS

    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    sql = str(_OPEN_ROWS.compile(engine)).replace("__[POSTCOMPILE_aggregate_strings_2]", "','")
    with engine.connect() as db:
        plan = [row[-1] for row in db.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", ("", "[1, 2]", PUBLISHED))]
    engine.dispose()
    assert "SEARCH projects USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
    assert not any("ix_projects_status" in step for step in plan), plan
