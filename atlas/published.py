"""The published projects in memory, as the public sees them: one copy per process, kept current by the changes the
store logs with every move of its version (atlas.store.versions). A publication costs the rows it changes – they
are read again and put in their place – not a reading of every published row.

A Snapshot never changes: a page renders from the one it was handed while the next one is made. Its columns are
numpy arrays in the order of the public lists (Ort, then name, then id, by their characters' code points), with a
version per ArL district: a publication in Lüneburg leaves Weser-Ems's pages and data valid.
"""

from __future__ import annotations

import bisect
import ctypes
import logging
import pickle
import re
import threading
from collections import OrderedDict
from collections.abc import Hashable
from contextlib import closing
from datetime import datetime
from itertools import repeat
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from atlas import kept
from atlas.database import as_utc
from atlas.districts import ARLS
from atlas.facts import LANGUAGE_BITS, ZIELGRUPPEN
from atlas.geo import public_position
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.store import PUBLIC_COLUMNS

COLUMNS = [*PUBLIC_COLUMNS, "confirmed_at"]  # confirmed_at: seconds since 1970 (NaN: never)


def _bits_type(bits) -> np.dtype:
    """The smallest unsigned integer that holds every one of these bits (a mask column: 1 byte for the five
    Handlungsfelder instead of 8; 16 MB less per process at a million projects over the three masks)."""
    return np.min_scalar_type(2 * max(bits) - 1)


MASKS = {"hf_mask": _bits_type(hf.bit for hf in HANDLUNGSFELDER.values()),
         "sprachen_mask": _bits_type(LANGUAGE_BITS.values()),
         "zg_mask": _bits_type(group.bit for group in ZIELGRUPPEN.values())}
NUMBERS = {"id": np.int64, "lat": np.float64, "lon": np.float64, **MASKS, "from_source": bool,
           "confirmed_at": np.float64}
SQLITE_MOMENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?")  # SQLite's text of a moment, in UTC
# Columns whose values repeat (places, Träger, districts, times): kept as codes into a table of the values, each
# value once per process; a code is as wide as its table needs (code_type: 1 byte for the four ArL)
CODED = ("traeger", "ort", "handlungsfelder", "kreis_rs", "kreis_name", "arl", "kosten", "zeiten", "quelle",
         "quelle_stand")
# The other columns (name, summary) are texts of their own: numpy's variable-width strings, which hold a short one
# inside the array and a longer one as UTF-8 beside it – half the memory of Python strings (a million names:
# 51 MB instead of 115 MB). Read out, they are Python strings again (None: none).
TEXT = StringDType(na_object=None)
SELECTIONS_KEPT = 64  # the API's filters whose projects a snapshot keeps (Snapshot.selection)
DERIVED = ("_derived", "_lock", "_selections", "_selected")  # a Snapshot's, made again after it is read from disk
log = logging.getLogger(__name__)


