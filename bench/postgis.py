"""PostGIS against the in-memory path: CPU per spatial question and the memory of a process that asks them.

    .venv/bin/python bench/postgis.py                          # 10k, 100k, 1M published projects
    .venv/bin/python bench/postgis.py --sizes 10000 100000
    .venv/bin/python bench/postgis.py --join 20000             # an import's Kreise: PostGIS or the join in memory

One PostgreSQL server with PostGIS (tests/servers.py), its projects table grown to each size (random points in
Niedersachsen, bench/common.py; copied in by COPY, the indexes kept). At each size two fresh processes ask the
same QUERIES random places:
- **PostGIS** (atlas.store.spatial): the 100 nearest within 25 km (`published_within`), a page of 100 in a box of
  0.2° × 0.1° (`published_page` with a bbox), and the Kreis of the point (`kreise_of`, what a submission asks);
  CPU = this process's plus the PostgreSQL backend's that answered (/proc/<pid>/stat), so the database's work counts;
- **in memory** (today's path): `store.published()` read once, a NearIndex built over it (atlas.near), then the 100
  nearest (`NearIndex.within`), the box as a numpy mask over the frame's public positions, the Kreis by
  `Regions.locate`.
Memory: each process's peak RSS (VmHWM) after its questions; target of issue 26: ≤ 500 MB per worker at 1M.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import SLUGS, arguments, random_points, scratch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from servers import PostgresServer  # noqa: E402

QUERIES = 300
CHUNK = 100_000  # random points made at a time (three candidates each)
TICKS = os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = arguments(__doc__, [10_000, 100_000, 1_000_000], texts=False)
    parser.add_argument("--join", type=int, default=0, help="only the Kreise of this many points (an import's)")
    args = parser.parse_args()
    server = PostgresServer()
    try:
        url = server.create_database()
        from atlas.migrate import upgrade

        upgrade(url)
        if args.join:
            join(url, args.join)
            return
        print(f"{'projects':>9} {'path':>9} {'near µs':>9} {'box µs':>9} {'Kreis µs':>9} {'ready s':>8} "
              f"{'RSS MB':>7}  (CPU per question, client + database)")
        held = 0
        for n in sorted(args.sizes):
            fill(url, held, n)
            held = n
            answers = {}
            for path in ("postgis", "memory"):
                answers[path] = child(url, path)
                a = answers[path]
                print(f"{n:>9,} {path:>9} {a['near'] * 1e6:>9.0f} {a['box'] * 1e6:>9.0f} {a['kreis'] * 1e6:>9.0f} "
                      f"{a['ready']:>8.2f} {a['rss_mb']:>7.0f}", flush=True)
            p, m = answers["postgis"], answers["memory"]
            same = {name: sum(a == b for a, b in zip(p["found"][name], m["found"][name], strict=True))
                    for name in ("near", "box", "kreis")}
            print(f"{'':>9} {'ratio':>9} {p['near'] / m['near']:>8.1f}x {p['box'] / m['box']:>8.1f}x "
                  f"{p['kreis'] / m['kreis']:>8.1f}x {'':>8} {p['rss_mb'] / m['rss_mb']:>6.2f}x  (PostGIS / memory)")
            print(f"{'':>9} {'same':>9} " + " ".join(f"{same[k]:>5}/{QUERIES}" for k in ("near", "box", "kreis"))
                  + "  (answers equal: the 100 nearest's distances, the page's ids, the Kreis)", flush=True)
    finally:
        server.stop()


def join(url: str, n: int) -> None:
    """The Kreise of an import's n points: one PostGIS query against the tiled spatial join in memory."""
    from atlas import create_app

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(scratch("atlas-bench-")),
                      "TILES": "none"})
    store, regions = app.extensions["atlas"].store, app.extensions["atlas"].regions
    lon, lat = random_points(regions, n, seed=3)
    regions.assign_lonlat(lon[:10], lat[:10])  # the tiles are cut at the first join
    sql_s, found = _timed(lambda: store.kreise_of(lon.tolist(), lat.tolist()))
    memory_s, assigned = _timed(lambda: regions.assign_lonlat(lon, lat))
    assert [k[0] for k in found] == list(assigned.kreis_rs)
    print(f"the Kreise of {n:,} points: PostGIS {sql_s:.2f} s ({sql_s / n * 1e6:.0f} µs a point), "
          f"in memory {memory_s:.3f} s ({memory_s / n * 1e6:.1f} µs a point): {sql_s / memory_s:.0f}x")


