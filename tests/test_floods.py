"""A crowd – or one client with many connections – asking for what is expensive: each expensive kind of page has a
limit per client sized to what a person does; a page wanted by many at once is made once; the cache keeps what is
dear to make; a Redis outage limits only what has a limit; guessing passwords waits in a bounded pool."""

from __future__ import annotations

import threading
import time

import pytest
from helpers import PASSWORD, create_account, csrf_token, make_app

from atlas.web.cache import PageCache
from atlas.web.limits import SweptMemoryStorage, limiter

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once


@pytest.mark.parametrize(("setting", "path"), [
    ("SEARCH_RATE_LIMIT", "/in-der-naehe?ort=Hildesheim&umkreis={n}"),
    ("SEARCH_RATE_LIMIT", "/suche?q=Sprach{n}"),
    ("DOWNLOAD_RATE_LIMIT", "/daten/projekte.csv?ort=Hildesheim&umkreis=25&zielgruppe=frauen&seite={n}"),
    ("EMBED_RATE_LIMIT", "/einbetten?ort=Hildesheim&umkreis=10&hf=sprache&x={n}"),
    ("POSTER_RATE_LIMIT", "/aushang/03254?lang=de&x={n}"),
    ("PDF_RATE_LIMIT", "/aushang/03254.pdf?x={n}"),
    ("MAP_VIEW_RATE_LIMIT", "/karte/kacheln.json?z=9&x={x}&y=165"),
    ("MAP_VIEW_RATE_LIMIT", "/karte/ausschnitt.json?bbox=9.{n},52.0,10.0,52.5"),
])
def test_each_expensive_page_has_its_own_limit_per_client(tmp_path, setting, path):
    app = make_app(tmp_path, **{setting: "3 per minute"})
    flooder, person = app.test_client(), app.test_client()
    flooder.environ_base["REMOTE_ADDR"] = "192.0.2.66"
    codes = [flooder.get(path.format(n=n, x=268 + n)).status_code for n in range(5)]
    assert codes[:3] != [429] * 3 and codes[3:] == [429, 429], codes
    assert person.get(path.format(n=9, x=277)).status_code != 429, "another client is not limited by the flood"
    assert flooder.get("/").status_code == 200, "the map itself has no limit"


def test_a_limited_page_says_what_is_left_of_its_limit_and_a_page_without_one_says_nothing(tmp_path):
    """Flask-Limiter's headers on every answer whose limit was checked (atlas.web.limits writes them only there), the
    limit's text read from the app's setting at each request."""
    app = make_app(tmp_path, SEARCH_RATE_LIMIT="3 per minute", API_RATE_LIMIT="2 per hour")
    client = app.test_client()
    answers = [client.get(f"/suche?q=Wort{n}") for n in range(3)]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"3"}
    assert all(0 < int(a.headers["Retry-After"]) <= 60 and int(a.headers["X-RateLimit-Reset"]) for a in answers)
    api = [client.get("/ogc/collections/projekte/items") for _ in range(3)]
    assert [a.status_code for a in api] == [200, 200, 429], "a blueprint's limit, checked before the request"
    assert [a.headers["X-RateLimit-Remaining"] for a in api[:2]] == ["1", "0"]
    assert api[0].headers["X-RateLimit-Limit"] == "2"
    for path in ("/", "/suche", "/static/atlas.css", "/gibt-es-nicht"):
        names = client.get(path).headers.keys()
        assert not [name for name in names if "ratelimit" in name.lower() or name == "Retry-After"], path
    other = make_app(tmp_path / "other", SEARCH_RATE_LIMIT="5 per minute")  # the same process, another setting
    assert other.test_client().get("/suche?q=Wort").headers["X-RateLimit-Limit"] == "5"


def test_a_place_free_embedded_map_is_not_limited(tmp_path):
    app = make_app(tmp_path, EMBED_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert [client.get("/einbetten?arl=weser-ems").status_code for _ in range(5)] == [200] * 5


def test_many_requests_for_one_missing_page_make_it_once():
    cache, made = PageCache(), []

    def render():
        made.append(1)
        time.sleep(0.2)
        return "<p>teuer</p>"

    answers = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get("seite", 1, render))) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and len(answers) == 16 and len({id(a) for a in answers}) == 1


def test_a_failed_render_lets_the_next_one_try():
    cache, attempts = PageCache(), []

    def render():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("kaputt")
        return "gut"

    with pytest.raises(RuntimeError):
        cache.get("seite", 1, render)
    assert cache.get("seite", 1, render).body  # not stuck waiting for the failed one



