"""Machine translation as jobs, like the outbox: a job is a row written in the transaction of the change that calls
for it (a project published, an approved edit of its German text) – never per page view, and no page request waits
for it. The background worker (or `atlas translate run`) claims due jobs for a while, asks the engines, and writes
each translation in the project's unit of work.

Nothing is lost when an engine is down: the job is tried again, each time a little later (an hour at most), for as
long as it takes. A job whose engines all refuse it for good (a language none offers, a text one rejects, a
placeholder lost) is marked failed and shown to the admin. Each engine has a monthly budget of characters: what it
was sent is counted before it is sent; a job that no budget covers waits for the next month.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update

from atlas import history, search_index
from atlas.database import dialect_of
from atlas.engines import Engine, EngineError
from atlas.labels import PUBLISHED
from atlas.leases import lease_due
from atlas.protect import PlaceholderLost, project_names, protect
from atlas.schema import projects, translation_jobs, translation_use
from atlas.store import texts as stored_texts
from atlas.texts import FIELDS, LIMITS, MACHINE, clean, key

log = logging.getLogger("atlas.translate")
LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
BATCH = 20


def queue(db, row: dict, languages, now: datetime | None = None) -> int:
    """Jobs for the German texts of a published project that no current translation covers, in the caller's
    transaction; a job already waiting for the same text starts again (its German text changed). Returns how many."""
    if not languages or row["status"] != PUBLISHED:
        return 0
    now = now or datetime.now(UTC)
    have = stored_texts.load(db, [row["id"]]).get(row["id"], [])
    current = {(t.field, t.language) for t in have if t.current(row)}
    dialect = dialect_of(db)
    queued = 0
    for field_name in FIELDS:
        if not row.get(field_name):
            continue
        for language in languages:
            if (field_name, language) in current:
                continue
            statement = dialect.insert(translation_jobs).values(
                project_id=row["id"], field=field_name, language=language, created_at=now, next_try_at=now,
                attempts=0, last_error="")
            db.execute(statement.on_conflict_do_update(
                index_elements=["project_id", "field", "language"],
                set_={"next_try_at": now, "attempts": 0, "failed_at": None, "last_error": ""}))
            queued += 1
    return queued


@dataclass
class Run:
    translated: int = 0
    retry: int = 0  # an engine down or busy: tried again later
    waiting_for_budget: int = 0  # every engine that offers the language has used its budget this month
    failed: int = 0
    dropped: int = 0  # nothing to do any more (translated meanwhile, unpublished, German text gone)
    errors: list[str] = field(default_factory=list)


WRITTEN, AGAIN, COVERED = "written", "again", "covered"  # what became of an engine's answer (Machine._write)


def covered(translations, row: dict, job: dict) -> bool:
    """A current translation for the job exists already (a person's, or a machine's of the same German text)."""
    return any(t.field == job["field"] and t.language == job["language"] and t.current(row) for t in translations)


def usable(field: str, text: str) -> str:
    """An engine's translation as a person's is stored (atlas.texts.clean: no control or bidi characters; the
    summary one line); PlaceholderLost where nothing or too much is left, or what no text can hold."""
    cleaned = clean(field, text)
    if not cleaned or len(cleaned) > LIMITS[field]:
        raise PlaceholderLost(f"leere oder zu lange Übersetzung ({len(cleaned)} Zeichen, höchstens {LIMITS[field]})")
    try:
        cleaned.encode("utf-8")
    except UnicodeEncodeError:
        raise PlaceholderLost("Übersetzung mit Zeichen, die kein Text enthalten kann") from None
    return cleaned


class Machine:
    """The job queue and the engines that work it off."""

    def __init__(self, store, engines: list[Engine], budgets: dict[str, int], places: tuple[str, ...] = ()):
        self.store = store
        self.engines = engines
        self.budgets = budgets
        self.places = places  # names of places kept as they are (atlas.protect)

    def run(self, now: datetime | None = None, seconds: float | None = None) -> Run:
        """Work off every job that is due now (with `seconds`, stop claiming more once they have passed: the
        background worker delivers mail in the same round)."""
        result = Run()
        if not self.engines:
            return result
        started = time.monotonic()
        while jobs := self._claim(now or datetime.now(UTC)):
            for job in jobs:
                self._attempt(job, result, now or datetime.now(UTC))
            if len(jobs) < BATCH or (seconds is not None and time.monotonic() - started > seconds):
                break
        return result

    def _claim(self, now: datetime) -> list[dict]:
        with self.store.write() as db:
            return lease_due(db, translation_jobs, translation_jobs.c.failed_at.is_(None), now, LEASE, BATCH)

    def _attempt(self, job: dict, result: Run, now: datetime) -> None:
        row = self.store.get(job["project_id"])
        german = (row or {}).get(job["field"]) or ""
        if row is None or row["status"] != PUBLISHED or not german or self._covered(row, job):
            self._drop(job["id"])
            result.dropped += 1
            return
        protected = protect(german, project_names(row), self.places)
        size = len(protected.text)
        transient, permanent, over_budget = [], [], []
        for engine in self.engines:
            try:
                if job["language"] not in engine.targets():
                    continue
            except EngineError as error:
                transient.append(str(error))
                continue
            if not self._reserve(engine.name, size, now):
                over_budget.append(engine.name)
                continue
            try:
                text = usable(job["field"], protected.restore(engine.translate(protected.text, job["language"])))
            except (EngineError, PlaceholderLost) as error:
                self._reserve(engine.name, -size, now)
                (transient if isinstance(error, EngineError) and not error.permanent else permanent).append(str(error))
                continue
            except Exception as error:  # noqa: BLE001 - an answer nobody foresaw fails this job, not the run
                self._reserve(engine.name, -size, now)
                permanent.append(f"{engine.label}: unbrauchbare Antwort ({type(error).__name__})")
                continue
            outcome = self._write(job, german, text, engine, now)
            if outcome == WRITTEN:
                result.translated += 1
            elif outcome == AGAIN:
                result.retry += 1
            else:
                result.dropped += 1
            return
        self._postpone(job, result, now, transient, permanent, over_budget)

    def _postpone(self, job: dict, result: Run, now: datetime, transient: list[str], permanent: list[str],
                  over_budget: list[str]) -> None:
        if transient:
            wait = min(FIRST_RETRY * 2 ** job["attempts"], LONGEST_WAIT)
            self._set(job["id"], next_try_at=now + wait, last_error="; ".join(transient)[:500])
            result.retry += 1
            result.errors += transient
            log.warning("Übersetzung %s (%s) neuer Versuch in %s s: %s", job["id"], job["language"],
                        int(wait.total_seconds()), "; ".join(transient))
        elif over_budget:
            self._set(job["id"], next_try_at=_next_month(now),
                      last_error=f"Monatsbudget erschöpft: {', '.join(over_budget)}")
            result.waiting_for_budget += 1
        else:
            reason = "; ".join(permanent) or f"Keine Maschine übersetzt nach {job['language']}"
            self._set(job["id"], failed_at=now, last_error=reason[:500])
            result.failed += 1
            result.errors.append(reason)
            log.warning("Übersetzung %s (%s) aufgegeben: %s", job["id"], job["language"], reason)

    def _covered(self, row: dict, job: dict) -> bool:
        return covered(self.store.translations(row["id"]), row, job)

    def _write(self, job: dict, german: str, text: str, engine: Engine, now: datetime) -> str:
        """The translation, in the project's unit of work (WRITTEN) – unless its German text changed while the
        engine worked (AGAIN: the job stays, due at once, for the new text), or someone translated it meanwhile
        (COVERED: a person's current translation is never replaced by a machine's; the job goes)."""
        name = key(job["field"], job["language"])
        with self.store.change(job["project_id"]) as unit:
            if (unit.row.get(job["field"]) or "") != german or unit.row["status"] != PUBLISHED:
                unit.db.execute(update(translation_jobs).where(translation_jobs.c.id == job["id"])
                                .values(next_try_at=now))
                return AGAIN
            if covered(stored_texts.load(unit.db, [unit.row["id"]]).get(unit.row["id"], []), unit.row, job):
                unit.db.execute(delete(translation_jobs).where(translation_jobs.c.id == job["id"]))
                return COVERED
            changed = stored_texts.apply(unit.db, unit.row, {name: text}, MACHINE, engine.label, now,
                                         engine=engine.name, rebase=True)
            unit.db.execute(delete(translation_jobs).where(translation_jobs.c.id == job["id"]))
            search_index.index(unit.db, [unit.row])
            if changed:
                unit.note("translated", history.record(changed), actor=engine.label)
            unit.renew_public()
        return WRITTEN

    def _reserve(self, engine: str, characters: int, now: datetime) -> bool:
        """Count characters against the engine's budget of this month; False (nothing counted) if they exceed it.
        A negative count gives back what was not used (the engine failed)."""
        month = now.strftime("%Y-%m")
        with self.store.write() as db:
            dialect = dialect_of(db)
            db.execute(dialect.insert(translation_use).values(engine=engine, month=month, characters=0)
                       .on_conflict_do_nothing())
            where = (translation_use.c.engine == engine, translation_use.c.month == month)
            used = db.execute(select(translation_use.c.characters).where(*where).with_for_update()).scalar_one()
            if characters > 0 and used + characters > self.budgets.get(engine, 0):
                return False
            db.execute(update(translation_use).where(*where).values(characters=max(0, used + characters)))
        return True

    def _set(self, job_id: int, **values) -> None:
        with self.store.write() as db:
            db.execute(update(translation_jobs).where(translation_jobs.c.id == job_id).values(**values))

    def _drop(self, job_id: int) -> None:
        with self.store.write() as db:
            db.execute(delete(translation_jobs).where(translation_jobs.c.id == job_id))

    def retry_failed(self) -> int:
        """Failed jobs are due again (an operator fixed what made them fail)."""
        with self.store.write() as db:
            return db.execute(update(translation_jobs).where(translation_jobs.c.failed_at.is_not(None))
                              .values(failed_at=None, next_try_at=datetime.now(UTC), attempts=0)).rowcount

    def status(self, now: datetime | None = None) -> dict:
        """For the admin: the engines with this month's use against their budget, the jobs waiting, the failed."""
        now = now or datetime.now(UTC)
        month = now.strftime("%Y-%m")
        with self.store.read() as db:
            used = dict(db.execute(select(translation_use.c.engine, translation_use.c.characters)
                                   .where(translation_use.c.month == month)).all())
            waiting = db.execute(select(func.count()).select_from(translation_jobs)
                                 .where(translation_jobs.c.failed_at.is_(None))).scalar_one()
            jobs = [dict(row) for row in db.execute(
                select(translation_jobs, projects.c.name).join(projects, projects.c.id == translation_jobs.c.project_id)
                .where((translation_jobs.c.failed_at.is_not(None)) | (translation_jobs.c.last_error != ""))
                .order_by(translation_jobs.c.id).limit(200)).mappings()]
        engines = [{"name": e.name, "label": e.label, "used": used.get(e.name, 0),
                    "budget": self.budgets.get(e.name, 0)} for e in self.engines]
        return {"month": month, "engines": engines, "waiting": waiting, "jobs": jobs,
                "failed": sum(1 for job in jobs if job["failed_at"] is not None)}

    def queue_published(self, languages) -> int:
        """Jobs for every published project (an engine was just configured): `atlas translate queue`."""
        with self.store.read() as db:
            ids = [row[0] for row in db.execute(select(projects.c.id).where(projects.c.status == PUBLISHED))]
        queued = 0
        for project_id in ids:
            with self.store.write() as db:
                row = db.execute(select(projects).where(projects.c.id == project_id)).mappings().first()
                queued += queue(db, dict(row), languages) if row else 0
        return queued


def _next_month(now: datetime) -> datetime:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + timedelta(days=32)).replace(day=1)

