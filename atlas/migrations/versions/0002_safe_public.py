"""Safe to face the public: a version per project row (stale writes are refused), the status after each recorded
change, and office sessions kept on the server (logout ends them).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("row_version", sa.Integer, nullable=False, server_default="1"))
    with op.batch_alter_table("changes") as batch:
        batch.add_column(sa.Column("status", sa.String(10), nullable=True))
        batch.add_column(sa.Column("row_version", sa.Integer, nullable=True))
    changes = sa.table("changes", sa.column("action", sa.String), sa.column("status", sa.String))
    op.execute(changes.update().where(changes.c.action.in_(["pending", "published", "rejected"]))
               .values(status=changes.c.action))
    op.create_table(
        "office_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
