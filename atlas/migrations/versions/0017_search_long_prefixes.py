"""Prefix indexes for long words too: a query word of 13 to 20 characters (German compounds, longer still once
folded: "Flüchtlingshilfe" is asked as "fluechtlingshilfe"*) was answered as before 0016, by gathering the position
lists of every term that begins so into one list first – in the query and again in bm25()'s count of its matches.
Lengths 13 to 20 hold those lists ready as 4 to 12 do for the shorter ones. At 100k projects of the benchmark (few
long words: 4 % more prefix entries) the statements of a long word and a Handlungsfeld take 6.4–7.7 → 6.0 ms,
"Lernwerkstatt" around a town 1.4 → 1.0 ms (docs/benchmarks.md, „Search“). The rebuild takes about 4 s at 100k
projects. PostgreSQL's GIN index answers a prefix from its sorted terms and is left as it is.

Revision ID: 0017_search_long_prefixes
Revises: 0016_search_prefixes
"""

from alembic import op

revision = "0017_search_long_prefixes"
down_revision = "0016_search_prefixes"
branch_labels = None
depends_on = None

PREFIXES = " ".join(str(length) for length in range(4, 21))
EARLIER = "4 5 6 7 8 9 10 11 12"  # migration 0016's


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _rebuild(PREFIXES)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _rebuild(EARLIER)


def _rebuild(prefixes: str) -> None:
    """The index made anew with these prefix lengths from the documents it holds, merged into one segment (a search
    reads every segment of a term). As migration 0016 does it, frozen here."""
    op.execute("CREATE VIRTUAL TABLE project_search_new USING fts5(document, facets, texts, "
               f"tokenize = 'unicode61 remove_diacritics 2', prefix = '{prefixes}')")
    op.execute("INSERT INTO project_search_new (rowid, document, facets, texts) "
               "SELECT rowid, document, facets, texts FROM project_search")
    op.execute("INSERT INTO project_search_new (project_search_new) VALUES ('optimize')")
    op.execute("DROP TABLE project_search_vocabulary")
    op.execute("DROP TABLE project_search")
    op.execute("ALTER TABLE project_search_new RENAME TO project_search")
    op.execute("CREATE VIRTUAL TABLE project_search_vocabulary USING fts5vocab(project_search, 'col')")
