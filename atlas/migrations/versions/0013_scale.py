"""Publications that cost what they change, and a start that is none.

- `public_changes`: what each move of the store's version changed (a project to read again, pages of a district
  to renew, or everything), so every process brings its in-memory copy of the published projects up to date by
  the few rows that changed (atlas.published).
- meta `version:<arl>`: a version per ArL district, so a publication in Lüneburg leaves Weser-Ems's pages valid;
  they start at the store's version.
- meta `unconfirmed_line`: the line up to which the public marks „nicht bestätigt seit …“ were last renewed
  (minutes since 1970; 0: never), so the freshness cycle moves the version only when a project crossed it since.

Revision ID: 0013_scale
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_scale"
down_revision = "0012_texts"
branch_labels = None
depends_on = None

META = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Integer))
ARLS = ("braunschweig", "leine-weser", "lueneburg", "weser-ems")


def upgrade() -> None:
    op.create_table(
        "public_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("project_id", sa.Integer, nullable=True),
        sa.Column("arl", sa.String(20), nullable=True),
    )
    op.create_index("ix_public_changes_version", "public_changes", ["version"])
    version = op.get_bind().execute(sa.select(META.c.value).where(META.c.key == "version")).scalar_one()
    op.bulk_insert(META, [{"key": "unconfirmed_line", "value": 0}]
                   + [{"key": f"version:{arl}", "value": version} for arl in ARLS])


def downgrade() -> None:
    op.execute(META.delete().where(META.c.key.in_(["unconfirmed_line"] + [f"version:{arl}" for arl in ARLS])))
    op.drop_index("ix_public_changes_version", "public_changes")
    op.drop_table("public_changes")
