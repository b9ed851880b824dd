"""A single SELECT run on a connection of the pool as the driver has it, for the few statements asked on (nearly)
every request: through SQLAlchemy's Connection – its BEGIN, events, cache key, Result and Rows – they cost as much
again as the database's own work, for one statement that needs no transaction (a single SELECT reads one
snapshot). The pool still hands the connection out (pinging it first where configured) and rolls back what the
driver began when it returns; the driver's errors are raised as SQLAlchemy's, as every other query raises them (a
database that is down is answered with a 503, atlas.web.errors) – also where the pool has to connect anew and
cannot, which SQLAlchemy's Connection would translate and the pool alone does not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, StatementError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.sql import Select


def driver_rows(engine: Engine, sql: str, parameters: tuple = ()) -> list[tuple]:
    """The rows of one SELECT, as the driver gives them."""
    dialect = engine.dialect
    failed = dialect.loaded_dbapi.Error
    connection = cursor = None
    try:
        connection = engine.raw_connection()
        cursor = connection.cursor()
        cursor.execute(sql, parameters)
        return cursor.fetchall()
    except failed as error:
        gone = connection is None or dialect.is_disconnect(error, connection.dbapi_connection, cursor)
        if gone and connection is not None:
            connection.invalidate(error)
        raise DBAPIError.instance(sql, parameters or None, error, failed, connection_invalidated=gone,
                                  dialect=dialect) from error
    finally:
        if cursor is not None:
            cursor.close()
        if connection is not None:
            connection.close()


class SqliteSelect:
    """A Core SELECT with one parameter given per run, compiled once for SQLite and run through the driver: the rows
    hold the values SQLAlchemy's Connection gives (its bind and result conversions: a Boolean as bool, a DateTime as
    datetime), as lists. Other databases are asked through SQLAlchemy (`rows` answers None for them)."""

    def __init__(self, statement: Select, parameter: str):
        self.statement = statement
        self.parameter = parameter
        self._compiled: tuple | None = None

    def rows(self, engine: Engine, value) -> list[list] | None:
        """The rows for `value` of the parameter; None for a database other than SQLite."""
        if engine.dialect.name != "sqlite":
            return None
        sql, place, parameters, bind, convert = self._compiled or self._compile(engine.dialect)
        parameters = list(parameters)
        try:
            parameters[place] = bind(value) if bind else value
        except Exception as error:  # as Connection.execute reports a value its type refuses
            raise StatementError(f"({type(error).__name__}) {error}", sql, {self.parameter: value}, error) from error
        rows = [list(row) for row in driver_rows(engine, sql, tuple(parameters))]
        for row in rows:
            for index, result in convert:
                row[index] = result(row[index])
        return rows

    def _compile(self, dialect) -> tuple:
        compiled = self.statement.compile(dialect=dialect)
        # the statement as SQLAlchemy runs it (values it writes into the text, such as a separator, written in); the
        # other parameters' values are fixed, this one's is put in its place at every run
        state = compiled.construct_expanded_state({self.parameter: None})
        names = state.positiontup
        binds = {name: compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names}
        fixed = [state.parameters[name] if binds[name] is None or name == self.parameter
                 else binds[name](state.parameters[name]) for name in names]
        results = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                   for column in self.statement.selected_columns]
        convert = tuple((index, result) for index, result in enumerate(results) if result is not None)
        self._compiled = (state.statement, names.index(self.parameter), tuple(fixed), binds[self.parameter], convert)
        return self._compiled
