"""What changed, as a person reads it: each changed field with its label and its old and new value in words; a long
text as the words that changed, with a little context around them.

An edit is recorded as JSON (field, old value, new value) in the project's history; a decision as its reason.
Entries recorded before this format are shown as they were written.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from atlas import texts
from atlas.districts import ARLS
from atlas.handlungsfelder import HANDLUNGSFELDER
from atlas.i18n import _, listing, number
from atlas.labels import FIELD_LABELS, STATUS_LABELS
from atlas.places import precision_label
from atlas.present import FACT_TEXT

LONG = 80  # characters: a longer text is shown as the words that changed
CONTEXT = 4  # words kept on each side of a change


@dataclass
class Change:
    label: str
    old: str = ""
    new: str = ""
    words: list[tuple[str, str]] = field(default_factory=list)  # (same | removed | added | gap, text) of long texts


def record(changed: dict[str, tuple]) -> str:
    """The detail of an edit, as stored: [[field, old, new], …] in the order of FIELD_LABELS, then the translations
    ("description:ar", atlas.texts)."""
    ordered = [key for key in FIELD_LABELS if key in changed] + sorted(k for k in changed if texts.parse_key(k))
    return json.dumps([[key, *changed[key]] for key in ordered], ensure_ascii=False)


def changes(detail: str) -> list[Change] | None:
    """The recorded edit in words; None for a detail that is plain text (a reason, or an older entry)."""
    recorded = entries(detail)
    return None if recorded is None else [described(key, old, new) for key, old, new in recorded]


def entries(detail: str) -> list[list] | None:
    """The recorded edit as stored: [[field, old, new], …]; None for a detail that is plain text."""
    if not detail.startswith("[["):
        return None
    try:
        return json.loads(detail)
    except ValueError:
        return None


def described(key: str, old, new) -> Change:
    label = texts.label(key) if texts.parse_key(key) else _(FIELD_LABELS.get(key, key))
    before, after = value_text(key, old), value_text(key, new)
    if max(len(before), len(after)) > LONG:
        return Change(label, words=word_changes(before, after))
    return Change(label, before, after)


def value_text(key: str, value) -> str:
    """A stored value as words: names for slugs, labels for codes, numbers as the reader writes them."""
    if value is None or value == "":
        return "–"
    if key in FACT_TEXT:
        return FACT_TEXT[key](value) or "–"
    if key == "handlungsfelder":
        slugs = value if isinstance(value, list) else str(value).split(";")
        return listing(HANDLUNGSFELDER[s].label for s in slugs if s in HANDLUNGSFELDER) or "–"
    if key == "precision":
        return precision_label(str(value))
    if key == "arl":
        return ARLS[value].name if value in ARLS else str(value)
    if key == "status":
        return _(STATUS_LABELS[value]) if value in STATUS_LABELS else str(value)
    if isinstance(value, bool) or key == "approximate":
        return _("ja") if value else _("nein")
    if isinstance(value, float):
        return number(value, 5)
    return str(value)


def word_changes(old: str, new: str) -> list[tuple[str, str]]:
    """The words that differ between two texts, with CONTEXT words around each change and „…“ between."""
    before, after = old.split(), new.split()
    parts: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    codes = matcher.get_opcodes()
    for i, (tag, a1, a2, b1, b2) in enumerate(codes):
        if tag == "equal":
            same = before[a1:a2]
            first, last = i == 0, i == len(codes) - 1
            if len(same) > 2 * CONTEXT or (first or last) and len(same) > CONTEXT:
                head = [] if first else same[:CONTEXT]
                tail = [] if last else same[-CONTEXT:]
                parts += [("same", " ".join(head))] if head else []
                parts.append(("gap", "…"))
                parts += [("same", " ".join(tail))] if tail else []
            else:
                parts.append(("same", " ".join(same)))
            continue
        if a2 > a1:
            parts.append(("removed", " ".join(before[a1:a2])))
        if b2 > b1:
            parts.append(("added", " ".join(after[b1:b2])))
    return parts
