"""The public pages, read as HTML: maps, lists, filters, counts, 404s, and escaping of user text."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup
from helpers import PAYLOADS, assert_kept_per_header, make_app

from atlas.projects import validate_project
from atlas.store import PUBLISHED

XSS = "<img src=x onerror=alert(1)>"


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def listed(response):
    return [a.get_text(strip=True) for a in soup(response).select("#projektliste a.projekt-name")]


def test_the_start_page_lists_every_published_project_beside_the_map(client):
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("html")["lang"] == "de"
    assert page.select_one(".map .folium-map")
    assert len(listed(response)) == 7
    map_script = page.select("script[src]")[-1]
    script = client.get(map_script["src"]).get_data(as_text=True)
    assert map_script["type"] == "module" and '"atlas:projects"' in script, "it hands its map over, as a module"
    assert "window." not in script, "and leaves no global behind"
    assert page.select("#filter input[name=hf]") and len(page.select("#filter input[name=hf]")) == 5


@pytest.mark.parametrize("url", ["/", "/region/lueneburg", "/projekt/1", "/in-der-naehe?ort=Hannover",
                                 "/einreichen", "/amt/anmelden", "/gibt-es-nicht"])
def test_no_page_holds_an_inline_script_and_each_sends_the_security_headers(client, url):
    response = client.get(url)
    assert not [s for s in soup(response).select("script") if not s.get("src") and s.get("type") != "application/json"]
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers, "HSTS only over HTTPS"


def test_a_coroutine_view_is_refused_at_every_request_as_flask_refuses_it(app):
    """The app remembers which of its functions are plain (Flask asks `inspect` for each hook and view of every
    request); a coroutine function is handed to Flask each time, which refuses it without its async extra."""
    from flask import Flask

    def plain():
        return "plain"

    async def coroutine():
        return "coroutine"

    assert app.ensure_sync(plain) is plain and app.ensure_sync(plain) is plain
    refusals = []
    for ensure_sync in (app.ensure_sync, app.ensure_sync, lambda func: Flask.ensure_sync(app, func)):
        with pytest.raises(RuntimeError) as refused:
            ensure_sync(coroutine)
        refusals.append(str(refused.value))
    assert len(set(refusals)) == 1 and "async" in refusals[0]
    app.add_url_rule("/plain", view_func=plain)
    app.add_url_rule("/coroutine", view_func=coroutine)
    client = app.test_client()
    assert [client.get("/coroutine").status_code for _ in range(2)] == [500, 500]
    assert [client.get("/plain").get_data(as_text=True) for _ in range(2)] == ["plain", "plain"]


def test_hsts_is_sent_over_https_and_only_there(client):
    # the headers of a view are kept per process: whether a request came over HTTPS must still be asked each time
    for _ in range(2):
        response = client.get("/", base_url="https://atlas.example")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31556926")
        assert "Strict-Transport-Security" not in client.get("/").headers
        behind_proxy = client.get("/", headers={"X-Forwarded-Proto": "https"})
        assert behind_proxy.headers["Strict-Transport-Security"].startswith("max-age=31556926")


def test_with_https_forced_a_plain_request_is_sent_to_https_and_one_over_https_is_answered(tmp_path):
    app = make_app(tmp_path, FORCE_HTTPS=True, SESSION_COOKIE_SECURE=True, BASE_URL="https://localhost")
    client = app.test_client()
    for _ in range(2):
        plain = client.get("/suche?q=Garten")
        assert plain.status_code == 302 and plain.headers["Location"] == "https://localhost/suche?q=Garten"
        assert client.get("/suche?q=Garten", base_url="https://localhost").status_code == 200
        assert client.get("/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert app.config["SESSION_COOKIE_SECURE"] is True
    relaxed = make_app(tmp_path / "relaxed")
    assert relaxed.test_client().get("/").status_code == 200 and relaxed.config["SESSION_COOKIE_SECURE"] is False


def test_a_map_script_is_cached_long_under_its_version(client):
    src = soup(client.get("/region/weser-ems")).select("script[src]")[-1]["src"]
    assert src.startswith("/karte/region-weser-ems.js?v=")
    assert client.get(src).cache_control.max_age == 365 * 24 * 3600
    assert client.get("/karte/region-weser-ems.js?v=alt").cache_control.max_age == 3600
    assert client.get("/karte/bayern.js").status_code == 404


@pytest.mark.parametrize("url", ["/", "/region/leine-weser?hf=sprache", "/projekt/1"])
def test_a_page_is_sent_as_stored_and_not_again_when_the_browser_has_it(client, seeded, url):
    import gzip

    first = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert first.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in first.headers["Vary"]
    assert first.cache_control.no_cache and first.cache_control.public
    page = gzip.decompress(first.get_data()).decode()
    assert page == client.get(url).get_data(as_text=True), "the same page, plain for who cannot unzip"
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert "Hemminger Netzwerk" in page
    seeded.extensions["atlas"].store.set_status(1, "rejected", "Test", actor="test")  # a project it shows goes
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code in (200, 404) and changed.headers.get("ETag") != first.headers["ETag"]


def test_static_files_carry_their_version_and_are_kept_a_year(client):
    page = soup(client.get("/"))
    urls = [t["src"] for t in page.select("script[src]")] + [t["href"] for t in page.select("link[rel=stylesheet]")]
    # the browser code's modules carry theirs in the path (atlas/web/assets.py says why)
    assert len(urls) == 9 and all("?v=" in u or re.fullmatch(r"/js/[0-9a-f]{20}/\w+\.js", u) for u in urls), urls
    for url in urls:
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable, url
        assert response.headers["Content-Encoding"] == "gzip", url
    assert client.get("/static/../pyproject.toml").status_code == 404
    assert client.get("/static/gibt-es-nicht.js").status_code == 404
    assert client.get("/vendor/leaflet/../../etc/passwd").status_code == 404


def test_no_asset_comes_from_another_host(client):
    html = client.get("/").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    sources = [t.get("src") for t in page.find_all("script") if t.get("src")] + \
              [t.get("href") for t in page.find_all("link") if t.get("href")]
    assert sources and all(s.startswith("/") or s.startswith("data:") for s in sources), sources
    for source in sources:
        if source.startswith("/"):
            with client.get(source) as response:
                assert response.status_code == 200, source


def test_the_filter_in_the_url_selects_the_list(client):
    response = client.get("/?hf=sprache&hf=teilhabe")
    assert sorted(listed(response)) == ["Hemminger Netzwerk für Flüchtlinge", "Lebenswege begleiten"]
    checked = [i["value"] for i in soup(response).select("#filter input[name=hf][checked]")]
    assert checked == ["sprache", "teilhabe"]


@pytest.mark.parametrize(("url", "message"), [
    ("/?hf=kochen", "Unbekannter Wert „kochen“ für Handlungsfeld"),
    ("/region/lueneburg?hf=sprache&hf=x1", "Unbekannter Wert „x1“ für Handlungsfeld"),
    ("/?seite=0", "Ungültige Seitenzahl „0“"),
    ("/?seite=abc", "Ungültige Seitenzahl „abc“"),
    ("/?seite=99999999999999999999", "Ungültige Seitenzahl"),
    ("/?seite=2", "Seite 2 gibt es nicht: die Liste hat 1 Seite(n)."),
])
def test_a_bad_filter_or_page_is_a_400_that_names_it(client, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert message in soup(response).select_one("main").get_text()
    assert soup(response).select_one("header.site")


def test_bad_parameters_are_not_kept_in_the_page_cache(client, seeded):
    pages = seeded.extensions["atlas_pages"]
    client.get("/")
    kept, size = len(pages), pages.bytes
    for i in range(300):
        assert client.get(f"/?hf=x{i}").status_code == 400
        assert client.get(f"/?seite={i + 2}").status_code == 400
    assert (len(pages), pages.bytes) == (kept, size)
    assert client.get("/").status_code == 200 and pages.hits >= 1


def test_the_page_cache_is_bounded_in_bytes():
    from atlas.web.cache import PageCache

    cache = PageCache(max_bytes=10_000)
    for i in range(100):
        assert cache.get(("seite", i), 1, lambda i=i: f"{i:04d}" * 250).body == f"{i:04d}".encode() * 250
    one = cache.get(("seite", 99), 1, lambda: "neu").size
    assert cache.bytes <= 10_000 and len(cache) == 10_000 // one
    assert cache.get(("seite", 99), 1, lambda: "neu").body == b"0099" * 250, "the newest pages stay"
    assert cache.get(("seite", 0), 1, lambda: "neu").body == b"neu", "the oldest went"
    assert cache.get(("seite", 99), 2, lambda: "neu").body == b"neu", "a new store version renews the page"
    assert len(cache) == 1


def test_the_page_cache_evicts_the_least_recently_asked_cheap_page_first_then_the_least_recently_asked():
    """Pages kept, asked again and evicted in a random order, against the rule written out: over the bound, the
    cheap page asked least recently goes, and only where none is cheap the dear one asked least recently."""
    import random

    from atlas.web.cache import CHEAP_SECONDS, PageCache
    from atlas.web.prepared import prepare

    chance = random.Random(54)
    size = prepare("x" * 1_000, "text/html").size
    cache = PageCache(max_bytes=12 * size)
    order, dear = [], {}  # the rule's own bookkeeping: least recently asked first
    for step in range(3_000):
        key = ("seite", chance.randrange(40))
        full_key = (None, 1, key)
        if full_key in dear:
            assert cache.kept(key, 1) is not None, step
            order.remove(full_key)
            order.append(full_key)
        else:  # a new page: kept, then the bound (which may evict the new page itself, where all others are dear)
            dear[full_key] = chance.random() < 0.3 if step < 2_000 else chance.random() < 0.9
            cache._keep(full_key, prepare("x" * 1_000, "text/html"), 2 * CHEAP_SECONDS if dear[full_key] else 0.0)
            order.append(full_key)
            while len(order) > 12:
                gone = next((k for k in order if not dear[k]), order[0])
                order.remove(gone)
                del dear[gone]
        assert list(cache._pages) == order, step
    assert cache.bytes == 12 * size


def test_the_page_cache_counts_each_coding_it_holds_and_evicts_by_them(monkeypatch):
    """A page is compressed for the browser that asks, when it asks – the first one as it is made, another one's
    coding at its hit – and the bound counts every coding a page holds, also one made while the page waited."""
    from flask import Flask

    from atlas.web import cache as cache_module
    from atlas.web.cache import PageCache

    monkeypatch.setattr(cache_module, "CHEAP_SECONDS", float("inf"))  # every page cheap: the oldest goes first

    asking = Flask(__name__)
    cache = PageCache(max_bytes=100_000)
    with asking.test_request_context(headers={"Accept-Encoding": "gzip, zstd"}):
        page = cache.get("seite", 1, lambda: "Sprachcafé " * 4_000)
    zstd = page.coded("zstd")
    assert page.size == len(page.body) + len(zstd) == cache.bytes, "made in the asker's coding, counted"
    with asking.test_request_context(headers={"Accept-Encoding": "gzip"}):
        assert cache.get("seite", 1, lambda: "neu") is page
    assert cache.bytes == len(page.body) + len(zstd) + len(page.coded("gzip")), "the second coding counted at once"
    with asking.test_request_context(headers={"Accept-Encoding": "identity"}):
        assert cache.get("seite", 1, lambda: "neu") is page and cache.bytes == page.size
    other = cache.get("andere", 1, lambda: "Deutschkurs " * 3_000)  # outside a request: no coding made
    assert cache.bytes == page.size + other.size
    cache.max_bytes = cache.bytes + 10
    other.coded("gzip")  # made by a request the cache did not see (respond), before the page is asked again
    with asking.test_request_context(headers={"Accept-Encoding": "zstd"}):
        cache.get("andere", 1, lambda: "neu")  # its zstd made, counted with the gzip: over the bound, the least
    assert len(cache) == 1 and cache.bytes == other.size <= cache.max_bytes, "recently asked page went"
    uncounted = cache.get("dritte", 1, lambda: "Hausaufgabenhilfe " * 100)
    uncounted.coded("gzip")  # made outside the cache's sight, never counted: dropped, it takes what was counted
    last = cache.get("vierte", 1, lambda: "x" * (cache.max_bytes - 1_000))
    assert len(cache) == 1 and cache.bytes == last.size


def test_a_page_that_fits_the_page_cache_only_without_its_coding_is_not_kept_and_the_others_stay():
    from flask import Flask

    from atlas.web.cache import PageCache

    asking = Flask(__name__)
    cache = PageCache(max_bytes=100_000)
    for i in range(8):
        cache.get(("klein", i), 1, lambda i=i: f"Seite {i} " * 500)
    kept, counted = len(cache), cache.bytes
    big = "".join(f"{i:x}" for i in range(30_000))[:99_990]  # fits alone, not with its zstd
    with asking.test_request_context(headers={"Accept-Encoding": "zstd"}):
        for _ in range(2):
            assert cache.get("gross", 1, lambda: big).body == big.encode()
    assert (len(cache), cache.bytes) == (kept, counted), "the small pages stay, the big one is made each time"
    assert cache.renders == 8 + 2
    from atlas.web.prepared import prepare

    sizes = prepare(big, "text/html")
    tight = PageCache(max_bytes=len(big) + len(sizes.coded("zstd")) + 5_000)
    small = tight.get("klein", 1, lambda: "Sprachcafé " * 300)
    with asking.test_request_context(headers={"Accept-Encoding": "zstd"}):
        tight.get("gross", 1, lambda: big)
    assert len(tight) == 2, "with its zstd it fits"
    with asking.test_request_context(headers={"Accept-Encoding": "gzip"}):
        assert tight.get("gross", 1, lambda: "neu").body == big.encode()
    assert len(tight) == 1 and tight.bytes == small.size, "with its gzip too it does not: it goes, alone"
    held = cache.get(("klein", 0), 1, lambda: "neu")
    with asking.test_request_context(headers={"Accept-Encoding": "gzip"}):
        found = cache._hit((None, 1, ("klein", 0)))
        cache._drop((None, 1, ("klein", 0)))  # evicted by another thread between its hit and its coding
        assert cache._asked((None, 1, ("klein", 0)), found) is held
    assert cache.bytes == counted - len(held.body), "a page dropped meanwhile adds nothing to the count"


@pytest.mark.parametrize(("url", "why"), [
    ("/vendor/leaflet/images/marker-icon.png", "an image is compressed already"),
    ("/daten/ersetzte-projekte.csv", "a kept file of a few bytes gains little"),
    ("/gibt-es-nicht", "an error page is sent as it is"),
    ("/_klein", "a few hundred bytes gain little")])
def test_what_would_gain_little_is_sent_as_it_is(tmp_path, url, why):
    from helpers import make_app

    app = make_app(tmp_path)
    app.add_url_rule("/_klein", "klein", lambda: "<p>" + "klein " * 70 + "</p>")
    client = app.test_client()
    for accepted in ("gzip, deflate, br, zstd", "gzip"):
        response = client.get(url, headers={"Accept-Encoding": accepted})
        assert "Content-Encoding" not in response.headers, why
        assert "Accept-Encoding" in response.headers["Vary"]
    small = client.get("/_klein", headers={"Accept-Encoding": "zstd"}).get_data()
    assert small == ("<p>" + "klein " * 70 + "</p>").encode()


def test_text_with_a_parameter_in_its_type_and_source_maps_are_sent_compressed(client):
    from atlas.ogc import OPENAPI_TYPE
    from atlas.web.prepared import prepare

    assert prepare("{}" * 1_000, OPENAPI_TYPE).sent("zstd")[1] == "zstd", "…+json;version=3.0 is JSON"
    source_map = client.get("/vendor/leaflet/leaflet.js.map", headers={"Accept-Encoding": "gzip, zstd"})
    assert source_map.status_code == 200 and source_map.mimetype == "application/json"
    assert source_map.headers["Content-Encoding"] == "zstd"


def test_a_kept_page_has_one_weak_etag_for_every_coding_and_a_weak_match_is_a_304(client):
    """The ETag names the page, not its bytes in one coding: a weak one (RFC 9110 8.8.3), compared weakly."""
    sent = client.get("/", headers={"Accept-Encoding": "zstd"})
    etag = sent.headers["ETag"]
    assert etag.startswith('W/"') and client.get("/", headers={"Accept-Encoding": "gzip"}).headers["ETag"] == etag
    for asked in (etag, etag[2:], f'"anderes", {etag}', "*"):
        assert client.get("/", headers={"If-None-Match": asked}).status_code == 304, asked
    assert client.get("/", headers={"If-None-Match": 'W/"anderes"'}).status_code == 200


def test_a_district_shows_only_its_projects_and_counts_per_kreis(client):
    response = client.get("/region/weser-ems")
    assert sorted(listed(response)) == ["Gewerkepass", "Willkommenskultur Meppen"]
    table = soup(response).select_one("table.counts")
    rows = {tr.th.get_text(strip=True): [td.get_text() for td in tr.select("td")] for tr in table.select("tbody tr")}
    assert len(rows) == 17
    assert rows["Stadt Osnabrück"] == ["0", "1", "0", "0", "0", "1", "A4"]  # the last: its poster to print
    assert rows["Landkreis Emsland"] == ["0", "0", "1", "0", "0", "1", "A4"]
    assert [td.get_text() for td in table.select("tfoot td")][-2] == "2"
    assert table.select_one("tfoot a")["href"] == "/aushang/weser-ems"


@pytest.mark.parametrize("url", ["/region/bayern", "/projekt/9999", "/projekt/abc", "/gibt-es-nicht",
                                 "/projekt/9223372036854775808", "/projekt/2147483648", "/projekt/0",
                                 "/projekt/-1", "/amt/projekt/9223372036854775808",
                                 "/karte/kreise/bayern.geojson", "/vendor/jquery/jquery.js"])
def test_unknown_pages_are_404_in_the_site_layout(client, url):
    response = client.get(url)
    assert response.status_code == 404
    page = soup(response)
    assert page.select_one("header.site") and "nicht gefunden" in page.h1.get_text()


def test_a_project_page_shows_the_project_with_a_small_map(client, services):
    project_id = next(r["id"] for r in services.store.rows() if r["name"] == "Gewerkepass")
    page = soup(client.get(f"/projekt/{project_id}"))
    assert page.h1.get_text() == "Gewerkepass"
    assert "Amt für regionale Landesentwicklung Weser-Ems" in page.get_text()
    assert page.select_one(".map.small .folium-map")


def test_a_pending_project_has_no_public_page(client, services):
    project, _ = validate_project({"name": "Wartet", "handlungsfelder": "sprache", "ort": "Meppen"})
    project_id = services.store.add(project, services.geocoder.geocode("Meppen").place)
    assert client.get(f"/projekt/{project_id}").status_code == 404


def test_user_text_is_escaped_in_pages_and_map_data(client, services):
    project, errors = validate_project({"name": XSS, "traeger": f"</script>{XSS}", "description": XSS,
                                        "handlungsfelder": "sprache", "ort": "Meppen"})
    assert not errors
    project_id = services.store.add(project, services.geocoder.geocode("Meppen").place, PUBLISHED)
    for url in ("/", "/region/weser-ems", f"/projekt/{project_id}"):
        html = client.get(url).get_data(as_text=True)
        assert XSS not in html and "</script><img" not in html, url
        assert not BeautifulSoup(html, "html.parser").find("img"), url


def test_a_repeated_request_comes_from_the_cache_until_a_publication_renews_it(client, seeded, services):
    cache = seeded.extensions["atlas_pages"]
    client.get("/")
    hits = cache.hits
    client.get("/")
    assert cache.hits == hits + 1
    project, _ = validate_project({"name": "Neu hier", "handlungsfelder": "sprache", "ort": "Meppen"})
    services.store.add(project, services.geocoder.geocode("Meppen").place, PUBLISHED)
    assert "Neu hier" in listed(client.get("/"))


def test_a_long_list_is_paged_for_people_without_javascript(client, services):
    place = services.geocoder.geocode("Meppen").place
    items = []
    for i in range(60):
        project, _ = validate_project({"name": f"Projekt {i:02d}", "handlungsfelder": "teilhabe", "ort": "Meppen"})
        items.append((project, place))
    services.store.add_many(items, PUBLISHED)
    first = soup(client.get("/?hf=teilhabe"))
    assert len(first.select("#projektliste li")) == 50
    next_link = first.select_one("#seiten a")["href"]
    assert "seite=2" in next_link and "hf=teilhabe" in next_link
    second = soup(client.get("/" + next_link))
    assert len(second.select("#projektliste li")) == 61 - 50


@pytest.mark.parametrize("refusing", ["identity, gzip;q=0", "gzip;q=0", "*;q=0", "gzip;q=0, zstd;q=0, *", "br"])
@pytest.mark.parametrize("url", ["/", "/in-der-naehe?lat=52.37520&lon=9.73200&umkreis=50"])
def test_a_browser_that_refuses_zstd_and_gzip_gets_the_page_plain(client, url, refusing):
    """A page kept for many readers and one made for this reader alike."""
    response = client.get(url, headers={"Accept-Encoding": refusing})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "Hemminger Netzwerk" in soup(response).get_text()


@pytest.mark.parametrize(("accepted", "coding"), [
    ("gzip, deflate, br, zstd", "zstd"),  # what Chromium and Firefox send
    ("gzip, deflate, br", "gzip"), ("GZIP", "gzip"), ("zstd", "zstd"), ("*", "zstd"),
    ("gzip;q=0, *", "zstd"), ("zstd;q=0.5, gzip", "gzip"), ("zstd;q=0, gzip;q=0.1", "gzip"),
    ("zstd;q=0.9, gzip;q=0.9", "zstd")])
@pytest.mark.parametrize("url", ["/", "/in-der-naehe?lat=52.37520&lon=9.73200&umkreis=50", "/projekt/1"])
def test_a_browser_gets_the_page_in_the_coding_it_prefers_the_same_page(client, url, accepted, coding):
    """zstd to a browser that takes it, gzip to one that takes only gzip or prefers it: a page kept for many readers
    under one ETag whatever the coding, and a page made for this reader, alike once unpacked."""
    import gzip
    import re

    from atlas.web.prepared import zstd

    sent = client.get(url, headers={"Accept-Encoding": accepted})
    assert sent.status_code == 200 and sent.headers["Content-Encoding"] == coding
    assert "Accept-Encoding" in sent.headers["Vary"]
    page = (zstd if coding == "zstd" else gzip).decompress(sent.get_data())
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    without_nonce = re.compile(rb'nonce="[^"]*"')
    assert without_nonce.sub(b"", page) == without_nonce.sub(b"", plain.get_data())
    assert b"Hemminger Netzwerk" in page
    if url == "/":  # kept: one ETag for the page, and the browser's copy is current whichever coding it came in
        assert sent.headers["ETag"] == plain.headers["ETag"]
        again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": sent.headers["ETag"]})
        assert again.status_code == 304


def test_the_coding_kept_per_header_is_the_one_werkzeugs_parse_gives_and_the_kept_ones_are_bounded(app):
    """atlas.web.prepared.coding keeps its answer per Accept-Encoding header: asked again, the same as the header
    parsed anew by the request (werkzeug's accept_encodings); at most HEADERS kept, a long header never."""
    from flask import request

    from atlas.web.per_header import HEADERS, LONGEST
    from atlas.web.prepared import CODINGS, _coding_of, coding

    def werkzeugs() -> str | None:
        accepted = request.accept_encodings
        quality, name = max((accepted[name], -i) for i, name in enumerate(CODINGS))
        return CODINGS[-name] if quality > 0 else None

    headers = ["gzip, deflate, br, zstd", "gzip, deflate, br", "GZIP", "*", "gzip;q=0, *", "zstd;q=0.5, gzip",
               "identity, gzip;q=0", "*;q=0", "br", "", ";;,,q=", "x" * LONGEST + ", zstd"]
    headers += [f"gzip;q=0.{i % 9 + 1}, x-{i}" for i in range(HEADERS + 50)]
    assert_kept_per_header(app, "Accept-Encoding", headers, _coding_of, coding, werkzeugs)
    with app.test_request_context():  # no header: a client that takes no coding
        assert coding() is None


def test_pages_are_sent_compressed(client):
    """Pages kept for many readers are compressed once; a page made for one reader (a near search at the position
    their browser shared) is compressed as it is sent – the same page either way."""
    import gzip
    import re

    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    url = "/in-der-naehe?lat=52.37520&lon=9.73200&umkreis=50"
    made = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert made.status_code == 200 and made.headers["Content-Encoding"] == "gzip"
    page = gzip.decompress(made.get_data())
    assert "treffer" in page.decode()
    without_nonce = re.compile(rb'nonce="[^"]*"')
    assert without_nonce.sub(b"", page) == without_nonce.sub(b"", client.get(url).get_data())


def test_search_and_api_pages_are_kept_compressed_as_pages_sent_once_and_the_map_as_one_sent_often(client):
    """Most searches are asked once, and a client paging through the API asks each page once: their pages are
    compressed at the level of a page sent once (atlas.web.prepared's SENT_LEVELS), and kept for the same query
    again; the map, asked by every visitor, at the level of a kept page."""
    from atlas.web.prepared import KEPT_LEVELS, SENT_LEVELS, zstd

    for url, level in (("/suche?q=Deutsch", SENT_LEVELS["zstd"]), ("/ogc/collections/projekte/items?limit=50",
                                                                      SENT_LEVELS["zstd"]), ("/", KEPT_LEVELS["zstd"])):
        first = client.get(url, headers={"Accept-Encoding": "zstd"})
        assert first.status_code == 200 and first.headers["Content-Encoding"] == "zstd", url
        page = zstd.decompress(first.get_data())
        assert first.get_data() == zstd.compress(page, level), url
        assert client.get(url, headers={"Accept-Encoding": "zstd"}).get_data() == first.get_data(), url
    assert SENT_LEVELS["zstd"] < KEPT_LEVELS["zstd"]


def test_the_map_data_is_a_versioned_resource_that_a_filter_or_a_repeat_visit_does_not_load_again(client, seeded):
    pages = [soup(client.get(url)) for url in ("/", "/?hf=sprache", "/?hf=teilhabe&hf=sprache")]
    sources = {json.loads(page.select_one("#atlas-data").get_text())["src"] for page in pages}
    assert len(sources) == 1, "every filter of the map uses the same data"
    [src] = sources
    page_size = len(client.get("/").get_data())
    assert page_size < 25_000, page_size  # the page names the data (and carries its words), not the projects
    data = client.get(src, headers={"Accept-Encoding": "gzip"})
    assert data.cache_control.max_age == 365 * 24 * 3600 and data.cache_control.immutable
    assert data.headers["Content-Encoding"] == "gzip"
    assert client.get(src, headers={"If-None-Match": data.headers["ETag"]}).status_code == 304
    assert len(client.get(src).get_json()["id"]) == 7
    seeded.extensions["atlas"].store.set_status(1, "rejected", "Test", actor="test")
    renewed = json.loads(soup(client.get("/")).select_one("#atlas-data").get_text())["src"]
    assert renewed != src and len(client.get(renewed).get_json()["id"]) == 6
    assert client.get(src).cache_control.no_cache, "an old version is no longer kept for long"
    region = json.loads(soup(client.get("/region/weser-ems")).select_one("#atlas-data").get_text())["src"]
    assert len(client.get(region).get_json()["id"]) == 2
    assert client.get("/karte/projekte.json?arl=bayern").status_code == 400


@pytest.mark.parametrize("value", [*PAYLOADS[:8], "\u202eleine-weser", "weser-ems\x00", "x" * 100_000, ""])
def test_the_data_resource_and_map_scripts_take_hostile_values_as_text(client, value):
    from urllib.parse import quote

    data = client.get(f"/karte/projekte.json?arl={quote(value)}&v={quote(value)}")
    if value:
        assert data.status_code == 400
        body = data.get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body and "\u202e" not in body
        assert soup(data).select_one("header.site")
    else:
        assert data.status_code == 200 and len(data.get_json()["id"]) == 7
    assert client.get(f"/karte/{quote(value, safe='')}.js").status_code == 404
    assert client.get(f"/healthz?{quote(value)}={quote(value)}").status_code == 200
