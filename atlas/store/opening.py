"""Opening the store's database before anything heavy is loaded: its address and schema are checked with SQLAlchemy
alone, so a command on a wrong database says so before the boundaries and the store's modules (pandas, geopandas)
are read."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from atlas.database import open_engine
from atlas.migrate import check_current


def open_checked(url: str) -> Engine:
    """The database at `url`, its schema current (else atlas.migrate.SchemaNotCurrent; a connection's own error
    if it cannot be reached): the engine a `Store` is made with."""
    engine = open_engine(url)
    try:
        check_current(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine
