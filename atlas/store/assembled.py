"""The store made of its parts, one per job (see atlas.store)."""

from __future__ import annotations

from atlas.store.bulk import BulkWrites
from atlas.store.core import StoreCore
from atlas.store.holds import Holds
from atlas.store.imports import Imports
from atlas.store.merging import Merging
from atlas.store.notes import Notes
from atlas.store.office import OfficeReads
from atlas.store.public import PublicReads
from atlas.store.spatial import SpatialReads
from atlas.store.texts import Texts
from atlas.store.versions import PublicLog, Versions
from atlas.store.workspace import WorkspaceReads
from atlas.store.writes import Writes


class Store(Writes, Imports, BulkWrites, PublicReads, OfficeReads, WorkspaceReads, Texts, Versions, PublicLog, Holds,
            Notes, Merging, SpatialReads, StoreCore):
    """Add, publish, reject, query projects; Kreis and ArL are computed when a project is written."""
