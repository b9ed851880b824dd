"""Prefix indexes for the search: every query word is asked as the beginning of a word (`"wort"*`), which FTS5
answers without a prefix index by gathering the position lists of every term that begins so into one list first; a
prefix index of the query's length holds that list ready. Lengths 4 to 12: most query words and their stems (a
longer one gathers the few terms that begin with it, as before). Two and three letters would speed
the rare query of that length ("ve": 13 → 4 ms) but write an entry for nearly every token: at 100k projects they
add another 7 MB and a second of import. With 4–12, the index queries of a new /suche of the benchmark's mix take
a third less CPU (5.5 → 3.6 ms, the searcher 7.2 → 5.2 ms, rebuilt in one segment); the database grows by a fifth
(61 → 73 MB once vacuumed) and an import of 100k rows by about 1.4 s of CPU (docs/benchmarks.md, „Search“). The
rebuild takes 3.6 s at 100k projects. PostgreSQL's GIN index answers a prefix from its sorted terms and is left as
it is.

Revision ID: 0016_search_prefixes
Revises: 0015_change_districts
"""

from alembic import op

revision = "0016_search_prefixes"
down_revision = "0015_change_districts"
branch_labels = None
depends_on = None

PREFIXES = "4 5 6 7 8 9 10 11 12"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _rebuild(f", prefix = '{PREFIXES}'")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _rebuild("")


def _rebuild(options: str) -> None:
    """The index made anew with these options from the documents it holds, merged into one segment (a search
    reads every segment of a term)."""
    op.execute("CREATE VIRTUAL TABLE project_search_new USING fts5(document, facets, texts, "
               f"tokenize = 'unicode61 remove_diacritics 2'{options})")
    op.execute("INSERT INTO project_search_new (rowid, document, facets, texts) "
               "SELECT rowid, document, facets, texts FROM project_search")
    op.execute("INSERT INTO project_search_new (project_search_new) VALUES ('optimize')")
    op.execute("DROP TABLE project_search_vocabulary")
    op.execute("DROP TABLE project_search")
    op.execute("ALTER TABLE project_search_new RENAME TO project_search")
    op.execute("CREATE VIRTUAL TABLE project_search_vocabulary USING fts5vocab(project_search, 'col')")
