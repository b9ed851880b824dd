"""The five Handlungsfelder: slug, name, colour and a letter, so they are told apart by more than colour."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from atlas.i18n import N_, _


@dataclass(frozen=True, eq=False)  # the five below are the only ones: equal and hashed by identity, at once
class Handlungsfeld:
    slug: str
    name: str
    colour: str  # distinct hues, each dark enough for a white letter (WCAG AA contrast)
    letter: str
    bit: int

    def __reduce__(self):  # a copy or a pickle is the one Handlungsfeld of its slug, so identity stays equality
        return _by_slug, (self.slug,)

    @property
    def label(self) -> str:
        """The name in the reader's language (`name` is the German one that CSV files use)."""
        return _(self.name)


HANDLUNGSFELDER: dict[str, Handlungsfeld] = {
    hf.slug: hf
    for hf in (
        Handlungsfeld("sprache", N_("Sprache"), "#0072B2", "S", 1),
        Handlungsfeld("arbeit-ausbildung", N_("Arbeit & Ausbildung"), "#B35900", "A", 2),
        Handlungsfeld("wohnen-leben", N_("Wohnen & Leben"), "#007A5A", "W", 4),
        Handlungsfeld("engagement", N_("Bürgerschaftliches Engagement"), "#A63D86", "E", 8),
        Handlungsfeld("teilhabe", N_("Gesellschaftliche Teilhabe"), "#5B4DB3", "T", 16),
    )
}


def _by_slug(slug: str) -> Handlungsfeld:
    return HANDLUNGSFELDER[slug]


_BY_NAME = {hf.name.casefold(): hf.slug for hf in HANDLUNGSFELDER.values()}


KEPT_LENGTH = 200  # longer texts are read each time: five names and their separators are shorter; a form can send 1 MB


def parse_handlungsfelder(text: str) -> list[str]:
    """Slugs or names separated by ; or , in; the known slugs out, in canonical order. ValueError names the unknown.
    The rows of an import name the same few combinations again and again: each is read once (a text with an unknown
    one raises each time: lru_cache keeps no exception, so its message is in the language of the moment)."""
    return list(_kept(text) if len(text) <= KEPT_LENGTH else _parsed(text))


def _parsed(text: str) -> tuple[str, ...]:
    wanted, unknown = set(), []
    for item in (part.strip() for part in text.replace(",", ";").split(";")):
        if not item:
            continue
        slug = item.casefold() if item.casefold() in HANDLUNGSFELDER else _BY_NAME.get(item.casefold())
        if slug is None:
            unknown.append(item)
        else:
            wanted.add(slug)
    if unknown:
        raise ValueError(_("unbekanntes Handlungsfeld: %(unknown)s (erlaubt: %(allowed)s)",
                           unknown=", ".join(unknown), allowed=", ".join(HANDLUNGSFELDER)))
    if not wanted:
        raise ValueError(_("mindestens ein Handlungsfeld angeben"))
    return tuple(slug for slug in HANDLUNGSFELDER if slug in wanted)


_kept = lru_cache(maxsize=1024)(_parsed)


def mask(slugs: list[str]) -> int:
    return sum(HANDLUNGSFELDER[s].bit for s in slugs)
