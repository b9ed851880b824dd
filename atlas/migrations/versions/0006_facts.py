"""The facts of a project: languages, target groups, cost, times, barrier-freedom, public contact (atlas.facts).
Existing projects get empty values: nothing is known about them yet.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = [
    sa.Column("sprachen", sa.String(200), nullable=False, server_default=""),
    sa.Column("sprachen_mask", sa.Integer, nullable=False, server_default="0"),
    sa.Column("zielgruppen", sa.String(100), nullable=False, server_default=""),
    sa.Column("zg_mask", sa.Integer, nullable=False, server_default="0"),
    sa.Column("kosten", sa.String(10), nullable=False, server_default=""),
    sa.Column("wann", sa.String(12), nullable=False, server_default=""),
    sa.Column("zeiten", sa.String(300), nullable=False, server_default=""),
    sa.Column("barrierefrei", sa.String(4), nullable=False, server_default=""),
    sa.Column("kontakt", sa.String(254), nullable=False, server_default=""),
]


def upgrade() -> None:
    with op.batch_alter_table("projects") as table:
        for column in COLUMNS:
            table.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("projects") as table:
        for column in reversed(COLUMNS):
            table.drop_column(column.name)
