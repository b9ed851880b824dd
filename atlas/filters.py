"""What a person filters by, read from the URL: Handlungsfelder, language, target group, free of charge, and
"open now / in the next 7 days". Applied to a frame of published projects with numpy, never a loop per project:
times are evaluated once per distinct schedule."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from atlas import facts
from atlas.handlungsfelder import HANDLUNGSFELDER, mask
from atlas.i18n import N_, _, lazy
from atlas.text import clean_text

if TYPE_CHECKING:
    from flask_babel import LazyString

TIMES = {"jetzt": N_("jetzt geöffnet"), "woche": N_("in den nächsten 7 Tagen")}
WEEK_DAYS = 7


@dataclass(frozen=True)
class Filter:
    fields: tuple[str, ...] = ()  # Handlungsfelder: any of them
    sprachen: tuple[str, ...] = ()  # any of these languages
    zielgruppen: tuple[str, ...] = ()  # any of these groups; a project "für alle" is for each of them
    kostenlos: bool = False
    zeit: str = ""  # "", or a key of TIMES

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) for f in dataclasses.fields(self))

    @property
    def beyond_fields(self) -> bool:
        """Whether it asks more than the Handlungsfelder: more than an alert knows (atlas.alerts)."""
        return self != Filter(fields=self.fields)

    def key(self, now: datetime) -> tuple:
        """A cache key: the same filter at another minute is another answer if it asks about times."""
        return (self.fields, self.sprachen, self.zielgruppen, self.kostenlos, self.zeit,
                now.strftime("%Y-%m-%d %H:%M") if self.zeit else "")

    def params(self) -> list[tuple[str, str]]:
        """The filter as URL parameters, as parse_filter reads them."""
        return ([("hf", f) for f in self.fields] + [("sprache", s) for s in self.sprachen]
                + [("zielgruppe", z) for z in self.zielgruppen] + ([("kostenlos", "1")] if self.kostenlos else [])
                + ([("zeit", self.zeit)] if self.zeit else []))

    def keep(self, projects: pd.DataFrame, now: datetime) -> np.ndarray:
        """Which rows of a frame of published projects (PUBLIC_COLUMNS) pass; `now` is local time."""
        return self.keep_columns(projects, now)

    def keep_columns(self, projects, now: datetime) -> np.ndarray:
        """The same for anything that hands out its columns by name (a frame, atlas.published's Snapshot)."""
        ok = np.ones(len(projects), dtype=bool)
        if self.fields:
            ok &= (np.asarray(projects["hf_mask"]) & mask(list(self.fields))) != 0  # as narrow as stored
        if self.sprachen:
            ok &= (np.asarray(projects["sprachen_mask"]) & facts.bits(list(self.sprachen), facts.LANGUAGE_BITS)) != 0
        if self.zielgruppen:
            wanted = facts.bits(list(self.zielgruppen), facts.ZIELGRUPPEN) | facts.ZIELGRUPPEN["alle"].bit
            ok &= (np.asarray(projects["zg_mask"]) & wanted) != 0
        if self.kostenlos:
            ok &= np.asarray(projects["kosten"], dtype=object) == "kostenlos"
        if self.zeit:
            zeiten = np.asarray(projects["zeiten"], dtype=object)
            ok &= np.isin(zeiten, self.open_schedules(pd.unique(zeiten[ok]), now))
        return ok

    def open_schedules(self, schedules, now: datetime) -> list[str]:
        """Of these distinct schedules (OSM opening_hours), those open now, or at some time in the next 7 days."""
        if self.zeit == "jetzt":
            return [s for s in schedules if s and facts.is_open(s, now)]
        return [s for s in schedules if s and facts.open_within(s, now, WEEK_DAYS)]

    def apply(self, projects: pd.DataFrame, now: datetime) -> pd.DataFrame:
        return projects[self.keep(projects, now)] if self.active else projects


def parse_filter(args) -> tuple[Filter, list[str]]:
    """The filter in `args` (a MultiDict), and for each unknown value a message that names it and what is allowed;
    unknown values are left out. An empty value is no filter: a form sends its empty choices („alle Sprachen“)."""
    problems: list[str] = []

    def known(name: str, allowed, label: str | LazyString) -> tuple[str, ...]:
        wanted = [value for value in args.getlist(name) if value != ""]
        for value in wanted:
            if value not in allowed:
                problems.append(_("Unbekannter Wert „%(value)s“ für %(filter)s. Erlaubt sind: %(allowed)s.",
                                  value=clean_text(value)[:40], filter=label, allowed=", ".join(allowed)))
        return tuple(a for a in allowed if a in wanted)

    chosen = Filter(  # the labels are translated only for a message (most requests have none)
        fields=known("hf", list(HANDLUNGSFELDER), lazy("Handlungsfeld")),
        sprachen=known("sprache", list(facts.OFFER_LANGUAGES), lazy("Sprache")),
        zielgruppen=known("zielgruppe", list(facts.ZIELGRUPPEN), lazy("Zielgruppe")),
        kostenlos=args.get("kostenlos", "") == "1",
        zeit=(known("zeit", list(TIMES), lazy("Zeit")) or ("",))[0],
    )
    if args.get("kostenlos", "1") not in ("1", ""):
        problems.append(_("„kostenlos“ ist 1 oder fehlt, nicht „%(value)s“.", value=clean_text(args["kostenlos"])[:20]))
    return chosen, problems[:5]
