"""When two names (of projects, or of Träger) are the same or nearly so: one rule for the submission's warning
(atlas.submission) and the offices' duplicate finder (atlas.duplicates), which also asks whether one name's words
are within the other's.

rapidfuzz's token_sort_ratio on the names as rapidfuzz's default processor leaves them (lower case, letters and
digits only): "Sprachcafé Lamspringe" is "Sprachcafe Lamspringe!", but not "Sprachcafé" alone. A name with no
letter or digit is like nothing.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz, process, utils

SIMILAR_NAME = 90  # token_sort_ratio from which two names count as the same


def same_name(first: str, second: str) -> bool:
    """Is `second` the same name as `first`, or very nearly (a word of it is not enough)?"""
    return likeness(first, second) >= SIMILAR_NAME


def likeness(first: str, second: str) -> float:
    """0–100; 0 where either name has no letter or digit."""
    first, second = utils.default_process(first), utils.default_process(second)
    if not first or not second:
        return 0.0
    return fuzz.token_sort_ratio(first, second)


def shares_words(first: str, second: str) -> bool:
    """Are the words of one name all (or nearly all) in the other („Sprachcafé“ and „Sprachcafé der
    Kirchengemeinde St. Martin“)? Too weak alone; with the same Träger, a sign of one project (atlas.duplicates)."""
    first, second = utils.default_process(first), utils.default_process(second)
    return bool(first and second) and fuzz.token_set_ratio(first, second) >= SIMILAR_NAME


def prepared(names: list[str]) -> list[str]:
    """Names as the comparison sees them (once per name, not once per pair)."""
    return [utils.default_process(name or "") for name in names]


def similar(left: list[str], right: list[str]) -> np.ndarray:
    """Every name of `left` against every one of `right` (both `prepared`): a matrix of likeness where it reaches
    SIMILAR_NAME, 0 elsewhere and wherever a name is empty. One call into rapidfuzz for the whole block."""
    scores = process.cdist(left, right, scorer=fuzz.token_sort_ratio, score_cutoff=SIMILAR_NAME, dtype=np.uint8,
                           workers=1)
    empty_left = np.array([not name for name in left], dtype=bool)
    empty_right = np.array([not name for name in right], dtype=bool)
    scores[empty_left, :] = 0
    scores[:, empty_right] = 0
    return scores