class Snapshot:
    """The published projects at one version of the store, in list order."""

    def __init__(self, columns: dict[str, np.ndarray], tables: dict[str, np.ndarray], version: int,
                 arl_versions: dict[str, int]):
        self.columns = columns  # numbers, names, and codes into `tables` for the columns in CODED
        self.tables = tables
        self.version = version  # the store's version this copy is at least as new as
        self.arl_versions = arl_versions
        ids = columns["id"]
        self.pos_of = np.full(int(ids.max()) + 1 if len(ids) else 1, -1, dtype=np.int32)  # position by id
        self.pos_of[ids] = np.arange(len(ids))
        self._derived: dict[tuple, np.ndarray] = {}
        self._lock = threading.RLock()  # a derived column may be made from another
        self._selections: OrderedDict[Hashable, np.ndarray] = OrderedDict()
        self._selected = 0  # positions in _selections, together

    def __len__(self) -> int:
        return len(self.columns["id"])

    def __getitem__(self, name: str) -> np.ndarray:
        """A column with its values (a coded one is decoded once per snapshot)."""
        if name not in CODED:
            return self.columns[name]
        return self._derive(("values", name), lambda: self.tables[name][self.columns[name]])

    def code_of(self, name: str, value: str) -> int:
        """The code of a value in a coded column (-1: no project has it)."""
        found = np.flatnonzero(self.tables[name] == value)
        return int(found[0]) if len(found) else -1

    def version_of(self, arl: str | None) -> int:
        """What a page of this district (None: of the state) is kept under: it changes only with a change there."""
        return self.version if arl is None else self.arl_versions[arl]

    def arl_of(self, project_id: int) -> str | None:
        """The district of a published project; None for an id that is not on the map."""
        if not 0 <= project_id < len(self.pos_of) or self.pos_of[project_id] < 0:
            return None
        return self.tables["arl"][self.columns["arl"][self.pos_of[project_id]]]

    def positions(self, ids) -> np.ndarray:
        """The positions of the published ones of these ids, in the order given."""
        ids = np.asarray(ids, dtype=np.int64)
        known = (ids >= 0) & (ids < len(self.pos_of))
        found = np.full(len(ids), -1, dtype=np.int64)
        found[known] = self.pos_of[ids[known]]
        return found[found >= 0]

    def select(self, arl: str | None = None, wanted=None, now: datetime | None = None) -> np.ndarray:
        """Positions of the projects of a district (None: all) that pass a filter (atlas.filters), in list order."""
        keep = self.in_arl(arl) if arl else None
        if wanted is not None and wanted.active:
            passing = wanted.keep_columns(self, now)
            keep = passing if keep is None else keep & passing
        return np.arange(len(self)) if keep is None else np.flatnonzero(keep)

    def codes_in(self, name: str, arl: str | None) -> np.ndarray:
        """The distinct codes of a coded column among the projects of a district (None: all), once per snapshot."""
        return self._derive(("codes", name, arl), lambda: np.unique(self.columns[name][self.select(arl)]))

    def in_kreis(self, positions: np.ndarray, rs: str) -> np.ndarray:
        """Those of these positions whose project lies in the Kreis of key `rs`, in the same order."""
        return positions[self.columns["kreis_rs"][positions] == self.code_of("kreis_rs", rs)]

    def id_order(self) -> np.ndarray:
        """The positions in the order of the ids (the API's pages), once per snapshot."""
        return self._derive(("id order",), lambda: np.argsort(self.columns["id"], kind="stable"))

    def in_arl(self, arl: str) -> np.ndarray:
        return self._derive(("arl", arl), lambda: self.columns["arl"] == self.code_of("arl", arl))

    def rows(self, positions) -> list[dict]:
        """These projects as dicts of PUBLIC_COLUMNS (and confirmed_at), plain Python values."""
        return self.rows_of(self.lists(positions))

    def lists(self, positions) -> dict[str, list]:
        """These projects column by column: for each of COLUMNS, their values as a list of plain Python values."""
        positions = np.asarray(positions, dtype=np.int64)
        return {name: self._values(name, positions).tolist() for name in COLUMNS}

    @staticmethod
    def rows_of(lists: dict[str, list], wanted: list[int] | None = None) -> list[dict]:
        """The rows of lists()' columns (rows() of the same positions); `wanted`: only those at these indexes."""
        values = lists.values() if wanted is None else [[column[i] for i in wanted] for column in lists.values()]
        # each row's values are one per name by construction: pairing them unchecked, by map, saves a list of fifty
        # (a search's page) a seventh of its 150 µs
        return list(map(dict, map(zip, repeat(tuple(lists)), zip(*values, strict=True))))

    def frame(self, positions=None, names=PUBLIC_COLUMNS) -> pd.DataFrame:
        """These projects (default: all) as a frame of PUBLIC_COLUMNS (or only the columns `names`), in list order."""
        if positions is None:
            positions = np.arange(len(self))
        return pd.DataFrame({name: self._values(name, positions) for name in names})

    def apply(self, changed: list[int], rows: list[tuple], version: int, arl_versions: dict[str, int],
              codes: Codes) -> Snapshot:
        """A new snapshot in which the projects of these ids are as `rows` say (the published ones among them; the
        others are gone). Rows that stay are copied, not read again."""
        gone = self.positions(changed)
        staying = {name: np.delete(column, gone) for name, column in self.columns.items()}
        new = codes.columns(sorted(rows, key=_row_key))
        tables = codes.tables()
        for name in CODED:  # the tables only grow: a code may need a wider type than the copy's (np.insert would wrap)
            wide = code_type(len(tables[name]))
            staying[name], new[name] = staying[name].astype(wide, copy=False), new[name].astype(wide, copy=False)
        order = _Keys(staying, self.tables["ort"])
        at = [bisect.bisect_left(order, (ort, name, i)) for ort, name, i in zip(
            tables["ort"][new["ort"]], new["name"], new["id"].tolist(), strict=True)]
        merged = {name: np.insert(staying[name], at, new[name]) if at else staying[name] for name in COLUMNS}
        return Snapshot(merged, tables, version, arl_versions)

    def _values(self, name: str, positions: np.ndarray) -> np.ndarray:
        column = self.columns[name][positions]
        return self.tables[name][column] if name in CODED else column

    def __getstate__(self) -> dict:  # kept on disk without what is derived from it (atlas.published.PublicData)
        return {name: value for name, value in vars(self).items() if name not in DERIVED}

    def __setstate__(self, state: dict) -> None:
        vars(self).update(state, _derived={}, _lock=threading.RLock(), _selections=OrderedDict(), _selected=0)

    def selection(self, key: Hashable, make) -> np.ndarray:
        """Positions that `make` picks (the API's projects of a filter, in the order of their ids), the latest kept:
        a client paging through a filter is answered every page at the cost of a page without one, instead of a pass
        over every project per page (0.5 ms at 100,000). Kept together: at most two positions per project (of 4
        bytes: a tenth of the snapshot's columns) and at most SELECTIONS_KEPT filters, however few they pick (boxes
        in the sea pick none, and a client can ask for endless such boxes), the oldest dropped first."""
        with self._lock:
            found = self._selections.get(key)
            if found is not None:
                self._selections.move_to_end(key)
                return found
        found = make()  # outside the lock: another thread's page need not wait for this pass
        with self._lock:
            if key not in self._selections:  # another thread may have made it meanwhile
                self._selections[key] = found
                self._selected += len(found)
            while len(self._selections) > 1 and (self._selected > 2 * len(self)
                                                 or len(self._selections) > SELECTIONS_KEPT):
                self._selected -= len(self._selections.popitem(last=False)[1])
        return found

    def _derive(self, key: tuple, make) -> np.ndarray:
        with self._lock:
            if key not in self._derived:
                self._derived[key] = make()
            return self._derived[key]


