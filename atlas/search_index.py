"""The search documents: what a published project is found by, written into the index in the caller's transaction
(atlas.search asks it).

Every project has a search document: its words (name, Träger, description, Ort), folded ("Sprachcafé" →
"sprachcafe", "Lüneburg" → "lueneburg"), and their German stems (Snowball, the algorithm of PostgreSQL's
`german` configuration), and its facets: the grid cell of its position, its Handlungsfelder, languages and target
groups. SQLite indexes them with FTS5, PostgreSQL as `tsvector`s with GIN indexes.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager, suppress
from functools import lru_cache

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from atlas.gazetteer import folded_words
from atlas.search_cells import cell

COPIED_FROM = 100  # new documents beyond this many go to PostgreSQL by COPY (an import), fewer by INSERT
# Bytes of new documents FTS5 holds in memory before it writes a segment: its default, and during an import
DEFAULT_HASHSIZE, IMPORT_HASHSIZE = 1 << 20, 8 << 20


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A German word's stem, by Snowball's German algorithm compiled (PyStemmer: 1–2 µs a word; snowballstemmer's
    pure Python, which gives the same stems, 40–80 µs: an import paid that for every distinct word of its texts). The
    words of the projects repeat, and a lookup here is ten times cheaper still, so each is stemmed once."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer; not needed by a start that stems nothing: made when the first word is stemmed

    return Stemmer.Stemmer("german")


def words(value: str) -> list[str]:
    return [w for w in folded_words(value or "") if len(w) > 1 or w.isdigit()]


def document(row: dict, translations=()) -> str:
    """The searchable words of a project row: folded words and their German stems, and the words of its current
    translations (atlas.texts), each once."""
    named, named_stems = _name_terms(str(row.get("name") or ""))
    fields = [_field_terms(str(row.get(key) or "")) for key in ("traeger", "summary", "description", "ort")]
    translated = [w for t in translations for w in _field_words(t.text)]
    return " ".join(dict.fromkeys(itertools.chain(named, *(found for found, _stems in fields), named_stems,
                                                  *(stems for _found, stems in fields), translated)))


def translated_words(translations) -> str:
    """The words of the current translations, each tagged with its language ("ar" + word): a search on a page in
    that language asks for these to rank its own language first."""
    return " ".join(dict.fromkeys(t.language + w for t in translations for w in _field_words(t.text)))


KEPT_FIELD = 160  # characters: the Träger, Kurzbeschreibung and Ort (atlas.projects.LIMITS) of an import's rows repeat


def _field_words(value: str) -> tuple[str, ...]:
    return _kept_terms(value)[0] if len(value) <= KEPT_FIELD else tuple(words(value))


def _field_terms(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A field's words and their stems: a short field's kept together, once for an import's rows (stemming its words
    again, a cached lookup per word, took half of a document's time). Descriptions (up to 2,000 characters) seldom
    repeat and are not kept: 50,000 of them held ~100 MB of stems besides their words in a web worker."""
    return _kept_terms(value) if len(value) <= KEPT_FIELD else _terms(value)


