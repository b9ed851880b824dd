"""A column among a list of ids, bound as one value: SQLite reads the list as JSON (`json_each`), PostgreSQL as an
array (`= ANY`). SQLAlchemy's expanding IN writes one parameter per id into the statement on every execution; for
the hundred ids of a page that writing cost more than the database's own work."""

from __future__ import annotations

import json
import operator

from sqlalchemy import BigInteger, String, bindparam, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import NullType, TypeDecorator


class IdList(TypeDecorator):
    """A list of integer ids as one bound value: JSON text for SQLite, an array of bigint for PostgreSQL."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name != "postgresql":
            return dialect.type_descriptor(String())
        from sqlalchemy.dialects.postgresql import ARRAY  # imported only where the database is PostgreSQL

        return dialect.type_descriptor(ARRAY(BigInteger))

    def process_bind_param(self, value, dialect):
        ids = [operator.index(v) for v in value]  # integers only (numpy's too): no text, no float, nothing else
        return ids if dialect.name == "postgresql" else json.dumps(ids)


class _AmongIds(ColumnElement):
    inherit_cache = True
    type = NullType()  # a condition written out whole: a Boolean type would be compared with 1 in SQLite
    # both parts are in the statement's cache key: another column or parameter is another statement
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("ids", InternalTraversal.dp_clauseelement)]

    def __init__(self, column, ids):
        self.column = column
        self.ids = ids


@compiles(_AmongIds)
def _json_each(element, compiler, **kw):
    return (f"{compiler.process(element.column, **kw)} IN "
            f"(SELECT value FROM json_each({compiler.process(element.ids, **kw)}))")


@compiles(_AmongIds, "postgresql")
def _any(element, compiler, **kw):
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.ids, **kw)})"


def among_ids(column, name: str = "ids") -> ColumnElement:
    """`column` is one of the ids handed over as the parameter `name` (a list of ints) when the statement runs."""
    return _AmongIds(column, bindparam(name, type_=IdList()))


def on_the_row(column) -> ColumnElement:
    """`column`, for a condition checked on each row that a list of ids found, never through an index on the column:
    given `status = ?`, SQLite seeks each id in the status index (status, id) and then the row – two seeks for one,
    a sixth of what reading a page of the API cost. Appending '' leaves a text as it is, and no index serves it."""
    return column.concat(literal_column("''"))
