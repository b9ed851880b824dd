"""PostGIS where PostgreSQL has it (atlas.postgis): projects.geom, a point computed from lon/lat, with a GiST index,
and the Kreise as polygons (kreis_shapes) with a GiST index. Nothing on SQLite, nor on a PostgreSQL server without
PostGIS or a role that may not create the extension.

Revision ID: 0040_postgis
Revises: 0013_scale
"""

from alembic import op

from atlas import postgis

revision = "0040_postgis"
down_revision = "0013_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgis.install(op.get_bind())


def downgrade() -> None:
    postgis.uninstall(op.get_bind())
