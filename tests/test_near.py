"""Near me: the initiatives closest to a place, nearest first, with distances a person can trust."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from geopy.distance import geodesic
from helpers import facts, form_data_set, html, kept_for_its_readers
from werkzeug.datastructures import MultiDict

from atlas.filters import Filter
from atlas.geo import distances
from atlas.near import NearIndex, parse_near_query
from atlas.projects import validate_project
from atlas.store import PUBLISHED


def results(response):
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    # a distance keeps number and unit on one line (a no-break space): read as the eye reads it
    return [(li.select_one("a").get_text(), li.select_one(".entfernung").get_text().replace("\xa0", " "))
            for li in page.select("#treffer li")]


def test_results_are_ordered_by_distance_and_agree_with_geopy(seeded, services):
    index = services.near.current()
    start = (52.3143, 9.7236)  # Hemmingen
    hits = index.within(*start, 200)
    assert len(hits) == 7
    assert [h.km for h in hits] == sorted(h.km for h in hits)
    for hit, row in zip(hits, index.rows([hit.row for hit in hits]), strict=True):
        assert hit.km == pytest.approx(geodesic(start, (row["lat"], row["lon"])).km, rel=0.005)


def test_the_radius_edge_is_inclusive_and_exact(services):
    place = services.geocoder.geocode("Meppen").place
    project, _ = validate_project({"name": "Rand", "handlungsfelder": "sprache", "ort": "Meppen"})
    services.store.add(project, place, PUBLISHED)
    index = services.near.current()
    start = (place.lat + 0.09, place.lon)  # about 10.0 km north
    km = index.nearest(*start, 1)[0].km
    assert km == pytest.approx(geodesic(start, (place.lat, place.lon)).km, rel=0.005)
    assert len(index.within(*start, km + 0.001)) == 1
    assert index.within(*start, km - 0.001) == []


def test_handlungsfelder_narrow_the_results(seeded, services):
    index = services.near.current()
    hits = index.within(52.27, 8.05, 50, index.keep(Filter(fields=("arbeit-ausbildung",))))
    assert [row["name"] for row in index.rows([h.row for h in hits])] == ["Gewerkepass"]
    assert len(index.nearest(52.27, 8.05, 5, index.keep(Filter(fields=("teilhabe",))))) == 1


def test_the_index_is_renewed_when_a_project_is_published(seeded, services):
    cache = services.near
    cache.current()
    builds = cache.builds
    cache.current()
    assert cache.builds == builds
    project, _ = validate_project({"name": "Neu", "handlungsfelder": "sprache", "ort": "Lamspringe"})
    services.store.add(project, services.geocoder.geocode("Lamspringe").place, PUBLISHED)
    assert "Neu" in set(cache.current().projects["name"])
    assert cache.builds == builds + 1


def test_an_empty_atlas_has_no_results_and_no_errors(services):
    index = NearIndex(services.store.published())
    assert index.within(52.3, 9.7, 50) == [] and index.nearest(52.3, 9.7, 5) == []


@pytest.mark.parametrize(("args", "problem"), [
    ({"ort": "Hemmingen", "umkreis": "7"}, "Der Umkreis muss 5, 10, 25 oder 50 km sein"),
    ({"ort": "Hemmingen", "umkreis": "abc"}, "Der Umkreis muss"),
    ({"ort": "Hemmingen", "hf": "kochen"}, "Unbekannter Wert „kochen“ für Handlungsfeld"),
    ({"lat": "abc", "lon": "9"}, "Koordinaten sind ungültig"),
    ({"ort": "Hemmingen", "umkreis": "\u202e7"}, "Der Umkreis muss 5, 10, 25 oder 50 km sein, nicht „7“"),
    ({"lat": "52.1", "lon": "abc"}, "Die Koordinaten sind ungültig: „abc“ ist keine Zahl."),
    ({"lat": "abc", "lon": "\u202exyz"}, "Die Koordinaten sind ungültig: „abc“, „xyz“ sind keine Zahlen."),
    ({"lat": "95", "lon": "9"}, "außerhalb des gültigen Bereichs"),
])
def test_bad_parameters_are_named_in_german(args, problem):
    _query, problems = parse_near_query(MultiDict(args))
    assert any(problem in p for p in problems), problems


def test_the_page_names_the_place_and_lists_distances_with_a_german_comma(client):
    response = client.get("/in-der-naehe?ort=30169&umkreis=25")
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.select_one("#ausgangspunkt").get_text(" ", strip=True) == \
        "Ausgangspunkt: um 30169 Hannover (Mitte des PLZ-Gebiets), Region Hannover"
    first, distance = results(response)[0]
    assert first == "Hemminger Netzwerk für Flüchtlinge"
    assert distance.endswith(" km") and "," in distance


def test_a_typed_place_is_made_once_per_language_until_a_publication_and_a_position_every_time(seeded, services):
    """Everyone who types Hemmingen gets the same page: it is made once per language and kept until a publication
    changes what is near. A position the browser shares, or a query with a problem, is made for its asker alone."""
    client, pages = seeded.test_client(), seeded.extensions["atlas_pages"]
    typed = "/in-der-naehe?ort=Hemmingen&umkreis=25"
    again = kept_for_its_readers(seeded, typed)
    assert results(again)[0][0] == "Hemminger Netzwerk für Flüchtlinge"
    assert client.get(typed, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304
    renders = pages.renders
    arabic = client.get(typed, headers={"Accept-Language": "ar"})
    assert pages.renders == renders + 1 and 'lang="ar"' in arabic.get_data(as_text=True)
    assert client.get(typed + "&hf=sprache").get_data() != again.get_data(), "another filter, another page"
    assert pages.renders == renders + 2
    renders = pages.renders
    for url in ("/in-der-naehe?lat=52.31430&lon=9.72360", "/in-der-naehe?ort=Hemmingen&umkreis=7"):
        assert client.get(url).get_data() == client.get(url).get_data()
    assert pages.renders == renders, "a position, or a radius not offered, is not kept"
    assert "nicht „7“; gesucht wird in 25 km" in client.get("/in-der-naehe?ort=Hemmingen&umkreis=7").get_data(
        as_text=True), "a page with a problem names it (it is not the kept page of the radius it falls back to)"
    project, _ = validate_project({"name": "Neues Sprachcafé Hemmingen", "handlungsfelder": "sprache",
                                   "ort": "Hemmingen"})
    services.store.add(project, services.geocoder.geocode("Hemmingen").place, PUBLISHED)
    assert "Neues Sprachcafé Hemmingen" in [name for name, _ in results(client.get(typed))]


def test_a_long_list_comes_a_page_at_a_time_and_reaches_every_project_in_the_radius(seeded, services):
    """Sixty more projects around Hemmingen: the list shows the nearest RESULTS_SHOWN, numbered from one, and
    „Nächste Seite“ leads on, numbered on, until every project within the radius was listed once, nearest first.
    The map shows the page's projects. A page after the last names how many there are; so does a page number that
    is none."""
    import dataclasses

    from atlas.near import RESULTS_SHOWN

    hemmingen = services.geocoder.geocode("Hemmingen").place
    services.store.add_many([(facts(name=f"Lernhilfe Hemmingen {i}", ort="Hemmingen"),
                              dataclasses.replace(hemmingen, lat=hemmingen.lat + 0.0004 * i)) for i in range(60)],
                            PUBLISHED)
    within = services.near.current().within(hemmingen.lat, hemmingen.lon, 5)
    assert len(within) > RESULTS_SHOWN
    client = seeded.test_client()
    listed, pages = listed_page_by_page(client, "/in-der-naehe?ort=Hemmingen&umkreis=5", len(within))
    assert pages == -(-len(within) // RESULTS_SHOWN) == 2
    index = services.near.current()
    expected = [f"/projekt/{row['id']}" for row in index.rows([hit.row for hit in within])]
    assert [href for href, _km in listed] == expected, "each project once, nearest first, across the pages"
    for asked, says in (("3", "Seite 3 gibt es nicht: die Liste hat 2 Seite(n)."),
                        ("0", "Ungültige Seitenzahl „0“"), ("<b>2</b>", "Ungültige Seitenzahl „<b>2</b>“")):
        response = client.get(f"/in-der-naehe?ort=Hemmingen&umkreis=5&seite={asked}")
        assert response.status_code == 400 and says in html(response).get_text()
    far = client.get("/in-der-naehe?ort=Lüneburg&umkreis=5&seite=2")
    assert far.status_code == 400, "nothing within the radius: the five nearest beyond are one page"


def test_projects_at_one_place_are_each_listed_once_across_the_pages(seeded, services):
    """Many initiatives give only their village, so they share its centre: forty projects along a street of
    Hemmingen, then thirty at the centre of a village nearby, exactly as far away as each other – the cut between
    the first and the second page falls among those thirty. Page by page the list still names each project once,
    and every one of them."""
    import dataclasses

    from atlas.near import RESULTS_SHOWN

    hemmingen = services.geocoder.geocode("Hemmingen").place
    street = [dataclasses.replace(hemmingen, lat=hemmingen.lat + 0.0002 * i) for i in range(40)]
    village = dataclasses.replace(hemmingen, lat=hemmingen.lat - 0.02, lon=hemmingen.lon + 0.01)
    services.store.add_many([(facts(name=f"Lernhilfe {i}", ort="Hemmingen"), place) for i, place in enumerate(street)]
                            + [(facts(name=f"Treffpunkt {i}", ort="Hemmingen"), village) for i in range(30)],
                            PUBLISHED)
    within = services.near.current().within(hemmingen.lat, hemmingen.lon, 5)
    assert len(within) > RESULTS_SHOWN
    listed, pages = listed_page_by_page(seeded.test_client(), "/in-der-naehe?ort=Hemmingen&umkreis=5", len(within))
    hrefs = [href for href, _km in listed]
    assert pages == -(-len(within) // RESULTS_SHOWN) > 1
    assert len(set(hrefs)) == len(hrefs) == len(within), "each project once, none left out"
    index = services.near.current()
    assert set(hrefs) == {f"/projekt/{row['id']}" for row in index.rows([hit.row for hit in within])}


def listed_page_by_page(client, url: str, total: int) -> tuple[list[tuple[str, str]], int]:
    """What a person reads following „Nächste Seite“ from `url` to the last page: (link, distance) of each item
    and the number of pages. Each page numbers its items on from the one before, shows them on its map and says
    how many there are in all."""
    from atlas.near import RESULTS_SHOWN

    listed, numbers, pages = [], [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        items = page.select("#treffer li")
        assert 0 < len(items) <= RESULTS_SHOWN
        start = int(page.select_one("#treffer").get("start"))
        numbers += range(start, start + len(items))
        listed += [(li.select_one("a")["href"], li.select_one(".entfernung").get_text()) for li in items]
        data = json.loads(page.select_one("#atlas-data").string)
        assert len(data["id"]) == len(items), "the map shows the page's projects"
        assert f"{total} Projekte im Umkreis von 5 km" in page.get_text()
        pages += 1
        assert pages <= 3, "a next page that leads back"
        following = page.select_one("#seiten a[rel=next]")
        if following:
            assert following["href"].endswith("#ergebnis"), "the next page opens at its results, as the form does"
        url = "/in-der-naehe" + following["href"].removesuffix("#ergebnis") if following else None
    assert numbers == list(range(1, total + 1))
    return listed, pages


def test_nothing_within_the_radius_shows_the_five_nearest_beyond(client):
    response = client.get("/in-der-naehe?ort=Lüneburg&umkreis=5")
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "Im Umkreis von 5 km gibt es kein passendes Projekt" in page.select_one("#keine-treffer").get_text()
    found = results(response)
    assert len(found) == 5
    kms = [float(d.replace(" km", "").replace(",", ".")) for _, d in found]
    assert kms == sorted(kms) and kms[0] > 5


def test_the_alert_offered_after_nothing_nearby_says_what_it_will_match(client):
    """„Eine Mail bekommen, sobald hier ein passendes Projekt dazukommt“ stood under a near search for free projects,
    while the alert it opens knows the place, the radius and the Handlungsfelder only: it would mail projects that
    cost. Now the link promises a project here and says what the mail looks at; with no other filter it stays."""
    asked = html(client.get("/in-der-naehe?ort=Lüneburg&umkreis=5&hf=sprache&kostenlos=1"))
    way_on = asked.select_one("main #weiter")
    alert = way_on.select_one("a[href^='/benachrichtigung']")
    assert alert.get_text() == "Eine Mail bekommen, sobald hier ein Projekt dazukommt"
    assert "kostenlos" not in alert["href"] and "hf=sprache" in alert["href"]  # what alerts know, no more
    assert way_on.select_one("#weiter-hinweis").get_text() == (  # the near search has no words to speak of
        "Die Mail achtet nur auf Ort, Umkreis und Handlungsfelder, nicht auf weitere Filter.")
    fields_only = html(client.get("/in-der-naehe?ort=Lüneburg&umkreis=5&hf=sprache")).select_one("main #weiter")
    assert fields_only.select_one("a[href^='/benachrichtigung']").get_text() == (
        "Eine Mail bekommen, sobald hier ein passendes Projekt dazukommt")
    assert fields_only.select_one("#weiter-hinweis") is None


def test_an_ambiguous_place_offers_the_choices_with_their_kreis(client):
    response = client.get("/in-der-naehe?ort=Asendorf&umkreis=10")
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    choices = page.select("#auswahl a")
    assert [a.get_text() for a in choices] == ["Asendorf (Landkreis Diepholz)", "Asendorf (Landkreis Harburg)"]
    chosen = client.get("/in-der-naehe" + choices[0]["href"])
    assert results(chosen)[0][0] == "Netzwerk Nachbarschaft Asendorf"


@pytest.mark.parametrize(("ort", "message", "status"), [
    ("Qwxzrtplk", "wurde nicht gefunden", 200),
    ("123", "fünf Ziffern", 400),
    ("<script>", "Zeichen, die in Adressen nicht vorkommen", 400),
    (", ,", "Bitte geben Sie einen Ort, eine Postleitzahl oder eine Adresse ein.", 400),
])
def test_a_place_not_found_or_invalid_says_what_to_try(client, ort, message, status):
    response = client.get("/in-der-naehe", query_string={"ort": ort})
    assert response.status_code == status
    summary = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(".error-summary")
    assert message in summary.get_text()


@pytest.mark.parametrize("ort", ["Bremen", "Hamburg", "Minden"])
def test_a_place_outside_niedersachsen_is_a_valid_start(client, ort):
    response = client.get("/in-der-naehe", query_string={"ort": ort, "umkreis": "50"})
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert "außerhalb Niedersachsens" in page.select_one("#ausgangspunkt").get_text()
    assert results(response)


def test_a_limit_keeps_the_nearest_and_the_count_says_how_many_there_are(seeded, services):
    index = services.near.current()
    everything = index.within(52.3143, 9.7236, 300)
    assert index.within(52.3143, 9.7236, 300, limit=2) == everything[:2]
    assert index.count_within(52.3143, 9.7236, 300) == len(everything) == 7
    assert index.count_within(52.3143, 9.7236, 300, index.keep(Filter(fields=("sprache",)))) == 1


def test_the_count_within_a_radius_is_that_of_every_project_measured():
    """count_within finds its candidates in bands (atlas.bands) and measures only the rim on the ellipsoid: it counts
    what measuring each of a few thousand projects counts, for every radius and filter, at their edges too."""
    rng = np.random.default_rng(3)
    lats, lons = rng.uniform(51.3, 53.9, 3000), rng.uniform(6.6, 11.6, 3000)
    frame = pd.DataFrame({"lat": lats, "lon": lons})
    index = NearIndex(frame)
    starts = list(zip(rng.uniform(51.0, 54.2, 40), rng.uniform(6.0, 12.0, 40), strict=True)) + [(lats[0], lons[0])]
    some = rng.random(3000) < 0.3
    for lat, lon in starts:
        km = distances(lat, lon, lats, lons, np.zeros(3000, dtype=bool))
        for radius in (0.5, 5, 25, 50, 300, *np.sort(km)[[10, 100]]):  # the last two: a project on the edge
            assert index.count_within(lat, lon, radius) == (km <= radius).sum()
            assert index.count_within(lat, lon, radius, some) == (some & (km <= radius)).sum()
    assert index.count_within(52.3, 9.7, np.inf) == 3000  # no bound: every project, as nearest() asks it
    assert index.count_within(52.3, 9.7, np.inf, some) == some.sum()
    assert index.count_within(89.0, 170.0, 50) == 0  # a place beyond every band


def test_a_place_not_found_offers_the_places_it_may_mean_as_links(client):
    page = html(client.get("/in-der-naehe?ort=Hildeshiem"))
    suggestions = page.select("#vorschlaege a")
    assert [a.get_text() for a in suggestions][:1] == ["Hildesheim"]
    follow = html(client.get("/in-der-naehe" + suggestions[0]["href"]))
    assert "Hildesheim" in follow.select_one("#ausgangspunkt").get_text()


def test_a_chosen_place_of_several_reads_naturally(client):
    page = html(client.get("/in-der-naehe?ort=Asendorf"))
    [diepholz] = [a for a in page.select("#auswahl a") if "Diepholz" in a.get_text()]
    start = html(client.get("/in-der-naehe" + diepholz["href"])).select_one("#ausgangspunkt").get_text()
    assert start == "Ausgangspunkt: um Asendorf (Ortsmitte), Landkreis Diepholz", start


def test_a_town_is_found_and_the_village_of_its_name_is_offered(client):
    page = html(client.get("/in-der-naehe?ort=Achim"))
    assert "Landkreis Verden" in page.select_one("#ausgangspunkt").get_text()
    [village] = page.select("#andere-orte a")
    assert village.get_text() == "Achim (Landkreis Wolfenbüttel)"
    follow = html(client.get("/in-der-naehe" + village["href"]))
    assert "Landkreis Wolfenbüttel" in follow.select_one("#ausgangspunkt").get_text()


def test_a_near_search_sent_without_a_place_says_what_to_enter(client):
    """Pressing „Suchen“ with the place empty brought back the bare form (200), nothing said. A first visit (no
    parameters, or only the language) stays the plain form."""
    first = html(client.get("/in-der-naehe"))
    assert first.select_one("#fehler") is None and first.select_one("[role=alert]") is None
    sent = dict(form_data_set(first.select_one("form#suche")))  # what the browser sends: ort="", umkreis, filters
    assert sent["ort"] == ""
    for typed in ({}, {"ort": "   "}, {"umkreis": "50"}):
        answer = client.get("/in-der-naehe", query_string={**sent, **typed})
        assert answer.status_code == 400, typed
        summary = html(answer).select_one("#fehler")
        assert [a["href"] for a in summary.select("a")] == ["#ort"], typed
        assert summary.get_text(" ", strip=True).endswith("Bitte geben Sie den Ort oder die PLZ an.")
    arabic = html(client.get("/in-der-naehe", query_string={**sent, "lang": "ar"})).select_one("#fehler")
    assert "Bitte geben Sie" not in arabic.get_text()  # the catalogue's words
    assert html(client.get("/in-der-naehe?lang=ar")).select_one("#fehler") is None
    assert client.get("/in-der-naehe", query_string={**sent, "ort": "Hemmingen"}).status_code == 200


def test_place_suggestions_begin_with_what_was_typed_largest_first(client):
    names = [p["label"] for p in client.get("/orte?q=Ach").get_json()]
    assert names[:2] == ["Achim (Landkreis Verden)", "Achim (Landkreis Wolfenbüttel)"]
    assert client.get("/orte?q=lüneb").get_json()[0]["name"] == "Lüneburg"
    assert client.get("/orte?q=Hildes&lang=en").get_json()[0]["kreis"] == "Hildesheim County"
    assert client.get("/orte?q=Bremen").get_json() == [], "only places in Niedersachsen"
    for hostile in ("", "a", "<script>", "\u202e\u0000", "%" * 50):
        response = client.get("/orte", query_string={"q": hostile})
        assert response.status_code == 200 and response.get_json() == [], hostile
    assert client.get("/orte", query_string={"q": "x" * 101}).status_code == 400
    assert len(client.get("/orte?q=Bad").get_json()) == 8


READERS_SCRIPT = [  # issue 19: as a reader types them, with the place and Kreis the atlas must find
    ("Хильдесхайм", "Hildesheim", "Landkreis Hildesheim"),
    ("Гільдесгайм", "Hildesheim", "Landkreis Hildesheim"),
    ("هیلدسهایم", "Hildesheim", "Landkreis Hildesheim"),
    ("هيلدسهايم", "Hildesheim", "Landkreis Hildesheim"),
    ("Люнебург", "Lüneburg", "Landkreis Lüneburg"),
    ("هانوفر", "Hannover", "Region Hannover"),
]


def test_a_place_typed_in_the_readers_script_is_a_start(client):
    for typed, name, kreis in READERS_SCRIPT:
        page = html(client.get("/in-der-naehe", query_string={"ort": typed, "umkreis": "25"}))
        start = page.select_one("#ausgangspunkt").get_text()
        assert start == f"Ausgangspunkt: um {name} (Ortsmitte), {kreis}", (typed, start)
        assert page.select("#treffer li"), typed


def test_place_suggestions_accept_the_readers_script_and_show_the_german_name(client):
    for typed, name, kreis in READERS_SCRIPT:
        for beginning in (typed, typed[:4]):
            [first, *_others] = client.get("/orte", query_string={"q": beginning}).get_json()
            assert (first["name"], first["kreis"]) == (name, kreis), (beginning, first)
    assert client.get("/orte?q=Хиль").get_json()[0]["label"] == "Hildesheim (Landkreis Hildesheim)"
    assert client.get("/orte?q=Ламспр").get_json()[0]["name"] == "Lamspringe", "by its transliteration"
    assert client.get("/orte", query_string={"q": "Привет"}).get_json() == []


def test_within_a_radius_keeps_everyone_on_the_rim_in_every_direction(services):
    """Projects just inside and just outside 10 km of a place, in 16 directions: the box that spares measuring the
    projects far away loses none inside (embedded maps and downloads around a place use it)."""
    import numpy as np
    from pyproj import Geod

    from atlas.districts import Assignment
    from atlas.geo import distances
    from atlas.near import within_radius
    from atlas.places import Place
    from atlas.projects import ProjectInput

    centre = services.geocoder.geocode("Celle").place
    items = []
    for bearing in [22.5 * i for i in range(16)]:
        for metres in (9_990, 9_999, 10_010):
            lon, lat, _back = Geod(ellps="WGS84").fwd(centre.lon, centre.lat, bearing, metres)
            project = ProjectInput(name=f"Rand {bearing} {metres}", traeger="", description="",
                                   handlungsfelder=["sprache"], ort="Celle")
            items.append((project, Place("Celle", lat, lon, "place", "test", Assignment(None, None))))
    services.store.add_many(items, PUBLISHED)
    published = services.public.current()
    everyone = published.select()
    inside, their_km = within_radius(published, everyone, centre, 10)
    km = distances(centre.lat, centre.lon, published["lat"], published["lon"], np.zeros(len(published), dtype=bool))
    found = {int(i) for i in published["id"][inside]}
    assert found == {int(i) for i in published["id"][km <= 10]}
    assert their_km.tolist() == km[inside].tolist()
    assert len(found) == 32  # 9,990 m and 9,999 m in each direction; 10,010 m never
