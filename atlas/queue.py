"""The office's queue as a query: which tab (a status, or a kind of task), which filters, which order, which page.

Tabs and filters are small registries: a tab is a condition on projects (with the column its age is counted from),
a filter is a URL parameter with its choices and its condition. A new one (say, „mir zugewiesen“) is one entry in
FILTERS; the queue's form, its URL, its paging and „Nächstes Projekt“ follow from it. No Flask here: atlas.web.queue
parses the URL into a QueueQuery, atlas.store.workspace answers it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, or_

from atlas.freshness import ANSWER_DAYS
from atlas.handlungsfelder import HANDLUNGSFELDER, mask
from atlas.i18n import N_
from atlas.labels import ARCHIVED, PENDING, PUBLISHED, REJECTED, STATUS_LABELS
from atlas.schema import claims, projects, proposals, reports
from atlas.store import FROM_SOURCE, REFERENCE
from atlas.store.holds import DEFAULT_HOLD_DAYS, held_by

PER_PAGE = 50
OPEN = "open"  # a report waiting for its office (atlas.reports)
PROPOSALS, STALE, FROM_SOURCES, CLAIMS, REPORTS = "vorschlaege", "veraltet", "aus-quellen", "anfragen", "meldungen"


@dataclass(frozen=True)
class Context:
    """What a tab's or filter's condition may depend on: the moment, the freshness setting, who asks."""

    now: datetime
    freshness_days: int
    user_id: int | None = None
    email: str = ""
    hold_days: int = DEFAULT_HOLD_DAYS  # „Ich übernehme das“ lapses after these (ATLAS_HOLD_DAYS)


@dataclass(frozen=True)
class Tab:
    label: str  # German, translated where shown
    condition: Callable[[Context], object]  # a SQL condition on projects
    since: Callable[[], object] = lambda: projects.c.created_at  # what the age of a task in it counts from
    source: object = None  # the table `since` lives in, when it is not projects (joined on project_id)
    source_where: object = None


def _stale(context: Context):
    """Published, and its confirmation ran out (atlas.freshness: without an address to ask, as soon as it is due)."""
    due = context.now - timedelta(days=context.freshness_days)
    return and_(projects.c.status == PUBLISHED, or_(projects.c.confirmed_at < due - timedelta(days=ANSWER_DAYS),
                                                     and_(projects.c.email == "", projects.c.confirmed_at < due)))


def _waiting(table, status_value):
    # correlated to projects only: the dashboard joins the same table to find the oldest task
    return exists().where(table.c.project_id == projects.c.id, table.c.status == status_value).correlate(projects)


TABS: dict[str, Tab] = {
    PENDING: Tab(STATUS_LABELS[PENDING], lambda c: projects.c.status == PENDING),
    PUBLISHED: Tab(STATUS_LABELS[PUBLISHED], lambda c: projects.c.status == PUBLISHED),
    REJECTED: Tab(STATUS_LABELS[REJECTED], lambda c: projects.c.status == REJECTED),
    ARCHIVED: Tab(STATUS_LABELS[ARCHIVED], lambda c: projects.c.status == ARCHIVED),
    PROPOSALS: Tab(N_("Änderungsvorschläge"), lambda c: _waiting(proposals, "waiting"),
                   since=lambda: proposals.c.created_at, source=proposals,
                   source_where=proposals.c.status == "waiting"),
    REPORTS: Tab(N_("Meldungen"), lambda c: _waiting(reports, OPEN), since=lambda: reports.c.created_at,
                 source=reports, source_where=reports.c.status == OPEN),
    STALE: Tab(N_("Veraltet"), _stale, since=lambda: projects.c.confirmed_at),
    FROM_SOURCES: Tab(N_("aus Quellen, unbestätigt"), lambda c: and_(projects.c.status == PUBLISHED, FROM_SOURCE)),
    CLAIMS: Tab(N_("Anfragen von Trägern"), lambda c: _waiting(claims, "waiting"), since=lambda: claims.c.created_at,
                source=claims, source_where=claims.c.status == "waiting"),
}


@dataclass(frozen=True)
class QueueFilter:
    """One URL parameter of the queue: its label, its choices ((value, label) – labels German, translated where
    shown; the Kreise come from the view), and its condition for a chosen value."""

    param: str
    label: str
    condition: Callable[[str, Context], object]
    choices: tuple[tuple[str, str], ...] = ()
    multiple: bool = False


SORTS = {  # the URL's `sortierung`: (label, order)
    "alter": (N_("älteste zuerst"), (projects.c.created_at, projects.c.id)),
    "neu": (N_("neueste zuerst"), (projects.c.created_at.desc(), projects.c.id.desc())),
    "kreis": (N_("nach Kreis"), (projects.c.kreis_name, projects.c.created_at, projects.c.id)),
    "name": (N_("nach Name"), (projects.c.name, projects.c.id)),
}

FILTERS: dict[str, QueueFilter] = {f.param: f for f in (
    QueueFilter("kreis", N_("Kreis"), lambda value, c: projects.c.kreis_rs == value),
    QueueFilter("hf", N_("Handlungsfelder"), lambda values, c: projects.c.hf_mask.op("&")(mask(values)) != 0,
                tuple((slug, hf.name) for slug, hf in HANDLUNGSFELDER.items()), multiple=True),
    QueueFilter("herkunft", N_("Herkunft"),
                lambda value, c: projects.c.quelle == "" if value == "eingereicht" else projects.c.quelle != "",
                (("eingereicht", N_("eingereicht")), ("quelle", N_("aus öffentlichen Quellen")))),
    QueueFilter("mir", N_("Mir zugewiesen"),  # what the signed-in clerk holds („Ich übernehme das“, atlas.store.holds)
                lambda value, c: held_by(c.user_id, c.now - timedelta(days=c.hold_days)),
                (("ja", N_("nur von mir übernommene")),)),
)}


@dataclass(frozen=True)
class QueueQuery:
    tab: str = PENDING
    arl: str | None = None  # None: every district
    words: str = ""  # a reference number, or words of name, Träger, Ort
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # param → chosen values
    sort: str = "alter"
    page: int = 1
    per_page: int = PER_PAGE

    def params(self, **changes) -> list[tuple[str, str]]:
        """The query as URL parameters: a link to the same list (another page, another order)."""
        query = replace(self, **changes)
        params = [("status", query.tab)]
        params += [("q", query.words)] if query.words else []
        params += [(name, value) for name, values in query.filters.items() for value in values]
        params += [("sortierung", query.sort)] if query.sort != "alter" else []
        params += [("seite", str(query.page))] if query.page > 1 else []
        return params

    def conditions(self, context: Context) -> list:
        """Everything the query asks of a project, as SQL conditions."""
        found = [TABS[self.tab].condition(context)]
        if self.arl:
            found.append(projects.c.arl == self.arl)
        for name, values in self.filters.items():
            chosen = FILTERS[name]
            if values:
                found.append(chosen.condition(list(values) if chosen.multiple else values[0], context))
        if self.words:
            found.append(words_condition(self.words))
        return found

    @property
    def order(self) -> tuple:
        return SORTS[self.sort][1]


def words_condition(words: str):
    """A reference number (GS-000042, 42) is that project; other words are looked for in name, Träger and Ort."""
    number = REFERENCE.match(words.strip())
    if number:
        return projects.c.id == int(number.group(1))
    pattern = "%" + words.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    columns = (projects.c.name, projects.c.traeger, projects.c.ort)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))


def tab_since(tab: str):
    """(age column, table to join or None, its condition) of a tab: the dashboard counts the oldest task."""
    chosen = TABS[tab]
    return chosen.since(), chosen.source, chosen.source_where


def context_now(freshness_days: int, user_id: int | None = None, email: str = "",
                hold_days: int = DEFAULT_HOLD_DAYS) -> Context:
    return Context(datetime.now(UTC), freshness_days, user_id, email, hold_days)


__all__ = ["CLAIMS", "FILTERS", "FROM_SOURCES", "PER_PAGE", "PROPOSALS", "REPORTS", "SORTS", "STALE", "TABS",
           "Context", "QueueFilter", "QueueQuery", "Tab", "context_now", "tab_since", "words_condition"]
