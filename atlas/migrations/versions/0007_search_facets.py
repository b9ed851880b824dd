"""The search index learns where a project is and what it offers: beside its words, each document holds facets –
the grid cell of its position and a token per Handlungsfeld, language, target group and „kostenlos“ – so place,
radius and filters narrow the matches inside the index, before anything is ranked. SQLite: a second FTS5 column
(ranked with weight 0); PostgreSQL: a second tsvector with its own GIN index.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen here as this revision writes them (atlas.search makes the same tokens for every later write).
CELL_LAT, CELL_LON = 0.1, 0.15  # degrees: about 11 × 10 km in Niedersachsen
HF_BITS = (1, 2, 4, 8, 16)
LANGUAGE_BITS = tuple(1 << i for i in range(24))
GROUP_BITS = (1, 2, 4, 8, 16, 32)


def facets_sql(floor: str) -> str:
    """The facets of a project row `p` as one SQL string expression; `floor` names the dialect's rounding down."""
    parts = [f"'c' || {floor.format(f'p.lat / {CELL_LAT}')} || 'x' || {floor.format(f'p.lon / {CELL_LON}')}"]
    for column, prefix, bits in (("hf_mask", "hf", HF_BITS), ("sprachen_mask", "sp", LANGUAGE_BITS),
                                 ("zg_mask", "zg", GROUP_BITS)):
        parts += [f"CASE WHEN (p.{column} & {bit}) != 0 THEN ' {prefix}{bit}' ELSE '' END" for bit in bits]
    parts.append("CASE WHEN p.kosten = 'kostenlos' THEN ' kostenlos' ELSE '' END")
    return " || ".join(parts)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE project_search ADD COLUMN facets tsvector NOT NULL DEFAULT ''::tsvector")
        op.execute("UPDATE project_search s SET facets = to_tsvector('simple', "
                   f"{facets_sql('CAST(FLOOR({}) AS INTEGER)')}) FROM projects p WHERE p.id = s.project_id")
        op.execute("CREATE INDEX ix_project_search_facets ON project_search USING gin (facets)")
        return
    op.execute("CREATE VIRTUAL TABLE project_search_new USING fts5(document, facets, "
               "tokenize = 'unicode61 remove_diacritics 2')")
    op.execute("INSERT INTO project_search_new (rowid, document, facets) SELECT s.rowid, s.document, "
               f"{facets_sql('CAST({} AS INTEGER)')} FROM project_search s JOIN projects p ON p.id = s.rowid")
    op.execute("DROP TABLE project_search_vocabulary")
    op.execute("DROP TABLE project_search")
    op.execute("ALTER TABLE project_search_new RENAME TO project_search")
    op.execute("CREATE VIRTUAL TABLE project_search_vocabulary USING fts5vocab(project_search, 'col')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_project_search_facets")
        op.execute("ALTER TABLE project_search DROP COLUMN facets")
        return
    op.execute("DROP TABLE project_search_vocabulary")
    op.execute("CREATE VIRTUAL TABLE project_search_old USING fts5(document, "
               "tokenize = 'unicode61 remove_diacritics 2')")
    op.execute("INSERT INTO project_search_old (rowid, document) SELECT rowid, document FROM project_search")
    op.execute("DROP TABLE project_search")
    op.execute("ALTER TABLE project_search_old RENAME TO project_search")
    op.execute("CREATE VIRTUAL TABLE project_search_vocabulary USING fts5vocab(project_search, 'row')")
