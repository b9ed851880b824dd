"""Plain data for templates: a project with its Handlungsfelder, and the counts per Kreis of a district."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from atlas import facts, sources
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import current_language, listing
from atlas.regions import Regions
from atlas.texts import Shown


def project_view(row: dict) -> dict:
    """A project row with its Handlungsfelder as objects (name, colour, letter; a tuple, which keys their badges,
    templates/_partials.html) and its facts, for display; `source` for one gathered from a public source that its
    Träger has not confirmed yet."""
    return dict(row, fields=_fields(str(row.get("handlungsfelder", ""))), facts=facts_view(row),
                source=source_view(row))


def listed_view(row: dict, code: str | None = None) -> dict:
    """project_view with only what a list's item writes (atlas.web.list_item): the facts it shows (free, languages,
    times) and none of the others, which a list made per request would work out for dozens of projects unread;
    `source` only whether there is one (the item marks it, the project's page writes its date and address). In the
    reader's language (`code`, if the caller looked it up already: a list asks for dozens of views)."""
    return dict(row, fields=_fields(str(row.get("handlungsfelder", ""))), source=sources.unconfirmed(row),
                facts=_listed_facts(row, code))


def _listed_facts(row: dict, code: str | None = None) -> dict:
    """The facts a list's item shows, as facts_view writes them (in the language `code`, or the reader's)."""
    spoken, times = int(row.get("sprachen_mask") or 0), row.get("zeiten") or ""
    if (spoken or times) and code is None:
        code = current_language()
    return {"kostenlos": row.get("kosten") == "kostenlos",
            "sprachen": [facts.language_name(c, code) for c in facts.OFFER_LANGUAGES
                         if spoken & facts.LANGUAGE_BITS[c]] if spoken else [],
            "zeiten": facts.times_text(times, code) if times else []}


@lru_cache(maxsize=1024)
def _fields(slugs: str) -> tuple:
    """ "sprache;wohnen-leben" → their Handlungsfelder: a list shows the same few dozen sets again and again."""
    return tuple(HANDLUNGSFELDER[s] for s in slugs.split(";") if s in HANDLUNGSFELDER)


def blank_project() -> dict:
    """A project without values and with every Handlungsfeld: the list item the browser fills (static/js/list.js),
    rendered by the macro of the server's items (templates/_partials.html, project_template)."""
    return {"id": 0, "name": "", "traeger": "", "ort": "", "fields": tuple(HANDLUNGSFELDER.values()), "facts": {},
            "summary_shown": Shown(text="", lang="de", dir="auto")}


def source_view(row: dict) -> dict | None:
    """Where an unconfirmed entry comes from: the source's URL, its date as written, whether it is outdated."""
    if not sources.unconfirmed(row):
        return None
    stand = str(row.get("quelle_stand") or "")
    return {"url": row["quelle"], "stand": sources.stand_text(stand), "year": stand[:4],
            "outdated": sources.outdated(stand)}


def facts_view(row: dict) -> dict:
    """The facts of a project in the reader's language; "heute" are today's times in Niedersachsen."""
    meant = int(row.get("zg_mask") or 0)
    groups = [g for g in facts.ZIELGRUPPEN.values() if meant & g.bit] if meant else []
    zeiten = row.get("zeiten") or ""
    contact = row.get("kontakt") or ""
    return {
        **_listed_facts(row),
        "zielgruppen": [group.label for group in groups],
        "kosten": _label(facts.KOSTEN, row.get("kosten")),
        "wann": _label(facts.WANN, row.get("wann")) if row.get("wann") != "zeiten" else "",
        "heute": facts.today_hours(zeiten, local_now().date()) if zeiten else "",
        "barrierefrei": _label(facts.BARRIEREFREI, row.get("barrierefrei")),
        "kontakt": contact, "kontakt_link": facts.contact_link(contact) if contact else "",
    }


def _label(choices: dict, slug) -> str:
    return choices[slug].label if slug in choices else ""


def _names(key: str, value) -> str:
    items = value if isinstance(value, list) else [v for v in str(value or "").split(";") if v]
    if key == "sprachen":
        return listing(facts.language_name(c) for c in items if c in facts.LANGUAGE_BITS)
    return listing(facts.ZIELGRUPPEN[s].label for s in items if s in facts.ZIELGRUPPEN)


# How a proposal shows each fact, before and after (atlas.submitters)
FACT_TEXT = {
    "sprachen": lambda value: _names("sprachen", value),
    "zielgruppen": lambda value: _names("zielgruppen", value),
    "kosten": lambda value: _label(facts.KOSTEN, value),
    "wann": lambda value: _label(facts.WANN, value),
    "barrierefrei": lambda value: _label(facts.BARRIEREFREI, value),
    "zeiten": lambda value: "; ".join(facts.times_text(value)) if value else "",
    "kontakt": lambda value: str(value or ""),
}


def hf_names(slugs: str) -> list[str]:
    """ "sprache;wohnen" → the German names, as files and exports carry them."""
    return [HANDLUNGSFELDER[s].name for s in slugs.split(";") if s in HANDLUNGSFELDER]


def hf_labels(slugs: str) -> list[str]:
    """ "sprache;wohnen" → the names in the reader's language."""
    return [HANDLUNGSFELDER[s].label for s in slugs.split(";") if s in HANDLUNGSFELDER]


def kreis_counts(regions: Regions, published, positions: np.ndarray, arl: str) -> dict:
    """Projects per Kreis and Handlungsfeld of one district (`positions` in the published copy, atlas.published),
    every Kreis listed, with totals: one count per column, not a pass per Kreis; each distinct Kreis of the copy
    looked up once, the projects by their codes."""
    kreise = regions.kreise[regions.kreise.arl == arl].sort_values("name")
    keys = list(kreise.rs)
    row_of = pd.Index(keys).get_indexer(published.tables["kreis_rs"])[published.columns["kreis_rs"][positions]]
    all_masks = published.columns["hf_mask"][positions]
    inside = row_of >= 0
    row_of, masks = row_of[inside], all_masks[inside]
    per_field = [np.bincount(row_of[(masks & hf.bit) != 0], minlength=len(keys)) for hf in HANDLUNGSFELDER.values()]
    totals = np.bincount(row_of, minlength=len(keys))
    rows = [{"rs": rs, "label": regions.by_rs[rs].label, "fields": [int(counts[i]) for counts in per_field],
             "total": int(totals[i])} for i, rs in enumerate(keys)]
    return {"rows": rows, "totals": [int(((all_masks & hf.bit) != 0).sum()) for hf in HANDLUNGSFELDER.values()],
            "total": len(positions)}


BERLIN = ZoneInfo("Europe/Berlin")
DAY = "%d.%m.%Y"  # a day as the atlas writes it, in every language („26.11.2026“)


def local_now() -> datetime:
    """Now in Niedersachsen, without a zone: project times are local times."""
    return datetime.now(BERLIN).replace(tzinfo=None)


def local_time(moment: datetime) -> str:
    """A stored time in Europe/Berlin, as „26.11.2026 15:32“; times without a zone are UTC (SQLite drops it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN).strftime(f"{DAY} %H:%M")


def berlin_date(moment: datetime) -> str:
    """26.11.2026 – the day of a stored time in Niedersachsen (local_time's day)."""
    return local_time(moment)[:10]
