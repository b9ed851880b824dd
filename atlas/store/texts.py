"""A project's translations (atlas.texts) in the store: read for pages and the offices, written inside the unit of
work of the change they belong to (a submission, an edit, a machine's translation)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from atlas import history, search_index
from atlas.labels import PUBLISHED
from atlas.schema import project_texts, projects
from atlas.store.core import ID_BATCH
from atlas.store.idlist import among_ids
from atlas.texts import FIELDS, MACHINE, OFFICE, Translation, from_row, key, parse_key


class Texts:
    def translations(self, project_id: int) -> list[Translation]:
        """Every translation of one project, of any state."""
        with self.read() as db:
            return load(db, [project_id]).get(project_id, [])

    def translations_of(self, ids: list[int]) -> dict[int, list[Translation]]:
        """The translations of these projects, by project id (a page's list, a digest)."""
        with self.read() as db:
            return load(db, ids)

    def set_translations(self, project_id: int, wanted: dict[str, str], actor: str,
                         expected_version: int | None = None, origin: str = OFFICE) -> dict[str, tuple[str, str]]:
        """A person (an office, by default) writes translations of one project: each vouches for the German text
        as it is now (an unchanged outdated one becomes current). A new version, recorded field by field, if a text
        changed; StaleWrite if the project changed since `expected_version`."""
        with self.change(project_id, expected_version) as unit:
            changed = apply(unit.db, unit.row, wanted, origin, actor, unit.now, rebase=True)
            if changed:
                unit.write({}, "edited", history.record(changed), actor)
            else:
                search_index.index(unit.db, [unit.row])
            unit.renew_public()
        return changed

    def text_rows(self, arl: str | None = None, ids: list[int] | None = None,
                  statuses: tuple[str, ...] = (PUBLISHED,)) -> list[dict]:
        """Projects (of one district, or these) with their German texts, for the offices' translation overview."""
        query = select(projects.c.id, projects.c.name, projects.c.ort, projects.c.arl, projects.c.status,
                       projects.c.description, projects.c.summary, projects.c.row_version).where(
            projects.c.status.in_(statuses)).order_by(projects.c.name, projects.c.id)
        if arl:
            query = query.where(projects.c.arl == arl)
        if ids is not None:
            query = query.where(projects.c.id.in_(ids[:ID_BATCH]))
        with self.read() as db:
            return [dict(row) for row in db.execute(query).mappings()]


# the translations of the projects of `ids` (one statement, its ids bound as one value: atlas.store.idlist)
_TEXTS_OF = select(project_texts).where(among_ids(project_texts.c.project_id)).order_by(project_texts.c.id)


def load(db, ids: list[int]) -> dict[int, list[Translation]]:
    found: dict[int, list[Translation]] = defaultdict(list)
    for first in range(0, len(ids), ID_BATCH):
        rows = db.execute(_TEXTS_OF, {"ids": ids[first:first + ID_BATCH]}).mappings()
        for row in rows:
            found[row["project_id"]].append(from_row(row))
    return dict(found)


def apply(db, row: dict, wanted: dict[str, str], origin: str, actor: str, now: datetime, engine: str = "",
          rebase: bool = False) -> dict[str, tuple[str, str]]:
    """Write the translations `wanted` ({"description:ar": text}) of the project `row` (as it is after the change),
    each made from its German text now, by `origin`. An empty text deletes a person's translation; a machine's
    stays until a text replaces it (a form loaded before the machine wrote it did not know it). An unchanged text
    keeps how it was made – unless `rebase`: then a person vouches that it translates the German text as it is now.
    Returns what changed, {key: (old text, new text)}, for the history."""
    existing = {key(t.field, t.language): t for t in load(db, [row["id"]]).get(row["id"], [])}
    changed: dict[str, tuple[str, str]] = {}
    for name, text in wanted.items():
        parsed = parse_key(name)
        if parsed is None:
            continue
        field, language = parsed
        old = existing.get(name)
        source = row.get(field) or ""
        if not text:
            if old is not None and old.origin != MACHINE:
                db.execute(delete(project_texts).where(*_where(row["id"], field, language)))
                changed[name] = (old.text, "")
            continue
        if not source:  # nothing German to translate (a summary left empty)
            continue
        if old is not None and old.text == text and not (rebase and not old.current(row)):
            continue
        values = {"text": text, "origin": origin, "engine": engine, "source_text": source, "made_at": now,
                  "made_by": actor}
        if old is None:
            db.execute(insert(project_texts).values(project_id=row["id"], field=field, language=language, **values))
        else:
            db.execute(update(project_texts).where(*_where(row["id"], field, language)).values(**values))
        if old is None or old.text != text:
            changed[name] = (old.text if old else "", text)
    return changed


def current_texts(db, rows: list[dict]) -> dict[int, list[Translation]]:
    """The current translations of these project rows (what a search may find them by)."""
    loaded = load(db, [int(row["id"]) for row in rows])
    return {int(row["id"]): [t for t in loaded.get(int(row["id"]), []) if t.current(row)] for row in rows}


def _where(project_id: int, field: str, language: str) -> tuple:
    return (project_texts.c.project_id == project_id, project_texts.c.field == field,
            project_texts.c.language == language)


__all__ = ["FIELDS", "Texts", "apply", "current_texts", "load"]
