"""`atlas import` of many realistic rows, as a whole process on one core: seconds and peak memory.

    .venv/bin/python bench/import.py                 # 10,000 and 100,000 rows
    .venv/bin/python bench/import.py --rows 10000
    .venv/bin/python bench/import.py --rows 100000 --texts thin   # the rows as measured up to stop 50

The rows name real places of Niedersachsen from the gazetteer (with the PLZ where a place has exactly one, so
that names shared by several places are told apart, as a real file must), a third with a street, in German
Excel's format (semicolons, Windows-1252). Each row's texts and facts (`--texts`, bench/common.py): `real` (the
default) those of a row of data/projects.csv (row i % 391: its description, website, Sprachen, Zielgruppen,
Kosten, Wann, Zeiten, Barrierefrei, Kontakt, Quelle and its Stand, under the headings people give them), `thin`
the description "Offenes Angebot für alle." and nothing else, as measured up to stop 50. The target of issue 26:
100k rows in ≤ 10 s on one core, ≤ 300 MB. The reference beside each run: the same file read by Python's csv
module and written by sqlite3's executemany into a table of the same columns (no checks, no places, no search
index), as a process on the same core – the ratio says how many times that the import's CPU is. Each run imports
into a fresh SQLite database (`--backend postgresql`: a fresh database on a throwaway PostgreSQL server,
tests/servers.py, which runs beside it on the other core); the import is pinned to one core with taskset.

    .venv/bin/python bench/import.py --rows 100000 --backend sqlite postgresql
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import common  # also puts the checkout on sys.path
import numpy as np

from atlas.gazetteer import PLZ_CENTROIDS

FIELDS = ["sprache", "arbeit-ausbildung", "wohnen-leben", "engagement", "teilhabe"]
# A real row's facts and source (bench/common.py: --texts real): its column -> the heading a file gives it
# (atlas.transfer.COLUMN_SPELLINGS reads them)
REAL_COLUMNS = {"sprachen": "Sprachen", "zielgruppen": "Zielgruppen", "kosten": "Kosten", "wann": "Wann",
                "zeiten": "Zeiten", "barrierefrei": "Barrierefrei", "kontakt": "Öffentlicher Kontakt",
                "quelle": "Quelle", "quelle_stand": "Stand der Quelle"}


def main() -> None:
    options = parse_args()
    places = unambiguous_places()
    print(f"{len(places)} distinct places to draw from")
    server = None
    if "postgresql" in options.backend:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from servers import PostgresServer

        server = PostgresServer()
    try:
        print(f"{'backend':>10} {'rows':>8} {'seconds':>8} {'CPU s':>8} {'rows/s':>8} {'peak MB':>8} {'ref s':>7} "
              f"{'ratio':>7}  result")
        for backend in options.backend:
            for rows in options.rows:
                run(backend, rows, places, server, options.texts)
    finally:
        if server:
            server.stop()


def run(backend: str, rows: int, places, server, texts: str) -> None:
    directory = common.scratch("atlas-bench-import-")
    path = directory / "projekte.csv"
    path.write_bytes(csv_rows(rows, places, texts).encode("cp1252"))
    url = server.create_database() if backend == "postgresql" else f"sqlite:///{directory / 'atlas.db'}"
    env = {**os.environ, "ATLAS_DATABASE_URL": url, "ATLAS_INSTANCE_PATH": str(directory), "ATLAS_TILES": "none"}
    atlas = str(Path(sys.executable).with_name("atlas"))
    subprocess.run([atlas, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([atlas, "locate", "Celle"], env=env, check=True, capture_output=True)  # gazetteer cached
    start = time.perf_counter()
    done = subprocess.run(["taskset", "-c", "0", "/usr/bin/time", "-f", "%M %U %S", atlas, "import", str(path)],
                          env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak_kb, user, system = done.stderr.strip().splitlines()[-1].split()
    cpu = float(user) + float(system)  # the import's own CPU: on a shared machine the wall time waits for others
    result = done.stdout.strip() or done.stderr.strip().splitlines()[-2]
    reference = reference_cpu(path, directory)
    print(f"{backend:>10} {rows:>8} {seconds:>8.1f} {cpu:>8.1f} {rows / seconds:>8.0f} {int(peak_kb) / 1024:>8.0f} "
          f"{reference:>7.1f} {cpu / reference:>6.1f}×  {result}", flush=True)
    if done.returncode:
        sys.exit("FAILED: " + done.stderr[-2000:])


REFERENCE = """
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[2])
with open(sys.argv[1], encoding="cp1252", newline="") as f:
    reader = csv.reader(f, delimiter=";")
    header = next(reader)
    columns = ", ".join(f"c{i}" for i in range(len(header)))
    db.execute(f"CREATE TABLE projects (id INTEGER PRIMARY KEY, {columns})")
    db.executemany(f"INSERT INTO projects ({columns}) VALUES ({', '.join('?' * len(header))})", reader)
