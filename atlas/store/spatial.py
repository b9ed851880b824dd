"""Spatial questions answered by PostGIS, where the database has it (atlas.postgis): indexed SQL (GiST) instead of
the in-memory path, with the same answers.

- the Kreis of each point of a write (ST_Contains over kreis_shapes),
- the projects within a radius of a point (ST_DWithin on geography, nearest first),
- the projects in a box (`&&` on the GiST index).

The store asks once whether the database has PostGIS (`postgis`); without it (SQLite, or PostgreSQL without the
extension) each question answers as before. Distances that are shown and the public positions stay atlas.geo's:
PostGIS picks the candidates, geo decides at the rim, so both paths give the same answers.
"""

from __future__ import annotations

import math
from functools import cached_property

from sqlalchemy import bindparam, text

from atlas import postgis
from atlas.geo import ROUGH_SLACK, distances
from atlas.labels import PUBLISHED
from atlas.schema import projects

# Metres beyond the radius within which candidates are asked: a rounded public position lies at most ROUGH_SLACK
# degrees (≈ 560 m north–south, ≈ 350 m east–west here: 660 m) from the exact one PostGIS measures, and PostGIS
# measures on the sphere (`use_spheroid` false: two thirds of the spheroid's time), at most 0.5 % from the geodesic
# distance atlas.geo decides by (130 m at 26 km).
RIM_METRES = 1_000.0

KREISE_OF_POINTS = text("""
SELECT p.i, k.rs, k.name, k.arl
FROM unnest(CAST(:lons AS double precision[]), CAST(:lats AS double precision[])) WITH ORDINALITY AS p(lon, lat, i)
LEFT JOIN LATERAL (
    SELECT rs, name, arl FROM kreis_shapes
    WHERE ST_Contains(kreis_shapes.geom, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))
    ORDER BY position LIMIT 1
) k ON true
ORDER BY p.i""")

# Candidates within the radius (and the rim), nearest first: ST_DWithin and `<->` (KNN) on the geography index
WITHIN = """
SELECT {columns} FROM projects
WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :metres, false)
  AND status IN :statuses
ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, id"""
# The `count` nearest by the index (KNN), then every project that may be as near by its public position: one as
# near as the farthest of them and a rim more, one shown only roughly (atlas.geo rounds it less than a rim away)
# two rims more
NEAREST = """
WITH nearest AS (
    SELECT geom::geography <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography AS metres FROM projects
    WHERE status IN :statuses  -- no radius here: it would have the planner read every project within it and sort
    ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography LIMIT :count
)
SELECT {columns} FROM projects
WHERE ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography,
                 LEAST(:metres, (SELECT max(metres) FROM nearest) + 2 * :rim), false)
  AND (approximate OR ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography,
                                 LEAST(:metres, (SELECT max(metres) FROM nearest) + :rim), false))
  AND status IN :statuses
ORDER BY id"""
SPARE = 8  # candidates beyond those asked for (as atlas.near asks its tree)

ALL_COLUMNS = ", ".join(column.name for column in projects.c)  # the row as atlas.schema knows it (no geom)
IN_BOX = "geom && ST_MakeEnvelope(:west, :south, :east, :north, 4326)"


class SpatialReads:
    @cached_property
    def postgis(self) -> bool:
        """Whether the database answers spatial questions with PostGIS (asked once per store)."""
        with self.read() as db:
            return postgis.enabled(db)

    @cached_property
    def kreise_in_postgis(self) -> bool:
        """Whether PostGIS holds the Kreise this store assigns to (those of its regions, ATLAS_DATA_DIR): else the
        Kreis of a point is taken from memory."""
        if not self.postgis:
            return False
        with self.read() as db:
            stored = {row.rs for row in db.execute(text("SELECT rs FROM kreis_shapes"))}
        return stored == set(self.regions.by_rs)

    def kreise_of(self, lons: list[float], lats: list[float]) -> list[tuple[str, str, str] | None]:
        """(Kreis key, Kreis name, ArL) of each point, None outside Niedersachsen: one indexed query."""
        with self.read() as db:
            rows = db.execute(KREISE_OF_POINTS, {"lons": [float(v) for v in lons], "lats": [float(v) for v in lats]})
            return [(row.rs, row.name, row.arl) if row.rs is not None else None for row in rows]

    def within_radius(self, lat: float, lon: float, radius_km: float, statuses=(PUBLISHED,),
                      columns: str = ALL_COLUMNS, count: int | None = None) -> list[dict]:
        """Rows (`columns`, which must hold lat, lon, approximate; default: the whole row) of projects of these
        statuses whose exact position lies within the radius and its rim, nearest first (with `count`: those
        that may be the `count` nearest by their public positions, by id): the candidates geo.distances then
        decides on."""
        metres = radius_km * 1000.0 + RIM_METRES if math.isfinite(radius_km) else 1e8
        sql = (WITHIN if count is None else NEAREST).format(columns=columns)
        values = {"lat": lat, "lon": lon, "metres": metres, "statuses": list(statuses)}
        if count is not None:
            values.update(count=count, rim=RIM_METRES)
        with self.read() as db:
            rows = db.execute(text(sql).bindparams(bindparam("statuses", expanding=True)), values).mappings()
            return [dict(row) for row in rows]

    def published_within(self, lat: float, lon: float, radius_km: float, limit: int | None = None) -> list[dict]:
        """Published projects whose public position lies within the radius, nearest first (at most `limit`), each
        {"id", "km"}: what the near search lists (atlas.near), asked of the index instead of every project.

        With a limit, the index finds the nearest by their exact positions, and SQL adds those that may be as near
        by their public ones: one query, a few hundred rows at most."""
        count = None if limit is None else limit + SPARE
        rows = self.within_radius(lat, lon, radius_km, columns="id, lat, lon, approximate", count=count)
        km = distances(lat, lon, [r["lat"] for r in rows], [r["lon"] for r in rows], [r["approximate"] for r in rows])
        found = sorted(({"id": r["id"], "km": float(d)} for r, d in zip(rows, km, strict=True) if d <= radius_km),
                       key=lambda hit: hit["km"])
        return found[:limit]


def in_box(box: tuple[float, float, float, float], slack: float = 0.0):
    """The SQL condition (on the GiST index) for exact positions in a box (south, north, west, east), widened by
    `slack` degrees (inclusive: a caller that wants a half-open box says so beside it)."""
    south, north, west, east = box
    return text(IN_BOX).bindparams(south=south - slack, north=north + slack, west=west - slack, east=east + slack)


def near_public_box(bbox: tuple[float, float, float, float]):
    """The condition for the exact positions whose *public* position may lie in a box (min lon, min lat, max lon,
    max lat): within the rounding's slack of it."""
    return in_box((bbox[1], bbox[3], bbox[0], bbox[2]), ROUGH_SLACK)
