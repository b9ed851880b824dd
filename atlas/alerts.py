"""Area alerts: newly published projects around a place, mailed as a digest to whoever asked (double opt-in).

No account: a subscription is an address, a place, a radius, optional Handlungsfelder and a rhythm. It counts
only once its confirmation link was used (within CONFIRM_DAYS; unconfirmed ones are deleted after that), and
every digest carries a one-click unsubscription that deletes the row with its address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import delete, func, insert, select, update

from atlas import history, outbox, texts, tokens
from atlas.claims import WAITING as CLAIM_WAITING
from atlas.database import as_utc
from atlas.geo import distances
from atlas.handlungsfelder import mask
from atlas.i18n import _
from atlas.near import RADII_KM
from atlas.notices import DAILY
from atlas.places import Place
from atlas.present import local_time
from atlas.schema import changes, claims, projects, proposals, reports, subscriptions, users
from atlas.schema import outbox as outbox_table
from atlas.store import PENDING, Store
from atlas.store import texts as stored_texts
from atlas.submitters import WAITING
from atlas.text import email_address

RADII = RADII_KM  # as the near search offers them
WEEKLY = "weekly"
FREQUENCIES = {WEEKLY: timedelta(days=7), DAILY: timedelta(days=1)}
CONFIRM_DAYS = 7
ONE_CONFIRMATION_PER = timedelta(days=1)  # confirmation mails to one address
MAX_LISTED = 50  # projects named in one digest; more are counted


@dataclass
class Request:
    email: str
    place: Place
    radius_km: int
    handlungsfelder: list[str]
    frequency: str
    language: str = "de"  # the digests are written in it


def validate(email: str, radius: str, frequency: str) -> dict[str, str]:
    """What is wrong with the fields of a subscription (the place is checked by the geocoder)."""
    errors = {}
    if not email:
        errors["email"] = _("Bitte geben Sie Ihre E-Mail-Adresse an.")
    elif email_address(email) is None:
        errors["email"] = _("„%(email)s“ ist keine gültige E-Mail-Adresse.", email=email[:60])
    if radius not in {str(r) for r in RADII}:
        errors["umkreis"] = _("Bitte wählen Sie einen Umkreis von %(radii)s km.", radii=", ".join(map(str, RADII)))
    if frequency not in FREQUENCIES:
        errors["rhythmus"] = _("Bitte wählen Sie wöchentlich oder täglich.")
    return errors


def subscribe(store: Store, request: Request) -> tuple[int, bool]:
    """Keep the subscription unconfirmed and queue the mail with its confirmation link; (its id, whether a mail
    goes out). An address gets at most one confirmation mail a day, however its letters are written (Victim@,
    VICTIM@ reach one inbox): a second sign-up that day replaces the waiting one, and the link already sent confirms
    it – nobody can flood an inbox through the form."""
    now = datetime.now(UTC)
    values = dict(email=request.email, place=request.place.name[:100], lat=request.place.lat, lon=request.place.lon,
                  radius_km=request.radius_km, hf_mask=mask(request.handlungsfelder), frequency=request.frequency,
                  language=request.language)
    with store.write() as db:
        waiting = db.execute(select(subscriptions.c.id).where(
            func.lower(subscriptions.c.email) == request.email.lower(), subscriptions.c.confirmed_at.is_(None),
            subscriptions.c.created_at > now - ONE_CONFIRMATION_PER)).scalar()
        if waiting is not None:
            db.execute(update(subscriptions).where(subscriptions.c.id == waiting).values(**values))
            return waiting, False
        subscription_id = db.execute(insert(subscriptions).values(**values, created_at=now)
                                     .returning(subscriptions.c.id)).scalar_one()
        link = tokens.issue(db, tokens.CONFIRM, subscription_id, timedelta(days=CONFIRM_DAYS))
        # the moment makes the event the sign-up's own: SQLite gives the id of a deleted last subscription again,
        # and the sent confirmation of that one (kept in the outbox) would stop this mail as its repetition
        outbox.queue(db, f"confirm:{subscription_id}:{now:%Y%m%d%H%M%S%f}", "confirm", request.email,
                     {"token": link, "place": request.place.name, "radius_km": request.radius_km,
                      "fields": list(request.handlungsfelder), "frequency": request.frequency,
                      "days": CONFIRM_DAYS, "lang": request.language})
    return subscription_id, True


def confirm(store: Store, raw: str) -> dict | None:
    """Use a confirmation link: the subscription counts from now on. None: unknown, used or expired link."""
    now = datetime.now(UTC)
    with store.write() as db:
        subscription_id = tokens.subject(db, raw, tokens.CONFIRM)
        if subscription_id is None:
            return None
        tokens.revoke(db, raw)
        db.execute(update(subscriptions).where(subscriptions.c.id == subscription_id)
                   .values(confirmed_at=now, digest_at=now))
        row = db.execute(select(subscriptions).where(subscriptions.c.id == subscription_id)).mappings().first()
    return dict(row) if row else None


def subscription_by_link(store: Store, raw: str) -> dict | None:
    with store.read() as db:
        subscription_id = tokens.subject(db, raw, tokens.UNSUBSCRIBE)
        if subscription_id is None:
            return None
        row = db.execute(select(subscriptions).where(subscriptions.c.id == subscription_id)).mappings().first()
    return dict(row) if row else None


def unsubscribe(store: Store, raw: str) -> bool:
    """Delete the subscription, its address and all its links. False: the link opens nothing (any more)."""
    with store.write() as db:
        subscription_id = tokens.subject(db, raw, tokens.UNSUBSCRIBE)
        if subscription_id is None:
            return False
        _delete(db, [subscription_id])
    return True


def send_digests(store: Store, now: datetime | None = None) -> int:
    """Queue every digest that is due (area alerts and the offices' daily digests); returns how many.

    The projects published since the oldest due digest are read once; each subscription then measures only
    those, as the public map shows them (rounded where the submitter asked for it).
    """
    now = now or datetime.now(UTC)
    with store.write() as db:
        stale = db.execute(select(subscriptions.c.id).where(
            subscriptions.c.confirmed_at.is_(None),
            subscriptions.c.created_at < now - timedelta(days=CONFIRM_DAYS))).scalars().all()
        _delete(db, list(stale))
    with store.read() as db:
        rows = [dict(r) for r in db.execute(select(subscriptions).where(subscriptions.c.confirmed_at.is_not(None)))
                .mappings()]
    due = [row for row in rows if _due(row, now)]
    queued = 0
    if due:
        new = _published_between(store, min(as_utc(row["digest_at"]) for row in due), now)
        queued = sum(_area_digest(store, row, new, now) for row in due)
    return queued + _office_digests(store, now)


def _due(row: dict, now: datetime) -> bool:
    return as_utc(row["digest_at"]) + FREQUENCIES[row["frequency"]] <= now + timedelta(minutes=5)


def _published_between(store: Store, since: datetime, until: datetime) -> pd.DataFrame:
    """The projects first published in (since, until], at their public positions, as a frame."""
    columns = ["id", "name", "ort", "lat", "lon", "approximate", "hf_mask", "published_at", "summary"]
    frame = pd.DataFrame(store.published_between(since, until), columns=columns)
    frame["published_at"] = pd.to_datetime(frame.published_at, utc=True)
    return frame


def _area_digest(store: Store, subscription: dict, new: pd.DataFrame, now: datetime) -> bool:
    since = as_utc(subscription["digest_at"])
    km = distances(subscription["lat"], subscription["lon"], new.lat.to_numpy(), new.lon.to_numpy(),
                   None)  # the positions are public ones already
    wanted = (new.published_at > since).to_numpy() & (km <= subscription["radius_km"])
    if subscription["hf_mask"]:
        wanted &= (new.hf_mask.to_numpy() & subscription["hf_mask"]) != 0
    found = new[wanted].assign(km=km[wanted]).sort_values("km")
    with store.write() as db:
        moved = db.execute(update(subscriptions).where(subscriptions.c.id == subscription["id"],
                                                       subscriptions.c.digest_at == subscription["digest_at"])
                           .values(digest_at=now)).rowcount
        if not moved or found.empty:  # another process sent it meanwhile, or nothing is new
            return False
        link = tokens.issue(db, tokens.UNSUBSCRIBE, subscription["id"])
        head = list(found.head(MAX_LISTED).itertuples())
        translated = stored_texts.load(db, [int(r.id) for r in head])
        listed = [{"id": int(r.id), "name": r.name, "ort": r.ort, "km": round(float(r.km), 1),
                   **_summary(r, translated.get(int(r.id), []), subscription["language"])} for r in head]
        outbox.queue(db, f"digest:{subscription['id']}:{now:%Y%m%d%H%M%S}", "digest", subscription["email"],
                     {"unsubscribe": link, "place": subscription["place"], "radius_km": subscription["radius_km"],
                      "projects": listed, "more": max(0, len(found) - MAX_LISTED), "lang": subscription["language"]})
    return True


def _summary(project, translations: list, language: str) -> dict:
    """A project's summary in the subscriber's language where there is a current translation, else in German."""
    shown = texts.shown({"summary": project.summary or ""}, translations, language, "summary")
    if not shown.text:
        return {}
    return {"summary": shown.text, "summary_lang": shown.lang, "summary_dir": shown.dir if shown.translated else "auto",
            "machine": shown.machine}


def _office_digests(store: Store, now: datetime) -> int:
    """One mail a day to each office account that chose it: what arrived in its queue since the last one, and the
    projects the clerk holds („Ich übernehme das“)."""
    with store.read() as db:
        accounts = [dict(r) for r in db.execute(select(users).where(users.c.notify == DAILY,
                                                                     users.c.arl.is_not(None),
                                                                     users.c.active.is_(True))).mappings()]
    queued = 0
    for account in accounts:
        since = as_utc(account["digest_at"] or account["created_at"])
        if since + timedelta(days=1) > now + timedelta(minutes=5):
            continue
        held = [dict(r, since=local_time(r["since"])[:10]) for r in store.held_rows(account["id"])]
        with store.write() as db:
            moved = db.execute(update(users).where(users.c.id == account["id"],  # == None is IS NULL
                                                   users.c.digest_at == account["digest_at"])
                               .values(digest_at=now)).rowcount
            new = db.execute(select(projects.c.id, projects.c.name, projects.c.ort).where(
                projects.c.arl == account["arl"], projects.c.status == PENDING, projects.c.created_at > since,
                projects.c.created_at <= now).order_by(projects.c.id)).mappings().all()
            moved_in = _moved_in(db, account["arl"], since, now)
            changed = db.execute(select(proposals.c.project_id, projects.c.name, projects.c.ort)
                                 .join(projects, projects.c.id == proposals.c.project_id).where(
                projects.c.arl == account["arl"], proposals.c.status == WAITING, proposals.c.created_at > since,
                proposals.c.created_at <= now).order_by(proposals.c.id)).mappings().all()
            claimed = db.execute(select(claims.c.project_id, projects.c.name, projects.c.ort)
                                 .join(projects, projects.c.id == claims.c.project_id).where(
                projects.c.arl == account["arl"], claims.c.status == CLAIM_WAITING, claims.c.created_at > since,
                claims.c.created_at <= now).order_by(claims.c.id)).mappings().all()
            reported = db.execute(select(reports.c.project_id, projects.c.name, projects.c.ort)
                                  .join(projects, projects.c.id == reports.c.project_id).where(
                reports.c.arl == account["arl"], reports.c.status == "open", reports.c.created_at > since,
                reports.c.created_at <= now).order_by(reports.c.id)).mappings().all()
            if not moved or not (new or moved_in or changed or claimed or reported or held):
                continue
            outbox.queue(db, f"office-digest:{account['id']}:{now:%Y%m%d%H%M%S}", "office_digest",
                         account["email"], {"new": [dict(r) for r in new], "moved_in": moved_in,
                                            "changed": [dict(r) for r in changed],
                                            "claimed": [dict(r) for r in claimed], "held": held,
                                            "reported": [dict(r) for r in reported]})
            queued += 1
    return queued


def _moved_in(db, arl: str, since: datetime, until: datetime) -> list[dict]:
    """The district's pending projects that an edit moved into it in (since, until] – submitted elsewhere earlier,
    so not new by their created_at. The history records the edit with ["arl", old, new] (atlas.history)."""
    rows = db.execute(select(changes.c.project_id, changes.c.detail, projects.c.name, projects.c.ort,
                             projects.c.created_at)
                      .join(projects, projects.c.id == changes.c.project_id).where(
        projects.c.arl == arl, projects.c.status == PENDING, changes.c.at > since, changes.c.at <= until,
        changes.c.detail.like('%"arl"%')).order_by(changes.c.id)).mappings()
    found = {}
    for row in rows:
        came = any(key == "arl" and new == arl for key, _old, new in history.entries(row["detail"]) or [])
        if came and as_utc(row["created_at"]) <= since:  # one submitted since is listed as new already
            found.setdefault(row["project_id"], {"id": row["project_id"], "name": row["name"], "ort": row["ort"]})
    return list(found.values())


def _delete(db, ids: list[int]) -> None:
    """Subscriptions with their links, and their mails that have not gone yet: only theirs, by the event that names
    the subscription (the same address may have other alerts, with digests and a confirmation of their own)."""
    if not ids:
        return
    db.execute(delete(subscriptions).where(subscriptions.c.id.in_(ids)))
    for subscription_id in ids:
        db.execute(delete(outbox_table).where(
            (outbox_table.c.event == f"confirm:{subscription_id}")  # as events were named before stop 44
            | outbox_table.c.event.startswith(f"confirm:{subscription_id}:", autoescape=True)
            | outbox_table.c.event.startswith(f"digest:{subscription_id}:", autoescape=True),
            outbox_table.c.sent_at.is_(None)))
        tokens.revoke_all(db, subscription_id, tokens.CONFIRM, tokens.UNSUBSCRIBE)
