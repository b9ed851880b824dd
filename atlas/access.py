"""Who may read and who may change the office side of a project (holds, notes, duplicates, merging): one place,
so a role added later changes these two functions and nothing else.

An office works in its district, an admin in every one; an observer (atlas.accounts.OBSERVER) reads every district
and changes nothing.
"""

from __future__ import annotations


def may_read_office(user, arl: str) -> bool:
    """May this account see the office side of a project of district `arl` (holds, notes, history, duplicates)?"""
    return bool(user.may_read(arl))


def may_change_office(user, arl: str) -> bool:
    """May it change anything there (take a hold, write a note, merge)? Observers never."""
    return bool(user.may_moderate(arl) and not user.is_observer)