class PublicData:
    """This process's copy of the published projects, brought up to the store's version when asked.

    After reading every published project, the copy is kept in the cache folder (`keep_at`, atlas.kept) with the
    random token the database logged for its version and the fingerprint of the code that made it. The next start
    reads it (16 ms at 100,000 projects, against a second from the database) if it is of the same code and the
    database logged that version with that token – it is the same database, at that version or later – and
    catches up by the logged changes, as after a publication. A change made in the database without the atlas (by
    hand, in SQL) is logged nowhere: after one, empty the cache folder (docs/operating.md).
    """

    def __init__(self, store, keep_at: Path | None = None):
        self.store = store
        self.keep_at = keep_at
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._codes = Codes()
        self.rebuilds = self.updates = 0

    def current(self) -> Snapshot:
        """The published projects at the store's version (read at most once a second, at once after this process
        changed something): the changes since the copy's version are applied, or everything is read again if they
        were not all logged."""
        wanted = self.store.version()
        known = self._snapshot
        if known is not None and known.version >= wanted:
            return known
        with self._lock:
            known = self._snapshot
            if known is None or known.version < wanted:
                known = self._snapshot = self._caught_up(known, wanted)
            return known

    def rebuild(self) -> Snapshot:
        """Every published project read again (at the start, or when the log does not reach back far enough)."""
        versions = self.store.versions_now()  # first: the rows read after are at least as new
        with closing(self.store.public_row_batches()) as read:  # the read ends here, even if a batch fails
            batches = [self._codes.columns(rows) for rows in read]
        columns = {name: np.concatenate([batch[name] for batch in batches]) for name in COLUMNS} if batches \
            else self._codes.columns([])
        del batches
        self.rebuilds += 1
        snapshot = Snapshot(columns, self._codes.tables(), versions[None], {arl: versions[arl] for arl in ARLS})
        self._keep(snapshot)
        give_back_freed_memory()  # of the rows read and of the copy written
        return snapshot

    def _keep(self, snapshot: Snapshot) -> None:
        if self.keep_at is None:
            return
        token = self.store.version_token(snapshot.version)
        if token is not None:  # a version not logged (yet) cannot be checked
            kept.write_whole(self.keep_at, pickle.dumps((kept.code(), token, snapshot, self._codes),
                                                        protocol=pickle.HIGHEST_PROTOCOL))

    def _kept_copy(self) -> Snapshot | None:
        """The copy an earlier start kept, if it is of this database and of this code."""
        data = kept.file_bytes(self.keep_at) if self.keep_at is not None else None
        try:
            code, token, snapshot, codes = pickle.loads(data)  # noqa: S301 - our own file in the atlas's cache folder
        except Exception:  # noqa: BLE001 - none, damaged, or of another library version: read from the database
            return None
        if code != kept.code() or token != self.store.version_token(snapshot.version):
            return None
        self._codes = codes
        return snapshot

    def _caught_up(self, known: Snapshot | None, wanted: int) -> Snapshot:
        if known is None:
            known = self._kept_copy()
            if known is None:
                return self.rebuild()
            if known.version >= wanted:
                return known
        changes = self.store.public_changes_since(known.version)
        if changes is None:
            return self.rebuild()
        ids = sorted({change["project_id"] for change in changes if change["kind"] == "project"})
        arl_versions = dict(known.arl_versions)
        for change in changes:
            if change["kind"] == "pages":
                for arl in [change["arl"]] if change["arl"] else ARLS:
                    arl_versions[arl] = change["version"]
        self.updates += 1
        return known.apply(ids, self.store.public_rows(ids) if ids else [], changes[-1]["version"], arl_versions,
                           self._codes)


