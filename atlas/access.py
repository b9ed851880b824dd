"""Who may read and who may change the office side of a project (holds, notes, duplicates, merging): one place,
so a role added later changes these two functions and nothing else.

An office works in its district, an admin in every one. Issue 23's observer (an account with a true
`is_observer`) reads every district and changes nothing; until that role exists no account has the attribute.
"""

from __future__ import annotations


def may_read_office(user, arl: str) -> bool:
    """May this account see the office side of a project of district `arl` (holds, notes, history, duplicates)?"""
    return bool(user.may_moderate(arl) or getattr(user, "is_observer", False))


def may_change_office(user, arl: str) -> bool:
    """May it change anything there (take a hold, write a note, merge)? Observers never."""
    return bool(user.may_moderate(arl) and not getattr(user, "is_observer", False))
