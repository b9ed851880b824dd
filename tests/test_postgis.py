"""PostGIS as the spatial engine where PostgreSQL has it (atlas.postgis, atlas.store.spatial): the migration makes
its part of the schema only there, and the indexed answers equal the in-memory ones on the same projects.

Its own PostgreSQL server (with Debian's PostGIS) on either run of the suite: marked `once`, so it runs with the
SQLite run; the PostgreSQL run's template has PostGIS too, so every database test there takes the PostGIS path.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from helpers import make_app, old_database
from sqlalchemy import create_engine, inspect, text

from atlas.labels import PENDING, PUBLISHED
from atlas.migrate import head, upgrade
from atlas.near import NearIndex
from atlas.places import Place
from atlas.projects import ProjectInput
from atlas.regions import Assignment
from atlas.store import ProjectQuery

pytestmark = pytest.mark.once

# Hannover, Oldenburg, Wilhelmshaven's coast, Goslar in the Harz, Cuxhaven at the edge, Bremen (a hole in the map)
PLACES = [(52.3759, 9.7320), (53.1435, 8.2146), (53.5300, 8.1200), (51.9060, 10.4290), (53.8600, 8.6900),
          (53.0793, 8.8017)]
RADII_KM = (1, 5, 25, 50)
PROJECTS = 1500


@pytest.fixture(scope="module")
def postgres():
    from servers import PostgresServer

    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def filled(postgres, tmp_path_factory):
    """A PostGIS store with PROJECTS projects at random places of Niedersachsen (a tenth shown only roughly, a tenth
    pending), some at the same spot."""
    app = make_app(tmp_path_factory.mktemp("postgis"), DATABASE_URL=postgres.create_database())
    store = app.extensions["atlas"].store
    assert store.postgis and store.kreise_in_postgis
    rng = np.random.default_rng(26)
    lon, lat = _inside(store.regions, rng, PROJECTS)
    lon[:20], lat[:20] = lon[20:40], lat[20:40]
    items = [(ProjectInput(name=f"Projekt {i}", traeger="Verein", description="", handlungsfelder=["sprache"],
                           approximate=i % 10 == 3), Place("Ort", float(y), float(x), "place", "test",
                                                          Assignment(None, None)))
             for i, (x, y) in enumerate(zip(lon, lat, strict=True))]
    ids = store.add_many(items, PUBLISHED)
    store.add_many(items[::10], PENDING)
    assert len(ids) == PROJECTS
    return store


def test_near_search_answers_as_the_in_memory_index(filled):
    index = NearIndex(filled.published())
    for lat, lon in PLACES:
        for radius in RADII_KM:
            hits = index.within(lat, lon, radius)
            expected = [(hit.km, int(index.projects.id.iat[hit.row])) for hit in hits]
            found = [(hit["km"], hit["id"]) for hit in filled.published_within(lat, lon, radius)]
            assert [km for km, _id in found] == [km for km, _id in expected], (lat, lon, radius)  # nearest first
            assert sorted(found) == sorted(expected), (lat, lon, radius)  # the same (of several at one spot: any order)
            nearest = [hit["km"] for hit in filled.published_within(lat, lon, radius, limit=7)]
            assert nearest == [km for km, _id in expected[:7]]
        assert len(filled.published_within(lat, lon, 25)) > 0 or (lat, lon) == PLACES[-1]


def test_nearby_boxes_and_pages_are_the_same_with_and_without_postgis(filled):
    boxes = [(8.0, 52.0, 9.0, 53.0), (9.73, 52.37, 9.74, 52.38), (6.0, 50.0, 12.0, 54.5), (11.9, 50.0, 12.0, 50.1)]
    frame = filled.published()
    answers = {}
    for postgis in (True, False):
        filled.postgis = postgis  # the capability is asked once per store: here it is set, to compare
        answers[postgis] = (  # nearest first; of several at one distance, in any order
            [sorted((r["distance_km"], r["id"]) for r in filled.nearby(lat, lon, radius))
             for lat, lon in PLACES for radius in RADII_KM],
            [[r["distance_km"] for r in filled.nearby(lat, lon, radius)] for lat, lon in PLACES for radius in RADII_KM],
            [sorted(filled.in_box((lat - 0.2, lat + 0.2, lon - 0.3, lon + 0.3), (PENDING, PUBLISHED)),
                    key=lambda r: r["id"]) for lat, lon in PLACES],
            [filled.published_page(ProjectQuery(bbox=box, limit=PROJECTS))[0] for box in boxes])
    filled.postgis = True
    assert answers[True] == answers[False]
    for box, rows in zip(boxes, answers[True][3], strict=True):
        inside = frame[frame.lon.between(box[0], box[2]) & frame.lat.between(box[1], box[3])]
        assert [r.id for r in rows] == sorted(inside.id), box
    assert sum(len(rows) for rows in answers[True][0]) > 100 and len(answers[True][3][2]) == PROJECTS


def test_the_kreis_of_a_point_is_the_same_from_postgis_and_from_memory(filled):
    regions = filled.regions
    rng = np.random.default_rng(5)
    minx, miny, maxx, maxy = regions.kreise.total_bounds
    lon, lat = list(rng.uniform(minx - 0.3, maxx + 0.3, 400)), list(rng.uniform(miny - 0.3, maxy + 0.3, 400))
    # on the borders: corners of Kreise (shared with a neighbour, or with Bremen, Hamburg, the sea), and just beside
    for geometry in regions.kreise.geometry.iloc[::4]:
        corners = shapely.get_coordinates(geometry)[::97]
        for dx in (0.0, 1e-7, -1e-7):
            lon += list(corners[:, 0] + dx)
            lat += list(corners[:, 1])
    # Bremen, Bremerhaven, Hamburg, Amsterdam, the North Sea
    lon += [8.8017, 8.5810, 9.9937, 4.9041, 7.5]
    lat += [53.0793, 53.5396, 53.5511, 52.3676, 54.2]
    memory = regions.assign_lonlat(lon, lat)
    expected = [None if isinstance(rs, float) else (rs, name, arl)
                for rs, name, arl in zip(memory.kreis_rs, memory.kreis_name, memory.arl, strict=True)]
    assert filled.kreise_of(lon, lat) == expected
    assert expected[-5:] == [None] * 5 and sum(k is None for k in expected) > 50
    assert sum(k is not None for k in expected) > 300


def test_a_submission_outside_is_refused_and_an_edit_that_moves_a_project_follows_it(filled):
    from atlas.store import OutsideNiedersachsen

    project = ProjectInput(name="Umzug", traeger="Verein", description="", handlungsfelder=["sprache"])
    with pytest.raises(OutsideNiedersachsen):
        filled.add(project, Place("Bremen", 53.0793, 8.8017, "place", "test", Assignment(None, None)))
    project_id = filled.add(project, Place("Hannover", 52.3759, 9.7320, "place", "test", Assignment(None, None)))
    assert filled.get(project_id)["kreis_rs"] == "03241"
    filled.update(project_id, project, Place("Oldenburg", 53.1435, 8.2146, "place", "test", Assignment(None, None)),
                  actor="test")
    moved = filled.get(project_id)
    assert (moved["kreis_rs"], moved["arl"]) == ("03403", "weser-ems")
    with filled.read() as db:  # the point PostGIS indexes follows the row's lat/lon
        assert db.execute(text("SELECT ST_Y(geom), ST_X(geom) FROM projects WHERE id = :id"),
                          {"id": project_id}).one() == (53.1435, 8.2146)
    assert [r["id"] for r in filled.nearby(53.1435, 8.2146, 0.1, statuses=(PENDING,))] == [project_id]


def test_db_upgrade_fills_the_point_of_every_project_and_makes_a_lost_spatial_part_again(postgres, tmp_path):
    url = postgres.create_database()
    app = make_app(tmp_path, DATABASE_URL=url)
    store = app.extensions["atlas"].store
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import", app.config["SEED_CSV"]]).exit_code == 0
    store.close()
    engine = create_engine(url)
    with engine.connect() as connection:  # as a database of before PostGIS, or one whose spatial part was dropped
        for statement in ("DROP TABLE kreis_shapes", "DROP INDEX ix_projects_geog", "DROP INDEX ix_projects_geom",
                          "ALTER TABLE projects DROP COLUMN geom"):
            connection.execute(text(statement))
        connection.commit()
        assert connection.execute(text("SELECT count(*) FROM projects")).scalar_one() == 7
    engine.dispose()
    assert upgrade(url) == (head(), head())
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT lat, lon, ST_Y(geom), ST_X(geom), ST_SRID(geom) FROM projects")).all()
        assert len(rows) == 7 and all((lat, lon, 4326) == (y, x, srid) for lat, lon, y, x, srid in rows)
        indexes = {i["name"] for i in inspect(connection).get_indexes("projects")}
        assert "ix_projects_geom" in indexes
        assert connection.execute(text("SELECT count(*) FROM kreis_shapes")).scalar_one() == 45
        # Kreise other than the regions' (another ATLAS_DATA_DIR): the Kreis of a point is taken from memory
        connection.execute(text("DELETE FROM kreis_shapes WHERE rs = '03241'"))
        connection.commit()
    engine.dispose()
    other = make_app(tmp_path / "other", DATABASE_URL=url).extensions["atlas"].store
    assert other.postgis and not other.kreise_in_postgis
    project = ProjectInput(name="Neu", traeger="Verein", description="", handlungsfelder=["sprache"])
    added = other.add(project, Place("Hannover", 52.3759, 9.7320, "place", "test", Assignment(None, None)))
    assert other.get(added)["kreis_rs"] == "03241"


def test_postgresql_without_postgis_keeps_the_in_memory_path(postgres, tmp_path):
    """A role that may not create the extension (PostGIS is not a trusted extension): `atlas db upgrade` leaves the
    schema as it was, and the store answers from memory."""
    import psycopg

    with psycopg.connect(postgres.dsn(), autocommit=True) as db:
        db.execute("CREATE ROLE plain LOGIN")
        db.execute("CREATE DATABASE plain OWNER plain")
    url = postgres.url("plain").replace("postgres@", "plain@")
    assert upgrade(url) == (None, head())
    app = make_app(tmp_path, DATABASE_URL=url)
    store = app.extensions["atlas"].store
    assert not store.postgis
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", app.config["SEED_CSV"]])
    assert result.exit_code == 0, result.output
    assert store.count() == 7 and store.nearby(52.3759, 9.7320, 50)
    with store.read() as db:
        assert "geom" not in {c["name"] for c in inspect(db).get_columns("projects")}
        assert not db.execute(text("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")).scalar_one()
    store.close()
    # the server's administrator makes the extension later: the next `atlas db upgrade` takes PostGIS up
    with psycopg.connect(postgres.dsn("plain"), autocommit=True) as db:
        db.execute("CREATE EXTENSION postgis")
    assert upgrade(url) == (head(), head())
    later = make_app(tmp_path / "later", DATABASE_URL=url).extensions["atlas"].store
    assert later.postgis
    assert [r["id"] for r in later.nearby(52.3759, 9.7320, 50)] == [r["id"] for r in store.nearby(52.3759, 9.7320, 50)]


def test_sqlite_gets_nothing_of_it(tmp_path):
    database = old_database(tmp_path, "0009")
    assert upgrade(f"sqlite:///{database}") == ("0009", head())
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert "geom" not in {c["name"] for c in inspect(connection).get_columns("projects")}
        assert not inspect(connection).has_table("kreis_shapes")
        assert connection.execute(text("SELECT count(*) FROM projects")).scalar_one() == 7
    engine.dispose()
    store = make_app(tmp_path, DATABASE_URL=f"sqlite:///{database}").extensions["atlas"].store
    assert not store.postgis and store.nearby(52.3759, 9.7320, 50)


def _inside(regions, rng, n: int):
    minx, miny, maxx, maxy = regions.kreise.total_bounds
    lon, lat = rng.uniform(minx, maxx, n * 3), rng.uniform(miny, maxy, n * 3)
    inside = regions.assign_lonlat(lon, lat).kreis_rs.notna().to_numpy()
    return lon[inside][:n], lat[inside][:n]
