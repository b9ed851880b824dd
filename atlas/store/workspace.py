"""What the office's workspace reads: a page of the queue, the tasks waiting with their oldest age, the figures of
the dashboard (aggregated in the database: a district of 25,000 projects sends back a few hundred rows), and the
activity log."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, literal, select, union_all

from atlas.database import as_utc
from atlas.labels import PUBLISHED, REJECTED
from atlas.schema import audit, changes, claims, projects, proposals, reports

DECISIONS = (PUBLISHED, REJECTED)
ACTIVITY_PAGE = 100


class WorkspaceReads:
    def queue_page(self, query, context) -> tuple[list[dict], int]:
        """One page of the queue (atlas.queue.QueueQuery) and how many projects it has in all."""
        where = query.conditions(context)
        listed = (select(projects).where(*where).order_by(*query.order)
                  .limit(query.per_page).offset((query.page - 1) * query.per_page))
        with self.read() as db:
            total = db.execute(select(func.count()).select_from(projects).where(*where)).scalar_one()
            rows = [dict(r) for r in db.execute(listed).mappings()]
        return rows, total

    def waiting_tasks(self, ids: list[int]) -> dict[int, set[str]]:
        """What waits on each of these projects besides its status: a proposal, a Träger's claim, a report."""
        waiting: dict[int, set[str]] = {project_id: set() for project_id in ids}
        kinds = (("proposal", proposals, proposals.c.status == "waiting"),
                 ("claimed", claims, claims.c.status == "waiting"),
                 ("reported", reports, reports.c.status == "open"))
        with self.read() as db:
            for kind, table, condition in kinds:
                query = select(table.c.project_id).distinct().where(condition, table.c.project_id.in_(ids))
                for project_id in db.execute(query).scalars():
                    waiting[project_id].add(kind)
        return waiting

    def queue_ids(self, query, context) -> list[int]:
        """Every project of the queue, in its order: „Nächstes Projekt“ and the bulk actions' checks."""
        with self.read() as db:
            return list(db.execute(select(projects.c.id).where(*query.conditions(context)).order_by(*query.order))
                        .scalars())

    def tasks(self, tabs: dict, arl: str | None, context) -> dict[str, dict[str, tuple[int, datetime | None]]]:
        """For each tab (atlas.queue.Tab) and district: how many projects it holds and since when its oldest task
        waits ({tab: {arl: (count, oldest)}}); one grouped query per tab, of one district or of all."""
        found: dict[str, dict] = {}
        with self.read() as db:
            for slug, tab in tabs.items():
                query = (select(projects.c.arl, func.count(func.distinct(projects.c.id)), func.min(tab.since()))
                         .select_from(projects).where(tab.condition(context)).group_by(projects.c.arl))
                if tab.source is not None:
                    query = query.join(tab.source, tab.source.c.project_id == projects.c.id).where(tab.source_where)
                if arl:
                    query = query.where(projects.c.arl == arl)
                found[slug] = {district: (count, as_utc(oldest) if oldest else None)
                               for district, count, oldest in db.execute(query)}
        return found

    def map_rows(self, arl: str | None) -> list[dict]:
        """What the office's district map draws of each project (of every status): position, status, filters."""
        query = select(projects.c.id, projects.c.lat, projects.c.lon, projects.c.status, projects.c.name,
                       projects.c.ort, projects.c.traeger, projects.c.hf_mask, projects.c.sprachen_mask,
                       projects.c.zg_mask, projects.c.kosten, projects.c.zeiten).order_by(projects.c.id)
        if arl:
            query = query.where(projects.c.arl == arl)
        with self.read() as db:
            return [dict(row) for row in db.execute(query).mappings()]

    def figures_counts(self, arl: str | None) -> list[tuple[str, int, str, int]]:
        """(Kreis key, Handlungsfelder mask, status, how many) of every project (of one district)."""
        query = (select(projects.c.kreis_rs, projects.c.hf_mask, projects.c.status, func.count())
                 .group_by(projects.c.kreis_rs, projects.c.hf_mask, projects.c.status))
        if arl:
            query = query.where(projects.c.arl == arl)
        with self.read() as db:
            return [tuple(row) for row in db.execute(query)]

    def created_since(self, arl: str | None, since: datetime) -> dict[datetime, int]:
        """How many projects (of one district) came in per hour (UTC) since `since`: counted by the database, so a
        district of 25,000 sends back at most a row per hour of the year; an hour lies in one month in Niedersachsen
        as in UTC (their offsets are whole hours), which the figures count by (atlas.dashboard)."""
        column = projects.c.created_at
        hour = (func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24") if self.dialect == "postgresql"
                else func.strftime("%Y-%m-%d %H", column))
        query = select(hour, func.count()).where(column >= since).group_by(hour)
        if arl:
            query = query.where(projects.c.arl == arl)
        with self.read() as db:
            return {datetime.strptime(key, "%Y-%m-%d %H").replace(tzinfo=UTC): count
                    for key, count in db.execute(query)}

    def decisions_since(self, arl: str | None, since: datetime) -> list[tuple[datetime, str]]:
        """(when, published or rejected) of every decision since `since` made in one district (where the project
        was then: a project that moved on takes none of the office's decisions along)."""
        query = (select(changes.c.at, changes.c.action).where(changes.c.action.in_(DECISIONS), changes.c.at >= since))
        if arl:
            query = query.where(changes.c.arl == arl)
        with self.read() as db:
            return [(as_utc(at), action) for at, action in db.execute(query)]

    def first_decisions(self, arl: str | None, since: datetime) -> list[tuple[str, datetime, datetime]]:
        """(district, submitted, first decided) of the projects first decided since `since` (in one district): the
        district where that decision was made. A project's changes are written under its row lock, so its first
        decision is the one with the lowest id."""
        first = (select(func.min(changes.c.id).label("id"))
                 .where(changes.c.action.in_(DECISIONS)).group_by(changes.c.project_id).subquery())
        query = (select(changes.c.arl, projects.c.created_at, changes.c.at)
                 .join(first, first.c.id == changes.c.id).join(projects, projects.c.id == changes.c.project_id)
                 .where(changes.c.at >= since))
        if arl:
            query = query.where(changes.c.arl == arl)
        with self.read() as db:
            return [(district, as_utc(made), as_utc(at)) for district, made, at in db.execute(query)]

    def activity(self, arl: str | None, actor: str = "", action: str = "", since: datetime | None = None,
                 until: datetime | None = None, limit: int | None = ACTIVITY_PAGE, offset: int = 0,
                 accounts: bool = False) -> tuple[list[dict], int]:
        """Who did what, when, newest first: the projects' history (of one district); with `accounts`, the audit
        log of accounts too (an admin's page). Returns a page and how many entries match in all."""
        parts = [select(changes.c.at, changes.c.actor, changes.c.action, changes.c.detail, changes.c.project_id,
                        projects.c.name, projects.c.arl, literal("projekt").label("kind"))
                 .join(projects, projects.c.id == changes.c.project_id)
                 .where(*([projects.c.arl == arl] if arl else []))]
        if accounts:
            parts.append(select(audit.c.at, audit.c.actor, audit.c.action, audit.c.subject.label("detail"),
                                literal(None).label("project_id"), literal("").label("name"),
                                literal("").label("arl"), literal("konto").label("kind")))
        every = union_all(*parts).subquery()
        where = []
        if actor:
            where.append(func.lower(every.c.actor).contains(actor.lower(), autoescape=True))
        if action:
            where.append(every.c.action == action)
        if since:
            where.append(every.c.at >= since)
        if until:
            where.append(every.c.at < until)
        query = select(every).where(*where).order_by(every.c.at.desc())
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self.read() as db:
            total = db.execute(select(func.count()).select_from(every).where(*where)).scalar_one()
            rows = [dict(row, at=as_utc(row["at"])) for row in db.execute(query).mappings()]
        return rows, total

    def actions_in_use(self) -> list[str]:
        with self.read() as db:
            return sorted(set(db.execute(select(changes.c.action).distinct()).scalars())
                          | set(db.execute(select(audit.c.action).distinct()).scalars()))


