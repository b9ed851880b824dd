"""Who hears of a change: the mails a change queues, in the transaction that makes the change.

Plain functions over an open transaction (`db`) and project rows; atlas.outbox keeps the mails, atlas.mail_texts
writes their text when they are sent.
"""

from __future__ import annotations

from sqlalchemy import select

from atlas import outbox, tokens
from atlas.schema import users

EACH, DAILY = "each", "daily"  # an office account's choice: a mail per event, or one digest a day
NOTIFY_CHOICES = (EACH, DAILY)


def reference(project_id: int) -> str:
    return f"GS-{project_id:06d}"


def submitted(db, row: dict) -> str:
    """A new submission: a private link for the submitter (returned; mailed if an address was given), and a notice
    to each account of the district that wants one per event."""
    link = tokens.issue(db, tokens.PROJECT, row["id"])
    if row["email"]:
        outbox.queue(db, f"receipt:{row['id']}", "receipt", row["email"],
                     {"reference": reference(row["id"]), "name": row["name"], "token": link, "arl": row["arl"],
                      "lang": row["language"]})
    office(db, row, f"new:{row['id']}:v{row['row_version']}", "office_new")
    return link


def proposed(db, row: dict, proposal_id: int) -> None:
    office(db, row, f"proposal:{proposal_id}", "office_proposal", proposal_id=proposal_id)


def decided(db, row: dict, status: str, reason: str, version: int) -> None:
    """The office published or rejected a project: the submitter hears it (if they left an address)."""
    if row["email"] and status in ("published", "rejected") and row["status"] != status:
        params = {"reference": reference(row["id"]), "name": row["name"], "project_id": row["id"],
                  "reason": reason, "lang": row["language"]}
        if status == "rejected":  # the way to propose a change comes with the decision, not only in the receipt
            params["token"] = tokens.issue(db, tokens.PROJECT, row["id"])
        outbox.queue(db, f"{status}:{row['id']}:v{version}", status, row["email"], params)


def moved(db, old: dict, new: dict) -> None:
    """A project now lies in another district: its submitter and the new office hear of it."""
    if old["email"]:
        outbox.queue(db, f"moved:{new['id']}:v{new['row_version']}", "moved", old["email"],
                     {"reference": reference(new["id"]), "name": new["name"], "arl": new["arl"],
                      "lang": old["language"]})
    office(db, new, f"new:{new['id']}:v{new['row_version']}", "office_new")


def office(db, row: dict, event: str, kind: str, **extra) -> None:
    """A notice to every account of the project's district that chose a mail per event."""
    accounts = db.execute(select(users.c.email).where(users.c.arl == row["arl"], users.c.notify == EACH,
                                                      users.c.active.is_(True)))
    for (email,) in accounts:
        outbox.queue(db, f"{event}:{email}", kind, email,
                     {"reference": reference(row["id"]), "name": row["name"], "project_id": row["id"],
                      "ort": row["ort"], "kreis": row["kreis_name"], **extra})
