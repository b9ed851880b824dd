"""The office's dashboard of a district with 25,000 projects, warm: how long GET /amt/ takes (target ≤ 300 ms).

Leine-Weser gets N published projects at random places of its Kreise and 2,000 submissions, 600 of which its
office decided (so the figures per month and the median have history to read). An office account signs in; the
dashboard is asked three times to warm up, then `--rounds` times. Reference: the same server sending a file of the
same size (Flask's send_file of the dashboard's own HTML), which is what the answer costs without any work.

    PYTHONPATH=. .venv/bin/python bench/dashboard.py [--projects 25000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from atlas import create_app  # noqa: E402
from atlas.accounts import create_user  # noqa: E402
from atlas.districts import Assignment  # noqa: E402
from atlas.migrate import upgrade  # noqa: E402
from atlas.places import Place  # noqa: E402
from atlas.projects import ProjectInput  # noqa: E402
from atlas.store import PENDING, PUBLISHED  # noqa: E402
from bench.common import SLUGS, UNLIMITED, WORDS, random_points, scratch  # noqa: E402

ARL = "leine-weser"
PASSWORD = "ein-langes-passwort"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=25_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    directory = scratch("atlas-bench-dashboard-")
    same_size = directory / "same-size.html"
    app = create_app({"TILES": "none", "DATABASE_URL": f"sqlite:///{directory / 'atlas.db'}",
                      "INSTANCE_PATH": str(directory), "PASSWORD_HASH": "pbkdf2:sha256:1000", **UNLIMITED})

    from flask import send_file

    app.add_url_rule("/bench/same-size.html", "same_size", lambda: send_file(same_size, max_age=0))
    upgrade(app.config["DATABASE_URL"])
    store = app.extensions["atlas"].store
    started = time.perf_counter()
    store.add_many(_items(app, args.projects, seed=1), PUBLISHED)
    pending = store.add_many(_items(app, 2_000, seed=2), PENDING)
    for i, project_id in enumerate(pending[:600]):
        store.set_status(project_id, PUBLISHED if i % 4 else "rejected", "Bench", actor="bench@arl.example")
    print(f"{args.projects:,} published + 2,000 submitted projects in {ARL} "
          f"in {time.perf_counter() - started:.1f} s")
    create_user(store, "bench@arl.example", PASSWORD, arl=ARL)
    client = app.test_client()
    login = client.get("/amt/anmelden")
    token = login.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/amt/anmelden", data={"email": "bench@arl.example", "password": PASSWORD,
                                              "csrf_token": token}).status_code == 302
    first = _time(client, "/amt/")
    body = client.get("/amt/").get_data()
    same_size.write_bytes(body)
    for _ in range(3):
        client.get("/amt/")
        client.get("/bench/same-size.html")
    dashboard = [_time(client, "/amt/") for _ in range(args.rounds)]
    reference = [_time(client, "/bench/same-size.html") for _ in range(args.rounds)]
    warm, ref = statistics.median(dashboard), statistics.median(reference)
    print(f"dashboard, first (cold) {first * 1000:.0f} ms; page {len(body) / 1024:.0f} KiB")
    print(f"dashboard warm: median {warm * 1000:.0f} ms, max {max(dashboard) * 1000:.0f} ms "
          f"over {args.rounds} rounds (target ≤ 300 ms)")
    print(f"reference (same server, a file of the same size): median {ref * 1000:.1f} ms; "
          f"ratio {warm / ref:.0f}×")


def _time(client, path: str) -> float:
    start = time.perf_counter()
    answer = client.get(path)
    elapsed = time.perf_counter() - start
    assert answer.status_code == 200, (path, answer.status_code)
    return elapsed


def _items(app, n: int, seed: int) -> list:
    """n projects at random places of the district's Kreise."""
    services = app.extensions["atlas"]
    regions = services.regions
    lon, lat = random_points(regions, n * 8, seed=seed)
    inside = (regions.assign_lonlat(lon, lat).arl == ARL).to_numpy()
    lon, lat = lon[inside][:n], lat[inside][:n]
    rng = np.random.default_rng(seed)
    items = []
    for i in range(len(lon)):
        fields = list(rng.choice(SLUGS, size=rng.integers(1, 3), replace=False))
        project = ProjectInput(name=f"{WORDS[i % len(WORDS)]} {i}", traeger=f"Verein {i % 500}", description="",
                               handlungsfelder=fields, ort="Hannover", email=f"t{i % 3000}@example.org")
        items.append((project, Place("Hannover", float(lat[i]), float(lon[i]), "place", "bench",
                                     Assignment(None, None))))
    return items


if __name__ == "__main__":
    main()
