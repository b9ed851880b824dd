"""A project's texts in the reader's language: the description and the one-line summary, German first, and their
translations into the other interface languages (atlas.i18n.LANGUAGES).

Each translation records how it was made – by the submitter, by an office, or by a machine (its engine and the
date) – and the German text it translates: once the German text changes, the translation is outdated. An outdated
translation is never shown; the reader gets the German text with a note, until someone translates it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from atlas.i18n import DEFAULT, LANGUAGES, N_, _
from atlas.text import clean_text

FIELDS = ("description", "summary")
SUBMITTER, OFFICE, MACHINE = "submitter", "office", "machine"
ORIGINS = (SUBMITTER, OFFICE, MACHINE)
LIMITS = {"description": 2000, "summary": 160}
FIELD_NAMES = {"description": N_("Beschreibung"), "summary": N_("Kurzbeschreibung")}
ORIGIN_LABELS = {SUBMITTER: N_("von den Einreichenden"), OFFICE: N_("vom Amt"), MACHINE: N_("maschinell")}
ENGINE_NAMES = {"libretranslate": "LibreTranslate", "deepl": "DeepL"}


def other_languages() -> list[str]:
    """The interface languages a German text is translated into, in the order the atlas lists them."""
    return [code for code in LANGUAGES if code != DEFAULT]


@dataclass(frozen=True)
class Translation:
    project_id: int
    field: str
    language: str
    text: str
    origin: str
    source_text: str  # the German text this translates
    made_at: datetime
    engine: str = ""
    made_by: str = ""

    def current(self, row: dict) -> bool:
        """Does it translate the German text the project has now?"""
        return self.source_text == (row.get(self.field) or "")

    @property
    def by_person(self) -> bool:
        return self.origin != MACHINE


def from_row(row) -> Translation:
    return Translation(project_id=row["project_id"], field=row["field"], language=row["language"], text=row["text"],
                       origin=row["origin"], source_text=row["source_text"], made_at=row["made_at"],
                       engine=row["engine"] or "", made_by=row["made_by"] or "")


def key(field: str, language: str) -> str:
    """How a translation is named in a project's history and in forms: "description:ar"."""
    return f"{field}:{language}"


def parse_key(name: str) -> tuple[str, str] | None:
    """("description", "ar") for "description:ar"; None for anything else."""
    field, _sep, language = name.partition(":")
    if field in FIELDS and language in LANGUAGES and language != DEFAULT:
        return field, language
    return None


def label(name: str) -> str:
    """„Beschreibung (العربية)“ – the label of a translation in a history or a proposal, in the reader's words."""
    field, language = parse_key(name) or (name, "")
    return f"{_(FIELD_NAMES[field])} ({LANGUAGES[language].name})" if language else name


def form_name(field: str, language: str) -> str:
    """The form field of a translation: description_ar, summary_ps."""
    return f"{field}_{language}"


def clean(field: str, value) -> str:
    """A translation as typed, made safe to store: the description keeps its lines, the summary is one line."""
    return clean_text(value, multiline=field == "description")


def validate(raw, errors: dict[str, str]) -> dict[str, dict[str, str]]:
    """The translations a form sent ({language: {field: text}}; a field sent empty is "", one not sent is left
    out); what is too long is named in `errors` under its form field."""
    found: dict[str, dict[str, str]] = {}
    for language in other_languages():
        for field in FIELDS:
            name = form_name(field, language)
            value = clean(field, raw.get(name) if hasattr(raw, "get") else None)
            if len(value) > LIMITS[field]:
                errors[name] = _("%(field)s ist zu lang: höchstens %(limit)s Zeichen, eingegeben %(count)s.",
                                 field=label(key(field, language)), limit=LIMITS[field], count=len(value))
                continue
            if value or (hasattr(raw, "get") and raw.get(name) is not None):  # sent empty: to be deleted
                found.setdefault(language, {})[field] = value
    return found


def without_german(german: dict, translations: dict[str, dict[str, str]]) -> list[str]:
    """The fields translated ({language: {field: text}}) whose German text (`german`, a row or the values of a form)
    is empty: a translation belongs to the German text it translates, so the store keeps none without one."""
    return [field for field in FIELDS
            if not german.get(field) and any(fields.get(field) for fields in translations.values())]


def as_keys(translations: dict[str, dict[str, str]]) -> dict[str, str]:
    """{language: {field: text}} → {"description:ar": text}."""
    return {key(field, language): text for language, fields in translations.items() for field, text in fields.items()}


class Shown(NamedTuple):
    """What a reader sees of one text: the text itself, in which language and direction, whether a machine made it,
    and the German original beside it (for „Original (Deutsch) anzeigen“). A tuple, not a frozen dataclass: one is
    made for every project a list writes and every summary a map's data holds, and a frozen dataclass cost 2.7 µs
    each to make (it sets each of its eight fields through object.__setattr__), a tuple 0.3."""

    text: str
    lang: str
    dir: str
    machine: bool = False
    translated: bool = False  # in the reader's language, not the German text
    outdated: bool = False  # the reader's language has a translation, but of an older German text: German shown
    original: str = ""  # the German text, when a translation is shown
    engine: str = ""


def shown(row: dict, translations: list[Translation], language: str, field: str) -> Shown:
    """The text of `field` as a reader of `language` gets it: the current translation, or the German text."""
    german = row.get(field) or ""
    if language != DEFAULT and german:
        for translation in translations:
            if translation.field == field and translation.language == language:
                if translation.current(row):
                    return Shown(translation.text, language, LANGUAGES[language].direction,
                                 machine=translation.origin == MACHINE, translated=True, original=german,
                                 engine=ENGINE_NAMES.get(translation.engine, translation.engine))
                return Shown(german, DEFAULT, "ltr", outdated=True)
    return Shown(german, DEFAULT, "ltr")


def reader_texts(row: dict, translations: list[Translation], language: str) -> dict[str, Shown]:
    return {field: shown(row, translations, language, field) for field in FIELDS}


def state(row: dict, translation: Translation | None, field: str) -> str:
    """missing, current or outdated – for the offices' list of what to translate."""
    if not (row.get(field) or ""):
        return "none"
    if translation is None:
        return "missing"
    return "current" if translation.current(row) else "outdated"
