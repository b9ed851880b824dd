"""Projects gathered from public sources: the source (`quelle`, a URL), its date (`quelle_stand`: YYYY, YYYY-MM or
YYYY-MM-DD) and when the Träger's entry was confirmed (`source_confirmed_at`, NULL: from a source, not confirmed
yet). Every project there is now was submitted or imported by an office: confirmed when it was made. Claims: someone
of a Träger asks to take over an entry gathered from a source; the district's office decides.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COLUMNS = [
    sa.Column("quelle", sa.String(500), nullable=False, server_default=""),
    sa.Column("quelle_stand", sa.String(10), nullable=False, server_default=""),
    sa.Column("source_confirmed_at", sa.DateTime(timezone=True), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table("projects") as table:
        for column in COLUMNS:
            table.add_column(column)
    op.execute("UPDATE projects SET source_confirmed_at = created_at")
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("language", sa.String(5), nullable=False, server_default="de"),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(254), nullable=False, server_default=""),
    )
    op.create_index("ix_claims_project_id", "claims", ["project_id"])
    op.create_index("ix_claims_status", "claims", ["status"])


def downgrade() -> None:
    op.drop_index("ix_claims_status", "claims")
    op.drop_index("ix_claims_project_id", "claims")
    op.drop_table("claims")
    with op.batch_alter_table("projects") as table:
        for column in reversed(COLUMNS):
            table.drop_column(column.name)
