"""The facts a newcomer needs before going to a project: its languages, who it is for, what it costs, when it
takes place, whether it is barrier-free, and a public contact. Their vocabularies, validation and display.

Times use the OpenStreetMap `opening_hours` syntax, parsed and evaluated by opening-hours-py; a person may type
German day names (Mo, Di, Mi, Do, Fr, Sa, So). Language names come from Babel's CLDR data: each in its own
language, and in the reader's.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from babel import Locale
from babel.dates import get_day_names
from opening_hours import OpeningHours, ParserError, State

from atlas.i18n import N_, _, current_language, isolate, listing, speaking, translating
from atlas.text import email_address

# The languages a project may work in, each named in itself as CLDR (Babel) names it; a code's bit never changes
# (it is stored in sprachen_mask). The names are written here so that no process loads the locale data of all 24
# languages to name them (27 MB in all); tests/test_languages.py checks them against Babel's.
AUTONYMS = {
    "de": "Deutsch", "en": "English", "ar": "العربية", "fa": "فارسی", "ps": "پښتو", "ku": "kurdî (kurmancî)",
    "ckb": "کوردیی ناوەندی", "tr": "Türkçe", "uk": "українська", "ru": "русский", "ti": "ትግርኛ", "so": "Soomaali",
    "am": "አማርኛ", "fr": "français", "es": "español", "it": "italiano", "pl": "polski", "ro": "română",
    "bg": "български", "sq": "shqip", "sr": "српски", "ur": "اردو", "vi": "Tiếng Việt", "zh": "中文",
}
OFFER_LANGUAGES = tuple(AUTONYMS)
LANGUAGE_BITS = {code: 1 << i for i, code in enumerate(OFFER_LANGUAGES)}


@dataclass(frozen=True)
class Choice:
    slug: str
    name: str  # German, as files carry it; `label` is the reader's
    bit: int = 0

    @property
    def label(self) -> str:
        return _(self.name)


ZIELGRUPPEN = {c.slug: c for c in (
    Choice("alle", N_("alle"), 1),
    Choice("frauen", N_("Frauen"), 2),
    Choice("familien", N_("Familien"), 4),
    Choice("kinder", N_("Kinder und Jugendliche"), 8),
    Choice("erwachsene", N_("Erwachsene"), 16),
    Choice("ehrenamtliche", N_("Ehrenamtliche"), 32),
)}
KOSTEN = {c.slug: c for c in (Choice("kostenlos", N_("kostenlos")), Choice("gebuehr", N_("gegen Gebühr")))}
BARRIEREFREI = {c.slug: c for c in (Choice("ja", N_("barrierefrei")), Choice("nein", N_("nicht barrierefrei")))}
WANN = {c.slug: c for c in (
    Choice("zeiten", N_("regelmäßige Zeiten")),
    Choice("vereinbarung", N_("nach Vereinbarung")),
    Choice("laufend", N_("laufend")),
)}
LIMITS = {"zeiten": 300, "kontakt": 254}
GERMAN_DAYS = {"Mo": "Mo", "Di": "Tu", "Mi": "We", "Do": "Th", "Fr": "Fr", "Sa": "Sa", "So": "Su"}
OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def language_name(code: str, reader: str | None = None) -> str:
    """ "العربية (Arabisch)": the language in itself, and in the reader's language where that differs."""
    own = AUTONYMS[code]
    reader = reader or current_language()
    if reader == code:
        return own
    return f"{own} ({language_in(code, reader)})"


@lru_cache(maxsize=256)
def language_in(code: str, reader: str) -> str:
    """ "Arabisch": the language named in the reader's language only (for files read by spreadsheets). Once per
    process and pair of languages: Babel parses the reader's locale on every call (10 µs), and a list made per request
    names the same few languages for its projects again and again."""
    return _locale(code).get_display_name(reader)


def language_choices(reader: str | None = None) -> list[tuple[str, str]]:
    return [(code, language_name(code, reader)) for code in OFFER_LANGUAGES]


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def codes(text, known) -> tuple[list[str], list[str]]:
    """ "ar;de" (or a list) → the known codes in canonical order, and the unknown ones."""
    if not text:  # most rows of an import name none
        return [], []
    items = text if isinstance(text, list | tuple) else str(text or "").replace(",", ";").split(";")
    wanted = {item.strip().casefold() for item in items if item and item.strip()}
    return [c for c in known if c in wanted], sorted(wanted - set(known))


