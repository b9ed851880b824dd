"""An office's reasons for a rejection, kept as templates: a title, the German text (what the office and the
project's history read) and translations (what a submitter reads, in the language they submitted in, where the
office wrote one). Each office edits its own; every change checks the version it was loaded at."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update

from atlas.i18n import N_
from atlas.schema import reason_templates
from atlas.store import Store

TITLE_LIMIT, BODY_LIMIT = 80, 1000
SUGGESTED = [  # what an office without templates is offered to start from
    (N_("Adresse unvollständig"), N_("Die Adresse ist unvollständig. Bitte ergänzen Sie Straße, Hausnummer und Ort "
                                     "und reichen Sie das Projekt erneut ein.")),
    (N_("Kein Bezug zu Integration"), N_("Das Angebot hat keinen erkennbaren Bezug zur Integration geflüchteter "
                                         "Menschen und gehört daher nicht in den Atlas.")),
    (N_("Beschreibung fehlt"), N_("Bitte beschreiben Sie kurz, was das Projekt anbietet, für wen und wann.")),
    (N_("Doppelter Eintrag"), N_("Das Projekt steht schon im Atlas. Änderungen schlagen Sie bitte über den "
                                 "bestehenden Eintrag vor.")),
]


class StaleTemplate(Exception):
    """The template changed (or went) since it was loaded; nothing was written."""


@dataclass(frozen=True)
class ReasonTemplate:
    id: int
    arl: str
    title: str
    body: str
    translations: dict[str, str]
    row_version: int

    def text_in(self, language: str) -> str:
        """The reason as a submitter of `language` reads it: its translation, else the German text."""
        return self.translations.get(language) or self.body


def templates(store: Store, arl: str) -> list[ReasonTemplate]:
    with store.read() as db:
        rows = db.execute(select(reason_templates).where(reason_templates.c.arl == arl)
                          .order_by(reason_templates.c.title, reason_templates.c.id)).mappings().all()
    return [_template(row) for row in rows]


def template(store: Store, template_id: int) -> ReasonTemplate | None:
    with store.read() as db:
        row = db.execute(select(reason_templates).where(reason_templates.c.id == template_id)).mappings().first()
    return _template(row) if row else None


def save(store: Store, arl: str, title: str, body: str, translations: dict[str, str],
         template_id: int | None = None, expected_version: int | None = None) -> int:
    """A new template (no id) or a changed one, checked against the version it was loaded at."""
    now = datetime.now(UTC)
    values = {"title": title, "body": body, "translations": json.dumps(translations, ensure_ascii=False),
              "updated_at": now}
    with store.write() as db:
        if template_id is None:
            return db.execute(insert(reason_templates).values(arl=arl, created_at=now, row_version=1, **values)
                              .returning(reason_templates.c.id)).scalar_one()
        moved = db.execute(update(reason_templates).where(
            reason_templates.c.id == template_id, reason_templates.c.arl == arl,
            reason_templates.c.row_version == expected_version).values(
            row_version=reason_templates.c.row_version + 1, **values)).rowcount
    if not moved:
        raise StaleTemplate(template_id)
    return template_id


def remove(store: Store, arl: str, template_id: int, expected_version: int) -> None:
    with store.write() as db:
        gone = db.execute(delete(reason_templates).where(
            reason_templates.c.id == template_id, reason_templates.c.arl == arl,
            reason_templates.c.row_version == expected_version)).rowcount
    if not gone:
        raise StaleTemplate(template_id)


def _template(row) -> ReasonTemplate:
    try:
        translations = {k: v for k, v in json.loads(row["translations"] or "{}").items() if isinstance(v, str)}
    except ValueError:
        translations = {}
    return ReasonTemplate(row["id"], row["arl"], row["title"], row["body"], translations, row["row_version"])
