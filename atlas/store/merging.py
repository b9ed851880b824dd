"""Duplicates and merging, as the store keeps them: the projects a district's finder compares, the pairs an office
found to be different („kein Duplikat“), and the merge of two records into one – both locked and checked against
the versions the office saw, in one transaction.

What follows the kept record: the merged one's history and notes (shown with the kept one's: atlas.store.notes),
its private links (they open the kept project), its waiting claims and change proposal, its hold (unless the kept
one has its own), and its address: /projekt/<merged id> answers 301 to the kept project, and the open data lists
the merged id as replaced by the kept one. The merged record stays, archived, with one history entry naming the
kept one; the kept record gets one naming the merged one and every field that changed.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import String, cast, delete, func, insert, or_, select, update

from atlas import history, machine, merge, notices, outbox, tokens
from atlas.database import as_utc
from atlas.labels import ARCHIVED, FIELD_LABELS, PENDING, PUBLISHED
from atlas.schema import claims, distinct_pairs, holds, projects, proposals, replaced
from atlas.schema import tokens as token_table
from atlas.store.core import ID_BATCH, Change, bump_version, locked_row

MERGED_IN, MERGED_AWAY = "merged_in", "merged_away"  # history actions of the kept and of the merged record
MARKED_DISTINCT = "distinct"  # history action: „kein Duplikat“
FINDER_STATUSES = (PENDING, PUBLISHED)  # what the finder compares: waiting, and on the map (from sources too)
FINDER_COLUMNS = ("id", "name", "traeger", "ort", "lat", "lon", "status", "kreis_name", "arl", "quelle",
                  "source_confirmed_at", "row_version", "created_at")


class Merging:
    def finder_rows(self, arl: str | None = None, near: tuple[float, float, float, float] | None = None
                    ) -> list[dict]:
        """The projects the duplicate finder compares: pending and published ones (of a district; in a box
        (south, north, west, east) around one project), at their exact positions."""
        query = select(*(projects.c[name] for name in FINDER_COLUMNS)).where(
            projects.c.status.in_(FINDER_STATUSES)).order_by(projects.c.id)
        if arl:
            query = query.where(projects.c.arl == arl)
        if near:
            query = query.where(projects.c.lat.between(near[0], near[1]), projects.c.lon.between(near[2], near[3]))
        with self.read() as db:
            return [dict(row) for row in db.execute(query).mappings()]

    def distinct(self, ids: list[int] | None = None) -> set[tuple[int, int]]:
        """The pairs (smaller id, larger id) marked „kein Duplikat“ (those involving these ids)."""
        query = select(distinct_pairs.c.first_id, distinct_pairs.c.second_id)
        found: set[tuple[int, int]] = set()
        with self.read() as db:
            if ids is None:
                return {(row.first_id, row.second_id) for row in db.execute(query)}
            for first in range(0, len(ids), ID_BATCH):
                batch = ids[first:first + ID_BATCH]
                found |= {(row.first_id, row.second_id) for row in db.execute(query.where(or_(
                    distinct_pairs.c.first_id.in_(batch), distinct_pairs.c.second_id.in_(batch))))}
        return found

    def mark_distinct(self, first_id: int, second_id: int, versions: dict[int, int], actor: str) -> None:
        """„Kein Duplikat“: the pair is not shown again; a note in both histories. StaleWrite if either project
        changed since the office compared them (`versions` by id); KeyError for an unknown one."""
        low, high = sorted((first_id, second_id))
        with self._both(low, versions.get(low), high, versions.get(high)) as (one, two):
            known = one.db.execute(select(distinct_pairs.c.first_id).where(
                distinct_pairs.c.first_id == low, distinct_pairs.c.second_id == high)).first()
            if known:
                return
            one.db.execute(insert(distinct_pairs).values(first_id=low, second_id=high, decided_by=actor,
                                                         decided_at=one.now))
            one.note(MARKED_DISTINCT, notices.reference(high), actor)
            two.note(MARKED_DISTINCT, notices.reference(low), actor)

    def replaced_by(self, project_id: int, once_published: bool = False) -> int | None:
        """The project a merged record now is, or None; with `once_published` only for a record the public once saw
        (a merged submission that was never published had no public address to follow)."""
        query = select(replaced.c.kept_id).where(replaced.c.project_id == project_id)
        if once_published:
            query = query.join(projects, projects.c.id == replaced.c.project_id).where(
                projects.c.published_at.is_not(None))
        with self.read() as db:
            return db.execute(query).scalar()

    def kept_ids(self, ids: list[int]) -> dict[int, int]:
        """The project each of these records was merged into, by merged id (a record not merged is not named)."""
        found: dict[int, int] = {}
        with self.read() as db:
            for first in range(0, len(ids), ID_BATCH):
                query = select(replaced.c.project_id, replaced.c.kept_id).where(
                    replaced.c.project_id.in_(ids[first:first + ID_BATCH]))
                found.update({row.project_id: row.kept_id for row in db.execute(query)})
        return found

    def replacements(self) -> list[dict]:
        """For the open data: each merged record that was ever published and the published project that replaces
        it (merged id, kept id, since when), by merged id."""
        merged, kept = projects.alias(), projects.alias()  # SQLAlchemy Core's (its ORM's `aliased` makes the same)
        query = (select(replaced.c.project_id, replaced.c.kept_id, replaced.c.at)
                 .join(merged, merged.c.id == replaced.c.project_id).join(kept, kept.c.id == replaced.c.kept_id)
                 .where(merged.c.published_at.is_not(None), kept.c.status == PUBLISHED)
                 .order_by(replaced.c.project_id))
        with self.read() as db:
            return [{"id": row.project_id, "kept_id": row.kept_id, "at": as_utc(row.at)} for row in db.execute(query)]

    def merge(self, kept_id: int, merged_id: int, choices: dict[str, int], versions: dict[int, int],
              actor: str) -> dict:
        """Merge `merged_id` into `kept_id`, the kept record holding what `choices` picks per field group
        (atlas.merge). StaleWrite if either changed since the office compared them (`versions` by id), CannotMerge
        for two records that cannot be merged. Returns the kept project as it is now."""
        with self._both(kept_id, versions.get(kept_id), merged_id, versions.get(merged_id)) as (kept, gone):
            db = kept.db
            merge.check(kept.row, gone.row)
            if db.execute(select(func.count()).select_from(replaced).where(
                    replaced.c.project_id.in_((kept_id, merged_id)))).scalar_one():
                raise merge.CannotMerge(merge.ALREADY_MERGED)
            before = kept.row
            values = merge.merged_values(kept.row, gone.row, choices)
            changed = {key: (before[key], value) for key, value in values.items() if key in FIELD_LABELS}
            detail = [["duplikat", "", notices.reference(merged_id)], *json.loads(history.record(changed))]
            kept.write(values, MERGED_IN, json.dumps(detail, ensure_ascii=False), actor)
            machine.queue(db, kept.row, self.machine_languages, kept.now)  # its German texts may have changed
            if kept.row["status"] != before["status"]:
                notices.decided(db, before, kept.row["status"], "", kept.row["row_version"])
            told = before["email"] if before["status"] != kept.row["status"] else ""  # by notices.decided
            _tell_merged_submitter(db, gone.row, kept.row, told)
            gone.write({"status": ARCHIVED, "email": "", "reject_reason": ""}, MERGED_AWAY,
                       notices.reference(kept_id), actor)
            _follow(db, kept_id, merged_id, gone.now, actor, self._lapse_cutoff())
        return self.get(kept_id)

    @contextmanager
    def _both(self, first_id: int, first_version: int | None, second_id: int, second_version: int | None):
        """Two projects as units of work in one transaction, locked in the order of their ids (two offices merging
        the same pair the other way round wait for each other instead of deadlocking)."""
        with self.write() as db:
            now = datetime.now(UTC)
            units = {}
            for project_id, version in sorted(((first_id, first_version), (second_id, second_version))):
                units[project_id] = Change(db, locked_row(db, project_id, version), now)
            yield units[first_id], units[second_id]
            public = [unit for unit in units.values() if unit.public]
            if public:  # the districts and projects the public sees changed, logged for the other processes
                bump_version(db, set().union(*(unit.arls for unit in public)), [unit.id for unit in public])
        if public:
            self._changed()


def merged_into(kept_id):
    """The ids of the once published records merged into the project whose id is `kept_id` (a column of the
    statement around it), as one text ("7,12"; NULL for none): a column of the open data's rows, so that a page of
    them is one query, not two (merged_ids reads it)."""
    merged = projects.alias("merged")
    return (select(func.aggregate_strings(cast(replaced.c.project_id, String), ","))
            .join(merged, merged.c.id == replaced.c.project_id)
            .where(replaced.c.kept_id == kept_id, merged.c.published_at.is_not(None))
            .scalar_subquery())


def merged_ids(text: str | None) -> list[int]:
    """The ids that merged_into wrote, ascending (the aggregate's order is the database's)."""
    return sorted(int(part) for part in text.split(",")) if text else []


WAITING = "waiting"  # of a claim or a proposal (atlas.claims, atlas.submitters: they build on the store)


def _tell_merged_submitter(db, gone: dict, kept: dict, told: str) -> None:
    """A submission not yet published that is merged into a published project: its submitter hears that it is
    published (as the kept project, which their private link now opens) – unless that address was told already."""
    if gone["email"] and gone["status"] != PUBLISHED and kept["status"] == PUBLISHED and gone["email"] != told:
        outbox.queue(db, f"merged-published:{gone['id']}", "published", gone["email"],
                     {"reference": notices.reference(kept["id"]), "name": kept["name"], "project_id": kept["id"],
                      "reason": "", "lang": gone["language"]})


def _follow(db, kept_id: int, merged_id: int, now: datetime, actor: str, lapsed_before: datetime) -> None:
    """What follows the kept record: address (and addresses of records merged into the merged one before),
    private links, waiting claims, a waiting proposal, a hold (unless the kept one is held)."""
    db.execute(insert(replaced).values(project_id=merged_id, kept_id=kept_id, at=now, actor=actor))
    db.execute(update(replaced).where(replaced.c.kept_id == merged_id).values(kept_id=kept_id))
    db.execute(update(token_table).where(token_table.c.subject_id == merged_id,
                                         token_table.c.purpose == tokens.PROJECT).values(subject_id=kept_id))
    tokens.revoke_all(db, merged_id, tokens.FRESHNESS)  # its question was about the record that went
    db.execute(update(claims).where(claims.c.project_id == merged_id, claims.c.status == WAITING)
               .values(project_id=kept_id))
    waiting = proposals.c.status == WAITING
    if db.execute(select(proposals.c.id).where(proposals.c.project_id == kept_id, waiting)).first():
        db.execute(update(proposals).where(proposals.c.project_id == merged_id, waiting)
                   .values(status="replaced", decided_at=now, decided_by=actor))
    else:
        db.execute(update(proposals).where(proposals.c.project_id == merged_id, waiting).values(project_id=kept_id))
    db.execute(delete(holds).where(holds.c.project_id == kept_id, holds.c.taken_at <= lapsed_before))
    if db.execute(select(holds.c.project_id).where(holds.c.project_id == kept_id)).first():
        db.execute(delete(holds).where(holds.c.project_id == merged_id))
    else:
        db.execute(update(holds).where(holds.c.project_id == merged_id).values(project_id=kept_id))