def _timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def fill(url: str, held: int, n: int) -> None:
    """Grow the projects table from `held` to `n` published projects (one made by the store, the rest its copies at
    random places), then VACUUM ANALYZE."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    chunks = [random_points(_regions(), min(CHUNK, n - first), seed=first) for first in range(held, n, CHUNK)]
    lon, lat = np.concatenate([c[0] for c in chunks]), np.concatenate([c[1] for c in chunks])
    rng = np.random.default_rng(n)
    started = time.perf_counter()
    with psycopg.connect(dsn) as db:
        columns = [r[0] for r in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'projects' "
            "AND column_name NOT IN ('id', 'geom') ORDER BY ordinal_position")]
        template = dict(zip(columns, _template_row(db, columns), strict=True))
        assigned = _regions().assign_lonlat(lon, lat)
        with db.cursor() as cursor, cursor.copy(f"COPY projects ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(n - held):
                row = dict(template, name=f"Projekt {held + i}", lat=float(lat[i]), lon=float(lon[i]),
                           approximate=bool(rng.random() < 0.1), kreis_rs=assigned.kreis_rs.iat[i],
                           kreis_name=assigned.kreis_name.iat[i], arl=assigned.arl.iat[i])
                copy.write_row([row[c] for c in columns])
        db.execute("UPDATE meta SET value = value + 1 WHERE key LIKE 'version%'")  # a publication: caches renew
    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute("VACUUM ANALYZE projects")
    print(f"   (filled to {n:,} in {time.perf_counter() - started:.0f} s)", flush=True)


def _template_row(db, columns: list[str]) -> list:
    """One published project's row, made by the store the first time (so every column is as the atlas writes it)."""
    row = db.execute(f"SELECT {', '.join(columns)} FROM projects LIMIT 1").fetchone()
    if row is not None:
        return list(row)
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    values = {c: "" for c in columns}
    values.update(handlungsfelder=SLUGS[0], hf_mask=1, lat=52.37, lon=9.73, precision="place", approximate=False,
                  status="published", created_at=now, updated_at=now, published_at=now, confirmed_at=now,
                  source_confirmed_at=now, row_version=1, language="de", sprachen_mask=0, zg_mask=0,
                  freshness_asked_at=None, traeger="Verein")
    return [values[c] for c in columns]


def _regions():
    from atlas.regions import load_regions

    return load_regions(ROOT / "data" / "regions")


def child(url: str, path: str) -> dict:
    """Run one path's questions in a fresh process (its memory its own); its figures as a dict."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, __file__, "--child", path, url], capture_output=True, text=True,
                          env=environment, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_child(path: str, url: str) -> None:
    from atlas import create_app

    started = time.perf_counter()
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(scratch("atlas-bench-")),
                      "TILES": "none"})
    store = app.extensions["atlas"].store
    regions = app.extensions["atlas"].regions
    lon, lat = random_points(regions, QUERIES, seed=7)
    places = list(zip(lat.tolist(), lon.tolist(), strict=True))
    if path == "postgis":
        assert store.postgis, "the database has no PostGIS"
        with store.read() as db:
            backend = db.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        from atlas.store import ProjectQuery

        def near(lat, lon):  # the distances, nearest first (of several at one distance, either may be listed)
            return [round(hit["km"], 9) for hit in store.published_within(lat, lon, 25, limit=100)]

        def box(lat, lon):
            return [row.id for row in store.published_page(
                ProjectQuery(bbox=(lon - 0.1, lat - 0.05, lon + 0.1, lat + 0.05), limit=100))[0]]

        def kreis(lat, lon):
            return store.kreise_of([lon], [lat])[0][0]
    else:
        from atlas.near import NearIndex

        frame = store.published()
        index = NearIndex(frame)
        ids, lats, lons = frame.id.to_numpy(), frame.lat.to_numpy(), frame.lon.to_numpy()
        order = np.argsort(ids, kind="stable")
        ids, lats, lons = ids[order], lats[order], lons[order]
        backend = None

        def near(lat, lon):
            return [round(hit.km, 9) for hit in index.within(lat, lon, 25, limit=100)]

        by_id = frame.iloc[order].reset_index(drop=True)

        def box(lat, lon):  # the page's rows, as published_page hands them out
            inside = (lons >= lon - 0.1) & (lons <= lon + 0.1) & (lats >= lat - 0.05) & (lats <= lat + 0.05)
            return [int(row["id"]) for row in by_id.iloc[np.flatnonzero(inside)[:100]].to_dict("records")]

        def kreis(lat, lon):
            return regions.locate(lat, lon).kreis.rs
    ready = time.perf_counter() - started
    figures, found = {"ready": ready}, {}
    for name, question in (("near", near), ("box", box), ("kreis", kreis)):
        question(*places[0])  # the first question warms caches and plans
        cpu = _cpu(backend)
        answers = [question(y, x) for y, x in places]
        figures[name] = (_cpu(backend) - cpu) / len(places)
        found[name] = answers
    figures["rss_mb"] = _peak_rss_mb()
    figures["found"] = found
    print(json.dumps(figures))


def _peak_rss_mb() -> float:
    """This process's peak RSS since its exec (VmHWM; ru_maxrss would carry the forking parent's over)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _cpu(backend: int | None) -> float:
    """CPU seconds of this process, and of the PostgreSQL backend that answers it."""
    used = time.process_time()
    if backend is not None:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        used += (int(fields[11]) + int(fields[12])) / TICKS
    return used


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        run_child(sys.argv[2], sys.argv[3])
    else:
        main()
