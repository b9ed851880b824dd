"""XLIFF 2.0 for translation agencies: a selection of projects' German texts out (with what is already translated,
and whether that is current), their translations back in. Written and read by the Translate Toolkit
(translate.storage.xliff2, the library Weblate uses), never by hand; its parser resolves no entities and loads
nothing from the network.

One file per target language (`trgLang`); a unit per text, its id the project's reference and the field
(`GS-000042.description`); its <source> the German text as it is now. A translation comes back only for the German
text it was made from: a unit whose source no longer matches the project is refused, with its id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from translate.storage.xliff2 import Xliff2File

from atlas.i18n import DEFAULT, LANGUAGES, _
from atlas.notices import reference
from atlas.store.core import REFERENCE
from atlas.texts import FIELD_NAMES, FIELDS, LIMITS, Translation, clean, key

NAMESPACE = "urn:oasis:names:tc:xliff:document:2.0"
MAX_BYTES = 5_000_000  # an upload larger than this is no selection of project texts


def export(rows: list[dict], translations: dict[int, list[Translation]], language: str) -> bytes:
    """The German texts of these projects with their translations into `language` (if any): current ones as
    `translated`, outdated ones as `initial` with a note, missing ones without a target."""
    document = Xliff2File()
    document.setsourcelanguage(DEFAULT)
    document.settargetlanguage(language)
    for row in rows:
        have = {t.field: t for t in translations.get(row["id"], []) if t.language == language}
        for name in FIELDS:
            german = row.get(name) or ""
            if not german:
                continue
            unit = document.addsourceunit(german)
            unit.setid(f"{reference(row['id'])}.{name}")
            notes = [f"{row['name']} – {FIELD_NAMES[name]} (höchstens {LIMITS[name]} Zeichen)"]
            existing = have.get(name)
            if existing is not None:
                unit.target = existing.text
                if existing.current(row):
                    unit.marktranslated()
                else:
                    unit.markfuzzy()
                    notes.append("Die Übersetzung ist veraltet: Der deutsche Text hat sich seitdem geändert.")
            _notes(unit.getunitelement(), notes)
    return bytes(document)


@dataclass
class Imported:
    language: str = ""
    texts: dict[int, dict[str, tuple[str, str]]] = field(default_factory=dict)  # id → {key: (German source, text)}
    problems: list[str] = field(default_factory=list)  # German, for the office


def read(data: bytes) -> Imported:
    """The translations of an XLIFF 2.0 file, by project: units without a target are left out; what cannot be used
    is named in `problems` (a file that is no XLIFF 2.0 from German is one problem, and nothing is read)."""
    result = Imported()
    if len(data) > MAX_BYTES:
        result.problems.append(_("Die Datei ist größer als %(mb)s MB.", mb=MAX_BYTES // 1_000_000))
        return result
    try:
        document = Xliff2File.parsestring(data)
    except (etree.XMLSyntaxError, ValueError, AssertionError, TypeError) as error:
        result.problems.append(_("Das ist keine lesbare XLIFF-2.0-Datei (%(error)s).", error=type(error).__name__))
        return result
    source, target = document.getsourcelanguage(), document.gettargetlanguage() or ""
    if source.split("-")[0].lower() != DEFAULT or target.split("-")[0].lower() not in set(LANGUAGES) - {DEFAULT}:
        result.problems.append(_("Die Datei übersetzt nicht aus dem Deutschen in eine Sprache des Atlas (srcLang "
                                 "„%(source)s“, trgLang „%(target)s“).", source=source[:10], target=target[:10]))
        return result
    result.language = target.split("-")[0].lower()
    for unit in document.units:
        unit_id = str(unit.getid() or "")[:60]
        number, _dot, name = unit_id.partition(".")
        matched = REFERENCE.match(number)
        if not matched or name not in FIELDS:
            result.problems.append(_("Unbekannte Einheit „%(unit)s“.", unit=unit_id))
            continue
        text = clean(name, unit.target or "")
        if not text:
            continue
        if len(text) > LIMITS[name]:
            result.problems.append(_("%(unit)s: länger als %(limit)s Zeichen.", unit=unit_id, limit=LIMITS[name]))
            continue
        entries = result.texts.setdefault(int(matched.group(1)), {})
        entries[key(name, result.language)] = (str(unit.source or ""), text)
    return result


def _notes(unit_element, notes: list[str]) -> None:
    """Notes for the translator, where XLIFF 2.0 wants them: a <notes> at the start of the <unit>."""
    container = etree.Element(f"{{{NAMESPACE}}}notes")
    for text in notes:
        note = etree.SubElement(container, f"{{{NAMESPACE}}}note", category="general")
        note.text = text
    unit_element.insert(0, container)