def test_a_newer_version_drops_the_older_pages_of_its_district_only():
    cache = PageCache()
    for n in range(3):
        cache.get(("seite", n), 1, lambda n=n: f"Lüneburg {n}", scope="lueneburg")
    cache.get("seite", 4, lambda: "Weser-Ems", scope="weser-ems")
    cache.get("seite", 2, lambda: "Lüneburg neu", scope="lueneburg")  # a publication in Lüneburg
    assert len(cache) == 2, "Lüneburg's three old pages went, Weser-Ems's stayed"
    assert cache.get("seite", 4, lambda: "anders", scope="weser-ems").body == b"Weser-Ems"
    renders = cache.renders
    cache.get("seite", 2, lambda: "nochmal", scope="lueneburg")
    assert cache.renders == renders, "the current page is kept"


def test_a_page_of_an_older_version_is_made_once_for_all_who_ask_at_once():
    """Made from the copy before a publication, or after a database was restored: still one render for a crowd."""
    cache, made = PageCache(), []
    cache.get("seite", 2, lambda: "neu")

    def render():
        made.append(1)
        time.sleep(0.1)
        return "alt"

    threads = [threading.Thread(target=cache.get, args=("alt", 1, render)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    cache.get("seite", 3, lambda: "neuer")
    assert len(cache) == 1, "the next version drops it with the others"

def test_a_flood_of_cheap_pages_does_not_evict_what_is_dear_to_make():
    cache = PageCache(max_bytes=20_000)

    def dear():
        time.sleep(0.06)
        return "x" * 5_000

    cache.get("pdf", 1, dear)
    for n in range(200):
        cache.get(("billig", n), 1, lambda n=n: str(n) * 3_000)
    renders = cache.renders
    cache.get("pdf", 1, dear)
    assert cache.renders == renders, "the dear page is still kept"
    assert cache.bytes <= 20_000


def test_with_redis_down_only_limited_routes_are_limited(tmp_path, redis_server):
    app = make_app(tmp_path, RATELIMIT_STORAGE_URI=redis_server.url, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    assert client.get("/").status_code == 200
    redis_server.stop()
    assert [client.get(path).status_code for path in ("/", "/healthz") * 40] == [200] * 80
    assert client.get("/static/atlas.css").status_code == 200
    page = client.get("/amt/anmelden")
    logins = [client.post("/amt/anmelden", data={"email": "x@arl.example", "password": "falsch-geraten",
                                                 "csrf_token": csrf_token(page)}).status_code for _ in range(5)]
    assert logins == [400, 400, 400, 429, 429], logins
    assert isinstance(limiter._fallback_storage, SweptMemoryStorage), "counted in memory meanwhile, and swept so"
    assert limiter._fallback_storage.storage, "the logins were counted there"


def test_guessing_passwords_waits_in_a_bounded_pool(tmp_path, monkeypatch):
    from atlas import hashing

    app = make_app(tmp_path)
    create_account(app, "amt@arl.example", "--arl=leine-weser")
    monkeypatch.setattr(hashing, "WAIT_SECONDS", 0.2)
    client = app.test_client()
    page = client.get("/amt/anmelden")
    hashing.POOL.acquire()  # every check slot is taken by other guessers
    try:
        busy = client.post("/amt/anmelden", data={"email": "amt@arl.example", "password": PASSWORD,
                                                  "csrf_token": csrf_token(page)})
    finally:
        hashing.POOL.release()
    assert busy.status_code == 503 and "sehr viele" in busy.get_data(as_text=True)
    ok = client.post("/amt/anmelden", data={"email": "amt@arl.example", "password": PASSWORD,
                                            "csrf_token": csrf_token(page)})
    assert ok.status_code == 302


def test_a_client_over_its_limit_is_refused_at_the_door_for_that_kind_of_page_only(tmp_path):
    app = make_app(tmp_path, SEARCH_RATE_LIMIT="2 per minute")
    door = app.extensions["atlas_door"]
    flooder = app.test_client()
    flooder.environ_base["REMOTE_ADDR"] = "192.0.2.66"
    codes = [flooder.get(f"/suche?q=Wort{n}").status_code for n in range(6)]
    assert codes == [200, 200, 429, 429, 429, 429]
    assert door.refused == 3, "after the first refusal the app is not asked again"
    answer = flooder.get("/suche?q=nochmal")
    assert answer.status_code == 429 and 0 < int(answer.headers["Retry-After"]) <= 61
    assert "Zu viele Anfragen" in answer.get_data(as_text=True)
    assert flooder.get("/").status_code == 200 and flooder.get("/in-der-naehe").status_code == 200
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.get("/suche?q=Wort").status_code == 200



def test_a_client_stepping_through_the_addresses_of_its_ipv6_network_is_one_client(tmp_path):
    """A subscriber line gets a whole /64: counted per address, one client could change its last bits at every
    request and never meet a limit."""
    app = make_app(tmp_path, SEARCH_RATE_LIMIT="2 per minute")
    flooder = app.test_client()
    codes = []
    for n in range(1, 6):
        flooder.environ_base["REMOTE_ADDR"] = f"2001:db8:1:2::{n:x}"
        codes.append(flooder.get(f"/suche?q=Wort{n}").status_code)
    assert codes == [200, 200, 429, 429, 429]
    assert app.extensions["atlas_door"].refused == 2, "the door knows the network too"
    neighbour = app.test_client()  # the next /64: another subscriber
    neighbour.environ_base["REMOTE_ADDR"] = "2001:db8:1:3::1"
    assert neighbour.get("/suche?q=Wort").status_code == 200
    mapped = app.test_client()  # an IPv4 client as a dual-stack server may name it
    mapped.environ_base["REMOTE_ADDR"] = "::ffff:192.0.2.66"
    assert [mapped.get(f"/suche?q=Wort{n}").status_code for n in range(2)] == [200, 200]
    ipv4 = app.test_client()
    ipv4.environ_base["REMOTE_ADDR"] = "192.0.2.66"
    assert ipv4.get("/suche?q=Wort9").status_code == 429, "::ffff:192.0.2.66 and 192.0.2.66 are one client"
    translated = app.test_client()  # behind a NAT64 translator: each IPv4 client its own, not one /64 for all
    codes = []
    for address in ("64:ff9b::c633:6401", "64:ff9b::c633:6402", "64:ff9b::c633:6403"):
        translated.environ_base["REMOTE_ADDR"] = address
        codes.append(translated.get("/suche?q=Wort").status_code)
    assert codes == [200, 200, 200]

def test_a_crowd_counted_in_memory_is_swept_every_few_seconds_not_after_every_visitor(tmp_path):
    """limits swept every counter in a thread of its own after each request 10 ms after the last: with 100,000
    clients in the minute, each visitor's request cost 11 ms more CPU (bench/crowd.py)."""
    app = make_app(tmp_path, SEARCH_RATE_LIMIT="100 per minute")
    storage = limiter.storage
    assert isinstance(storage, SweptMemoryStorage), "memory:// counts in the atlas's swept storage"
    sweeps = []
    sweep = storage._MemoryStorage__expire_events
    storage._MemoryStorage__expire_events = lambda: (sweeps.append(time.monotonic()), sweep())
    for n in range(2_000):  # the crowd, each client counted under its own key
        storage.incr(f"LIMITER/198.51.{n // 256}.{n % 256}/near/100/1/minute", 60)
    client = app.test_client()
    for n in range(20):  # a steady stream of visitors, each from its own address
        time.sleep(0.015)
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n}"
        assert client.get("/in-der-naehe?ort=Hildesheim").status_code == 200
    assert len(sweeps) <= 1, f"{len(sweeps)} sweeps over every counter for 20 visitors"


def test_the_counters_of_clients_gone_are_still_swept(tmp_path, monkeypatch):
    monkeypatch.setattr("atlas.web.limits.SWEEP_SECONDS", 0.05)
    app = make_app(tmp_path, SEARCH_RATE_LIMIT="100 per minute")
    storage = limiter.storage
    storage.incr("LIMITER/198.51.100.7/near/100/1/minute", 0.05)  # a client whose window ends at once
    time.sleep(0.1)
    client = app.test_client()
    deadline = time.monotonic() + 5
    while "LIMITER/198.51.100.7/near/100/1/minute" in storage.storage:
        assert time.monotonic() < deadline, "the counter of a client gone was never swept"
        client.get("/in-der-naehe?ort=Hildesheim")  # a visitor's request: the next sweep is due
        time.sleep(0.06)
    assert client.get("/in-der-naehe?ort=Hildesheim").status_code == 200


@pytest.mark.parametrize("name", ["CHECKED", "parse_many"])
def test_a_flask_limiter_that_no_longer_uses_the_names_the_atlas_relies_on_stops_the_start(monkeypatch, name):
    """atlas.web.limits skips Flask-Limiter's headers and deductions where its request state is missing, and replaces
    its parse of a limit: a release that renamed either must stop the app's start, not leave limits out silently."""
    import flask_limiter._limits

    from atlas.web import limits

    if name == "CHECKED":
        monkeypatch.setattr(limits, "CHECKED", "_limiter_state_renamed")
    else:
        monkeypatch.setattr(flask_limiter._limits.Limit, "__iter__", lambda self: iter(()))
    with pytest.raises(RuntimeError, match="Flask-Limiter no longer uses"):
        limits._names_hold()
