"""The text search: a search document per project (atlas.search), indexed by FTS5 on SQLite and as a tsvector
with a GIN index on PostgreSQL; the documents of existing projects are written here.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from atlas.search import index

    db = op.get_bind()
    if db.dialect.name == "postgresql":
        op.execute("CREATE TABLE project_search (project_id integer PRIMARY KEY, document tsvector NOT NULL)")
        op.execute("CREATE INDEX ix_project_search_document ON project_search USING gin (document)")
    else:
        op.execute("CREATE VIRTUAL TABLE project_search USING fts5(document, "
                   "tokenize = 'unicode61 remove_diacritics 2')")
        op.execute("CREATE VIRTUAL TABLE project_search_vocabulary USING fts5vocab(project_search, 'row')")
    rows = [dict(row) for row in db.execute(sa.text("SELECT id, name, traeger, description, ort, status FROM projects"))
            .mappings()]
    for first in range(0, len(rows), 5_000):
        index(db, rows[first:first + 5_000], new=True)
