"""The office's workspace: roles and deactivated accounts, reports from the public, the offices' reason templates,
and indexes for the queue's sort by age and the dashboard's figures per month.

Every account keeps what it could do: an admin stays an admin, every other account is an office of its district.

Revision ID: 0010_workspace
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_workspace"
down_revision = "0009"
branch_labels = None
depends_on = None

USER_COLUMNS = [
    sa.Column("role", sa.String(10), nullable=False, server_default="office"),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
]


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        for column in USER_COLUMNS:
            table.add_column(column)
    op.execute(sa.text("UPDATE users SET role = 'admin' WHERE is_admin = :yes").bindparams(yes=True))
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("arl", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("duplicate_of", sa.Integer, nullable=True),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("email", sa.String(254), nullable=False, server_default=""),
        sa.Column("language", sa.String(5), nullable=False, server_default="de"),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(254), nullable=False, server_default=""),
        sa.Column("resolution", sa.String(20), nullable=False, server_default=""),
    )
    op.create_index("ix_reports_project_id", "reports", ["project_id"])
    op.create_index("ix_reports_status_arl", "reports", ["status", "arl"])
    op.create_table(
        "reason_templates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("arl", sa.String(20), nullable=False),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("translations", sa.Text, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer, nullable=False, server_default="1"),
    )
    op.create_index("ix_reason_templates_arl", "reason_templates", ["arl"])
    op.create_index("ix_projects_created_at", "projects", ["created_at"])
    op.create_index("ix_changes_at", "changes", ["at"])


def downgrade() -> None:
    op.drop_index("ix_changes_at", "changes")
    op.drop_index("ix_projects_created_at", "projects")
    op.drop_index("ix_reason_templates_arl", "reason_templates")
    op.drop_table("reason_templates")
    op.drop_index("ix_reports_status_arl", "reports")
    op.drop_index("ix_reports_project_id", "reports")
    op.drop_table("reports")
    with op.batch_alter_table("users") as table:
        for column in reversed(USER_COLUMNS):
            table.drop_column(column.name)