def bits(slugs: list[str], table: dict) -> int:
    if not slugs:  # most projects give no languages or target groups: no generator to make for them
        return 0
    return sum(table[s] if isinstance(table[s], int) else table[s].bit for s in slugs)


def parse_times(text: str) -> str:
    """Regular times in the OSM opening_hours syntax (German day names allowed), normalised; ValueError says what
    is wrong and how it is written, in the language being written."""
    normal = _normal_times(text, date.today()) if len(text) > LIMITS["zeiten"] else _kept_times(text, date.today())
    if normal is UNREADABLE:
        raise ValueError(_("Die Zeiten „%(text)s“ sind nicht lesbar. Schreiben Sie Wochentage und Uhrzeiten, mehrere "
                           "durch Semikolon getrennt, etwa „Mo-Fr 17:00-19:00; Sa 10:00-12:00“.", text=text))
    if normal is SIMPLER:
        raise ValueError(_("Die Zeiten „%(text)s“ enthalten eine Angabe, die der Atlas nicht genau so speichern "
                           "kann. Bitte schreiben Sie sie einfacher, etwa „Mo-Fr 17:00-19:00“.", text=text))
    return normal


UNREADABLE, SIMPLER = object(), object()  # why _normal_times refused a text; the message is the reader's


def _normal_times(text: str, today: date) -> str | object:
    """The normal form of times, or UNREADABLE, or SIMPLER (the parser would drop a part). `today`: the day from
    which a normal form is checked against what was written."""
    osm = re.sub(r"\b(Mo|Di|Mi|Do|Fr|Sa|So)\b", lambda m: GERMAN_DAYS[m.group(1)], text)
    osm = osm.replace("–", "-").replace("—", "-").replace(" Uhr", "")
    osm = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su),\s+(?=(Mo|Tu|We|Th|Fr|Sa|Su)\b)", r"\1,", osm)  # "Mo, Mi": one rule
    try:
        parsed = OpeningHours(osm)
    except ParserError:
        return UNREADABLE
    written = str(parsed)
    if _numbers(osm) != _numbers(written):  # the parser dropped a part: what is stored would mean less
        return SIMPLER
    normal = str(parsed.normalize())
    # most times are written in their normal form already: then there is nothing to compare (400 days of opening
    # intervals twice, 0.4 ms)
    return normal if normal == written or _same_times(written, normal, today) else written


# An import's rows and a form sent again repeat their times: each text parsed and checked once a day (the check
# begins today). Texts longer than a stored one are not kept.
_kept_times = lru_cache(maxsize=4096)(_normal_times)


NUMBER = re.compile(r"\d+")


def _numbers(text: str) -> Counter:
    return Counter(int(n) for n in NUMBER.findall(text))
SAME_FOR_DAYS = 400  # a schedule is compared over a year and a bit


def _same_times(first: str, second: str, today: date) -> bool:
    """Whether two schedules open at the same moments from today on (a normal form must not change what a schedule
    says)."""
    start = datetime.combine(today, datetime.min.time())
    end = start + timedelta(days=SAME_FOR_DAYS)
    return open_intervals(first, start, end) == open_intervals(second, start, end)


@lru_cache(maxsize=4096)
def _hours(times: str) -> OpeningHours:
    return OpeningHours(times)


