"""PostGIS, where the PostgreSQL server has it: the spatial part of the schema, made by `atlas db upgrade` after the
migrations (atlas.migrate; again at each upgrade until the server has PostGIS, so an extension installed later is
taken up), and the one question whether a database has it. Not a migration: it depends on what the server offers
and on the Kreise's data file, and a migration must not depend on code or data that change.

- `projects.geom`: geometry(Point, 4326), a column PostgreSQL computes from lon/lat (GENERATED … STORED), so no
  write of the store has to keep it; GiST indexes over it (boxes) and over it as geography (radii in metres,
  nearest first).
- `kreis_shapes`: the Kreise of data/regions/kreise.geojson at full resolution, in the order of the file
  (`position`: of two Kreise that share a point, the first answers, as in atlas.regions), with a GiST index.

SQLite, and PostgreSQL without PostGIS (not installed, or the role may not create the extension), get neither: the
atlas then answers from memory, as it always did. No Flask here.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from atlas.settings import resource

KREISE = resource("data") / "regions" / "kreise.geojson"

GEOM_COLUMN = ("ALTER TABLE projects ADD COLUMN IF NOT EXISTS geom geometry(Point, 4326) "
               "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED")
GEOM_INDEX = "CREATE INDEX IF NOT EXISTS ix_projects_geom ON projects USING gist (geom)"
# On the sphere, for the nearest first (KNN: `<->` walks this index) and for ST_DWithin in metres
GEOGRAPHY_INDEX = "CREATE INDEX IF NOT EXISTS ix_projects_geog ON projects USING gist ((geom::geography))"
KREIS_TABLE = """CREATE TABLE IF NOT EXISTS kreis_shapes (
    rs varchar(5) PRIMARY KEY,
    name varchar(100) NOT NULL,
    arl varchar(20) NOT NULL,
    position integer NOT NULL,
    geom geometry(MultiPolygon, 4326) NOT NULL
)"""
KREIS_INDEX = "CREATE INDEX IF NOT EXISTS ix_kreis_shapes_geom ON kreis_shapes USING gist (geom)"
KREIS_ROW = ("INSERT INTO kreis_shapes (rs, name, arl, position, geom) VALUES "
             "(:rs, :name, :arl, :position, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(:geometry), 4326)))")
ENABLED = ("SELECT to_regclass('kreis_shapes') IS NOT NULL AND EXISTS (SELECT 1 FROM information_schema.columns "
           "WHERE table_name = 'projects' AND column_name = 'geom' AND table_schema = current_schema())")


def install(connection, kreise: Path = KREISE) -> bool:
    """Make the spatial part of the schema where the server has PostGIS; True if the database has it now.

    Runs in `atlas db upgrade`'s transaction: a role that may not create the extension leaves the schema as it was
    (the attempt is rolled back to a savepoint), and the atlas works without PostGIS.
    """
    if connection.dialect.name != "postgresql":
        return False
    if not _extension(connection):
        return False
    connection.execute(text(GEOM_COLUMN))  # PostgreSQL fills it for every existing row
    connection.execute(text(GEOM_INDEX))
    connection.execute(text(GEOGRAPHY_INDEX))
    connection.execute(text(KREIS_TABLE))
    connection.execute(text(KREIS_INDEX))
    connection.execute(text("DELETE FROM kreis_shapes"))
    connection.execute(text(KREIS_ROW), kreis_rows(kreise))
    return True


def enabled(connection) -> bool:
    """Whether this database answers spatial questions with PostGIS (the store asks once)."""
    return connection.dialect.name == "postgresql" and bool(connection.execute(text(ENABLED)).scalar())


def kreis_rows(kreise: Path = KREISE) -> list[dict]:
    """The Kreise of a GeoJSON file as rows of kreis_shapes, in the file's order."""
    features = json.loads(kreise.read_text(encoding="utf-8"))["features"]
    return [{"rs": f["properties"]["rs"], "name": f["properties"]["name"], "arl": f["properties"]["arl"],
             "position": position, "geometry": json.dumps(f["geometry"])} for position, f in enumerate(features)]


def _extension(connection) -> bool:
    """The postgis extension, made if the server offers it and the role may make it."""
    if connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")).first():
        return True
    if not connection.execute(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).first():
        return False
    savepoint = connection.begin_nested()
    try:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except DBAPIError:  # not a superuser (PostGIS is not a trusted extension), or no rights on the database
        savepoint.rollback()
        return False
    savepoint.commit()
    return True
