"""A start is not a publication: the line up to which the public marks „nicht bestätigt seit …“ were last renewed
(`unconfirmed_line` in meta, minutes since 1970; 0: never), so the freshness cycle moves the store version only
when a published project crossed it since.

Revision ID: 0013_scale
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_scale"
down_revision = "0009"
branch_labels = None
depends_on = None

META = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Integer))


def upgrade() -> None:
    op.bulk_insert(META, [{"key": "unconfirmed_line", "value": 0}])


def downgrade() -> None:
    op.execute(META.delete().where(META.c.key == "unconfirmed_line"))
