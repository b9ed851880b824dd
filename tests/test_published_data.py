"""The published projects in memory (atlas.published): a publication costs the rows it changes, and the copy a
process keeps by applying the changes equals the published projects read anew – after publications, edits, moves
between districts, archivings, confirmations and imports, in this process or in another one."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3

import numpy as np
import pytest
from helpers import SQLITE_FILE, make_app, submit
from sqlalchemy import delete, update

from atlas import claims
from atlas.projects import validate_project
from atlas.published import COLUMNS, PublicData
from atlas.schema import projects, public_changes
from atlas.store import ARCHIVED, PUBLISHED, REJECTED


def located(services, name: str, ort: str, hf: str = "sprache", **fields):
    project, errors = validate_project({"name": name, "traeger": "Verein", "handlungsfelder": hf, "ort": ort,
                                        **fields})
    assert not errors, errors
    return project, services.geocoder.geocode(ort=ort).place


def assert_same(copy, anew) -> None:
    """Every column, in the same order, and the versions of the state and of each district."""
    assert (copy.version, copy.arl_versions) == (anew.version, anew.arl_versions)
    for name in COLUMNS:
        mine, theirs = copy[name], anew[name]
        assert len(mine) == len(theirs), name
        if mine.dtype.kind == "f":
            assert np.array_equal(mine, theirs, equal_nan=True), name
        else:
            assert mine.tolist() == theirs.tolist(), name


def test_the_copy_after_publications_edits_moves_archivings_and_imports_equals_one_read_anew(services):
    store, public = services.store, services.public
    first = store.add_many([located(services, "Sprachcafé", "Meppen"),
                            located(services, "Begegnung", "Hemmingen", "teilhabe;sprache", approximate="ja"),
                            located(services, "Jobpaten", "Göttingen", "arbeit-ausbildung"),
                            located(services, "Lernwerkstatt", "Lüneburg")], PUBLISHED)
    public.current()
    pending = store.add(*located(services, "Frauentreff", "Lamspringe"))
    steps = [
        lambda: store.set_status(pending, PUBLISHED),  # in: a new row in its place
        lambda: store.update(first[0], *located(services, "Zuerst: Abendkurs", "Meppen"), actor="amt"),  # re-sorted
        lambda: store.update(first[1], *located(services, "Begegnung", "Lüneburg"), actor="amt"),  # moved: out
        lambda: store.set_status(first[1], PUBLISHED),  # in again, in Lüneburg
        lambda: store.update(first[2], *located(services, "Jobpaten", "Göttingen", "arbeit-ausbildung",
                                                kosten="kostenlos"), actor="amt"),  # a fact changed
        lambda: store.set_status(first[2], ARCHIVED, "beendet"),  # out
        lambda: store.set_status(pending, REJECTED, "doppelt"),  # out
        lambda: store.add_many([located(services, "Netzwerk", "Celle"), located(services, "Patenschaft", "Aurich")],
                               PUBLISHED),  # an import
        lambda: store.renew_public(["weser-ems"]),  # pages of one district, no row changed
        lambda: store.set_status(first[2], PUBLISHED),  # back from the archive
    ]
    for step in steps:
        step()
        assert_same(public.current(), PublicData(store).rebuild())
    assert (public.rebuilds, public.updates) == (1, len(steps))
    assert sorted(public.current()["name"].tolist()) == sorted(
        ["Zuerst: Abendkurs", "Begegnung", "Jobpaten", "Lernwerkstatt", "Netzwerk", "Patenschaft"])



def test_the_257th_traeger_widens_the_codes_and_every_project_keeps_its_own(services):
    """The copy keeps a coded column as narrow as its table needs (one byte up to 256 Träger); a publication that
    brings the 257th must widen it, not wrap the new codes around to other Träger."""
    store, public = services.store, services.public
    place = services.geocoder.geocode(ort="Celle").place

    def made(n: int):
        return validate_project({"name": f"Treff {n}", "traeger": f"Träger {n}", "handlungsfelder": "sprache",
                                 "ort": "Celle"})[0]

    store.add_many([(made(n), place) for n in range(250)], PUBLISHED)
    assert public.current().columns["traeger"].dtype == np.uint8
    store.add_many([(made(n), place) for n in range(250, 300)], PUBLISHED)  # in by the log, not read anew
    copy = public.current()
    assert public.updates >= 1 and copy.columns["traeger"].itemsize > 1
    assert_same(copy, PublicData(store).rebuild())
    assert {(name, traeger) for name, traeger in zip(copy["name"].tolist(), copy["traeger"].tolist(), strict=True)} \
        == {(f"Treff {n}", f"Träger {n}") for n in range(300)}


def test_a_mask_written_by_hand_beyond_what_the_atlas_writes_stops_no_page(seeded, caplog):
    """The copy keeps the masks in the narrowest type for their bits; a value written in SQL that the type cannot
    hold keeps the bits it can (every bit the atlas knows), and is logged – the public pages keep working."""
    services = seeded.extensions["atlas"]
    first = services.public.current().rows([0])[0]
    with services.store.write() as db:
        db.execute(update(projects).where(projects.c.id == first["id"]).values(hf_mask=256 + 2, zg_mask=-1))
    copy = PublicData(services.store).rebuild()
    assert "in hf_mask Werte, die der Atlas nie schreibt" in caplog.text
    row = copy.rows(copy.positions([first["id"]]).tolist())[0]
    assert (row["hf_mask"], row["zg_mask"]) == (2, 255), "the bits the atlas knows, as before"
    services.store.set_status(first["id"], ARCHIVED, "Pause")  # the running app reads the row again: twice
    services.store.set_status(first["id"], PUBLISHED)
    now = services.public.current()
    assert now.rows(now.positions([first["id"]]).tolist())[0]["hf_mask"] == 2
    client = seeded.test_client()
    for path in ("/", "/karte/projekte.json", "/suche?q=Sprache", "/ogc/collections/projekte/items",
                 "/?hf=arbeit-ausbildung"):
        assert client.get(path).status_code == 200, path
    assert first["name"] in client.get("/?hf=arbeit-ausbildung").get_data(as_text=True)


def test_a_search_places_its_matches_by_the_copy_and_leaves_out_what_the_copy_does_not_hold(seeded):
    """A search around a place reads its matches' public positions from the copy (atlas.search), not from the
    projects table: an id the copy does not hold (not published in it, never given, or beyond every id) is left out,
    and nothing fails."""
    services = seeded.extensions["atlas"]
    copy = services.public.current()
    kept, archived = int(copy["id"].max()), int(copy["id"].min())
    assert copy.positions([kept, kept + 1, 10**12, -5, 0]).tolist() == [int(np.flatnonzero(copy["id"] == kept)[0])]
    services.store.set_status(archived, ARCHIVED, "Pause")
    for project_id, listed in ((kept, True), (archived, False)):
        word = services.store.get(project_id)["name"].split()[0]
        assert (project_id in services.searcher.search(word, area=search_area(services, project_id)).ids) is listed


def search_area(services, project_id: int):
    from atlas.search_cells import Area

    row = services.store.get(project_id)
    return Area(row["lat"], row["lon"], 5)


def test_a_confirmation_is_caught_up_too(seeded):
    """An office confirming an entry gathered from a source changes the public copy: the mark „aus öffentlichen
    Quellen“ goes."""
    services = seeded.extensions["atlas"]
    store, public = services.store, services.public
    project, place = located(services, "Aus der Quelle", "Celle")
    project = dataclasses.replace(project, quelle="https://example.org/quelle", quelle_stand="2024", confirmed=False)
    project_id = store.add(project, place, status=PUBLISHED)
    before = public.current()
    assert before["from_source"][before.positions([project_id])].tolist() == [True]
    claims.confirm(store, project_id, "amt@example.org", store.get(project_id)["row_version"])
    after = public.current()
    assert after["from_source"][after.positions([project_id])].tolist() == [False]
    assert_same(after, PublicData(store).rebuild())
    assert public.rebuilds == 1


def test_another_process_catches_up_by_the_rows_that_changed(app, tmp_path):
    """Two apps on one database stand for two processes: what one publishes, the other's copy has after its next
    look at the version – read as the one row, not all of them."""
    other = make_app(tmp_path / "other", migrate=False, DATABASE_URL=app.config["DATABASE_URL"])
    mine, theirs = app.extensions["atlas"], other.extensions["atlas"]
    mine.store.add_many([located(mine, "Sprachcafé", "Meppen"), located(mine, "Jobpaten", "Göttingen")], PUBLISHED)
    assert len(theirs.public.current()) == 2
    project_id, _ = submit(app)
    mine.store.set_status(project_id, PUBLISHED)
    theirs.store.versions_now()  # their second-old copy of the version runs out
    assert project_id in theirs.public.current()["id"].tolist()
    assert (theirs.public.rebuilds, theirs.public.updates) == (1, 1)
    assert_same(theirs.public.current(), mine.public.current())


def test_a_restart_reads_the_copy_an_earlier_start_kept_and_catches_up_by_the_log(app, tmp_path):
    """A start reads every published project once and keeps the copy in the cache folder; the next start (a new
    app on the same database stands for it) reads that copy instead and catches up with what was published in
    between, by those rows alone."""
    first = app.extensions["atlas"]
    first.store.add_many([located(first, "Sprachcafé", "Meppen"), located(first, "Jobpaten", "Göttingen")], PUBLISHED)
    first.public.current()
    assert first.public.keep_at.exists() and first.public.rebuilds == 1

    def restart(folder: str):
        return make_app(tmp_path / folder, migrate=False, DATABASE_URL=app.config["DATABASE_URL"]).extensions["atlas"]

    second = restart("second")
    assert_same(second.public.current(), PublicData(second.store).rebuild())
    assert (second.public.rebuilds, second.public.updates) == (0, 0)

    project_id, _ = submit(app)
    first.store.set_status(project_id, PUBLISHED)
    third = restart("third")
    assert project_id in third.public.current()["id"].tolist()
    assert (third.public.rebuilds, third.public.updates) == (0, 1)
    assert_same(third.public.current(), PublicData(third.store).rebuild())


@SQLITE_FILE
def test_a_kept_copy_of_another_database_at_the_same_address_is_not_read(tmp_path):
    """A backup restored and changed since reaches the kept copy's version with other projects: the database logged
    another token for it, and the start reads everything from the database."""
    folder = tmp_path / "daten"
    folder.mkdir()
    shutil.copyfile(make_app(tmp_path / "leer").config["DATABASE_URL"].removeprefix("sqlite:///"), folder / "a.db")
    url = f"sqlite:///{folder / 'a.db'}"

    def start(name: str):
        return make_app(tmp_path / name, migrate=False, DATABASE_URL=url).extensions["atlas"]

    mine = start("mine")
    mine.store.add_many([located(mine, "Sprachcafé", "Meppen")], PUBLISHED)
    backup = tmp_path / "sicherung.db"
    with sqlite3.connect(folder / "a.db") as source, sqlite3.connect(backup) as copy:
        source.backup(copy)
    mine.store.add_many([located(mine, "Jobpaten", "Göttingen")], PUBLISHED)
    kept = mine.public.rebuild()  # kept, with Jobpaten
    assert mine.public.keep_at.exists()

    folder.rename(tmp_path / "daten-alt")  # the backup goes where the database was
    folder.mkdir()
    shutil.copyfile(backup, folder / "a.db")
    restored = start("restored")
    restored.store.add_many([located(restored, "Lernwerkstatt", "Lüneburg")], PUBLISHED)
    assert restored.store.version() == kept.version, "the kept copy's version, with other projects"

    later = start("later")
    assert sorted(later.public.current()["name"].tolist()) == ["Lernwerkstatt", "Sprachcafé"]
    assert later.public.rebuilds == 1


@pytest.mark.parametrize("spoiled", ["damaged", "made by other code", "its version no longer logged",
                                     "logged before tokens"])
def test_a_kept_copy_that_cannot_be_vouched_for_is_not_read(app, tmp_path, monkeypatch, spoiled):
    from sqlalchemy import update

    from atlas import kept

    first = app.extensions["atlas"]
    first.store.add_many([located(first, "Sprachcafé", "Meppen")], PUBLISHED)
    first.public.current()
    copy = first.public.keep_at
    if spoiled == "damaged":
        copy.write_bytes(copy.read_bytes()[:200])
    elif spoiled == "made by other code":
        monkeypatch.setattr(kept, "code", lambda: "eine andere Fassung")
    else:
        with first.store.write() as db:
            db.execute(delete(public_changes) if spoiled == "its version no longer logged"
                       else update(public_changes).values(token=None))
    later = make_app(tmp_path / "later", migrate=False, DATABASE_URL=app.config["DATABASE_URL"]).extensions["atlas"]
    assert_same(later.public.current(), PublicData(later.store).rebuild())
    assert later.public.rebuilds == 1


def test_everything_read_in_small_batches_equals_everything_read_at_once(seeded, monkeypatch):
    """A start reads a million projects batch by batch, never all as rows at once: the copy holds the same
    values in the same order, whatever the batch size."""
    import atlas.store.versions

    services = seeded.extensions["atlas"]
    services.store.add_many([located(services, "Zweiter Treff", "Meppen"), located(services, "Begegnung", "Aurich")],
                            PUBLISHED)
    at_once = PublicData(services.store).rebuild()
    monkeypatch.setattr(atlas.store.versions, "ROW_BATCH", 2)
    assert [len(batch) for batch in services.store.public_row_batches()] == [2, 2, 2, 2, 1]
    assert_same(PublicData(services.store).rebuild(), at_once)


def test_a_log_that_does_not_reach_back_far_enough_means_reading_everything_again(services):
    store, public = services.store, services.public
    store.add_many([located(services, "Sprachcafé", "Meppen")], PUBLISHED)
    public.current()
    store.add_many([located(services, "Jobpaten", "Göttingen")], PUBLISHED)
    with store.write() as db:  # as if the log had been pruned, or written by an older version of the atlas
        db.execute(delete(public_changes))
    store.renew_public()
    assert len(public.current()) == 2 and public.rebuilds == 2


def test_a_large_import_is_logged_as_everything(services, monkeypatch):
    import atlas.store.core

    monkeypatch.setattr(atlas.store.core, "LOGGED_AT_MOST", 2)
    store, public = services.store, services.public
    public.current()
    store.add_many([located(services, name, "Meppen") for name in ("A", "B", "C")], PUBLISHED)
    assert len(public.current()) == 3 and public.rebuilds == 2


@pytest.mark.parametrize("district", ["lueneburg", "weser-ems"])
def test_a_publication_in_lueneburg_leaves_the_other_districts_pages_and_data_valid(seeded, district):
    services = seeded.extensions["atlas"]
    client, pages = seeded.test_client(), seeded.extensions["atlas_pages"]
    data_url = {slug: _data_src(client, slug) for slug in ("lueneburg", "weser-ems")}
    renders = pages.renders
    project_id = services.store.add(*located(services, "Neu in Lüneburg", "Lüneburg"))
    services.store.set_status(project_id, PUBLISHED)
    changed = district == "lueneburg"
    assert (_data_src(client, district) != data_url[district]) == changed
    assert pages.renders == renders + (1 if changed else 0)  # Weser-Ems's page came from the cache
    kept = client.get(data_url[district]).headers["Cache-Control"]  # what a returning browser holds
    assert ("immutable" in kept) == (not changed)
    assert "immutable" in client.get(_data_src(client, district)).headers["Cache-Control"]


def _data_src(client, slug: str) -> str:
    from helpers import html

    return html(client.get(f"/region/{slug}")).select_one("link[rel=preload][href*='projekte.json']")["href"]


def test_an_atlas_with_nothing_published_shows_its_empty_map_and_then_the_first_project(tmp_path):
    app = make_app(tmp_path)
    client = app.test_client()
    for url in ("/", "/region/lueneburg", "/karte/projekte.json"):
        assert client.get(url).status_code == 200, url
    assert client.get("/karte/projekte.json").get_json()["id"] == []
    services = app.extensions["atlas"]
    services.store.add_many([located(services, "Erstes Sprachcafé", "Lüneburg")], PUBLISHED)
    assert "Erstes Sprachcafé" in client.get("/region/lueneburg").get_data(as_text=True)


def test_the_rows_of_some_of_a_lists_columns_are_the_rows_at_their_positions(seeded):
    """The search takes its projects column by column and makes rows only for the items not kept yet
    (atlas.web.items.items_of): those rows are the ones rows() gives of their positions, in the order asked."""
    published = seeded.extensions["atlas"].public.current()
    positions = np.arange(len(published))[::-1][:5]
    lists = published.lists(positions)
    assert list(lists) == COLUMNS and lists["id"] == [row["id"] for row in published.rows(positions)]
    assert published.rows_of(lists) == published.rows(positions)
    assert published.rows_of(lists, [3, 0]) == published.rows(positions[[3, 0]])
    assert published.rows_of(lists, [3, 0])[1]["id"] == published["id"][positions[0]]
