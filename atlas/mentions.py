"""Colleagues named in an internal note: `@name` (the part of their address before the @) or `@name@domain` (the
whole address), besides those ticked in the note form. Plain functions over the text and the district's accounts.
"""

from __future__ import annotations

import re

MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


def named(text: str) -> list[str]:
    """The names after an @ in the text, in order, each once (a full stop after a name ends the sentence)."""
    found: list[str] = []
    for match in MENTION.finditer(text):
        name = match.group(1).rstrip(".").casefold()
        if name and name not in found:
            found.append(name)
    return found


def resolve(text: str, colleagues: list[dict], ticked: list[int] = ()) -> tuple[list[dict], list[str]]:
    """The colleagues (dicts with id and email) the note mentions – by @name, by address, or ticked – and the names
    that fit nobody, or several: (mentioned, not understood)."""
    by_address = {c["email"].casefold(): c for c in colleagues}
    by_name: dict[str, list[dict]] = {}
    for colleague in colleagues:
        by_name.setdefault(colleague["email"].split("@")[0].casefold(), []).append(colleague)
    mentioned = [c for c in colleagues if c["id"] in set(ticked)]
    unknown = []
    for name in named(text):
        matches = [by_address[name]] if name in by_address else by_name.get(name, [])
        if len(matches) != 1:
            unknown.append(name)
        elif matches[0] not in mentioned:
            mentioned.append(matches[0])
    return mentioned, unknown
