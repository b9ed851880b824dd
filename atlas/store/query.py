"""What a reader of the published projects asks for, as plain values: the HTTP layer parses it, the store decides
how to answer (as pygeoapi hands a query to its provider)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class ProjectQuery:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat (public positions)
    since: datetime | None = None  # last changed at or after
    until: datetime | None = None  # … and at or before
    hf: tuple[str, ...] = ()  # any of these Handlungsfelder
    arl: str | None = None
    kreis: str | None = None
    id: int | None = None  # one project

    def params(self, **changes) -> dict:
        """The query as URL parameters (for `next` and `prev` links)."""
        values = {"limit": self.limit, "offset": self.offset, **changes}
        if self.bbox:
            values["bbox"] = ",".join(str(v) for v in self.bbox)  # every digit: the next page asks the same box
        if self.since or self.until:
            values["datetime"] = "/".join(v.isoformat().replace("+00:00", "Z") if v else ".."
                                          for v in (self.since, self.until))
        if self.hf:
            values["hf"] = ",".join(self.hf)
        for key in ("arl", "kreis"):
            if getattr(self, key):
                values[key] = getattr(self, key)
        return values
