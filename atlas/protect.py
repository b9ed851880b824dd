"""What never goes through a translation engine: a project's name, its Träger, places, addresses, web and mail
addresses and phone numbers. They are cut out of the text before it is sent – each replaced by a placeholder the
engines keep (`<x id="1"/>`, XML they leave alone) – and put back, exactly as they were, into the translation.

The text travels as XML (escaped, with the placeholders as elements): LibreTranslate takes it as `format=html`,
DeepL as `tag_handling=xml` with `ignore_tags=x`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

PLACEHOLDER = '<x id="{n}"/>'
# What the engines send back for a placeholder: as sent, or expanded by an HTML parser into <x id="1"></x>
RETURNED = re.compile(r'<x\s+id\s*=\s*"(\d+)"\s*/?>(?:\s*</x>)?', re.IGNORECASE)
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()]+[^\s<>\"'().,;:!?]", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w+])(?:\+|0)\d[\d /().-]{5,}\d(?!\w)")
POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
SHORTEST_NAME = 3  # shorter names are not looked for (a Träger called "AG" would cut every "AG" out)


class PlaceholderLost(ValueError):
    """The engine lost, doubled or invented a placeholder: its translation cannot be put together safely."""


@dataclass
class Protected:
    text: str  # what is sent: escaped, with placeholders
    spans: list[str] = field(default_factory=list)  # what each placeholder stands for, from 1

    def restore(self, translated: str) -> str:
        """The engine's answer with every span back in its place, as plain text."""
        seen: list[int] = []

        def back(match: re.Match) -> str:
            number = int(match.group(1))
            if not 1 <= number <= len(self.spans):
                raise PlaceholderLost(f"unbekannter Platzhalter {number}")
            seen.append(number)
            return "\x00" + str(number) + "\x00"

        marked = RETURNED.sub(back, translated)
        if sorted(seen) != list(range(1, len(self.spans) + 1)):
            raise PlaceholderLost(f"Platzhalter {sorted(seen)} statt 1–{len(self.spans)} zurückbekommen")
        plain = html.unescape(re.sub(r"<[^>]*>", "", marked))  # markup the engine added is no text
        return re.sub("\x00(\\d+)\x00", lambda m: self.spans[int(m.group(1)) - 1], plain)


def protect(text: str, names: Iterable[str], places: tuple[str, ...] = ()) -> Protected:
    """The text ready to send, with names, places, addresses, URLs, e-mail addresses and phone numbers cut out.
    `names` are the project's own (project_names); `places` the names of places, the same for every project."""
    spans = _spans(text, names, places)
    parts, kept, last = [], [], 0
    for start, end in spans:
        parts.append(_escape(text[last:start]))
        kept.append(text[start:end])
        parts.append(PLACEHOLDER.format(n=len(kept)))
        last = end
    parts.append(_escape(text[last:]))
    return Protected("".join(parts), kept)


def project_names(row: dict) -> list[str]:
    """What of a project is kept as it is: its name, Träger, address, place, Kreis, website, mail and contact."""
    own = [row.get(key) or "" for key in ("name", "traeger", "street", "ort", "kreis_name", "website", "email",
                                          "kontakt")]
    return [name for name in own if len(name.strip()) >= SHORTEST_NAME]


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _spans(text: str, names: Iterable[str], places: tuple[str, ...]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    own = tuple(sorted({n for n in names if len(n.strip()) >= SHORTEST_NAME}, key=len, reverse=True))
    for pattern in (URL, EMAIL, PHONE, POSTCODE, _names_pattern(own), _names_pattern(places)):
        if pattern is not None:
            found += [match.span() for match in pattern.finditer(text)]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found, key=lambda span: (span[0], -span[1])):
        if merged and start < merged[-1][1]:  # overlapping: one span from the first start to the farthest end
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_PATTERNS: dict[tuple[str, ...], re.Pattern | None] = {}


def _names_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """One expression for many names, longest first, each a whole word (the Gemeinden repeat: compiled once)."""
    if names not in _PATTERNS:
        if len(_PATTERNS) > 256:
            _PATTERNS.clear()
        ordered = sorted({name.strip() for name in names if len(name.strip()) >= SHORTEST_NAME}, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, ordered))
        _PATTERNS[names] = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if alternatives else None
    return _PATTERNS[names]
