"""Projects gathered from public sources: the rules for a source and its date, and what marks such a project until
its Träger confirms the entry (data/README.md says how the data set is gathered and kept)."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from atlas.i18n import _

QUELLE_LIMIT = 500
STAND = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
EARLIEST_YEAR = 1990
OUTDATED_BEFORE = 2022  # a source older than this may no longer describe the offer: the page says so
URL = re.compile(r"https?://[^\s<>\"'`\\/]+\.[^\s<>\"'`\\/]+(/[^\s<>\"'`\\]*)?", re.IGNORECASE)
YES, NO = ("ja", "yes", "true", "1", "x"), ("nein", "no", "false", "0", "")


def check(quelle: str, stand: str, bestaetigt: str, today: date) -> tuple[dict, dict[str, str]]:
    """The source fields of an imported row, or for each what is wrong. `confirmed` is false for a row gathered
    from a source (a `quelle`) unless it says that the Träger confirmed it (`bestaetigt`: ja)."""
    errors: dict[str, str] = {}
    if len(quelle) > QUELLE_LIMIT:
        errors["quelle"] = _("Die Quelle ist zu lang: höchstens %(limit)s Zeichen, eingegeben %(count)s.",
                             limit=QUELLE_LIMIT, count=len(quelle))
    elif quelle and not URL.fullmatch(quelle):
        errors["quelle"] = _("Die Quelle muss eine Webadresse sein, die mit http:// oder https:// beginnt: "
                             "„%(value)s“.", value=quelle[:80])
    if stand:
        problem = stand_problem(stand, today)
        if problem:
            errors["quelle_stand"] = problem
    if bool(quelle) != bool(stand) and "quelle" not in errors and "quelle_stand" not in errors:
        errors["quelle_stand" if quelle else "quelle"] = _(
            "Quelle und Stand der Quelle gehören zusammen: bitte beide angeben oder beide leer lassen.")
    answer = bestaetigt.strip().casefold()
    if answer not in YES + NO:
        errors["bestaetigt"] = _("Bestätigt: „%(value)s“ ist nicht vorgesehen; erlaubt sind ja und nein.",
                                 value=bestaetigt[:20])
    return {"quelle": quelle, "quelle_stand": stand, "confirmed": not quelle or answer in YES}, errors


def stand_problem(stand: str, today: date) -> str:
    """Why a source's date is not one (YYYY, YYYY-MM or YYYY-MM-DD, not in the future), or ""."""
    first = _first_day(stand) if len(stand) <= len("2019-03-14") else None  # a longer one is none, nor kept
    if first is None:
        return _("Der Stand der Quelle ist ein Jahr, ein Monat oder ein Tag (2019, 2019-03 oder 2019-03-14), nicht "
                 "„%(value)s“.", value=stand[:20])
    if first > today:
        return _("Der Stand der Quelle liegt in der Zukunft: „%(value)s“.", value=stand)
    return ""


@lru_cache(maxsize=4096)
def _first_day(stand: str) -> date | None:
    """The first day a source's date names, or None where it names none from EARLIEST_YEAR on. An import's rows
    share a few hundred dates: each read once (and the message of a bad one made only for it: 100k rows took
    0.22 s, making it for every row)."""
    parts = STAND.fullmatch(stand)
    if not parts:
        return None
    year, month, day = (int(p) if p else None for p in parts.groups())
    try:
        first = date(year, month or 1, day or 1)
    except ValueError:
        return None
    return first if year >= EARLIEST_YEAR else None


def unconfirmed(row: dict) -> bool:
    """Gathered from a public source and not yet confirmed by its Träger (nor by the office). A row of the public
    frame carries the answer (`from_source`, atlas.store.FROM_SOURCE); a whole row says it by its columns."""
    if "from_source" in row:
        return bool(row["from_source"])
    return bool(row.get("quelle")) and row.get("source_confirmed_at") is None


def outdated(stand: str) -> bool:
    """Whether the source is so old that the offer may have changed or ended."""
    return bool(stand) and int(stand[:4]) < OUTDATED_BEFORE


def stand_text(stand: str) -> str:
    """ "2019", "03/2019", "14.03.2019": the date of a source as it was given, written the German way."""
    parts = STAND.fullmatch(stand or "")
    if not parts:
        return stand or ""
    year, month, day = parts.groups()
    if day:
        return f"{day}.{month}.{year}"
    return f"{month}/{year}" if month else year
