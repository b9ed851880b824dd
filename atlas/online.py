"""The online geocoder behind a setting: geopy's Nominatim, restricted to Germany, rate-limited and cached.

At most one request per second for the whole atlas, across threads, processes and machines. One row in the
database says when the next request may start. A request claims its turn by pushing that time beyond its own
time-out, and when its answer has arrived it sets the time to one second later. So the next request leaves a
full second after the previous answer came back, whatever the network's delays (a crashed process gives its
turn back when its time-out has passed). Answers are cached in the database too, so a place asked once is never
asked again by any process.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from geopy.exc import GeopyError
from geopy.geocoders import Nominatim
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from atlas.schema import geocode_answers, geocode_pace


class OnlineUnavailable(Exception):
    """The provider could not answer (network, time-out, error status)."""


@dataclass(frozen=True)
class OnlineHit:
    name: str
    lat: float
    lon: float
    precision: str


class OnlineGeocoder:
    def __init__(self, base_url: str, user_agent: str, timeout: float, store, min_interval: float = 1.0):
        self.timeout = timeout
        parts = urlsplit(base_url)
        self.provider = Nominatim(user_agent=user_agent, timeout=timeout, scheme=parts.scheme or "https",
                                  domain=parts.netloc + parts.path.rstrip("/"))
        self.store = store
        self.min_interval = min_interval

    def search(self, query: str) -> list[OnlineHit]:
        """Hits for a query, from the cache when it was asked before (by any process)."""
        key = query.strip().casefold()[:300]
        with self.store.read() as db:
            cached = db.execute(select(geocode_answers.c.hits).where(geocode_answers.c.query == key)).scalar()
        if cached is not None:
            return [OnlineHit(**hit) for hit in json.loads(cached)]
        hits = self._ask(query)
        row = {"query": key, "hits": json.dumps([hit.__dict__ for hit in hits]), "at": datetime.now(UTC)}
        dialect = postgresql if self.store.dialect == "postgresql" else sqlite
        with self.store.write() as db:  # another process may have asked the same meanwhile
            db.execute(dialect.insert(geocode_answers).values(**row).on_conflict_do_nothing())
        return hits

    def _ask(self, query: str) -> list[OnlineHit]:
        self._take_turn()
        try:
            answers = self.provider.geocode(query, exactly_one=False, limit=5, country_codes="de",
                                            addressdetails=True, language="de")
        except GeopyError as error:
            raise OnlineUnavailable(str(error)) from error
        finally:
            self._set_next(time.time() + self.min_interval)
        return [_hit(answer.raw) for answer in answers or []]

    def _take_turn(self) -> None:
        """Wait until no request is under way and the last answer is `min_interval` old, then claim the turn."""
        while True:
            with self.store.write() as db:
                next_at = db.execute(select(geocode_pace.c.next_at).where(geocode_pace.c.id == 1)
                                     .with_for_update()).scalar_one()
                now = time.time()
                if now >= next_at:
                    held_until = now + self.timeout + self.min_interval  # given back if this process dies
                    db.execute(update(geocode_pace).where(geocode_pace.c.id == 1).values(next_at=held_until))
                    return
            time.sleep(min(next_at - now, 0.1))

    def _set_next(self, at: float) -> None:
        with self.store.write() as db:
            db.execute(update(geocode_pace).where(geocode_pace.c.id == 1).values(next_at=at))


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
