"""The form fields of a project's translations (atlas.texts): a summary and a description per other language."""

from __future__ import annotations

from wtforms import StringField, TextAreaField

from atlas.i18n import LANGUAGES, lazy
from atlas.texts import FIELDS, form_name, other_languages


def translation_fields(form_class: type) -> type:
    """Add description_xx and summary_xx for every language but German to a form class; returned."""
    for language in other_languages():
        name = LANGUAGES[language].name
        for field in FIELDS:
            if field == "description":
                setattr(form_class, form_name(field, language), TextAreaField(lazy("Beschreibung – %(language)s",
                                                                                     language=name)))
            else:
                setattr(form_class, form_name(field, language), StringField(lazy("Kurzbeschreibung – %(language)s",
                                                                                   language=name)))
    return form_class