def _terms(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = tuple(words(value))
    return found, tuple(_stems_of(found))


_kept_terms = lru_cache(maxsize=50_000)(_terms)  # at most 160 characters each: a few kB


def _name_terms(name: str) -> tuple[list[str], list[str]]:
    """A name's words and their stems, word by word: names seldom repeat, but their words do ("Initiative", the
    Ort), and folding each name whole took a third of an import's documents. The same as `_terms(name)`: folding
    (gazetteer.normalise) changes each character, or a "St." and the spaces after it, and spaces only part words,
    so a name folds to the words of its parts between spaces."""
    found, stems = [], []
    for part in name.split():
        if part.isascii() and part.isdigit():  # a number (a house, a year): itself, and never kept
            found.append(part)
            stems.append(part)
        else:
            part_words, part_stems = _kept_terms(part)
            found += part_words
            stems += part_stems
    return found, stems


def _stems_of(found) -> list[str]:
    """The stems of these words: a number is its own stem (the stemmer changes only letters), and is not handed to
    it – each distinct number (a phone number, a house number) would cost a stemmer's call and a place in stem()'s
    cache (with the pure-Python stemmer, descriptions with a phone number each took an import's documents twice the
    CPU)."""
    return [w if w.isdigit() else stem(w) for w in found]


def index(db, rows: list[dict], new: bool = False) -> None:
    """(Re)write the search documents of these projects in the caller's transaction. Only published projects
    have one: the index holds what the public may find, and a search needs no second look at the status.
    `new`: the projects were just inserted, there is nothing to replace."""
    if not rows:
        return
    from atlas.store.texts import current_texts  # the store's package imports this module

    ids = [{"id": int(row["id"])} for row in rows]
    published = [row for row in rows if row["status"] == "published"]
    translated = {} if new or not published else current_texts(db, published)
    docs = [{"id": int(row["id"]), "doc": document(row, translated.get(int(row["id"]), ())),
             "facets": facets(row, db.dialect.name), "texts": translated_words(translated.get(int(row["id"]), ()))}
            for row in published]
    if db.dialect.name == "postgresql":
        if not new:
            db.execute(text("DELETE FROM project_search WHERE project_id = :id"), ids)
        if new and len(docs) > COPIED_FROM:
            _copy_documents(db, docs)
        elif docs:
            db.execute(text("INSERT INTO project_search (project_id, document, facets, texts) "
                            "VALUES (:id, to_tsvector('simple', :doc), to_tsvector('simple', :facets), "
                            "to_tsvector('simple', :texts))"), docs)
    else:
        if not new:
            db.execute(text("DELETE FROM project_search WHERE rowid = :id"), ids)
        if docs:  # as the driver takes them: SQLAlchemy's work for each of an import's 100k rows costs 0.3 s
            db.exec_driver_sql("INSERT INTO project_search (rowid, document, facets, texts) VALUES (?, ?, ?, ?)",
                               [(d["id"], d["doc"], d["facets"], d["texts"]) for d in docs])


@contextmanager
def importing(db):
    """Around the writes of an import on SQLite: FTS5 gathers new documents in memory up to 8 MB (instead of 1 MB)
    before it writes them out as a segment. A segment written holds every prefix length of its terms (migration
    0016), and fewer, larger segments mean less of the merging that FTS5 does as they pile up (100k rows: 1.7 →
    1.0 s of CPU for their documents; the memory it takes grows by about 16 MB while they are written). The
    setting is one of the index's stored options, so it is set back afterwards, in the same transaction, and its
    row removed: the index is left as an import without it would leave it."""
    if db.dialect.name == "postgresql":
        yield
        return
    _fts_option(db, "hashsize", IMPORT_HASHSIZE)
    try:
        yield
    finally:  # also where the import fails: a rollback leaves FTS5's copy of the options in the connection at 8 MB
        with suppress(DBAPIError):  # a connection that broke is not reused; the import's own error is the one told
            _fts_option(db, "hashsize", DEFAULT_HASHSIZE)
            db.execute(text("DELETE FROM project_search_config WHERE k = 'hashsize'"))


def _fts_option(db, name: str, value: int) -> None:
    db.execute(text("INSERT INTO project_search (project_search, rank) VALUES (:name, :value)"),
               {"name": name, "value": value})


def merge_after_import(db, written: int) -> None:
    """After an import that wrote at least a quarter of SQLite's index, the index merged into one segment, in the
    import's transaction: FTS5 writes in segments and merges them only now and then, and a search looks up each
    query word and grid cell in every segment (7 after an import of 100k; merged, a new search of the benchmark's
    mix takes 6.5 → 5.2 ms). The merge rewrites the whole index – 0.35 s at 100k projects –, so a small import into a
    large index leaves it to FTS5's own merging. PostgreSQL's GIN index has no segments."""
    if db.dialect.name == "postgresql" or not written:
        return
    if written * 4 >= db.execute(text("SELECT count(*) FROM project_search")).scalar_one():
        db.execute(text("INSERT INTO project_search (project_search) VALUES ('optimize')"))


def _copy_documents(db, docs: list[dict]) -> None:
    """New documents of many projects (an import) on PostgreSQL: copied as text into a table of the transaction,
    made into tsvectors there in one statement."""
    from atlas.copying import copy_rows

    db.execute(text("CREATE TEMPORARY TABLE IF NOT EXISTS new_search (project_id integer, document text, "
                    "facets text, texts text) ON COMMIT DROP"))
    copy_rows(db, "new_search", ["project_id", "document", "facets", "texts"],
              ((d["id"], d["doc"], d["facets"], d["texts"]) for d in docs))
    db.execute(text("INSERT INTO project_search (project_id, document, facets, texts) "
                    "SELECT project_id, to_tsvector('simple', document), to_tsvector('simple', facets), "
                    "to_tsvector('simple', texts) FROM new_search"))
    db.execute(text("TRUNCATE new_search"))


def facets(row: dict, dialect: str) -> str:
    """What a project is besides its words, as tokens the index intersects with them: the grid cell of its position,
    its Handlungsfelder, languages and target groups (by bit), and whether it is free of charge (migrations 0007 and
    0018 write the same). On SQLite a Handlungsfeld's token names the cell too ("hf8c521x65", migration 0018): a search
    with a place and a Handlungsfeld then asks for the Handlungsfeld in the circle's cells, and bm25() counts the
    rows of those few instead of every project of the Handlungsfeld (30,000 of 100k: a millisecond a search). It
    replaces the plain token, so every document keeps its length and its score."""
    place = cell(row["lat"], row["lon"])
    fields = _bit_tokens("hf", int(row.get("hf_mask") or 0))
    tokens = [place, *(fields if dialect == "postgresql" else (field + place for field in fields))]
    for column, prefix in (("sprachen_mask", "sp"), ("zg_mask", "zg")):
        tokens += _bit_tokens(prefix, int(row.get(column) or 0))
    if row.get("kosten") == "kostenlos":
        tokens.append("kostenlos")
    return " ".join(tokens)


@lru_cache(maxsize=4_096)
def _bit_tokens(prefix: str, value: int) -> tuple[str, ...]:
    """A mask's tokens: projects share a few combinations, and spelling out each one's bits anew took a third of an
    import's facets."""
    return tuple(f"{prefix}{1 << i}" for i in range(value.bit_length()) if value & (1 << i))

