"""A submitter who ticks „Standort nur ungefähr“ is shown about 1 km off, everywhere: no public channel – map data,
downloads, the API, pages, searches, the embedded map, the poster – lets the exact position through, and distances
are measured to the public position."""

from __future__ import annotations

import re

import pytest
from helpers import facts, html, make_app

from atlas.geo import distance_km
from atlas.i18n import number
from atlas.store import PUBLISHED

EXACT = (52.15137, 9.95179)  # Hildesheim: its public position is (52.15, 9.95)
ROUNDED = (52.15, 9.95)
SEEKER = (52.17, 9.99)  # someone north-east of it, whose distance to the two differs at one decimal
SEARCHED_FROM = "Harsum"  # a place the text search is asked around, whose distance to the two differs too


@pytest.fixture(scope="module")
def rough(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("rough"))
    services = app.extensions["atlas"]
    place = services.geocoder.position(*EXACT, name="Hildesheim").place
    [project_id] = services.store.add_many([(facts(name="Ungefähres Sprachcafé", ort="Hildesheim", approximate=True),
                                             place)], PUBLISHED)
    return app, project_id


def channels(project_id: int) -> list[str]:
    return ["/", "/region/leine-weser", "/karte/projekte.json", "/daten/projekte.geojson",
            "/daten/projekte.csv", "/ogc/collections/projekte/items?limit=1000",
            f"/ogc/collections/projekte/items/{project_id}", f"/projekt/{project_id}",
            f"/in-der-naehe?lat={SEEKER[0]}&lon={SEEKER[1]}&umkreis=25", "/suche?q=Sprachcaf%C3%A9",
            f"/suche?q=Sprachcaf%C3%A9&ort={SEARCHED_FROM}&umkreis=25", "/einbetten?kreis=03254",
            f"/einbetten?lat={SEEKER[0]}&lon={SEEKER[1]}&umkreis=25", "/aushang/03254"]


def exact_digits() -> re.Pattern:
    """The exact coordinates written with three decimals or more, or as the map data's integers (degrees × 10⁵)."""
    return re.compile("|".join([rf"{int(v)}[.,]{str(v).split('.')[1][:3]}" for v in EXACT]
                               + [str(round(v * 100_000)) for v in EXACT]))


def test_no_public_channel_lets_the_exact_position_through(rough):
    app, project_id = rough
    client = app.test_client()
    for url in channels(project_id):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not exact_digits().search(response.get_data(as_text=True)), url


def test_the_data_channels_carry_the_public_position(rough):
    app, project_id = rough
    client = app.test_client()
    feature = client.get(f"/ogc/collections/projekte/items/{project_id}").get_json()
    assert feature["geometry"]["coordinates"] == [ROUNDED[1], ROUNDED[0]]
    [download] = [f for f in client.get("/daten/projekte.geojson").get_json()["features"]
                  if f["properties"]["name"] == "Ungefähres Sprachcafé"]
    assert download["geometry"]["coordinates"] == [ROUNDED[1], ROUNDED[0]]
    data = client.get("/karte/projekte.json").get_json()
    assert (data["lat"], data["lon"]) == ([round(ROUNDED[0] * 100_000)], [round(ROUNDED[1] * 100_000)])


def test_distances_are_measured_to_the_public_position(rough):
    app, _ = rough
    searched = app.extensions["atlas"].geocoder.geocode(SEARCHED_FROM).place
    for url, (lat, lon) in ((f"/in-der-naehe?lat={SEEKER[0]}&lon={SEEKER[1]}&umkreis=25", SEEKER),
                            (f"/suche?q=Sprachcaf%C3%A9&ort={SEARCHED_FROM}&umkreis=25", (searched.lat, searched.lon))):
        public, exact = (number(distance_km(lat, lon, *where), 1) for where in (ROUNDED, EXACT))
        assert public != exact  # the seeker stands where the two differ
        shown = html(app.test_client().get(url)).select_one(".entfernung").get_text().replace("\xa0", " ")
        assert shown == f"{public} km", (url, shown, public)
