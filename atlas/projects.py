"""A project as submitted or imported: its fields, their limits, and validation with German messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from atlas import facts, texts
from atlas.handlungsfelder import parse_handlungsfelder
from atlas.i18n import N_, _
from atlas.text import clean_text, email_address

LIMITS = {"name": 150, "traeger": 150, "description": 2000, "summary": 160, "street": 150, "ort": 100, "website": 300,
          "email": 254}
LABELS = {
    "name": N_("Projektname"), "traeger": N_("Träger"), "description": N_("Beschreibung"),
    "summary": N_("Kurzbeschreibung"),
    "handlungsfelder": N_("Handlungsfelder"), "street": N_("Straße und Hausnummer"), "plz": N_("PLZ"),
    "ort": N_("Ort"), "website": N_("Website"), "email": N_("Kontakt-E-Mail"),
    "sprachen": N_("Angebotssprachen"), "zielgruppen": N_("Zielgruppe"), "kosten": N_("Kosten"), "wann": N_("Wann"),
    "zeiten": N_("Zeiten"), "barrierefrei": N_("Barrierefrei"), "kontakt": N_("Öffentlicher Kontakt"),
}
CHOICES = {"kosten": facts.KOSTEN, "wann": facts.WANN, "barrierefrei": facts.BARRIEREFREI}
LISTED = {"sprachen": facts.OFFER_LANGUAGES, "zielgruppen": facts.ZIELGRUPPEN}  # facts of several codes
WRITTEN = ("zeiten", "kontakt")  # facts typed as text
FACTS = (*LISTED, *CHOICES, *WRITTEN)  # every field _facts reads
NO_CHOICE = dict.fromkeys((*CHOICES, *WRITTEN), "")  # the facts of a project that gives none, besides empty lists
URL_FORBIDDEN = re.compile(r"[\s<>\"'`\\]")
PLZ_FORM = re.compile(r"\d{5}")
# The typed fields in the order their messages are given: (key, its limit or None, whether it keeps its lines)
TEXT_FIELDS = tuple((key, LIMITS.get(key), key == "description") for key in (
    "name", "traeger", "description", "summary", "street", "plz", "ort", "website", "email"))
GERMAN_FIRST = {  # a translation typed while its German text is empty (atlas.texts.without_german)
    "description": N_("Bitte geben Sie die Beschreibung auch auf Deutsch an: Die Übersetzungen gehören zu ihr."),
    "summary": N_("Bitte geben Sie die Kurzbeschreibung auch auf Deutsch an: Die Übersetzungen gehören zu ihr."),
}


@dataclass
class ProjectInput:
    name: str
    traeger: str
    description: str
    handlungsfelder: list[str]
    street: str = ""
    plz: str = ""
    ort: str = ""
    website: str = ""
    email: str = ""
    approximate: bool = False
    sprachen: list[str] = field(default_factory=list)  # codes of facts.OFFER_LANGUAGES
    zielgruppen: list[str] = field(default_factory=list)
    kosten: str = ""  # "", or a key of facts.KOSTEN
    wann: str = ""
    zeiten: str = ""  # OSM opening_hours, normalised
    barrierefrei: str = ""
    kontakt: str = ""  # public: a phone number or an e-mail address the submitter chose to publish
    # Only an import sets these (atlas.transfer, atlas.sources): gathered from a public source, its URL and date
    quelle: str = ""
    quelle_stand: str = ""
    confirmed: bool = True  # false: from a source, its Träger has not confirmed the entry yet
    extra: dict = field(default_factory=dict)
    summary: str = ""  # one line in German (atlas.texts)
    # {language: {field: text}} as a form sent them (atlas.texts); None: the form had no translations to change
    translations: dict | None = None


def validate_project(raw: dict) -> tuple[ProjectInput | None, dict[str, str]]:
    """Clean the fields of a project, or say for each field what is wrong with it."""
    errors: dict[str, str] = {}
    values = {}
    for key, limit, multiline in TEXT_FIELDS:
        value = raw.get(key)
        value = clean_text(value, multiline) if value else ""  # most optional fields are empty: nothing to clean
        if limit is not None and len(value) > limit:
            errors[key] = _("%(field)s ist zu lang: höchstens %(limit)s Zeichen, eingegeben %(count)s.",
                            field=_(LABELS[key]), limit=limit, count=len(value))
        values[key] = value
    if not values["name"]:
        errors["name"] = _("Bitte geben Sie den Namen des Projekts an.")
    if not values["ort"] and not values["plz"]:
        errors["ort"] = _("Bitte geben Sie den Ort oder die PLZ an.")
    # A message quotes the start of what was typed: the field keeps all of it, and a text of 100 kB pasted into
    # the wrong field was otherwise repeated in the summary and at the field.
    if values["plz"] and not PLZ_FORM.fullmatch(values["plz"]):
        errors["plz"] = _("Die PLZ hat fünf Ziffern, zum Beispiel 30169 – nicht „%(plz)s“.", plz=values["plz"][:40])
    if values["website"]:
        values["website"], message = _website(values["website"])
        if message:
            errors["website"] = message
    if values["email"]:
        address = email_address(values["email"])
        if address is None:
            errors["email"] = _("„%(email)s“ ist keine gültige E-Mail-Adresse.", email=values["email"][:60])
        else:
            values["email"] = address  # mail goes to exactly the address that was checked
    hf = raw.get("handlungsfelder") or ""
    try:
        slugs = parse_handlungsfelder(";".join(hf) if isinstance(hf, (list, tuple)) else str(hf))
    except ValueError as error:
        errors["handlungsfelder"] = _("Handlungsfelder: %(error)s.", error=error)
        slugs = []
    values.update(_facts(raw, errors))
    values["translations"] = _translations(raw, values, errors)
    if errors:
        return None, errors
    return ProjectInput(handlungsfelder=slugs, approximate=bool(raw.get("approximate")), **values), {}


def _translations(raw: dict, german: dict, errors: dict[str, str]) -> dict | None:
    """The description and summary in other languages, if the form offered them (all optional); one typed where
    the German text is empty is named at the German field."""
    if _translation_fields().isdisjoint(raw):
        return None
    found = texts.validate(raw, errors)
    for name in texts.without_german(german, found):
        errors.setdefault(name, _(GERMAN_FIRST[name]))
    return found


@lru_cache(maxsize=1)
def _translation_fields() -> frozenset[str]:
    """The form fields of every translation (description_ar, summary_ps …)."""
    return frozenset(texts.form_name(field, language) for field in texts.FIELDS
                     for language in texts.other_languages())


def _facts(raw: dict, errors: dict[str, str]) -> dict:
    """The facts of a project (all optional): languages, target groups, cost, times, barrier-freedom, contact."""
    if not any(map(raw.get, FACTS)):  # none given, as in most rows of an import: nothing to check
        return {**{key: [] for key in LISTED}, **NO_CHOICE}
    values = {}
    for key, known in LISTED.items():
        values[key], unknown = facts.codes(raw.get(key) or "", list(known))
        if unknown:
            errors[key] = _("%(field)s: unbekannt ist „%(unknown)s“; erlaubt sind %(allowed)s.",
                            field=_(LABELS[key]), unknown=", ".join(unknown)[:100], allowed=", ".join(known))
    for key, choices in CHOICES.items():
        value = clean_text(raw.get(key)).casefold()
        if not value or value in choices:
            values[key] = value
        else:  # a choice may be named as the form shows it
            values[key] = {c.name.casefold(): slug for slug, c in choices.items()}.get(value, "")
        if value and not values[key]:
            errors[key] = _("%(field)s: „%(value)s“ ist nicht vorgesehen; erlaubt sind %(allowed)s.",
                            field=_(LABELS[key]), value=value[:40], allowed=", ".join(choices))
    for key in WRITTEN:
        value = clean_text(raw.get(key))
        if len(value) > facts.LIMITS[key]:
            errors[key] = _("%(field)s ist zu lang: höchstens %(limit)s Zeichen, eingegeben %(count)s.",
                            field=_(LABELS[key]), limit=facts.LIMITS[key], count=len(value))
            value = ""
        try:
            values[key] = value and (facts.parse_times(value) if key == "zeiten" else facts.parse_contact(value))
        except ValueError as error:
            values[key], errors[key] = "", str(error)
    if values["zeiten"] and not values["wann"]:
        values["wann"] = "zeiten"
    if values["wann"] == "zeiten" and not values["zeiten"] and "zeiten" not in errors:
        errors["zeiten"] = _("Bitte geben Sie die regelmäßigen Zeiten an, etwa „Mo-Fr 17:00-19:00“, oder wählen "
                             "Sie „nach Vereinbarung“.")
    if values["wann"] in ("vereinbarung", "laufend") and values["zeiten"]:
        errors["zeiten"] = _("Zeiten passen nur zu „regelmäßige Zeiten“: bitte wählen Sie das, oder lassen Sie die "
                             "Zeiten leer.")
    return values


def _website(url: str) -> tuple[str, str]:
    if "://" not in url and url.lower().startswith("www."):
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url, _("Die Website muss mit http:// oder https:// beginnen: „%(url)s“.", url=url[:100])
    if URL_FORBIDDEN.search(url):
        return url, _("Die Website enthält Zeichen, die in Webadressen nicht vorkommen (Leerzeichen, <, >, \"): "
                      "„%(url)s“.", url=url[:100])
    return url, ""
