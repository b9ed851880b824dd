"""Text search over the projects: ranked, with German word forms, tolerant of typos and accents.

Every project has a search document: its words (name, Träger, description, Ort), folded ("Sprachcafé" →
"sprachcafe", "Lüneburg" → "lueneburg"), and their German stems (Snowball, the algorithm of PostgreSQL's
`german` configuration), kept beside the projects in the same transaction as every write. SQLite indexes it with
FTS5, PostgreSQL as a `tsvector` with a GIN index. A query word matches a word or a stem it begins
("Hausaufgaben" finds "Hausaufgabenhilfe", "Deutschkurse" finds "Deutschkurs"); a word no document begins with
is looked up in the index's vocabulary for close spellings ("Gewerkpass" finds "Gewerkepass").
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from atlas import facts
from atlas.filters import Filter
from atlas.gazetteer import normalise
from atlas.geo import ROUGH_SLACK, box_around, distance_km, distances
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import DEFAULT
from atlas.near import RADII_KM, in_radius
from atlas.present import local_now
from atlas.versioned import Recent, Versioned
from atlas.vocabulary import Vocabulary, begins

MAX_WORDS = 8  # of a query; more are ignored
MAX_RESULTS = 50  # a page of results
WIDER_KM = (100, 200, 400)  # circles in which the nearest matches beyond a radius are looked for
RANKED_AT_MOST = 5_000  # matches scored by relevance; a word matching more is ordered newest first
CELL_LAT, CELL_LON = 0.1, 0.15  # degrees: the grid of the index's place facets, about 11 × 10 km here
COVERED_FROM = 6  # of a row's ten cells in a circle, from which the ten are asked as one (cell_cover)
# phrases of Handlungsfelder in cells (facets) at most; more (several Handlungsfelder in the wide circles of the way on
# beyond a radius: 400 km are 4,600 cells) are asked as the cells and the Handlungsfelder anywhere, as two groups
FIELD_CELLS_AT_MOST = 500
SIMILAR = 80  # rapidfuzz ratio for a spelling to count as a typo of a known word
KEPT_ANSWERS = 2_000  # answers kept per process, the most recently asked (each a page of ids)
COPIED_FROM = 100  # new documents beyond this many go to PostgreSQL by COPY (an import), fewer by INSERT
# Bytes of new documents FTS5 holds in memory before it writes a segment: its default, and during an import
DEFAULT_HASHSIZE, IMPORT_HASHSIZE = 1 << 20, 8 << 20


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A German word's stem. The pure-Python stemmer takes about 80 µs a word; the words of the projects repeat, so
    each is stemmed once."""
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer  # 20 ms that a start need not pay: made when the first word is stemmed

    return snowballstemmer.stemmer("german")


def words(value: str) -> list[str]:
    return [w for w in normalise(value or "").split() if len(w) > 1 or w.isdigit()]


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
    return [w if w.isdigit() else _stem(w) for w in found]


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


def cell(lat: float, lon: float) -> str:
    return f"c{math.floor(lat / CELL_LAT)}x{math.floor(lon / CELL_LON)}"


def cells_around(area: Area) -> tuple[str, ...]:
    """The grid cells that may hold a project whose public position lies within the circle: of those its box
    touches, the ones whose nearest point lies within the radius (a sixth fewer cells to ask the index for, the
    box's corners). A cell is widened by the most a public position differs from the exact one (geo.ROUGH_SLACK),
    and measured on the ellipsoid with a margin: the nearest point of a cell this small is its point nearest in
    latitude and longitude, to within metres. Kept per circle up to the widest radius a person chooses: people ask
    around the same towns in the same radii, and measuring 90 cells took 0.1–0.2 ms of a search. The wide circles
    of the way on beyond a radius are not kept: one of 400 km is 4,600 cells (290 kB)."""
    return _kept_cells(area) if area.radius_km <= max(RADII_KM) else _cells(area)


