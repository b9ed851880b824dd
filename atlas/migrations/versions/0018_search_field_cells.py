"""SQLite's search index: a Handlungsfeld's facet names the project's grid cell too ("hf8" → "hf8c521x65").

A search with a place and a Handlungsfeld asked FTS5 for the circle's cells and, as a phrase of its own, for the
Handlungsfeld: bm25() counts the rows of every phrase of a query before it scores the first match, so each such
search counted the Handlungsfeld's 30,000 projects (of 100k) and walked its list to meet the cells. Now it asks for
the Handlungsfeld in the circle's cells, phrases that hold only those projects ("hf8c521x65", "hf8c521x6"* for ten
cells of a row); without a place, "hf8c"* holds them all, from the prefix index of that length. The token replaces
the plain one, so every document keeps its number of tokens, and bm25(), which weighs a match by its document's
length, ranks as before. The rebuild takes about 3.5 s of CPU at 100k projects; the longer tokens and their prefixes
grow the database there by about 7 MB (with migration 0017's: 73 → 80 MB, freshly built), an import's CPU not
measurably (10.9, 10.0 → 10.3, 10.1 s; bench/import.py, alternating). An upgraded database keeps the old
index's pages free until a VACUUM (the benchmark's 100k: 94 → 114 MB on disk, 80 MB after VACUUM). PostgreSQL's
GIN index intersects the lists without counting them and keeps the plain tokens.

Revision ID: 0018_search_field_cells
Revises: 0017_search_long_prefixes
"""

import re

from alembic import op

revision = "0018_search_field_cells"
down_revision = "0017_search_long_prefixes"
branch_labels = None
depends_on = None

PREFIXES = " ".join(str(length) for length in range(4, 21))  # migration 0017's
FIELD = re.compile(r"hf\d+")  # a Handlungsfeld's facet as migration 0007 and atlas.search wrote it
CELL = re.compile(r"c-?\d+x-?\d+")  # a grid cell's (atlas.search_cells.cell)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _rebuild(in_cells)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _rebuild(plain)


def in_cells(facets: str | None) -> str:
    """"c521x65 hf1 hf8 sp2" → "c521x65 hf1c521x65 hf8c521x65 sp2": the cell is the first facet (migration 0007).
    Facets without a cell first (none are written so) are left as they are, not stopping the upgrade."""
    tokens = (facets or "").split()
    if not tokens or not CELL.fullmatch(tokens[0]):
        return facets or ""
    return " ".join([tokens[0], *(token + tokens[0] if FIELD.fullmatch(token) else token for token in tokens[1:])])


def plain(facets: str | None) -> str:
    tokens = (facets or "").split()
    if not tokens or not CELL.fullmatch(tokens[0]):
        return facets or ""
    return " ".join([tokens[0], *(token.removesuffix(tokens[0]) if token.startswith("hf") else token
                                  for token in tokens[1:])])


def _rebuild(rewrite) -> None:
    """The index made anew from the documents it holds, their facets rewritten, merged into one segment (a search
    reads every segment of a term)."""
    op.get_bind().connection.driver_connection.create_function("atlas_facets", 1, rewrite, deterministic=True)
    op.execute("CREATE VIRTUAL TABLE project_search_new USING fts5(document, facets, texts, "
               f"tokenize = 'unicode61 remove_diacritics 2', prefix = '{PREFIXES}')")
    op.execute("INSERT INTO project_search_new (rowid, document, facets, texts) "
               "SELECT rowid, document, atlas_facets(facets), texts FROM project_search")
    op.execute("INSERT INTO project_search_new (project_search_new) VALUES ('optimize')")
    op.execute("DROP TABLE project_search_vocabulary")
    op.execute("DROP TABLE project_search")
    op.execute("ALTER TABLE project_search_new RENAME TO project_search")
    op.execute("CREATE VIRTUAL TABLE project_search_vocabulary USING fts5vocab(project_search, 'col')")
