"""Text search over the projects: ranked, with German word forms, tolerant of typos and accents.

A query word matches a word or a stem it begins in a project's search document (atlas.search_index): "Hausaufgaben"
finds "Hausaufgabenhilfe", "Deutschkurse" finds "Deutschkurs", "Nähen" (stem "nah") the "Nähcafé" ("nahcaf"); a word
no document begins with is looked up in the index's vocabulary for close spellings ("Gewerkpass" finds
"Gewerkepass"). A place narrows the matches to a circle (atlas.search_cells) before they are ranked.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

import numpy as np
from rapidfuzz import fuzz, process
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from atlas import facts, ranking
from atlas.filters import Filter
from atlas.geo import distances
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import DEFAULT
from atlas.near import in_radius
from atlas.present import local_now
from atlas.search_cells import Area, cell_cover, cells_around
from atlas.search_index import stem, words
from atlas.versioned import Recent, Versioned
from atlas.vocabulary import Vocabulary, begins

MAX_WORDS = 8  # of a query; more are ignored
MAX_RESULTS = 50  # a page of results
WIDER_KM = (100, 200, 400)  # circles in which the nearest matches beyond a radius are looked for
RANKED_AT_MOST = 5_000  # matches scored by relevance; a word matching more is ordered newest first
# phrases of Handlungsfelder in cells (facets) at most; more (several Handlungsfelder in the wide circles of the way on
# beyond a radius: 400 km are 4,600 cells) are asked as the cells and the Handlungsfelder anywhere, as two groups
FIELD_CELLS_AT_MOST = 500
SIMILAR = 80  # rapidfuzz ratio for a spelling to count as a typo of a known word
KEPT_ANSWERS = 2_000  # answers kept per process, the most recently asked (each a page of ids)
KEPT_COUNTS = 20_000  # documents per word and version, for the ranking (atlas.ranking): a few MB at most
SHORTEST_PREFIX = 4  # letters: SQLite's shortest prefix index (migration 0016); a shorter stem only if a word's


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
    counted_phrases: tuple[str, ...] = ()  # the words' phrases the score needs counted (atlas.ranking), in order


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
        # (version, phrase) → (the index's rows, its tokens, the documents holding the phrase), as counted together
        self._counts_kept: Recent[tuple[int, str], tuple[int, int, int]] = Recent(KEPT_COUNTS)
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

    def forget(self, counts: bool = False) -> None:
        """Drop the kept answers (the benchmark times a search that was never asked before), and with `counts` the
        words' document counts too (as for the first search of its words after a publication)."""
        self._answers.clear()
        if counts:
            self._counts_kept.clear()

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
        # one snapshot for the search's statements: the words' counts, the scores, and the version the counts are kept
        # under (atlas.ranking) are of the same data, also while a publication lands
        with self.store.read() as db, db.begin():
            version = self.store.version_of(db)
            if area is None:
                # both through the driver (_all_rows): SQLAlchemy's work was 0.15 ms of each statement
                total = _all_rows(db, f"SELECT count(*) {query.where}", query.params)[0][0]
                if not total:
                    return Found([], 0)
                ranked = total <= RANKED_AT_MOST  # beyond, a word says little: the newest first, without scoring
                if ranked:
                    # the words' counts kept, or counted on the first match and kept. bm25() would count every phrase
                    # of the expression in the whole index – a Handlungsfeld's "hf8c"* (30,000 documents at 100k) too
                    # – on every search, and read each match's length and phrases: such a page's statement 4.02 ->
                    # 1.33 ms, 1.06 with the counts kept (docs/benchmarks.md, stop 56)
                    counts = self._counts(db, version, query)
                    if counts is None:  # cannot be: the count saw matches in this snapshot; empty, not an error
                        return Found([], 0)
                    query = replace(query, params={**query.params, **counts})
                order = query.rank if ranked else query.newest
                page = _all_rows(db, f"SELECT {query.id} {query.where} ORDER BY {order} LIMIT :n OFFSET :o",
                                 dict(query.params, n=limit, o=offset))
                return Found([row[0] for row in page], total)
            # in a circle every match in its cells is read anyway, counted and ordered here as the database would
            # order them. Scored are at most one more than are ranked, the lowest ids first: where more match, the
            # scores order nothing (the newest first) and the rest is read without them. Scoring all of a common word's
            # matches in a wide circle was most of such a search ("Verein" 50 km around Hannover at 100k: 20,000
            # scored in vain)
            rows = self._scored_rows(db, version, query)
            if len(rows) > RANKED_AT_MOST and query.widened:
                # whether the circle's own cells hold too many decides: their matches read without scores first,
                # scored only if they are few enough to be ranked (a common word 50 km around a town at 1M: the
                # circle's 5,001 scored in vain, 31 of 103 ms)
                query = self._query(terms, wanted, area, now, language)
                found = _all_rows(db, f"SELECT {query.id} {query.where}", query.params)
                rows = self._scored_rows(db, version, query) if len(found) <= RANKED_AT_MOST else None
                ids = sorted([row[0] for row in found], reverse=True) if rows is None else _by_rank(rows)
            elif len(rows) <= RANKED_AT_MOST:
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

    def _scored_rows(self, db, version: int, query: Query) -> list[tuple]:
        """(id, first, score) of the matches, at most one more than are ranked, the lowest ids first."""
        counts = self._counts(db, version, query)
        if counts is None:
            return []  # counting found no match: nothing to score
        sql = f"SELECT {query.id}, {query.first}, {query.score} {query.where} ORDER BY {query.id} LIMIT :most"
        return _all_rows(db, sql, {**query.params, **counts, "most": RANKED_AT_MOST + 1})

    def _counts(self, db, version: int, query: Query) -> dict[str, int | None] | None:
        """The parameters of the query's score (atlas.ranking.score): the index's rows and tokens and the documents
        that hold each of its counted phrases – kept per phrase and version (`version`: the one `db` reads), else
        counted on the query's first match and kept. None where that found no match: nothing to score or keep.
        A word shorter than the shortest prefix index is read by merging every term it begins: counting it apart
        would read it once more than the score's own counting does ("de" 10 km around Hannover at 100k: 38.6
        against 27.8 ms), so its count is left to the score (None), as bm25() would count it."""
        phrases = query.counted_phrases
        if not phrases:
            return {}
        apart = [i for i, phrase in enumerate(phrases) if len(phrase.strip('"*')) >= SHORTEST_PREFIX]
        kept = dict(zip(apart, self._counts_kept.get_many([(version, phrases[i]) for i in apart]), strict=True))
        if missing := [i for i in apart if kept[i] is None]:
            made = ranking.counts(partial(_all_rows, db), query.where, query.params, missing)
            if made is None:
                return None
            kept.update({i: (made["cr"], made["ct"], made[f"c{i}"]) for i in missing})
            self._counts_kept.put_many([((version, phrases[i]), kept[i]) for i in missing])
        counts: dict[str, int | None] = {f"c{i}": None for i in range(len(phrases))}
        counts.update({f"c{i}": count for i, (*_, count) in kept.items()})
        rows, tokens = next(iter(kept.values()))[:2] if kept else (None, None)  # of one version: the same for all
        return {"cr": rows, "ct": tokens, **counts}

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
            # bm25 with the words' documents counted beforehand (atlas.ranking, Searcher._counts); the facets and the
            # tagged words weigh nothing in the score. The words' phrases come first in the expression, in this order
            counted = tuple(f'"{v}"*' for variants in terms for v in variants) if ranking.available() else ()
            score = ranking.score(len(counted)) if counted else ranking.SCORED
            query = Query(where, _fts_rank(first, score), "s.rowid DESC", "s.rowid", params, first or "0", score,
                          widened, counted)
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
            if _numbered(word):  # a postcode, a house number, "B1": as typed, never 30169 for 30159
                result.append(_shortest([word, stem(word)]))
                continue
            vocabulary = vocabulary if vocabulary is not None else self.vocabulary()
            variants = _shortest([word, _asked_stem(vocabulary, word)])
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


