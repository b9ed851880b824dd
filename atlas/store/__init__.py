"""The database of the atlas, behind one door: SQLAlchemy Core, SQLite (WAL) by default, PostgreSQL works.

`Store` is made of one part per job – the door and its unit of work (core), writes, what the public reads, what the
offices read – and is the only code that opens the database: every other module reads and writes through
`store.read()`, `store.write()` and `store.change()` or the store's methods.
"""

from __future__ import annotations

from atlas.labels import ARCHIVED, PENDING, PUBLISHED, REJECTED
from atlas.store.bulk import BulkWrites
from atlas.store.core import (
    FROM_SOURCE,
    ID_BATCH,
    REFERENCE,
    SOURCE_FIELDS,
    STATUSES,
    Change,
    OutsideNiedersachsen,
    StaleWrite,
    StoreCore,
    one_moment,
)
from atlas.store.holds import Holds
from atlas.store.imports import Imports
from atlas.store.merging import Merging
from atlas.store.notes import Notes
from atlas.store.office import OfficeReads
from atlas.store.public import PUBLIC_COLUMNS, PublicReads, at_public_positions
from atlas.store.query import ProjectQuery
from atlas.store.spatial import SpatialReads
from atlas.store.texts import Texts
from atlas.store.versions import PublicLog, Versions
from atlas.store.workspace import WorkspaceReads
from atlas.store.writes import Writes

__all__ = ["ARCHIVED", "FROM_SOURCE", "ID_BATCH", "PENDING", "PUBLIC_COLUMNS", "PUBLISHED", "REFERENCE", "REJECTED",
           "SOURCE_FIELDS", "STATUSES", "Change", "OutsideNiedersachsen", "ProjectQuery", "StaleWrite",
           "Store", "at_public_positions", "one_moment"]


class Store(Writes, Imports, BulkWrites, PublicReads, OfficeReads, WorkspaceReads, Texts, Versions, PublicLog, Holds,
            Notes, Merging, SpatialReads, StoreCore):
    """Add, publish, reject, query projects; Kreis and ArL are computed when a project is written."""
