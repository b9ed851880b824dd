"""Project texts in the reader's language: a one-line German summary per project; translations of description and
summary (who made them, from which German text – outdated once that changes); the machine translation jobs and
the characters each engine was sent per month. The search index learns a third column, `texts`: the words of
current translations tagged with their language, so a search ranks the reader's language first.

Revision ID: 0012_texts
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_texts"
down_revision = "0011_team"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as table:
        table.add_column(sa.Column("summary", sa.String(160), nullable=False, server_default=""))
    op.create_table(
        "project_texts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.Column("engine", sa.String(20), nullable=False, server_default=""),
        sa.Column("source_text", sa.Text, nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.String(254), nullable=False, server_default=""),
        sa.UniqueConstraint("project_id", "field", "language", name="uq_project_texts"),
    )
    op.create_table(
        "translation_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("project_id", sa.Integer, nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("project_id", "field", "language", name="uq_translation_jobs"),
    )
    op.create_index("ix_translation_jobs_next_try_at", "translation_jobs", ["next_try_at"])
    op.create_table(
        "translation_use",
        sa.Column("engine", sa.String(20), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("characters", sa.Integer, nullable=False, server_default="0"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE project_search ADD COLUMN texts tsvector NOT NULL DEFAULT ''::tsvector")
        return
    # No project has a translation yet: the documents and facets are copied, the new column starts empty.
    op.execute("CREATE VIRTUAL TABLE project_search_new USING fts5(document, facets, texts, "
               "tokenize = 'unicode61 remove_diacritics 2')")
    op.execute("INSERT INTO project_search_new (rowid, document, facets, texts) "
               "SELECT rowid, document, facets, '' FROM project_search")
    op.execute("DROP TABLE project_search_vocabulary")
    op.execute("DROP TABLE project_search")
    op.execute("ALTER TABLE project_search_new RENAME TO project_search")
    op.execute("CREATE VIRTUAL TABLE project_search_vocabulary USING fts5vocab(project_search, 'col')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE project_search DROP COLUMN texts")
    else:
        op.execute("CREATE VIRTUAL TABLE project_search_old USING fts5(document, facets, "
                   "tokenize = 'unicode61 remove_diacritics 2')")
        op.execute("INSERT INTO project_search_old (rowid, document, facets) "
                   "SELECT rowid, document, facets FROM project_search")
        op.execute("DROP TABLE project_search_vocabulary")
        op.execute("DROP TABLE project_search")
        op.execute("ALTER TABLE project_search_old RENAME TO project_search")
        op.execute("CREATE VIRTUAL TABLE project_search_vocabulary USING fts5vocab(project_search, 'col')")
    op.drop_table("translation_use")
    op.drop_index("ix_translation_jobs_next_try_at", "translation_jobs")
    op.drop_table("translation_jobs")
    op.drop_table("project_texts")
    with op.batch_alter_table("projects") as table:
        table.drop_column("summary")
