"""Reading what the public may see: published projects only, always at their public positions (rounded where the
submitter asked for it – atlas.geo.public_position, applied here for every public channel: maps, lists, searches,
the API, downloads, alerts)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import String, func, select, type_coerce

from atlas.database import as_utc, rfc3339
from atlas.geo import ROUGH_SLACK, box_around, distances, public_position
from atlas.handlungsfelder import mask
from atlas.labels import PENDING, PUBLISHED
from atlas.schema import projects
from atlas.store import spatial
from atlas.store.core import FROM_SOURCE, ID_BATCH
from atlas.store.driver import SqliteSelect
from atlas.store.idlist import among_ids, on_the_row
from atlas.store.merging import merged_ids, merged_into
from atlas.store.query import ProjectQuery


class OpenRow(NamedTuple):
    """The open data of a published project (OPEN_COLUMNS, then `ersetzt`): a tuple, not a dict – a page of the API
    builds a hundred features from them, and a dict per row cost as much as the feature. Its values are of the types
    named here, as the features take them (atlas.ogc.project_feature converts nothing again)."""

    id: int
    name: str
    traeger: str
    description: str
    handlungsfelder: str
    street: str
    plz: str
    ort: str
    lat: float
    lon: float
    approximate: bool
    kreis_rs: str
    kreis_name: str
    arl: str
    website: str
    kontakt: str
    sprachen: str
    zielgruppen: str
    kosten: str
    wann: str
    zeiten: str
    barrierefrei: str
    updated_at: str  # RFC 3339, UTC as Z (atlas.database.rfc3339): how the open data writes it
    quelle: str
    quelle_stand: str
    from_source: bool
    ersetzt: list[int]  # the ids of the once published records merged into this one (atlas.store.merging); a list
    # of this row's own, which its feature may hold


# What the open data of a project holds (the API's features, the downloads): what its public page shows, and
# whether it is an unconfirmed entry from a public source. No e-mail address, status, private times or reasons leave
# the store on this path – and the rest is not read (the five private times alone were a fifth of a page's reading).
OPEN_COLUMNS = list(OpenRow._fields[:-1])
# the time of the last change as SQLite holds it, text: written out in RFC 3339 without a datetime in between
_OPEN_VALUES = {"from_source": FROM_SOURCE.label("from_source"),
                "updated_at": type_coerce(projects.c.updated_at, String).label("updated_at")}
# one statement, its ids bound as one value (SQLAlchemy coerced each id of an `in_` list anew, and an expanding
# parameter writes one placeholder per id into the statement at every execution: atlas.store.idlist)
# and the ids of the records merged into each, in the same statement (atlas.store.merging)
_OPEN_ROWS = (select(*(_OPEN_VALUES[name] if name in _OPEN_VALUES else projects.c[name] for name in OPEN_COLUMNS),
                     merged_into(projects.c.id))
              .where(among_ids(projects.c.id), on_the_row(projects.c.status) == PUBLISHED)
              .order_by(projects.c.id))
_OPEN_SELECT = SqliteSelect(_OPEN_ROWS, "ids")  # a page of the API asks it on every request: through the driver
_LAT, _LON, _APPROXIMATE = OPEN_COLUMNS.index("lat"), OPEN_COLUMNS.index("lon"), OPEN_COLUMNS.index("approximate")
_UPDATED_AT = OPEN_COLUMNS.index("updated_at")

COUNTS_KEPT = 1000  # counts of distinct queries kept per version (then they are counted anew)

PUBLIC_COLUMNS = ["id", "name", "traeger", "ort", "lat", "lon", "hf_mask", "handlungsfelder", "kreis_rs",
                  "kreis_name", "arl", "sprachen_mask", "zg_mask", "kosten", "zeiten", "quelle", "quelle_stand",
                  "from_source", "summary"]


def at_public_positions(rows: list[dict]) -> list[dict]:
    """Rows (dicts with lat, lon, approximate) moved to where the public sees them, in place; returned."""
    return _at_public_positions(rows, "lat", "lon", "approximate")


def _at_public_positions(rows: list, lat, lon, approximate) -> list:
    """Rows (dicts or lists: `lat`, `lon` and `approximate` are their keys or indexes) moved to where the public sees
    them, in place; returned. Only the rough ones go through numpy (atlas.geo.public_position): the others keep
    their position, and arrays of them cost more than the rounding."""
    rough = []
    for row in rows:
        if row[approximate]:
            rough.append(row)
        else:
            row[lat], row[lon] = float(row[lat]), float(row[lon])
    if rough:
        everywhere = np.ones(len(rough), dtype=bool)
        lats = public_position(np.array([row[lat] for row in rough], dtype=float), everywhere).tolist()
        lons = public_position(np.array([row[lon] for row in rough], dtype=float), everywhere).tolist()
        for row, rough_lat, rough_lon in zip(rough, lats, lons, strict=True):
            row[lat], row[lon] = rough_lat, rough_lon
    return rows


class PublicReads:
    def published(self, arl: str | None = None, hf: list[str] | None = None) -> pd.DataFrame:
        """Published projects for maps and lists, at their public positions."""
        return self._public_frame(self._public_query(arl, hf))

    def published_one(self, project_id: int) -> pd.DataFrame:
        return self._public_frame(self._public_query().where(projects.c.id == project_id))

    def unconfirmed_since(self, ids: list[int], before: datetime) -> dict[int, datetime]:
        """Of these projects, the published ones last confirmed before `before`, with when: the few a page lists,
        not every project a map draws."""
        if not ids:
            return {}
        query = select(projects.c.id, projects.c.confirmed_at).where(
            among_ids(projects.c.id), projects.c.status == PUBLISHED, projects.c.confirmed_at < before)
        with self.read() as db:
            return {row.id: as_utc(row.confirmed_at) for row in db.execute(query, {"ids": ids})}

    def published_between(self, since: datetime, until: datetime) -> list[dict]:
        """Projects first published after `since` and up to `until`, at their public positions (what area alerts
        tell), by id."""
        query = select(projects.c.id, projects.c.name, projects.c.ort, projects.c.lat, projects.c.lon,
                       projects.c.approximate, projects.c.hf_mask, projects.c.published_at, projects.c.summary).where(
            projects.c.status == PUBLISHED, projects.c.published_at > since, projects.c.published_at <= until
        ).order_by(projects.c.id)
        with self.read() as db:
            return at_public_positions([dict(row) for row in db.execute(query).mappings()])

    def nearby(self, lat: float, lon: float, radius_km: float, statuses=(PENDING, PUBLISHED)) -> list[dict]:
        """Projects of these statuses whose public position lies within radius_km of a point, nearest first.

        The public position is the rounded one where the submitter asked for it: what this tells a caller, the
        public map tells everyone anyway.
        """
        if self.postgis:  # the candidates within the radius, from the GiST index (atlas.store.spatial)
            rows = self.within_radius(lat, lon, radius_km, statuses)
        else:
            south, north, west, east = box_around(lat, lon, radius_km)
            # Only the box in SQL: with a status condition SQLite would walk the status index, nearly every row.
            query = select(projects).where(projects.c.lat.between(south, north), projects.c.lon.between(west, east))
            with self.read() as db:
                rows = [dict(r) for r in db.execute(query).mappings() if r.status in statuses]
        km = distances(lat, lon, [r["lat"] for r in rows], [r["lon"] for r in rows], [r["approximate"] for r in rows])
        for row, distance in zip(rows, km, strict=True):
            row["distance_km"] = float(distance)
        return sorted((r for r in rows if r["distance_km"] <= radius_km), key=lambda r: r["distance_km"])

    def in_box(self, box: tuple[float, float, float, float], statuses=(PENDING,)) -> list[dict]:
        """Projects of these statuses whose exact position lies in a box (south, north, west, east), as stored."""
        south, north, west, east = box
        query = select(projects.c.id, projects.c.name, projects.c.status).where(
            projects.c.lat >= south, projects.c.lat < north, projects.c.lon >= west, projects.c.lon < east)
        if self.postgis:
            query = query.where(spatial.in_box(box))  # the GiST index finds them; the half-open box stays exact
        with self.read() as db:
            return [dict(r) for r in db.execute(query).mappings() if r.status in statuses]

    def published_page(self, query: ProjectQuery) -> tuple[list[OpenRow], int]:
        """One page of published projects (ordered by id) that the query asks for – its filters, and a `bbox` on
        the *public* positions – and how many there are in all.

        Without a box, SQL counts and pages. With one, the box is asked in SQL with the rounding's slack, then
        checked against the public positions: an approximate project is found where the public sees it, never
        where it is.
        """
        conditions = [projects.c.status == PUBLISHED, *_conditions(query)]
        bbox = query.bbox
        with self.read() as db:
            if bbox is None:
                matched = self._counted(query, lambda: db.execute(
                    select(func.count()).select_from(projects).where(*conditions)).scalar_one())
                page = (select(projects.c.id).where(*conditions).order_by(projects.c.id).offset(query.offset)
                        .limit(query.limit))
                ids = [row.id for row in db.execute(page)]
            else:
                near_box = [spatial.near_public_box(bbox)] if self.postgis else [  # GiST, or the lat/lon index
                    projects.c.lon.between(bbox[0] - ROUGH_SLACK, bbox[2] + ROUGH_SLACK),
                    projects.c.lat.between(bbox[1] - ROUGH_SLACK, bbox[3] + ROUGH_SLACK)]
                found = [dict(r) for r in db.execute(
                    select(projects.c.id, projects.c.lat, projects.c.lon, projects.c.approximate).where(
                        *conditions, *near_box).order_by(projects.c.id)).mappings()]
                ids = [r["id"] for r in at_public_positions(found)
                       if bbox[0] <= r["lon"] <= bbox[2] and bbox[1] <= r["lat"] <= bbox[3]]
                matched, ids = len(ids), ids[query.offset:query.offset + query.limit]
            rows = _public_rows(db, ids)
        return rows, matched

    def _counted(self, query: ProjectQuery, count) -> int:
        """How many published projects a query matches, counted once per store version: a client paging through
        the API asks the same count with every page, and counting is what grows with the projects."""
        version, key = self.version(), dataclasses.replace(query, limit=0, offset=0)
        kept = getattr(self, "_counts", None)
        if kept is None or kept[0] != version or len(kept[1]) >= COUNTS_KEPT:
            kept = self._counts = (version, {})
        if key not in kept[1]:
            kept[1][key] = count()
        return kept[1][key]

    def published_rows(self, ids: list[int]) -> list[OpenRow]:
        """The open data of the published projects of these ids (ordered by id)."""
        ids = sorted(ids)
        if len(ids) <= ID_BATCH:  # one statement (more are read in one transaction, below)
            found = _OPEN_SELECT.rows(self._engine, ids)
            if found is not None:
                return _open_rows(found)
        with self.read() as db:
            return _public_rows(db, ids)

    def last_change(self) -> datetime | None:
        """When the open data last changed (the catalogue's modification date): the last change of a project that
        has been published – still is, or left the open data then (archived, rejected, merged away, moved back to
        an office): a removal is a change a harvester must see, and the date never goes back."""
        query = select(func.max(projects.c.updated_at)).where(projects.c.published_at.is_not(None))
        with self.read() as db:
            moment = db.execute(query).scalar_one()
        return as_utc(moment) if moment else None

    def _public_query(self, arl: str | None = None, hf: list[str] | None = None):
        columns = [projects.c[name] if name in projects.c else FROM_SOURCE.label(name) for name in PUBLIC_COLUMNS]
        columns.append(projects.c.approximate)
        query = select(*columns).where(projects.c.status == PUBLISHED).order_by(projects.c.ort, projects.c.name)
        if arl:
            query = query.where(projects.c.arl == arl)
        if hf:
            query = query.where(projects.c.hf_mask.op("&")(mask(hf)) != 0)
        return query

    def _public_frame(self, query) -> pd.DataFrame:
        with self.read() as db:
            rows = [tuple(row) for row in db.execute(query)]  # plain tuples: pandas is slow on Row objects
        frame = pd.DataFrame.from_records(rows, columns=PUBLIC_COLUMNS + ["approximate"])
        rough = frame.approximate.astype(bool).to_numpy()
        frame["lat"] = public_position(frame.lat.to_numpy(dtype=float), rough)
        frame["lon"] = public_position(frame.lon.to_numpy(dtype=float), rough)
        return frame.drop(columns="approximate")


def _conditions(query: ProjectQuery) -> list:
    where = []
    if query.id is not None:
        where.append(projects.c.id == query.id)
    if query.hf:
        where.append(projects.c.hf_mask.op("&")(mask(list(query.hf))) != 0)
    if query.arl:
        where.append(projects.c.arl == query.arl)
    if query.kreis:
        where.append(projects.c.kreis_rs == query.kreis)
    if query.since:
        where.append(projects.c.updated_at >= query.since)
    if query.until:
        where.append(projects.c.updated_at <= query.until)
    return where


def _public_rows(db, ids: list[int]) -> list[OpenRow]:
    """The open data of published projects by id (in batches of ID_BATCH), at their public positions."""
    rows = []
    for first in range(0, len(ids), ID_BATCH):
        rows += [list(row) for row in db.execute(_OPEN_ROWS, {"ids": ids[first:first + ID_BATCH]})]
    return _open_rows(rows)


def _open_rows(rows: list[list]) -> list[OpenRow]:
    """Rows of _OPEN_ROWS (as lists: changed in place) as OpenRows at their public positions, their time of change
    in RFC 3339, with the ids of the once published records merged into each (`ersetzt`: the open data names them)."""
    for row in rows:
        row[_UPDATED_AT] = rfc3339(row[_UPDATED_AT])
        row[-1] = merged_ids(row[-1])
    return [OpenRow._make(row) for row in _at_public_positions(rows, _LAT, _LON, _APPROXIMATE)]
