"""„Eintrag melden“: someone of the public tells the office about a published project – it ended, something is
wrong, it is a duplicate of another entry, it does not belong here, or something else.

A report is a task of the project's district (its queue's tab „Meldungen“, the dashboard's count, a mail to the
accounts that want one per event). The office resolves it with an action: it corrected the entry, archived it,
archived it as a duplicate of the other entry, or dismissed the report. A reporter who left an address gets a
short answer in the language they reported in; the address goes with it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from atlas import notices, outbox
from atlas.i18n import N_
from atlas.labels import ARCHIVED, PUBLISHED
from atlas.queue import OPEN
from atlas.schema import reports
from atlas.store import Store

RESOLVED = "resolved"
KINDS = {  # what a reporter can say, as the form offers it
    "beendet": N_("Das Projekt gibt es nicht mehr"),
    "falsch": N_("Angaben sind falsch (Adresse, Zeiten, Kontakt …)"),
    "dublette": N_("Der Eintrag ist doppelt"),
    "unpassend": N_("Der Eintrag gehört nicht in den Atlas"),
    "sonstiges": N_("Etwas anderes"),
}
EDITED, ARCHIVED_AS_REPORTED, MERGED, DISMISSED = "edited", "archived", "merged", "dismissed"
RESOLUTIONS = {  # how an office resolves a report
    EDITED: N_("Eintrag ist korrigiert"),
    ARCHIVED_AS_REPORTED: N_("Projekt archivieren"),
    MERGED: N_("Als Dublette archivieren"),
    DISMISSED: N_("Meldung verwerfen, Eintrag bleibt"),
}
REPORT_RESOLVED = "report_resolved"  # the history's action


class NotReportable(ValueError):
    """The project is not (or no longer) on the map."""


class ReportResolved(ValueError):
    """The report was resolved meanwhile."""


class NoDuplicateNamed(ValueError):
    """Archiving as a duplicate, where no one named the other entry: the history and the reporter's answer would
    speak of a duplicate that is not known."""


def make(store: Store, project_id: int, kind: str, message: str, email: str, language: str,
         duplicate_of: int | None = None) -> int:
    """A report waiting for the project's office, which hears of it as it chose."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of report {kind!r}")
    with store.change(project_id) as unit:
        row = unit.row
        if row["status"] != PUBLISHED:
            raise NotReportable(project_id)
        report_id = unit.db.execute(insert(reports).values(
            project_id=project_id, arl=row["arl"], kind=kind, duplicate_of=duplicate_of, message=message,
            email=email, language=language, status=OPEN, created_at=datetime.now(UTC), resolved_by="",
            resolution="").returning(reports.c.id)).scalar_one()
        notices.office(unit.db, row, f"report:{report_id}", "office_report", report_kind=kind)
    return report_id


def get(store: Store, report_id: int) -> dict | None:
    with store.read() as db:
        row = db.execute(select(reports).where(reports.c.id == report_id)).mappings().first()
    return dict(row) if row else None


def open_reports(store: Store, project_id: int) -> list[dict]:
    """The reports waiting for a project, oldest first."""
    with store.read() as db:
        return [dict(r) for r in db.execute(select(reports).where(
            reports.c.project_id == project_id, reports.c.status == OPEN).order_by(reports.c.id)).mappings()]


def resolutions(report: dict) -> dict:
    """How an office may resolve this report: as a duplicate only where the other entry is named."""
    return {slug: label for slug, label in RESOLUTIONS.items() if slug != MERGED or report["duplicate_of"]}


def resolve(store: Store, report_id: int, resolution: str, actor: str, expected_version: int | None,
            duplicate_of: int | None = None) -> dict:
    """Resolve a report; archiving (also as a duplicate) takes the project off the map in the same transaction.
    StaleWrite if the project changed since the office looked at it, ReportResolved if someone was quicker,
    NoDuplicateNamed for a duplicate without the other entry."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"unknown resolution {resolution!r}")
    with store.read() as db:
        project_id = db.execute(select(reports.c.project_id).where(reports.c.id == report_id)).scalar()
    if project_id is None:
        raise KeyError(report_id)
    with store.change(project_id, expected_version) as unit:
        db = unit.db
        report = db.execute(select(reports).where(reports.c.id == report_id).with_for_update()).mappings().first()
        if report["status"] != OPEN:
            raise ReportResolved(report_id)
        other = duplicate_of or report["duplicate_of"]
        if resolution == MERGED and not other:
            raise NoDuplicateNamed(report_id)
        detail = f"{RESOLUTIONS[resolution]}: {KINDS[report['kind']]}"
        if resolution in (ARCHIVED_AS_REPORTED, MERGED) and unit.row["status"] == PUBLISHED:
            why = (f"Dublette von {notices.reference(other)}" if resolution == MERGED and other
                   else "Nach einer Meldung vom Amt archiviert.")
            unit.write({"status": ARCHIVED, "reject_reason": why}, ARCHIVED, why, actor)
            unit.renew_public()
        unit.note(REPORT_RESOLVED, detail, actor)
        if report["email"]:
            outbox.queue(db, f"report-answer:{report_id}", "report_answer", report["email"],
                         {"reference": notices.reference(project_id), "name": unit.row["name"],
                          "project_id": project_id, "resolution": resolution, "lang": report["language"]})
        db.execute(update(reports).where(reports.c.id == report_id).values(
            status=RESOLVED, resolved_at=unit.now, resolved_by=actor, resolution=resolution, email=""))
    return store.get(project_id)
