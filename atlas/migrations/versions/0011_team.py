"""The office as a team: holds („Ich übernehme das“, one clerk per project), internal notes, pairs of similar
projects an office found to be different („kein Duplikat“), and projects merged into another (`replaced`: the
merged id leads to the kept one). New tables only; existing rows are untouched.

Revision ID: 0011_team
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_team"
down_revision = "0010_workspace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holds",
        sa.Column("project_id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_by", sa.String(254), nullable=False, server_default=""),
    )
    op.create_index("ix_holds_user_id", "holds", ["user_id"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("author", sa.String(254), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_notes_project_id", "notes", ["project_id"])
    op.create_table(
        "distinct_pairs",
        sa.Column("first_id", sa.Integer, primary_key=True),
        sa.Column("second_id", sa.Integer, primary_key=True),
        sa.Column("decided_by", sa.String(254), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "replaced",
        sa.Column("project_id", sa.Integer, primary_key=True),
        sa.Column("kept_id", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
    )
    op.create_index("ix_replaced_kept_id", "replaced", ["kept_id"])


def downgrade() -> None:
    op.drop_index("ix_replaced_kept_id", "replaced")
    op.drop_table("replaced")
    op.drop_table("distinct_pairs")
    op.drop_index("ix_notes_project_id", "notes")
    op.drop_table("notes")
    op.drop_index("ix_holds_user_id", "holds")
    op.drop_table("holds")
