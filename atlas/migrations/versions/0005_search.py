"""The text search: a search document per project (as atlas.search made it then), indexed by FTS5 on SQLite and
as a tsvector with a GIN index on PostgreSQL; the documents of existing projects are written here.

Revision ID: 0005
Revises: 0004
"""

import re
import unicodedata

import snowballstemmer
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
    docs = [{"id": row["id"], "doc": _document(row)} for row in rows if row["status"] == "published"]
    if docs and db.dialect.name == "postgresql":
        db.execute(sa.text("INSERT INTO project_search (project_id, document) "
                           "VALUES (:id, to_tsvector('simple', :doc))"), docs)
    elif docs:
        db.execute(sa.text("INSERT INTO project_search (rowid, document) VALUES (:id, :doc)"), docs)


# The search document as this revision wrote it, frozen here: a migration must not change with the live code.
_STEMMER = snowballstemmer.stemmer("german")


def _document(row: dict) -> str:
    found = [w for key in ("name", "traeger", "description", "ort") for w in _words(str(row.get(key) or ""))]
    return " ".join(dict.fromkeys(found + [w if w.isdigit() else _STEMMER.stemWord(w) for w in found]))


def _words(value: str) -> list[str]:
    text = value.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"\bst\.\s*", "sankt ", text)
    text = re.sub(r"[^\w]+", " ", text)
    return [w for w in text.split() if len(w) > 1 or w.isdigit()]