class Codes:
    """The tables of the coded columns' values, shared by every snapshot of a process; they only grow."""

    def __init__(self):
        self._index: dict[str, dict] = {name: {} for name in CODED}
        self._tables: dict[str, np.ndarray] = {}

    def columns(self, rows: list[tuple]) -> dict[str, np.ndarray]:
        """Rows of PUBLIC_COLUMNS + approximate + confirmed_at (atlas.store's public_rows) as columns, at the
        public positions; the repeating values as codes."""
        values = list(zip(*rows, strict=True)) if rows else [()] * (len(PUBLIC_COLUMNS) + 2)
        by_name = dict(zip([*PUBLIC_COLUMNS, "approximate", "confirmed_at"], values, strict=True))
        rough = np.array(by_name.pop("approximate"), dtype=bool)
        by_name["confirmed_at"] = seconds(by_name["confirmed_at"])
        columns = {}
        for name in COLUMNS:
            if name in MASKS:
                columns[name] = _mask(name, by_name[name])
            elif name in NUMBERS:
                columns[name] = np.array(by_name[name], dtype=NUMBERS[name])
            elif name in CODED:
                columns[name] = self._coded(name, by_name[name])
            else:
                columns[name] = np.array(by_name[name], dtype=TEXT)
        for name in ("lat", "lon"):
            columns[name] = public_position(columns[name], rough)
        return columns

    def _coded(self, name: str, values) -> np.ndarray:
        """The codes of these values (new ones are added to the table): each distinct value looked up once."""
        index = self._index[name]
        found, distinct = pd.factorize(np.array(values, dtype=object), use_na_sentinel=False)
        table = np.array([index.setdefault(value, len(index)) for value in distinct], dtype=np.int64)
        return (table[found] if len(found) else np.zeros(0, dtype=np.int64)).astype(code_type(len(index)))

    def tables(self) -> dict[str, np.ndarray]:
        for name, index in self._index.items():
            if name not in self._tables or len(self._tables[name]) != len(index):  # empty at first: a table too
                table = np.empty(len(index), dtype=object)
                table[:] = list(index)
                self._tables[name] = table
        return dict(self._tables)


