"""Alembic's entry: migrations run on the connection atlas.migrate hands over (no alembic.ini)."""

from alembic import context

from atlas.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
