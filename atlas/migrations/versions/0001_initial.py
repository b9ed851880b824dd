"""The schema of wave 1, as the first release created it with metadata.create_all.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(150), nullable=False),
        sa.Column("traeger", sa.String(150), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("handlungsfelder", sa.String(100), nullable=False),
        sa.Column("hf_mask", sa.Integer, nullable=False),
        sa.Column("street", sa.String(150), nullable=False),
        sa.Column("plz", sa.String(5), nullable=False),
        sa.Column("ort", sa.String(100), nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("precision", sa.String(20), nullable=False),
        sa.Column("approximate", sa.Boolean, nullable=False),
        sa.Column("kreis_rs", sa.String(5), nullable=False),
        sa.Column("kreis_name", sa.String(100), nullable=False),
        sa.Column("arl", sa.String(20), nullable=False),
        sa.Column("website", sa.String(300), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reject_reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_projects_arl", "projects", ["arl"])
    op.create_index("ix_projects_kreis_rs", "projects", ["kreis_rs"])
    op.create_index("ix_projects_status", "projects", ["status"])
    op.create_index("ix_projects_lat_lon", "projects", ["lat", "lon"])
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("arl", sa.String(20), nullable=True),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_changes_project_id", "changes", ["project_id"])
    meta = op.create_table("meta", sa.Column("key", sa.String(40), primary_key=True),
                           sa.Column("value", sa.Integer, nullable=False))
    op.bulk_insert(meta, [{"key": "version", "value": 0}])
