"""An import at scale (issue 26): checked rows wait on disk in batches (atlas.store.imports) and are stored as they
would be one by one; the published copy (atlas.published) reads the driver's rows and equals what SQLAlchemy reads."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import numpy as np
from test_published_data import assert_same, located

from atlas.database import as_utc
from atlas.published import PublicData, seconds
from atlas.store import imports
from atlas.transfer import import_csv

LINES = ["name;traeger;handlungsfelder;ort;quelle;quelle_stand;bestaetigt",
         *(f"Treffpunkt {i};Verein {i % 3};sprache;{ort};;;" for i, ort in enumerate(
             ["Celle", "Aurich", "Goslar", "Stade", "Meppen", "Celle", "Hildesheim"])),
         "Sprachcafé aus der Liste;Verein 1;sprache;Celle;https://example.org/liste;2026-10;nein",
         "Sprachcafé bestätigt;Verein 2;sprache;Aurich;https://example.org/liste;2026-10;ja"]


def test_rows_waiting_on_disk_in_several_batches_are_stored_in_the_files_order(services, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "INSERT_BATCH", 3)  # 9 rows: three batches through the file
    path = tmp_path / "liste.csv"
    path.write_text("\r\n".join(LINES) + "\r\n", encoding="utf-8")

    report = import_csv(path, services.store, services.geocoder)

    assert report.ok, report.errors
    rows = sorted(services.store.rows(), key=lambda row: row["id"])
    assert report.ids == [row["id"] for row in rows] == list(range(rows[0]["id"], rows[0]["id"] + 9))
    assert [row["name"] for row in rows] == [line.split(";")[0] for line in LINES[1:]]
    assert [row["kreis_name"] for row in rows[:5]] == ["Celle", "Aurich", "Goslar", "Stade", "Emsland"]
    assert rows[7]["source_confirmed_at"] is None and rows[8]["source_confirmed_at"] is not None
    assert all(row["created_at"] == row["updated_at"] == row["published_at"] == row["confirmed_at"] for row in rows)
    assert services.searcher.search("Treffpunkt").total == 7
    assert_same(services.public.current(), PublicData(services.store).rebuild())
    # the moments are stored as SQLAlchemy stores them for a single insert (a submission)
    project_id, _link = services.store.submit(*located(services, "Einzeln", "Celle"))
    with services.store.read() as db:
        stored = dict(db.exec_driver_sql("SELECT id, created_at FROM projects").all())
    shape = {re.sub(r"\d", "9", str(moment)) for moment in stored.values()}
    assert len(shape) == 1, (stored[project_id], stored[rows[0]["id"]])


def test_a_file_with_a_bad_row_stores_nothing_and_names_the_row(services, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "INSERT_BATCH", 2)
    path = tmp_path / "liste.csv"
    path.write_text("\n".join([*LINES[:5], "Ohne Ort;Verein;sprache;;;;", *LINES[5:]]) + "\n", encoding="utf-8")

    report = import_csv(path, services.store, services.geocoder)

    assert report.errors == [(6, "Bitte geben Sie den Ort oder die PLZ an.")]
    assert not report.ids and services.store.rows() == []


def test_moments_are_read_as_sqlalchemy_reads_them():
    from sqlalchemy.dialects.sqlite import DATETIME, dialect

    read = DATETIME().result_processor(dialect(), None)
    texts = ["2026-12-05 01:58:00.123456", "2026-12-05 01:58:00.000000", "1999-01-31 23:59:59", None]
    expected = [as_utc(read(text)).timestamp() if text else np.nan for text in texts]
    assert np.array_equal(seconds(texts), expected, equal_nan=True)
    # text numpy must not read on its own (another separator, a zone): read as SQLAlchemy reads it
    odd = ["2026-12-05T01:58:00.5", "2026-12-05 01:58:00.123456+01:00", None]
    assert np.array_equal(seconds(odd), [as_utc(read(t)).timestamp() if t else np.nan for t in odd], equal_nan=True)
    aware = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # PostgreSQL's driver
    assert seconds([aware, aware + timedelta(seconds=1.5), None]).tolist()[:2] == [aware.timestamp(),
                                                                                    aware.timestamp() + 1.5]
