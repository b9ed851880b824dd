"""The mail loop under load: delivering the outbox, and computing area digests as the data grows.

    .venv/bin/python bench/mail.py                   # 500 mails; digests for 1,000 subscriptions at 10, 10k, 100k

1. Delivery: 500 submissions with an address queue 500 receipts; `deliver` sends them to a real SMTP server
   (aiosmtpd on loopback). The reference is the limit: the same 500 finished messages sent with smtplib alone, one
   connection each as the atlas does (what the outbox, composing and the bookkeeping add on top).
2. Digests: 1,000 confirmed subscriptions at random places (radius 25 km), 1 % of the projects newly published;
   `send_digests` with n projects stored (it reads the new projects once and measures each subscription against
   them with numpy). The naive reference: for each subscription, every project within its radius from the
   database (the box query of the duplicate check), filtered in Python by when it was published.
"""

from __future__ import annotations

import smtplib
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import app_with_projects, arguments, random_points

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from servers import SmtpServer  # noqa: E402
from sqlalchemy import insert, update  # noqa: E402

from atlas.alerts import send_digests  # noqa: E402
from atlas.districts import Assignment  # noqa: E402
from atlas.mail_texts import compose, deliver  # noqa: E402
from atlas.places import Place  # noqa: E402
from atlas.projects import ProjectInput  # noqa: E402
from atlas.schema import outbox, projects, subscriptions  # noqa: E402


def delivery(mails: int, texts: str) -> None:
    smtp = SmtpServer()
    smtp.start()
    app = app_with_projects(10, texts=texts, MAIL_URL=smtp.url)
    store = app.extensions["atlas"].store
    place = Place("Hildesheim", 52.15, 9.95, "place", "bench", Assignment(None, None))
    for i in range(mails):
        store.submit(ProjectInput(f"Projekt {i}", "", "", ["sprache"], ort="Hildesheim",
                                  email=f"p{i}@example.org"), place)
    with store.read() as db:
        rows = [dict(r) for r in db.execute(outbox.select()).mappings()]
    messages = [compose(app, row) for row in rows]
    start = time.perf_counter()
    for message in messages:
        with smtplib.SMTP("127.0.0.1", smtp.port) as connection:
            connection.send_message(message)
    reference = time.perf_counter() - start
    start = time.perf_counter()
    result = deliver(app)
    ours = time.perf_counter() - start
    smtp.stop()
    assert result.sent == mails and len(smtp.messages) == 2 * mails, (result, len(smtp.messages))
    print(f"delivery of {mails} mails: outbox {ours:.2f} s ({mails / ours:.0f} mails/s), smtplib alone "
          f"{reference:.2f} s ({mails / reference:.0f} mails/s), ratio {ours / reference:.2f}")


def digests(n: int, subscribers: int, texts: str) -> None:
    app = app_with_projects(n, texts=texts)
    store = app.extensions["atlas"].store
    now = datetime.now(UTC)
    lon, lat = random_points(store.regions, subscribers, seed=7)
    week_ago = now - timedelta(days=8)
    with store.write() as db:
        db.execute(update(projects).values(published_at=week_ago - timedelta(days=1)))
        db.execute(update(projects).where(projects.c.id % 100 == 0).values(published_at=now - timedelta(days=1)))
        db.execute(insert(subscriptions), [
            {"email": f"s{i}@example.org", "place": "Ort", "lat": float(lat[i]), "lon": float(lon[i]),
             "radius_km": 25, "hf_mask": 0, "frequency": "weekly", "created_at": week_ago,
             "confirmed_at": week_ago, "digest_at": week_ago} for i in range(subscribers)])
    start = time.perf_counter()
    naive = sum(bool(naive_digest(store, lat[i], lon[i], week_ago)) for i in range(subscribers))
    naive_s = time.perf_counter() - start
    start = time.perf_counter()
    queued = send_digests(store, now)
    ours = time.perf_counter() - start
    print(f"digests, {n:>6} projects, {subscribers} subscriptions: {ours:.2f} s ({queued} digests queued); "
          f"naive (a box query per subscription) {naive_s:.2f} s for {naive} digests; ratio {naive_s / ours:.1f}")


def naive_digest(store, lat: float, lon: float, since: datetime) -> list[dict]:
    """The naive way: every project within the radius, by the box query of the duplicate check, then filtered
    in Python by the time it was published."""
    return [row for row in store.nearby(lat, lon, 25, statuses=("published",))
            if row["published_at"].replace(tzinfo=None) > since.replace(tzinfo=None)]


def main() -> None:
    parser = arguments(__doc__, [10, 10_000, 100_000])
    parser.add_argument("--mails", type=int, default=500)
    parser.add_argument("--subscriptions", type=int, default=1000)
    args = parser.parse_args()
    delivery(args.mails, args.texts)
    for n in args.sizes:
        digests(n, args.subscriptions, args.texts)


if __name__ == "__main__":
    main()
