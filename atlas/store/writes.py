"""Writing projects: submissions, imports, decisions, edits. Kreis and ArL are computed here, when a project is
written, never when a map is shown. Every change of one project goes through `change()` (atlas.store.core)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from atlas import history, machine, notices, search_index, tokens
from atlas.labels import FIELD_LABELS, PENDING, PUBLISHED
from atlas.places import Place
from atlas.projects import ProjectInput
from atlas.schema import projects
from atlas.store import texts as stored_texts
from atlas.store.core import SOURCE_FIELDS, STATUSES, new_row
from atlas.texts import OFFICE, SUBMITTER, as_keys

# What an edit compares: not the derived masks, not when it was published or confirmed
NOT_COMPARED = ("updated_at", "hf_mask", "sprachen_mask", "zg_mask", "published_at", "confirmed_at")


class Writes:
    def add(self, project: ProjectInput, place: Place, status: str = PENDING) -> int:
        """Store one project at a located place; its Kreis and ArL are taken from the polygons now."""
        return self.add_many([(project, place)], status)[0]

    def submit(self, project: ProjectInput, place: Place, language: str = "de") -> tuple[int, str]:
        """A submission waits for its office; its submitter's private link is returned, and the mails it causes
        (receipt, office notices) are queued in the same transaction. Mails to the submitter are written in
        `language`, the one they submitted in."""
        [kreis] = self._assign([place])
        with self.write() as db:
            values = dict(new_row(project, place, *kreis, PENDING, datetime.now(UTC)), language=language)
            project_id = db.execute(insert(projects).values(**values).returning(projects.c.id)).scalar_one()
            search_index.index(db, [dict(values, id=project_id)], new=True)
            if project.translations:  # what the submitter wrote in other languages (atlas.texts)
                stored_texts.apply(db, dict(values, id=project_id), as_keys(project.translations), SUBMITTER,
                                   "Einreicher", values["created_at"])
            link = notices.submitted(db, dict(values, id=project_id, row_version=1))
        return project_id, link

    def add_many(self, items: list[tuple[ProjectInput, Place]], status: str = PUBLISHED,
                 into_empty: bool = False) -> list[int]:
        """Store many projects in one transaction, assigned to Kreis and ArL by a spatial join per batch.

        With `into_empty`, nothing is stored if the store holds any project: of several processes seeding at once,
        exactly one does.
        """
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        if not items:
            return []
        prepared = self.prepare(status)
        for project, place in items:
            prepared.add(project, place)
        return self.add_prepared(prepared, into_empty)

    def set_status(self, project_id: int, status: str, reason: str = "", actor: str = "system",
                   expected_version: int | None = None, told_reason: str | None = None) -> int:
        """Publish, reject or archive a project; the change is recorded with who made it and when. Returns the new
        version. With `expected_version` (the version the deciding person saw) a project changed meanwhile is not
        decided: StaleWrite names what changed. `told_reason`: the reason as the submitter's mail says it (a reason
        template's translation into their language)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self.change(project_id, expected_version) as unit:
            old = unit.row
            values = {"status": status, "reject_reason": reason}
            if status == PUBLISHED:
                values.update(published_at=old["published_at"] or unit.now, confirmed_at=unit.now)
            unit.write(values, status, reason, actor)
            notices.decided(unit.db, old, status, told_reason or reason, unit.row["row_version"])
            machine.queue(unit.db, unit.row, self.machine_languages, unit.now)
            unit.renew_public()
        return unit.row["row_version"]

    def forget_email(self, project_id: int) -> None:
        """The submitter's address goes (withdrawn project); links that would mail them go too."""
        with self.change(project_id) as unit:
            unit.touch(email="")
            tokens.revoke_all(unit.db, project_id, tokens.FRESHNESS)

    def update(self, project_id: int, project: ProjectInput, place: Place, actor: str,
               expected_version: int | None = None, publish: bool = False, origin: str = OFFICE) -> dict:
        """Change a project; Kreis and ArL are assigned again from its place.

        The status stays as it is (with `publish`, the project is published with the change: a submitter's
        proposal to a rejected project, taken by the office), unless the project moves into another district: then
        it waits again, in that office's queue. With `expected_version` (the version the edit form was loaded
        from) a project changed meanwhile is not overwritten: StaleWrite names what changed. The change is recorded
        field by field, translations (`project.translations`, made by `origin`) included; a published project's
        changed German texts are queued for the machine. Returns the row as it is now.
        """
        [kreis] = self._assign([place])  # the spatial join runs before the transaction: it holds no lock
        with self.change(project_id, expected_version) as unit:
            old = unit.row
            new = new_row(project, place, *kreis, old["status"], unit.now)
            if new["arl"] != old["arl"]:
                new["status"] = PENDING  # the reason of an earlier rejection is cleared with it
            elif publish:
                new.update(status=PUBLISHED, published_at=old["published_at"] or unit.now, confirmed_at=unit.now)
            else:
                new["reject_reason"] = old["reject_reason"]
            for kept in ("created_at", *SOURCE_FIELDS):  # an edit neither changes the source nor confirms it
                del new[kept]
            changed = {k: v for k, v in new.items() if k not in NOT_COMPARED and v != old[k]}
            after = dict(old, **new)
            translated = stored_texts.apply(unit.db, after, as_keys(project.translations or {}), origin, actor,
                                            unit.now) if project.translations is not None else {}
            if not changed and not translated:
                return old
            detail = history.record({**{k: (old[k], v) for k, v in changed.items() if k in FIELD_LABELS},
                                     **translated})
            unit.write(new, "edited", detail, actor)
            machine.queue(unit.db, unit.row, self.machine_languages, unit.now)
            if new["arl"] != old["arl"]:
                notices.moved(unit.db, old, unit.row)
            elif new["status"] != old["status"]:
                notices.decided(unit.db, old, new["status"], "", unit.row["row_version"])
        return self.get(project_id)