db.commit()
"""


def reference_cpu(path: Path, directory: Path) -> float:
    """CPU seconds of the csv module and sqlite3's executemany alone on the same file, pinned to the same core."""
    done = subprocess.run(["taskset", "-c", "0", "/usr/bin/time", "-f", "%U %S", sys.executable, "-c", REFERENCE,
                           str(path), str(directory / "reference.db")], capture_output=True, text=True, check=True)
    user, system = done.stderr.strip().splitlines()[-1].split()
    return float(user) + float(system)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--backend", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"])
    return common.texts_option(parser).parse_args()


def unambiguous_places() -> list[tuple[str, str]]:
    """(Ort, PLZ or "") for places of Niedersachsen: the PLZ is given where the name alone is ambiguous."""
    from atlas import create_app

    app = create_app({"TILES": "none", "INSTANCE_PATH": str(common.scratch("atlas-bench-gaz-"))})
    geocoder = app.extensions["atlas"].geocoder
    gazetteer = geocoder.gazetteer
    inside = gazetteer.entries[gazetteer.entries.kreis_rs.notna()]
    plz_of = {}
    for plz, (lat, lon) in PLZ_CENTROIDS.items():
        plz_of.setdefault(gazetteer.gemeinde_at(lat, lon), plz) if plz.startswith(("2", "3", "4")) else None
    chosen = []
    for name in sorted(set(inside.name))[:4000]:
        result = geocoder.geocode(ort=name)
        if result.ok and result.place.in_niedersachsen:
            chosen.append((name, ""))
        elif name in plz_of:
            with_plz = geocoder.geocode(plz=plz_of[name], ort=name)
            if with_plz.ok and with_plz.place.in_niedersachsen:
                chosen.append((name, plz_of[name]))
    return chosen


def csv_rows(n: int, places: list[tuple[str, str]], texts: str = "real") -> str:
    """n rows of an office's file: made-up names and Träger at real places, with the texts and facts of
    data/projects.csv's rows (`real`) or a short description alone (`thin`)."""
    rng = np.random.default_rng(n)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    real = common.real_rows() if texts == "real" else ()
    writer.writerow(["Name", "Träger", "Beschreibung", "Handlungsfelder", "Straße", "PLZ", "Ort", "Website",
                     "E-Mail", *(REAL_COLUMNS.values() if real else ())])
    for i in range(n):
        ort, plz = places[int(rng.integers(len(places)))]
        fields = ";".join(rng.choice(FIELDS, size=int(rng.integers(1, 3)), replace=False))
        street = f"Hauptstraße {i % 90 + 1}" if i % 3 == 0 else ""
        row = real[i % len(real)] if real else {}
        writer.writerow([f"Initiative {i} in {ort}", f"Verein {i % 700} e. V.",
                         row.get("beschreibung", "Offenes Angebot für alle."), fields, street, plz, ort,
                         row.get("website", ""), "", *([row[column] for column in REAL_COLUMNS] if real else [])])
    return out.getvalue()


if __name__ == "__main__":
    main()
