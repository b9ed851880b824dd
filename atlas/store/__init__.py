"""The database of the atlas, behind one door: SQLAlchemy Core, SQLite (WAL) by default, PostgreSQL works.

`Store` is made of one part per job – the connection and its unit of work (core), writes, what the public reads,
what the offices read – and is the only code that opens the database: every other module reads and writes through
`store.read()`, `store.write()` and `store.change()` or the store's methods.

A store is made from an engine that `atlas.store.opening.open_checked` opened and checked. The names below are
loaded when first asked for (PEP 562): opening the database and the statuses need neither pandas nor the
boundaries, so a command on a wrong database is told so before they load.
"""

from __future__ import annotations

import importlib

from atlas.labels import ARCHIVED, PENDING, PUBLISHED, REJECTED

__all__ = ["ARCHIVED", "FROM_SOURCE", "ID_BATCH", "PENDING", "PUBLIC_COLUMNS", "PUBLISHED", "REFERENCE", "REJECTED",
           "SOURCE_FIELDS", "STATUSES", "Change", "OutsideNiedersachsen", "ProjectQuery", "StaleWrite",
           "Store", "at_public_positions", "one_moment"]

_WHERE = {
    "Store": "assembled", "ProjectQuery": "query", "PUBLIC_COLUMNS": "public", "at_public_positions": "public",
    **dict.fromkeys(("FROM_SOURCE", "ID_BATCH", "REFERENCE", "SOURCE_FIELDS", "STATUSES", "Change",
                     "OutsideNiedersachsen", "StaleWrite", "one_moment"), "core"),
}


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
