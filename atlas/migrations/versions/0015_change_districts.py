"""The district of every history entry: a decision counts in the figures of the office that made it.

- `changes.arl`: the project's district after the change. The dashboard counted decisions by a project's current
  district, so a project moved to another district took the decisions of the first office along. Entries written
  before know only the project's current district, which they are given (the best there is); entries of a project
  no longer there stay NULL and count for no district.

Revision ID: 0015_change_districts
Revises: 0014_change_tokens
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_change_districts"
down_revision = "0014_change_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("changes") as table:
        table.add_column(sa.Column("arl", sa.String(20), nullable=True))
    op.execute("UPDATE changes SET arl = (SELECT projects.arl FROM projects WHERE projects.id = changes.project_id)")


def downgrade() -> None:
    with op.batch_alter_table("changes") as table:
        table.drop_column("arl")
