"""Internal notes of the offices on a project („Träger angerufen, wartet auf die neue Adresse“): with author and
time, in the project's history as the offices see it, never on a public page or the submitter's; a note may
mention colleagues, who are mailed a link to it.

The offices' history of a project is its own and that of every record merged into it, with the notes of all of
them, in the order they happened.
"""

from __future__ import annotations

from sqlalchemy import insert, select

from atlas import notices, outbox
from atlas.database import as_utc
from atlas.schema import changes, notes, replaced

NOTE_LENGTH = 4000  # characters of one note


class Notes:
    def add_note(self, project_id: int, author_id: int, author: str, body: str, mentioned: list[dict]) -> int:
        """Keep a note (cleaned text, at most NOTE_LENGTH characters) and mail every mentioned colleague (dicts
        with id and email, the author left out). KeyError for an unknown project."""
        if not body or len(body) > NOTE_LENGTH:
            raise ValueError(f"a note has 1 to {NOTE_LENGTH} characters, not {len(body)}")
        with self.change(project_id) as unit:
            note_id = unit.db.execute(insert(notes).values(
                project_id=project_id, user_id=author_id, author=author, at=unit.now, body=body)
                .returning(notes.c.id)).scalar_one()
            for colleague in mentioned:
                if colleague["id"] == author_id:
                    continue
                outbox.queue(unit.db, f"note:{note_id}:{colleague['id']}", "note_mention", colleague["email"],
                             {"reference": notices.reference(project_id), "name": unit.row["name"],
                              "ort": unit.row["ort"], "project_id": project_id, "note_id": note_id, "by": author})
        return note_id

    def notes_of(self, project_id: int) -> list[dict]:
        """The notes of a project (and of the records merged into it), oldest first."""
        with self.read() as db:
            ids = [project_id, *_merged_into(db, project_id)]
            return [dict(row, at=as_utc(row["at"])) for row in db.execute(
                select(notes).where(notes.c.project_id.in_(ids)).order_by(notes.c.id)).mappings()]

    def office_history(self, project_id: int) -> list[dict]:
        """What the offices read as a project's history, oldest first: its changes, those of the records merged
        into it (`from_id` names the record) and the notes (`note` set, `body` the text)."""
        with self.read() as db:
            merged = _merged_into(db, project_id)
            ids = [project_id, *merged]
            entries = [dict(row, at=as_utc(row["at"]), note=False) for row in db.execute(
                select(changes).where(changes.c.project_id.in_(ids)).order_by(changes.c.id)).mappings()]
            entries += [dict(row, at=as_utc(row["at"]), note=True, actor=row["author"]) for row in db.execute(
                select(notes).where(notes.c.project_id.in_(ids)).order_by(notes.c.id)).mappings()]
        for entry in entries:
            entry["from_id"] = entry["project_id"] if entry["project_id"] != project_id else None
        return sorted(entries, key=lambda entry: (entry["at"], entry["note"], entry["id"]))


def _merged_into(db, project_id: int) -> list[int]:
    return list(db.execute(select(replaced.c.project_id).where(replaced.c.kept_id == project_id)
                           .order_by(replaced.c.project_id)).scalars())
