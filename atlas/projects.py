"""A project as submitted or imported: its fields, their limits, and validation with German messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from atlas.handlungsfelder import parse_handlungsfelder
from atlas.i18n import N_, _
from atlas.text import clean_text

LIMITS = {"name": 150, "traeger": 150, "description": 2000, "street": 150, "ort": 100, "website": 300, "email": 254}
LABELS = {
    "name": N_("Projektname"), "traeger": N_("Träger"), "description": N_("Beschreibung"),
    "handlungsfelder": N_("Handlungsfelder"), "street": N_("Straße und Hausnummer"), "plz": N_("PLZ"),
    "ort": N_("Ort"), "website": N_("Website"), "email": N_("Kontakt-E-Mail"),
}
EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")
URL_FORBIDDEN = re.compile(r"[\s<>\"'`\\]")


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
    extra: dict = field(default_factory=dict)


def validate_project(raw: dict) -> tuple[ProjectInput | None, dict[str, str]]:
    """Clean the fields of a project, or say for each field what is wrong with it."""
    errors: dict[str, str] = {}
    values = {}
    for key in ("name", "traeger", "description", "street", "plz", "ort", "website", "email"):
        value = clean_text(raw.get(key), multiline=key == "description")
        if key in LIMITS and len(value) > LIMITS[key]:
            errors[key] = _("%(field)s ist zu lang: höchstens %(limit)s Zeichen, eingegeben %(count)s.",
                            field=_(LABELS[key]), limit=LIMITS[key], count=len(value))
        values[key] = value
    if not values["name"]:
        errors["name"] = _("Bitte geben Sie den Namen des Projekts an.")
    if not values["ort"] and not values["plz"]:
        errors["ort"] = _("Bitte geben Sie den Ort oder die PLZ an.")
    if values["plz"] and not re.fullmatch(r"\d{5}", values["plz"]):
        errors["plz"] = _("Die PLZ hat fünf Ziffern, zum Beispiel 30169 – nicht „%(plz)s“.", plz=values["plz"])
    if values["website"]:
        values["website"], message = _website(values["website"])
        if message:
            errors["website"] = message
    if values["email"] and not EMAIL.match(values["email"]):
        errors["email"] = _("„%(email)s“ ist keine gültige E-Mail-Adresse.", email=values["email"])
    hf = raw.get("handlungsfelder") or ""
    try:
        slugs = parse_handlungsfelder(";".join(hf) if isinstance(hf, list | tuple) else str(hf))
    except ValueError as error:
        errors["handlungsfelder"] = _("Handlungsfelder: %(error)s.", error=error)
        slugs = []
    if errors:
        return None, errors
    return ProjectInput(handlungsfelder=slugs, approximate=bool(raw.get("approximate")), **values), {}


def _website(url: str) -> tuple[str, str]:
    if "://" not in url and url.lower().startswith("www."):
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url, _("Die Website muss mit http:// oder https:// beginnen: „%(url)s“.", url=url)
    if URL_FORBIDDEN.search(url):
        return url, _("Die Website enthält Zeichen, die in Webadressen nicht vorkommen (Leerzeichen, <, >, \"): "
                      "„%(url)s“.", url=url)
    return url, ""
