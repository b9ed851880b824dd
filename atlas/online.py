"""The online geocoder behind a setting: geopy's Nominatim, restricted to Germany, rate-limited and cached.

At most one request per second for the whole application, across threads and processes: the time of the
last request lives in the SQLite cache file, read and written inside one exclusive transaction.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from geopy.exc import GeopyError
from geopy.geocoders import Nominatim


class OnlineUnavailable(Exception):
    """The provider could not answer (network, time-out, error status)."""


@dataclass(frozen=True)
class OnlineHit:
    name: str
    lat: float
    lon: float
    precision: str


class OnlineGeocoder:
    def __init__(self, base_url: str, user_agent: str, timeout: float, cache_path: Path,
                 min_interval: float = 1.0):
        parts = urlsplit(base_url)
        self.provider = Nominatim(user_agent=user_agent, timeout=timeout, scheme=parts.scheme or "https",
                                  domain=parts.netloc + parts.path.rstrip("/"))
        self.cache_path = Path(cache_path)
        self.min_interval = min_interval
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS answers (query TEXT PRIMARY KEY, hits TEXT, at REAL)")
            db.execute("CREATE TABLE IF NOT EXISTS pace (id INTEGER PRIMARY KEY CHECK (id = 1), last REAL)")
            db.execute("INSERT OR IGNORE INTO pace VALUES (1, 0)")

    def search(self, query: str) -> list[OnlineHit]:
        """Hits for a query, from the cache when it was asked before."""
        key = query.strip().casefold()
        with self._connect() as db:
            row = db.execute("SELECT hits FROM answers WHERE query = ?", (key,)).fetchone()
        if row is not None:
            return [OnlineHit(**hit) for hit in json.loads(row[0])]
        hits = self._ask(query)
        with self._connect() as db:
            db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)",
                       (key, json.dumps([hit.__dict__ for hit in hits]), time.time()))
        return hits

    def _ask(self, query: str) -> list[OnlineHit]:
        self._wait_turn()
        try:
            answers = self.provider.geocode(query, exactly_one=False, limit=5, country_codes="de",
                                            addressdetails=True, language="de")
        except GeopyError as error:
            raise OnlineUnavailable(str(error)) from error
        return [_hit(answer.raw) for answer in answers or []]

    def _wait_turn(self) -> None:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            (last,) = db.execute("SELECT last FROM pace WHERE id = 1").fetchone()
            delay = last + self.min_interval - time.time()
            if delay > 0:
                time.sleep(delay)
            db.execute("UPDATE pace SET last = ? WHERE id = 1", (time.time(),))
            db.commit()
        finally:
            db.close()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.cache_path, timeout=60)


def _hit(raw: dict) -> OnlineHit:
    address = raw.get("address", {})
    if "house_number" in address:
        precision = "address"
    elif raw.get("addresstype") == "postcode" or raw.get("type") == "postcode":
        precision = "postcode"
    elif "road" in address:
        precision = "street"
    else:
        precision = "place"
    return OnlineHit(raw.get("display_name", ""), float(raw["lat"]), float(raw["lon"]), precision)
