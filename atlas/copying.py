"""Many new rows into PostgreSQL by COPY (psycopg's cursor.copy): an import of 100,000 projects as one stream, not
as multi-row INSERT statements that SQLAlchemy builds and psycopg splits again. In the caller's transaction, so an
import stays all or nothing. SQLite has no COPY: its executemany is already fast."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text


def copy_rows(db, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """Write rows (tuples in the order of `columns`) into a table of the connection's PostgreSQL database."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(name) for name in columns))
    with db.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def new_ids(db, table: str, count: int) -> list[int]:
    """`count` ids from the table's own sequence (its `id` column), ascending: rows copied with them are numbered
    as if they had been inserted one after the other, and no other writer can take them. The sequence is looked up
    once, not for every id (100k ids: 0.9 → 0.2 s that the import waits for; `OFFSET 0` keeps its subquery from
    being folded into the outer query), and the ids come back as one array."""
    taken = db.execute(text("SELECT array_agg(id ORDER BY id) FROM (SELECT nextval(sequence) AS id FROM "
                            "(SELECT CAST(pg_get_serial_sequence(:table, 'id') AS regclass) AS sequence "
                            "OFFSET 0) AS named, generate_series(1, :n)) AS taken"),
                       {"table": table, "n": count}).scalar_one()
    return taken or []
