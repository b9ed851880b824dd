"""Text as people type it, made safe to store and show: one normal form, nothing invisible that misleads.

Removed: C0 and C1 control characters (a newline stays where a field has several lines), the bidi embeddings,
overrides and isolates (U+202A–202E, U+2066–2069) that can make text read differently from what it is, and the
zero-width characters that hide inside words (U+200B, U+2060–2064, U+FEFF, U+180E). Kept: the zero-width
non-joiner and joiner (U+200C, U+200D), which Persian spelling and emoji need, and the right-to-left and
left-to-right marks (U+200E, U+200F), which only place punctuation in Arabic and Farsi text.
"""

from __future__ import annotations

import re
import unicodedata

INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u180e\u200b\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def clean_text(value: object, multiline: bool = False) -> str:
    """NFC, without invisible control characters; one line with single spaces unless `multiline`."""
    if not value:  # None or empty: most optional fields of an imported row
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if text.isprintable():  # no control, format or line characters (most fields): nothing invisible to remove
        return text.strip() if multiline else " ".join(text.split())
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = INVISIBLE.sub("", text)
    if not multiline:
        return " ".join(text.split())
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def whole_number(text: str | None, digits: int = 9) -> int | None:
    """The whole number `text` writes in ASCII digits, at most `digits` of them – or None. Not str.isdigit() alone:
    it also takes „²“, which int() refuses, and int() would read the digits of other scripts."""
    if text and text.isascii() and text.isdigit() and len(text) <= digits:
        return int(text)
    return None


def email_address(text: str) -> str | None:
    """The one e-mail address `text` is, as mail will be sent to it – or None. Checked by email-validator: one
    address (a comma or a second @ makes it none), a domain with a dot, no comments, quotes or spaces."""
    from email_validator import EmailNotValidError, validate_email

    if not text or len(text) > 254:
        return None
    try:
        return validate_email(text, check_deliverability=False, allow_quoted_local=False,
                              allow_domain_literal=False).normalized
    except EmailNotValidError:
        return None
