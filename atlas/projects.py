"""A project as submitted or imported: its fields, their limits, and validation with German messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from atlas.handlungsfelder import parse_handlungsfelder
from atlas.text import clean_text

LIMITS = {"name": 150, "traeger": 150, "description": 2000, "street": 150, "ort": 100, "website": 300, "email": 254}
LABELS = {
    "name": "Projektname", "traeger": "Träger", "description": "Beschreibung", "handlungsfelder": "Handlungsfelder",
    "street": "Straße und Hausnummer", "plz": "PLZ", "ort": "Ort", "website": "Website", "email": "Kontakt-E-Mail",
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
            errors[key] = f"{LABELS[key]} ist zu lang: höchstens {LIMITS[key]} Zeichen, eingegeben {len(value)}."
        values[key] = value
    if not values["name"]:
        errors["name"] = "Bitte geben Sie den Namen des Projekts an."
    if not values["ort"] and not values["plz"]:
        errors["ort"] = "Bitte geben Sie den Ort oder die PLZ an."
    if values["plz"] and not re.fullmatch(r"\d{5}", values["plz"]):
        errors["plz"] = f"Die PLZ hat fünf Ziffern, zum Beispiel 30169 – nicht „{values['plz']}“."
    if values["website"]:
        values["website"], message = _website(values["website"])
        if message:
            errors["website"] = message
    if values["email"] and not EMAIL.match(values["email"]):
        errors["email"] = f"„{values['email']}“ ist keine gültige E-Mail-Adresse."
    hf = raw.get("handlungsfelder") or ""
    try:
        slugs = parse_handlungsfelder(";".join(hf) if isinstance(hf, list | tuple) else str(hf))
    except ValueError as error:
        errors["handlungsfelder"] = f"Handlungsfelder: {error}."
        slugs = []
    if errors:
        return None, errors
    return ProjectInput(handlungsfelder=slugs, approximate=bool(raw.get("approximate")), **values), {}


def _website(url: str) -> tuple[str, str]:
    if "://" not in url and url.lower().startswith("www."):
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url, f"Die Website muss mit http:// oder https:// beginnen: „{url}“."
    if URL_FORBIDDEN.search(url):
        return url, f"Die Website enthält Zeichen, die in Webadressen nicht vorkommen (Leerzeichen, <, >, \"): „{url}“."
    return url, ""
