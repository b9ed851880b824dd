"""A random token per version of the published projects, so a copy kept on disk knows its database.

- `public_changes.token`: the same random number on every row a move of the store's version logs. A process that
  starts reads the copy of the published projects an earlier start kept in the cache folder (atlas.published)
  only if the database logged the copy's version with the copy's token: a database made anew, or restored from a
  backup and changed since, logs other tokens, and the copy is read anew from it. Rows logged before have none.

Revision ID: 0014_change_tokens
Revises: 0013_scale
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_change_tokens"
down_revision = "0013_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("public_changes") as table:
        table.add_column(sa.Column("token", sa.BigInteger, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("public_changes") as table:
        table.drop_column("token")