def _cells(area: Area) -> tuple[str, ...]:
    south, north, west, east = box_around(area.lat, area.lon, area.radius_km)
    rows, columns = np.meshgrid(np.arange(math.floor(south / CELL_LAT), math.floor(north / CELL_LAT) + 1),
                                np.arange(math.floor(west / CELL_LON), math.floor(east / CELL_LON) + 1),
                                indexing="ij")
    rows, columns = rows.ravel(), columns.ravel()
    nearest_lat = np.clip(area.lat, rows * CELL_LAT - ROUGH_SLACK, (rows + 1) * CELL_LAT + ROUGH_SLACK)
    nearest_lon = np.clip(area.lon, columns * CELL_LON - ROUGH_SLACK, (columns + 1) * CELL_LON + ROUGH_SLACK)
    km = distance_km(np.full(len(rows), area.lat), np.full(len(rows), area.lon), nearest_lat, nearest_lon)
    reached = km <= area.radius_km * 1.001 + 0.05
    return tuple(f"c{row}x{column}" for row, column in zip(rows[reached].tolist(), columns[reached].tolist(),
                                                           strict=True))


_kept_cells = lru_cache(maxsize=1_000)(_cells)  # at most about 100 cells each (50 km): a few MB in all


@lru_cache(maxsize=1_000)
def cell_cover(cells: tuple[str, ...]) -> tuple[str, ...]:
    """FTS5 phrases for at least these cells: where they hold most of the ten cells of a row whose columns differ in
    the last digit only (c521x60 … c521x69), the ten asked as one prefix ("c521x6"*). A phrase of the query costs
    SQLite's bm25() a count of its rows and a look at each match, although the facets weigh nothing: 50 km around
    Hannover are 89 cells, covered by 15 phrases (the benchmark's searches in 50 km at 100k: their matches scored in
    8.5 → 6.9 ms, median), 25 km 29 cells by 14 phrases. What more the cover holds lies outside the circle and is
    left out with what the cells hold beyond it. Kept with the cells (at most a few kB each)."""
    tens: dict[str, list[str]] = {}
    for token in cells:
        tens.setdefault(token[:-1] if _TWO_DIGIT_COLUMN.fullmatch(token) else token, []).append(token)
    phrases = []
    for ten, members in tens.items():
        phrases += [f'"{ten}"*'] if len(members) >= COVERED_FROM else members
    return tuple(phrases)


_TWO_DIGIT_COLUMN = re.compile(r"c\d+x\d\d")  # a cell whose prefix without the last digit names a ten of one row


@dataclass(frozen=True)
class Area:
    """A circle around a place: only projects whose public position lies inside it."""
    lat: float
    lon: float
    radius_km: float


@dataclass
class Query:
    where: str  # FROM … WHERE …
    rank: str  # ORDER BY: the best match first
    newest: str  # ORDER BY: the newest first, for words that match too many to score
    id: str  # the project id's column
    params: dict
    first: str = "0"  # the rank's first key as a value, 1 before 0 (the reader's language's matches)
    score: str = "0"  # the rank's second key as a value, lowest first; the id decides between equals
    widened: bool = False  # asks for more cells than the circle's (cell_cover): the rest is left out afterwards


@dataclass(frozen=True)
class Found:
    ids: list[int]  # the asked page of the ranking
    total: int  # every match, exactly


