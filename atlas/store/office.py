"""Reading projects of every status, as the offices and exports see them: exact positions, addresses, history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select

from atlas.database import as_utc
from atlas.handlungsfelder import mask
from atlas.labels import ARCHIVED, PUBLISHED, REJECTED
from atlas.schema import changes, projects
from atlas.store.core import ID_BATCH, REFERENCE, history_rows


class OfficeReads:
    def get(self, project_id: int) -> dict | None:
        with self.read() as db:
            row = db.execute(select(projects).where(projects.c.id == project_id)).mappings().first()
        return dict(row) if row else None

    def history(self, project_id: int) -> list[dict]:
        """Every recorded change of a project, oldest first."""
        with self.read() as db:
            return history_rows(db, project_id)

    def rows(self, status: str | None = None, arl: str | None = None, hf: list[str] | None = None,
             kreis: str | None = None, words: str = "", ids: list[int] | None = None) -> list[dict]:
        """Projects of any status, oldest first: exports and the offices' queues. `words` is looked for in name,
        Träger and Ort (or, written as a reference number, GS-000042 or 42, is that project)."""
        query = select(projects).order_by(projects.c.created_at, projects.c.id)
        if ids is not None:
            query = query.where(projects.c.id.in_(ids[:ID_BATCH]))
        if words:
            number = REFERENCE.match(words.strip())
            if number:
                query = query.where(projects.c.id == int(number.group(1)))
            else:
                query = query.where(or_(*(column.ilike(f"%{_escaped(words.strip())}%", escape="\\")
                                          for column in (projects.c.name, projects.c.traeger, projects.c.ort))))
        if kreis:
            query = query.where(projects.c.kreis_rs == kreis)
        if status:
            query = query.where(projects.c.status == status)
        if arl:
            query = query.where(projects.c.arl == arl)
        if hf:
            query = query.where(projects.c.hf_mask.op("&")(mask(hf)) != 0)
        with self.read() as db:
            return [dict(r) for r in db.execute(query).mappings()]

    def status_counts(self, arl: str | None = None) -> dict[str, int]:
        """How many projects of each status (of one district): the office's tabs show them."""
        query = select(projects.c.status, func.count()).group_by(projects.c.status)
        if arl:
            query = query.where(projects.c.arl == arl)
        with self.read() as db:
            return dict(db.execute(query).all())

    def decided_at(self, ids: list[int]) -> dict[int, datetime]:
        """When each of these projects was last decided on (published, rejected, archived)."""
        found: dict[int, datetime] = {}
        with self.read() as db:
            for first in range(0, len(ids), ID_BATCH):
                query = (select(changes.c.project_id, func.max(changes.c.at))
                         .where(changes.c.project_id.in_(ids[first:first + ID_BATCH]),
                                changes.c.action.in_((PUBLISHED, REJECTED, ARCHIVED)))
                         .group_by(changes.c.project_id))
                found.update({project_id: as_utc(at) for project_id, at in db.execute(query)})
        return found

    def count(self, status: str | None = None) -> int:
        query = select(func.count()).select_from(projects)
        if status:
            query = query.where(projects.c.status == status)
        with self.read() as db:
            return db.execute(query).scalar_one()


def _escaped(text: str) -> str:
    """Typed words as a LIKE pattern matches them: % and _ are letters here."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
