"""The online geocoder behind a setting, against a loopback server that answers like Nominatim."""

from __future__ import annotations

import pytest
from helpers import html, make_app

HOUSE = {"lat": "52.3141", "lon": "9.7402", "display_name": "Rathausplatz 1, 30966 Hemmingen",
         "type": "townhall", "addresstype": "amenity",
         "address": {"house_number": "1", "road": "Rathausplatz", "postcode": "30966", "town": "Hemmingen"}}


@pytest.fixture
def geocoder(online_app):
    return online_app.extensions["atlas"].geocoder


def test_an_address_is_found_online_to_the_house(geocoder, nominatim):
    nominatim.answers["rathausplatz 1, 30966 hemmingen"] = [HOUSE]
    result = geocoder.geocode("Rathausplatz 1, 30966 Hemmingen")
    assert result.status == "ok"
    assert result.place.precision == "address" and not result.place.approximate
    assert result.place.kreis.label == "Region Hannover"
    assert "OpenStreetMap" in result.place.source
    (_, params), = nominatim.requests
    assert params["countrycodes"] == "de"


def test_an_import_asks_online_for_each_street_of_one_place(online_app, nominatim, tmp_path):
    """With an online geocoder the street places a project: rows of one PLZ and Ort are geocoded street by street."""
    nominatim.answers["rathausplatz 1, 30966 hemmingen"] = [HOUSE]
    nominatim.answers["am anger 5, 30966 hemmingen"] = [{**HOUSE, "lat": "52.3302", "lon": "9.7155",
                                                        "display_name": "Am Anger 5, 30966 Hemmingen"}]
    path = tmp_path / "projekte.csv"
    path.write_text("name,handlungsfelder,strasse,plz,ort\n"
                    "Am Rathaus,sprache,Rathausplatz 1,30966,Hemmingen\n"
                    "Im Dorf,sprache,Am Anger 5,30966,Hemmingen\n", encoding="utf-8")
    result = online_app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert len(nominatim.requests) == 2
    rows = {row["name"]: row for row in online_app.extensions["atlas"].store.rows()}
    assert round(rows["Am Rathaus"]["lat"], 4) == 52.3141 and round(rows["Im Dorf"]["lat"], 4) == 52.3302


def test_answers_are_cached_persistently(geocoder, nominatim, online_app, tmp_path):
    nominatim.answers["rathausplatz 1, 30966 hemmingen"] = [HOUSE]
    geocoder.geocode("Rathausplatz 1, 30966 Hemmingen")
    geocoder.geocode("Rathausplatz 1, 30966 Hemmingen")
    again = make_app(tmp_path / "again", GEOCODER="nominatim", NOMINATIM_URL=nominatim.url,
                     DATABASE_URL=online_app.config["DATABASE_URL"])
    assert again.extensions["atlas"].geocoder.geocode("Rathausplatz 1, 30966 Hemmingen").ok
    assert len(nominatim.requests) == 1


def test_two_processes_together_ask_at_most_once_a_second(online_app, nominatim, tmp_path):
    """Two apps with their own engines stand for two processes (or machines) sharing the database."""
    import threading

    other = make_app(tmp_path / "zweiter", GEOCODER="nominatim", NOMINATIM_URL=nominatim.url,
                     DATABASE_URL=online_app.config["DATABASE_URL"])
    geocoders = [online_app.extensions["atlas"].geocoder, other.extensions["atlas"].geocoder]

    def ask(geocoder, n):
        for i in range(2):
            geocoder.geocode(f"Am Markt {n}{i}, 30966 Hemmingen")

    threads = [threading.Thread(target=ask, args=(g, n)) for n, g in enumerate(geocoders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = sorted(t for t, _ in nominatim.requests)
    assert len(times) == 4
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.95


def test_at_most_one_request_per_second(geocoder, nominatim):
    for street in ("Am Markt 1", "Am Markt 2", "Am Markt 3"):
        geocoder.geocode(f"{street}, 30966 Hemmingen")
    times = [t for t, _ in nominatim.requests]
    assert len(times) == 3
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.95


def test_a_failing_provider_gives_a_message_and_the_approximate_place(geocoder, nominatim):
    nominatim.status = 503
    result = geocoder.geocode("Am Markt 1, 30966 Hemmingen")
    assert result.status == "ok" and result.place.precision == "postcode"
    assert "nicht erreichbar" in result.message


def test_an_unreachable_provider_without_fallback_says_so(online_app, nominatim):
    geocoder = online_app.extensions["atlas"].geocoder
    nominatim.close()
    result = geocoder.geocode("Irgendeinweg 3, Nirgendwodorf")
    assert result.status in {"unavailable", "not_found"}
    assert "nicht" in result.message


def test_a_village_unknown_offline_is_asked_online(geocoder, nominatim):
    nominatim.answers["klein kleckersdorf"] = [{"lat": "52.80", "lon": "9.00", "display_name": "Klein Kleckersdorf",
                                                "type": "village", "addresstype": "village",
                                                "address": {"village": "Klein Kleckersdorf"}}]
    result = geocoder.geocode("Klein Kleckersdorf")
    assert result.status == "ok" and result.place.precision == "place"
    assert result.place.kreis.label == "Landkreis Diepholz"


def test_an_ortsteil_the_gazetteer_lacks_is_asked_online_before_its_gemeinde_is_shown(geocoder, nominatim):
    nominatim.answers["cuxhaven-altenwalde"] = [{"lat": "53.8270", "lon": "8.6460", "display_name": "Altenwalde",
                                                 "type": "suburb", "addresstype": "suburb",
                                                 "address": {"suburb": "Altenwalde", "town": "Cuxhaven"}}]
    result = geocoder.geocode("Cuxhaven-Altenwalde")
    assert result.status == "ok" and not result.place_of_gemeinde
    assert "OpenStreetMap" in result.place.source and result.place.kreis.rs == "03352"


def test_a_page_made_while_the_provider_is_down_is_made_again_once_it_answers(online_app, nominatim):
    """A near search or a search for an address while Nominatim fails starts from the approximate place; that is
    not the page everyone who types the address gets until the next publication (typed places and searches are
    kept once made)."""
    client = online_app.test_client()
    address = "Rathausplatz 1, 30966 Hemmingen"

    def start(url: str, **query) -> str:
        page = html(client.get(url, query_string=query))
        return page.select_one("#ausgangspunkt, #trefferzahl").get_text(" ", strip=True)

    nominatim.status = 503
    assert "Mitte des PLZ-Gebiets" in start("/in-der-naehe", ort=address)
    assert "Rathausplatz" not in start("/suche", q="Sprachcafé", ort=address)
    nominatim.status = 200
    nominatim.answers["rathausplatz 1, 30966 hemmingen"] = [HOUSE]
    assert "Rathausplatz" in start("/in-der-naehe", ort=address)
    assert "Rathausplatz" in start("/suche", q="Sprachcafé", ort=address)