class Searcher:
    """Ranked ids of published projects for a query; the vocabulary for typos follows the publications
    (atlas.vocabulary)."""

    def __init__(self, store, public):
        self.store = store
        self.public = public  # the published projects in memory (atlas.published): where each is shown
        self._vocabulary = Vocabulary(store)
        self._answers: Recent[tuple, Found] = Recent(KEPT_ANSWERS)  # (version, terms, filter, area, page) → answer
        self._schedules: Versioned[list[str]] = Versioned()

    def search(self, query: str, wanted: Filter | None = None, area: Area | None = None, offset: int = 0,
               limit: int = MAX_RESULTS, now: datetime | None = None, language: str = DEFAULT) -> Found:
        """The matches of `query` that pass the filter and lie in the area, ranked; `total` counts all of them.

        Place and filters narrow the matches in SQL before they are ranked (a box on the indexed coordinates, then
        the exact distance from the public positions), so the ranking never cuts off what is near. People ask the
        same words again and again: an answer is kept until the next publication. A reader of another `language`
        finds projects by the words of their translations too, those translated into it ranked first."""
        terms = self.terms(query)
        if not terms:
            return Found([], 0)
        wanted, now = wanted or Filter(), now or local_now()
        key = (self.store.version(), tuple(map(tuple, terms)), wanted.key(now), area, offset, limit, language)
        found = self._answers.get(key)
        if found is None:
            found = self._ranked(terms, wanted, area, offset, limit, now, language)
            self._answers.put(key, found)
        return found

    def forget(self) -> None:
        """Drop the kept answers (the benchmark times a search that was never asked before)."""
        self._answers.clear()

    def nearest(self, query: str, wanted: Filter | None, lat: float, lon: float, count: int,
                now: datetime | None = None) -> list[int]:
        """The `count` matches nearest to a point, nearest first, looked for in ever wider circles: the way on when
        nothing lies within the radius a person asked for."""
        terms = self.terms(query)
        if not terms:
            return []
        wanted, now = wanted or Filter(), now or local_now()
        if not self._found_anywhere(terms, wanted, now):  # no circle holds one: not three wide ones asked (20 ms)
            return []
        published = self.public.current()  # where each is shown (the projects table is not joined for it)
        for km in WIDER_KM:
            positions = published.positions(self._matches(terms, wanted, Area(lat, lon, km), now))
            if len(positions):
                km_away = distances(lat, lon, published["lat"][positions], published["lon"][positions], None)
                return published["id"][positions[np.argsort(km_away, kind="stable")[:count]]].tolist()
        return []

    def _ranked(self, terms: list[list[str]], wanted: Filter, area: Area | None, offset: int, limit: int,
                now: datetime, language: str = DEFAULT) -> Found:
        query = self._query(terms, wanted, area, now, language, covered=True)
        with self.store.read() as db:
            if area is None:
                # both through the driver (_all_rows): SQLAlchemy's work was 0.15 ms of each statement
                total = _all_rows(db, f"SELECT count(*) {query.where}", query.params)[0][0]
                ranked = total <= RANKED_AT_MOST  # beyond, a word says little: the newest first, without scoring
                order = query.rank if ranked else query.newest
                page = _all_rows(db, f"SELECT {query.id} {query.where} ORDER BY {order} LIMIT :n OFFSET :o",
                                 dict(query.params, n=limit, o=offset))
                return Found([row[0] for row in page], total)
            # in a circle every match in its cells is read anyway, counted and ordered here as the database would
            # order them. Scored are at most one more than are ranked, the lowest ids first: where more match, the
            # scores order nothing (the newest first) and the rest is read without them. Scoring all of a common word's
            # matches in a wide circle was most of such a search ("Verein" 50 km around Hannover at 100k: 20,000
            # scored in vain)
            rows = _scored_rows(db, query)
            if len(rows) > RANKED_AT_MOST and query.widened:  # whether the circle's own cells hold too many decides
                query = self._query(terms, wanted, area, now, language)
                rows = _scored_rows(db, query)
            if len(rows) <= RANKED_AT_MOST:
                ids = _by_rank(rows)
            else:
                rest = _all_rows(db, f"SELECT {query.id} {query.where} AND {query.id} > :last",
                                 dict(query.params, last=rows[-1][0]))
                ids = sorted([row[0] for row in rows] + [row[0] for row in rest], reverse=True)
        # where each is shown, from the published copy (an id it does not hold is left out), measured as everywhere
        published = self.public.current()
        positions = published.positions(ids)
        ids = published["id"][positions[in_radius(published, positions, area, area.radius_km)]].tolist()
        return Found(ids[offset:offset + limit], len(ids))

    def _matches(self, terms: list[list[str]], wanted: Filter, area: Area, now: datetime) -> list[int]:
        """The ids of every match in the cells around an area."""
        query = self._query(terms, wanted, area, now)
        with self.store.read() as db:
            return db.execute(text(f"SELECT {query.id} {query.where}"), query.params).scalars().all()

    def _found_anywhere(self, terms: list[list[str]], wanted: Filter, now: datetime) -> bool:
        """Whether any published project matches, wherever it is."""
        query = self._query(terms, wanted, None, now)
        with self.store.read() as db:
            return db.execute(text(f"SELECT 1 {query.where} LIMIT 1"), query.params).first() is not None

    def _query(self, terms: list[list[str]], wanted: Filter, area: Area | None, now: datetime,
               language: str = DEFAULT, covered: bool = False) -> Query:
        """The FROM … WHERE of a search and its orders: words and facets are asked of the index together; a reader
        of another language gets the matches whose translation into it has the words first. `covered`: SQLite may
        ask for the area's cells by fewer phrases that hold more (cell_cover), for a caller that leaves out what lies
        outside the circle."""
        postgres = self.store.dialect == "postgresql"
        words_part = (" & " if postgres else " AND ").join(
            "(" + (" | " if postgres else " OR ").join(f"{v}:*" if postgres else f'"{v}"*' for v in variants) + ")"
            for variants in terms)
        cells = cells_around(area) if area is not None else None
        widened = False
        if covered and cells is not None and not postgres:
            cover = cell_cover(cells)
            widened = cover != cells
            cells = cover
        facet_groups = self._facets(wanted, cells, postgres)
        joined = bool(wanted.zeit)  # times are read from the projects (positions from the published copy)
        params: dict = {"q": words_part}
        if postgres:
            where = "FROM project_search s" + (" JOIN projects p ON p.id = s.project_id" if joined else "")
            where += " WHERE s.document @@ to_tsquery('simple', :q)"
            if facet_groups:
                where += " AND s.facets @@ to_tsquery('simple', :f)"
                params["f"] = " & ".join("(" + " | ".join(group) + ")" for group in facet_groups)
            first = ""
            if language != DEFAULT:
                params["lq"] = " & ".join("(" + " | ".join(f"{language}{v}:*" for v in variants) + ")"
                                          for variants in terms)
                first = "(s.texts @@ to_tsquery('simple', :lq))"
            score = "ts_rank(s.document, to_tsquery('simple', :q))"
            query = Query(where, (first + " DESC, " if first else "") + score + " DESC, s.project_id",
                          "s.project_id DESC", "s.project_id", params,
                          f"CASE WHEN {first} THEN 1 ELSE 0 END" if first else "0", f"-{score}")
        else:
            expression = "document : (" + words_part + ")"
            expression += "".join(" AND facets : (" + " OR ".join(group) + ")" for group in facet_groups)
            params["q"] = expression
            where = "FROM project_search s" + (" JOIN projects p ON p.id = s.rowid" if joined else "")
            where += " WHERE project_search MATCH :q"
            first = ""
            if language != DEFAULT:
                params["lq"] = "texts : (" + " AND ".join(
                    "(" + " OR ".join(f'"{language}{v}"*' for v in variants) + ")" for variants in terms) + ")"
                first = "(s.rowid IN (SELECT rowid FROM project_search WHERE project_search MATCH :lq))"
            # bm25() by name, not the `rank` column; the facets and the tagged words weigh nothing in the score
            score = "bm25(project_search, 1.0, 0.0, 0.0)"
            query = Query(where, (first + " DESC, " if first else "") + score + ", s.rowid", "s.rowid DESC",
                          "s.rowid", params, first or "0", score, widened)
        if wanted.zeit:
            schedules = wanted.open_schedules(self.schedules(), now) or [""]
            names = [f"z{i}" for i in range(len(schedules))]
            query.where += f" AND p.zeiten IN ({', '.join(':' + n for n in names)}) AND p.zeiten != ''"
            query.params.update(zip(names, schedules, strict=True))
        return query

    @staticmethod
    def _facets(wanted: Filter, cells: Sequence[str] | None, postgres: bool) -> list[Sequence[str]]:
        """Groups of facet tokens (phrases on SQLite): a match holds one token of every group. `cells`: the place's
        (None: anywhere). On SQLite a Handlungsfeld's token names the cell (facets): the two are asked as one group."""
        groups: list[Sequence[str]] = []
        bits = [HANDLUNGSFELDER[slug].bit for slug in wanted.fields]
        if postgres or not bits:
            groups += [cells] if cells is not None else []
            groups += [[f"hf{bit}" for bit in bits]] if bits else []
        elif cells is not None and len(cells) * len(bits) > FIELD_CELLS_AT_MOST:
            groups += [cells, [_in_cell(bit, '"c"*') for bit in bits]]
        else:
            groups.append([_in_cell(bit, phrase) for bit in bits for phrase in (['"c"*'] if cells is None else cells)])
        if wanted.sprachen:
            groups.append([f"sp{facts.LANGUAGE_BITS[code]}" for code in wanted.sprachen])
        if wanted.zielgruppen:
            groups.append([f"zg{facts.ZIELGRUPPEN[slug].bit}" for slug in (*wanted.zielgruppen, "alle")])
        if wanted.kostenlos:
            groups.append(["kostenlos"])
        return groups

    def schedules(self) -> list[str]:
        """The distinct times of the published projects (a few hundred at most), once per store version."""
        def read() -> list[str]:
            sql = text("SELECT DISTINCT zeiten FROM projects WHERE status = 'published' AND zeiten != ''")
            with self.store.read() as db:
                return [row[0] for row in db.execute(sql)]

        return self._schedules.get(self.store.version(), read)

    def terms(self, query: str) -> list[list[str]]:
        """Each query word with what it may match: itself and its stem, or close spellings from the index."""
        result = []
        vocabulary = None
        for word in words(query)[:MAX_WORDS]:
            variants = _shortest([word, _stem(word)])
            if _numbered(word):  # a postcode, a house number, "B1": as typed, never 30169 for 30159
                result.append(variants)
                continue
            vocabulary = vocabulary if vocabulary is not None else self.vocabulary()
            if not any(begins(vocabulary, v) for v in variants):
                # a typo rarely hits the first letter: compare with the words that begin like it
                start = bisect.bisect_left(vocabulary, word[0])
                end = bisect.bisect_left(vocabulary, word[0] + "\uffff")
                close = process.extract(word, vocabulary[start:end], scorer=fuzz.ratio, score_cutoff=SIMILAR,
                                        limit=3)
                variants = _shortest(variants + [term for term, _score, _i in close])
            result.append(variants)
        return result

    def vocabulary(self) -> list[str]:
        """The index's words without a digit (those are never corrected: atlas.search.Searcher.terms), sorted, up to
        date with the store's version (atlas.vocabulary). Postcodes and house numbers would otherwise be most of it."""
        return self._vocabulary.current()


