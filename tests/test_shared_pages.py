"""With Redis configured (PAGE_CACHE_URI), rendered pages and map data are shared by the processes of one atlas:
each page is made once per version, by whichever process asks first, and the others take it from Redis. Two apps
on one database stand for two processes here (each with its own page cache); Redis is a real redis-server."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import add_facts_projects, facts, make_app

from atlas.store import PUBLISHED


@pytest.fixture
def two(tmp_path, redis_server):
    first = make_app(tmp_path / "a", PAGE_CACHE_URI=redis_server.url)
    add_facts_projects(first)
    second = make_app(tmp_path / "b", DATABASE_URL=first.config["DATABASE_URL"], PAGE_CACHE_URI=redis_server.url)
    return first, second


def pages(app):
    return app.extensions["atlas_pages"]


def test_a_page_made_by_one_process_is_served_by_the_other(two):
    first, second = two
    made = first.test_client().get("/")
    data = first.test_client().get("/karte/projekte.json")
    assert pages(first).renders == 2
    again, again_data = second.test_client().get("/"), second.test_client().get("/karte/projekte.json")
    assert pages(second).renders == 0, "taken from Redis, not made again"
    assert (again.status_code, again.headers["ETag"], again.get_data()) == (200, made.headers["ETag"], made.get_data())
    assert again_data.get_json() == data.get_json() and again_data.headers["ETag"] == data.headers["ETag"]
    gzipped = second.test_client().get("/region/leine-weser", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert second.test_client().get("/region/leine-weser").get_data() == first.test_client().get(
        "/region/leine-weser").get_data()
    small = first.test_client().get("/daten/ersetzte-projekte.csv", headers={"Accept-Encoding": "zstd"})
    renders = pages(second).renders
    taken = second.test_client().get("/daten/ersetzte-projekte.csv", headers={"Accept-Encoding": "zstd"})
    assert pages(second).renders == renders, "a page kept in Redis as it is (too small to compress) is taken too"
    assert "Content-Encoding" not in taken.headers and taken.get_data() == small.get_data() != b""


def test_after_a_deployment_of_other_code_its_processes_make_their_own_pages(two, tmp_path, redis_server,
                                                                             monkeypatch):
    """An operator deploys a new version while Redis keeps the pages the old one made (for a day, or until the next
    publication): the new processes make the pages as their code writes them, and take them from each other."""
    first, _second = two
    old = first.test_client().get("/")
    monkeypatch.setattr("atlas.web.code", lambda: "die nächste Fassung")
    deployed = make_app(tmp_path / "neu", DATABASE_URL=first.config["DATABASE_URL"], PAGE_CACHE_URI=redis_server.url)
    assert deployed.test_client().get("/").status_code == 200
    assert pages(deployed).renders == 1, "made by the new code, not taken from the old code's pages"
    other = make_app(tmp_path / "neu2", DATABASE_URL=first.config["DATABASE_URL"], PAGE_CACHE_URI=redis_server.url)
    assert other.test_client().get("/").get_data() == deployed.test_client().get("/").get_data()
    assert pages(other).renders == 0, "the new code's processes share their pages"
    assert first.test_client().get("/").get_data() == old.get_data()


def test_simultaneous_first_requests_in_two_processes_make_the_page_once(two):
    start = threading.Barrier(16)

    def ask(app):
        client = app.test_client()
        start.wait()
        response = client.get("/region/leine-weser?hf=sprache")
        return response.status_code, response.headers["ETag"]

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(ask, [app for app in two for _ in range(8)]))
    assert {answer for answer in answers} == {answers[0]} and answers[0][0] == 200
    assert pages(two[0]).renders + pages(two[1]).renders == 1


def test_a_publication_in_one_process_is_shown_by_the_other(two):
    first, second = two
    assert "Neues Nachbarschaftscafé" not in second.test_client().get("/").get_data(as_text=True)
    services = first.extensions["atlas"]
    place = services.geocoder.geocode("Hildesheim").place
    services.store.add_many([(facts(name="Neues Nachbarschaftscafé"), place)], PUBLISHED)
    assert "Neues Nachbarschaftscafé" in first.test_client().get("/").get_data(as_text=True)
    renders = pages(second).renders
    shown = second.test_client().get("/")  # at once: each request reads the store's versions
    assert "Neues Nachbarschaftscafé" in shown.get_data(as_text=True)
    assert pages(second).renders == renders, "the new version's page too was made once, by the first"


def test_without_redis_each_process_makes_its_own_pages(two, redis_server, caplog):
    first, second = two
    redis_server.stop()
    for app in two:
        assert app.test_client().get("/region/weser-ems").status_code == 200
    assert pages(first).renders == pages(second).renders == 1
    assert "Redis für geteilte Seiten nicht erreichbar" in caplog.text
    assert first.test_client().get("/region/weser-ems").status_code == 200
    assert pages(first).renders == 1, "kept in the process meanwhile"


@pytest.mark.parametrize("uri", ["memcached://127.0.0.1:11211", "http://redis.example", "javascript:alert(1)"])
def test_a_page_cache_that_is_not_redis_is_refused(tmp_path, uri):
    from atlas import create_app
    from atlas.settings import SettingError

    with pytest.raises(SettingError, match="ATLAS_PAGE_CACHE_URI"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PAGE_CACHE_URI": uri})
