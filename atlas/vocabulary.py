"""The words of the search index that hold no digit, sorted: what a query word that begins no word of the index is
compared with for close spellings (atlas.search.Searcher.terms).

Read whole once per process. After a publication only the documents of the projects it changed are read, from the
log of public changes (as atlas.published catches up), and their words are added: a publication costs what it
changed, not a read of the whole index (70 ms of CPU at 100k projects, at the first search after every publication in
every process). Words of projects no longer public stay until the next whole read; a typo compared with one of them
at most gains a variant that matches nothing. The index is read whole again where the log does not reach back, where
it logged a change of everything, and at least every WHOLE_AFTER changed projects."""

from __future__ import annotations

import bisect
import json
import re
import threading

from sqlalchemy import text

WHOLE_AFTER = 10_000  # projects changed since the last whole read: then it is read whole again
# FTS5's unicode61 tokenizer: letters and digits in a run (the documents are folded already:
# atlas.search_index.document)
TOKEN = re.compile(r"[^\W_]+")
DIGIT = re.compile(r"[0-9]")  # a word with one is never a typo's correction (postcodes, house numbers)


class Vocabulary:
    def __init__(self, store):
        self.store = store
        self._lock = threading.Lock()
        self._version: int | None = None
        self._words: list[str] = []
        self._added = 0  # projects whose words were added since the last whole read
        self.whole_reads = 0  # the tests count them

    def current(self) -> list[str]:
        """The words as of the store's version now, sorted (a list that is never changed once handed out)."""
        version = self.store.version()
        with self._lock:
            if self._version != version:
                self._words = self._caught_up(version)
                self._version = version
            return self._words

    def _caught_up(self, version: int) -> list[str]:
        if self._version is not None and self._version < version and self._added < WHOLE_AFTER:
            changes = self.store.public_changes_since(self._version)
            if changes is not None:
                ids = sorted({change["project_id"] for change in changes if change["kind"] == "project"})
                self._added += len(ids)
                new = set(self._document_words(ids)).difference(self._words) if ids else set()
                return sorted([*self._words, *new]) if new else self._words
        self.whole_reads += 1
        self._added = 0
        return self._whole()

    def _whole(self) -> list[str]:
        if self.store.dialect == "postgresql":  # the words of the documents, not the facets
            sql = "SELECT word FROM ts_stat('SELECT document FROM project_search') WHERE word !~ '[0-9]'"
        else:
            sql = "SELECT term FROM project_search_vocabulary WHERE col = 'document' AND term NOT GLOB '*[0-9]*'"
        with self.store.read() as db:
            return sorted(row[0] for row in db.execute(text(sql)))

    def _document_words(self, ids: list[int]) -> list[str]:
        """The words without a digit of these projects' search documents (of those still published)."""
        with self.store.read() as db:
            if self.store.dialect == "postgresql":
                rows = db.execute(text("SELECT DISTINCT unnest(tsvector_to_array(document)) FROM project_search "
                                       "WHERE project_id = ANY(:ids)"), {"ids": ids})
                words = [row[0] for row in rows]
            else:
                rows = db.execute(text("SELECT document FROM project_search "
                                       "WHERE rowid IN (SELECT value FROM json_each(:ids))"), {"ids": json.dumps(ids)})
                words = [word for row in rows for word in TOKEN.findall(row[0].lower())]
        return [word for word in words if not DIGIT.search(word)]


def begins(words: list[str], prefix: str) -> bool:
    """Whether a word of the sorted `words` begins with `prefix`."""
    i = bisect.bisect_left(words, prefix)
    return i < len(words) and words[i].startswith(prefix)