def _mask(name: str, values) -> np.ndarray:
    """A mask column in its narrow type. A value the type cannot hold (written by hand in SQL: negative, or bits
    the atlas never sets) keeps the bits the type holds – every bit the atlas knows, so every filter and page sees
    it as before – and is logged; it must not stop the copy, and with it every public page."""
    wide, kind = np.array(values, dtype=np.int64), MASKS[name]
    beyond = (wide < 0) | (wide > np.iinfo(kind).max)
    if beyond.any():
        log.warning("%s veröffentlichte Projekte haben in %s Werte, die der Atlas nie schreibt (%s): gelesen werden "
                    "nur die Bits, die er kennt", int(beyond.sum()), name, sorted(set(wide[beyond].tolist()))[:5])
    return (wide & np.iinfo(kind).max).astype(kind)


def code_type(size: int) -> np.dtype:
    """The smallest unsigned integer for the codes into a table of `size` values."""
    return np.min_scalar_type(max(size - 1, 0))


def give_back_freed_memory() -> None:
    """Hand the memory freed after reading every row back to the system: glibc keeps freed pages in the middle of
    its heap for the process (50 MB at a million projects) unless asked. Nothing where the C library cannot."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError, TypeError):  # not glibc
        pass


def seconds(moments) -> np.ndarray:
    """Moments as the driver gives them (datetimes, or SQLite's text in UTC; None: never) as seconds since 1970."""
    texts = [at for at in moments if isinstance(at, str)]
    if texts and all(SQLITE_MOMENT.fullmatch(at) for at in texts):  # as SQLAlchemy writes them: numpy reads them
        parsed = np.array(moments, dtype="datetime64[us]")
        return np.where(np.isnat(parsed), np.nan, parsed.astype(np.int64) / 1e6)
    if texts:  # anything else as SQLAlchemy reads it
        from sqlalchemy.dialects.sqlite import DATETIME, dialect

        read = DATETIME().result_processor(dialect(), None)
        moments = [read(at) if isinstance(at, str) else at for at in moments]
    return np.array([as_utc(at).timestamp() if at else np.nan for at in moments], dtype=np.float64)


def _row_key(row: tuple):
    return row[ORT], row[NAME], row[ID]


ID, NAME, ORT = (PUBLIC_COLUMNS.index(name) for name in ("id", "name", "ort"))


class _Keys:
    """The list order's key of each row, for bisect."""

    def __init__(self, columns: dict[str, np.ndarray], orte: np.ndarray):
        self.ort, self.name, self.id, self.orte = columns["ort"], columns["name"], columns["id"], orte

    def __len__(self) -> int:
        return len(self.id)

    def __getitem__(self, position: int) -> tuple:
        return self.orte[self.ort[position]], self.name[position], int(self.id[position])
