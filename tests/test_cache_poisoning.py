"""Pages and files kept for everyone carry nothing the first requester chose: no host from a Host or X-Forwarded-Host
header, no parameter the page did not validate."""

from __future__ import annotations

import pytest
from helpers import html, make_app

from atlas.i18n import LANGUAGES

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once

BASE = "https://atlas.example"
EVIL = "evil.example"


@pytest.fixture
def public_app(tmp_path):
    return make_app(tmp_path, seeded=True, BASE_URL=BASE, PROXY_COUNT=1)


def everything_kept(client) -> str:
    """What an ordinary visitor gets after the attacker asked first: pages, the embedding code, both downloads."""
    return "".join(client.get(path).get_data(as_text=True) for path in (
        "/", "/region/leine-weser", "/?hf=sprache", "/daten/projekte.csv", "/daten/projekte.geojson",
        "/ogc/collections/projekte/items"))


@pytest.mark.parametrize("header", ["Host", "X-Forwarded-Host"])
def test_a_host_named_by_the_first_requester_reaches_nobody_else(public_app, header):
    attacker = public_app.test_client()
    for path in ("/", "/region/leine-weser", "/?hf=sprache", "/daten/projekte.csv", "/daten/projekte.geojson",
                 "/ogc/collections/projekte/items"):
        attacker.get(path, headers={header: EVIL})
    kept = everything_kept(public_app.test_client())
    assert EVIL not in kept
    assert f"{BASE}/einbetten" in kept and f"{BASE}/projekt/1" in kept


def test_only_trusted_hosts_are_served_where_the_operator_names_them(tmp_path):
    app = make_app(tmp_path, BASE_URL=BASE, TRUSTED_HOSTS=["atlas.example"])
    client = app.test_client()
    assert client.get("/impressum", headers={"Host": "atlas.example"}).status_code == 200
    assert client.get("/impressum", headers={"Host": EVIL}).status_code == 400


@pytest.mark.parametrize("path", ["/", "/region/leine-weser", "/projekt/1", "/?hf=sprache"])
def test_language_links_of_a_kept_page_carry_only_its_own_parameters(public_app, path):
    joiner = "&" if "?" in path else "?"
    public_app.test_client().get(f"{path}{joiner}boese=%22%3E%3Cx&utm_source=spam")
    page = html(public_app.test_client().get(path))
    links = [a["href"] for a in page.select(".language-menu a[hreflang]")]
    assert len(links) == len(LANGUAGES)
    assert not any("boese" in link or "utm_source" in link for link in links), links
    if "hf=sprache" in path:
        assert all("hf=sprache" in link for link in links)