def _fts_rank(first: str, score: str) -> str:
    """SQLite's ORDER BY of the ranking: the reader's language's matches first (`first`, if any), the best score,
    the lowest id."""
    return (first + " DESC, " if first else "") + score + ", s.rowid"


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
    id –, sorted as arrays: sorting the rows in Python by a key of three was a tenth of a search around a place. Each
    column is handed to numpy as a list with its type and length, which spares numpy finding out what the values are
    (the rows of the benchmark's searches around a place: 0.083 -> 0.068 ms)."""
    if not rows:
        return np.zeros(0, dtype=np.int64)
    ids = np.fromiter([row[0] for row in rows], np.int64, len(rows))
    first = np.fromiter([row[1] for row in rows], np.int64, len(rows))
    score = np.fromiter([row[2] for row in rows], np.float64, len(rows))
    return ids[np.lexsort((ids, score, -first))]


def _in_cell(bit: int, phrase: str) -> str:
    """The FTS5 phrase of a Handlungsfeld in the cells of a cell's phrase: c521x65 → hf8c521x65, "c521x6"* →
    "hf8c521x6"*, "c"* (every cell) → "hf8c"*."""
    return f'"hf{bit}{phrase[1:]}' if phrase.startswith('"') else f"hf{bit}{phrase}"


def _asked_stem(vocabulary: list[str], word: str) -> str:
    """The word's stem, to be asked as the beginning of words – one shorter than SHORTEST_PREFIX only where it is a
    word's stem in the index, else the word itself: "Jobs" → "job" where a project's "Job" is (and then the "Jobpaten"
    are found too), but "Vere" or the typo "Veren" → "ver" would begin every "Verein", "Verkehr" and "Vertrag", looked
    up without a prefix index ("Veren 33" at 100k: 17 → 7 ms)."""
    found = stem(word)
    if len(found) >= SHORTEST_PREFIX:
        return found
    i = bisect.bisect_left(vocabulary, found)
    return found if i < len(vocabulary) and vocabulary[i] == found else word


def _shortest(variants: list[str]) -> list[str]:
    """The variants a prefix search needs: "sprachcaf" finds all that "sprachcafe" would."""
    kept = []
    for variant in sorted(set(variants), key=len):
        if not any(variant.startswith(shorter) for shorter in kept):
            kept.append(variant)
    return kept


def _numbered(word: str) -> bool:
    return any(character.isdigit() for character in word)