def open_intervals(times: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """When a project with these times is open between two local (Europe/Berlin, naive) moments."""
    if not times:
        return []
    return [(a, b) for a, b, state, _comment in _hours(times).intervals(start, end) if state == State.OPEN]


def is_open(times: str, moment: datetime) -> bool:
    return bool(times) and _hours(times).is_open(moment)


def open_within(times: str, start: datetime, days: int) -> bool:
    return bool(open_intervals(times, start, start + timedelta(days=days)))


def today_hours(times: str, today: date) -> str:
    """ "17:00–19:00" for the times a project is open on a day, or "" if it is not."""
    start = datetime.combine(today, datetime.min.time())
    spans = open_intervals(times, start, start + timedelta(days=1))
    return ", ".join(f"{a:%H:%M}–{'24:00' if b == start + timedelta(days=1) else f'{b:%H:%M}'}" for a, b in spans)


RULE = re.compile(r"^(?:(?P<days>(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:[-,](?:Mo|Tu|We|Th|Fr|Sa|Su))*) )?"
                  r"(?P<hours>\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*)$")


def times_text(times: str, reader: str | None = None) -> tuple[str, ...]:
    """The times as lines in the reader's language: "Montag–Freitag 17:00–19:00"; a rule written in a form this
    does not spell out stays as written (it is still valid OSM)."""
    reader = reader or current_language()
    return _spelled_times(times, reader, translating())


# A list shows the times of a dozen projects, and projects share their times: each spelled out once per language
# (60 µs, most of it speaking() and Babel's locale data). `translated` is part of the key only: outside a request
# the messages stay German whatever the reader.
@lru_cache(maxsize=4096)
def _spelled_times(times: str, reader: str, translated: bool) -> tuple[str, ...]:
    days = get_day_names("wide", locale=reader)
    names = {osm: days[i] for i, osm in enumerate(OSM_DAYS)}
    with speaking(reader):
        daily, holidays = _("täglich"), _("an Feiertagen geschlossen")
    lines = []
    for rule in (r.strip() for r in times.split(";")):
        match = RULE.match(rule)
        if rule in ("PH closed", "PH off"):
            lines.append(holidays)
        elif not match:
            lines.append(rule)
        else:
            with speaking(reader):
                spelled = (listing(_days(part, names) for part in match["days"].split(",")) if match["days"]
                           else daily)
                hours = listing(isolate(span.replace("-", "–")) for span in match["hours"].split(","))
            lines.append(f"{spelled} {hours}")
    return tuple(lines)


def _days(part: str, names: dict[str, str]) -> str:
    """ "Mo-Fr" → "Montag–Freitag" in the reader's day names."""
    return re.sub(r"Mo|Tu|We|Th|Fr|Sa|Su", lambda m: names[m.group(0)], part).replace("-", "–")


# A label people write before a number ("Tel.: 0511 …", "tel:+49 …"); any other letter is refused, for the phone
# library would read it as a keypad digit ("0511 123456 (Mo-Fr)" would be stored as a longer, wrong number)
PHONE_LABEL = re.compile(r"^\s*(?:tel(?:efon)?|fon|mobil|handy)(?![a-z])\s*[.:]?\s*", re.IGNORECASE)


def parse_contact(text: str) -> str:
    """A public phone number (formatted as +49 …) or e-mail address; ValueError says what is wrong. A leading
    apostrophe (how an export keeps a spreadsheet from reading "+49 …" as a formula) is dropped."""
    text = text.removeprefix("'")
    if "@" in text:
        address = email_address(text)
        if address is None:
            raise ValueError(_("„%(value)s“ ist keine gültige E-Mail-Adresse.", value=text))
        return address
    import phonenumbers  # 50 ms that a start need not pay: asked for when a contact is written or exported

    number = None
    if not any(character.isalpha() for character in PHONE_LABEL.sub("", text)):
        try:
            number = phonenumbers.parse(text, "DE")
        except phonenumbers.NumberParseException:
            pass
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(_("„%(value)s“ ist weder eine Telefonnummer noch eine E-Mail-Adresse. Beispiele: "
                           "05121 123456 oder info@example.org.", value=text))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def national(contact: str) -> str:
    """A German phone number as Germans write it (05121 123456): a spreadsheet does not read it as a formula."""
    if not contact.startswith("+49"):
        return contact
    import phonenumbers  # as in parse_contact

    return phonenumbers.format_number(phonenumbers.parse(contact, "DE"), phonenumbers.PhoneNumberFormat.NATIONAL)


def contact_link(contact: str) -> str:
    """mailto: or tel: for a stored public contact."""
    if "@" in contact:
        return "mailto:" + contact
    return "tel:" + re.sub(r"[^\d+]", "", contact)
