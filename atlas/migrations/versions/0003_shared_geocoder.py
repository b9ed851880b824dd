"""The online geocoder's answers and its pace live in the database, shared by every process and machine.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "geocode_answers",
        sa.Column("query", sa.String(300), primary_key=True),
        sa.Column("hits", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    pace = op.create_table(
        "geocode_pace",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("next_at", sa.Float, nullable=False),  # Unix time of the next free slot for a request
    )
    op.bulk_insert(pace, [{"id": 1, "next_at": 0.0}])