def _scored_rows(db, query: Query) -> list[tuple]:
    """(id, first, score) of the matches, at most one more than are ranked, the lowest ids first."""
    sql = f"SELECT {query.id}, {query.first}, {query.score} {query.where} ORDER BY {query.id} LIMIT :most"
    return _all_rows(db, sql, dict(query.params, most=RANKED_AT_MOST + 1))


def _all_rows(db, sql: str, params: dict) -> list[tuple]:
    """The rows of a query, on SQLite as its driver returns them: a Row of SQLAlchemy's per match was a tenth of
    reading the scored matches in a circle (555 rows: 3.37 -> 3.06 ms); sqlite3 takes the :name parameters as they
    are. PostgreSQL's driver has its own style of parameters, which SQLAlchemy writes."""
    if db.dialect.name != "sqlite":
        return db.execute(text(sql), params).all()
    failed = db.dialect.loaded_dbapi.Error
    try:
        return db.connection.driver_connection.execute(sql, params).fetchall()
    except failed as error:  # raised as every other query raises it: a database that is gone is a 503, not a 500
        raise DBAPIError.instance(sql, params, error, failed, dialect=db.dialect) from error


def _by_rank(rows) -> np.ndarray:
    """The ids of (id, first, score) rows in the rank's order – the first key 1 before 0, the lowest score, the lowest
    id –, sorted as arrays: sorting the rows in Python by a key of three was a tenth of a search around a place."""
    if not rows:
        return np.zeros(0, dtype=np.int64)
    ids, first, score = (np.array(column) for column in zip(*rows, strict=True))
    return ids[np.lexsort((ids, score, -first))]


def _in_cell(bit: int, phrase: str) -> str:
    """The FTS5 phrase of a Handlungsfeld in the cells of a cell's phrase: c521x65 → hf8c521x65, "c521x6"* →
    "hf8c521x6"*, "c"* (every cell) → "hf8c"*."""
    return f'"hf{bit}{phrase[1:]}' if phrase.startswith('"') else f"hf{bit}{phrase}"


def _shortest(variants: list[str]) -> list[str]:
    """The variants a prefix search needs: "sprachcaf" finds all that "sprachcafe" would."""
    kept = []
    for variant in sorted(set(variants), key=len):
        if not any(variant.startswith(shorter) for shorter in kept):
            kept.append(variant)
    return kept


def _numbered(word: str) -> bool:
    return any(character.isdigit() for character in word)
