"""A submitter adds a project: the form, the location step, and a project waiting for the ArL of its district."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from helpers import PAYLOADS, form_values, html, make_app, textarea

from atlas.projects import validate_project
from atlas.store import PUBLISHED
from atlas.submission import coordinate_text, similar_nearby

XSS = "<img src=x onerror=alert(1)>"
LAMSPRINGE = {"name": "Sprachcafé Lamspringe", "traeger": "Kirchengemeinde", "description": "Jeden Dienstag",
              "handlungsfelder": ["sprache"], "ort": "Lamspringe", "consent": "y"}


def start(client, **fields):
    """Fill in the form and send it: the answer is the location step (or the mistakes)."""
    data = dict(LAMSPRINGE, csrf_token=form_values(html(client.get("/einreichen")), "einreichen")["csrf_token"])
    data.update(fields)
    return client.post("/einreichen", data=data)


def confirm(client, step, **changes):
    """Send the location step back as it is shown, with some answers changed."""
    data = form_values(html(step), "einreichen")
    data.update(changes)
    return client.post("/einreichen", data=data, follow_redirects=True)


def submit(client, **fields):
    step = start(client, **fields)
    if step.status_code == 302:
        return client.get(step.location)
    return confirm(client, step) if step.status_code == 200 else step


def test_the_location_step_shows_kreis_and_arl_and_then_the_project_waits_for_that_office(app):
    client = app.test_client()
    step = start(client)
    page = html(step)
    assert step.status_code == 200 and app.extensions["atlas"].store.count() == 0
    assert "Landkreis Hildesheim" in page.select_one("#standort-zuordnung").get_text()
    assert "Leine-Weser" in page.select_one("#standort-zuordnung").get_text()
    assert page.select_one("#lat")["value"].startswith("51,9")
    confirmation = html(confirm(client, step)).select_one("#bestaetigung").get_text(" ", strip=True)
    assert "GS-000001" in confirmation and "Amt für regionale Landesentwicklung Leine-Weser" in confirmation
    row = app.extensions["atlas"].store.get(1)
    assert (row["status"], row["kreis_name"], row["arl"]) == ("pending", "Hildesheim", "leine-weser")


def test_the_pin_wins_over_the_address(app):
    client = app.test_client()
    confirm(client, start(client), lat="51,9650", lon="10,0200")
    row = app.extensions["atlas"].store.get(1)
    assert (row["lat"], row["lon"], row["precision"]) == (51.965, 10.02, "pin")


def test_a_pin_far_from_the_address_is_stored_only_once_the_person_confirms_it(app):
    client = app.test_client()
    far = confirm(client, start(client), lat="51.90", lon="10.20")  # about 14 km east, Landkreis Goslar
    page = html(far)
    assert "km von der Adresse entfernt" in page.select_one("#pin-warnung").get_text()
    assert not page.select_one("#pin-warnung").has_attr("hidden")
    assert "Landkreis Goslar" in page.select_one("#standort-zuordnung").get_text()
    assert app.extensions["atlas"].store.count() == 0
    done = confirm(client, far, far_ok="y")
    assert "Braunschweig" in html(done).select_one("#bestaetigung").get_text()
    assert app.extensions["atlas"].store.get(1)["arl"] == "braunschweig"


def test_a_pin_dragged_into_bremen_is_refused_and_nothing_is_stored(app):
    client = app.test_client()
    step = start(client, ort="Stuhr")
    refused = confirm(client, step, lat="53,0758", lon="8,8072", far_ok="y")
    assert refused.status_code == 400
    summary = html(refused).select_one(".error-summary").get_text()
    assert "Der Pin liegt im Land Bremen" in summary and "Der Atlas umfasst nur Projekte in Niedersachsen" in summary
    assert app.extensions["atlas"].store.count() == 0


def test_coordinates_that_are_not_numbers_get_a_message(app):
    client = app.test_client()
    response = confirm(client, start(client), lat="zweiundfünfzig")
    assert response.status_code == 400
    assert "„zweiundfünfzig“ ist keine Zahl." in html(response).select_one("#lat-fehler").get_text()


def test_an_ambiguous_place_is_chosen_from_a_list(app):
    client = app.test_client()
    ambiguous = start(client, ort="Asendorf")
    page = html(ambiguous)
    assert ambiguous.status_code == 400
    choices = {label.get_text(" ", strip=True): label.input["value"] for label in page.select("#auswahl label")}
    assert set(choices) == {"Asendorf (Landkreis Diepholz)", "Asendorf (Landkreis Harburg)"}
    step = confirm(client, ambiguous, auswahl=choices["Asendorf (Landkreis Harburg)"])
    assert "Lüneburg" in html(step).select_one("#standort-zuordnung").get_text()
    confirm(client, step)
    assert app.extensions["atlas"].store.get(1)["kreis_name"] == "Harburg"


def test_a_changed_address_in_the_location_step_is_located_again(app):
    client = app.test_client()
    step = confirm(client, start(client), ort="Meppen", lat="51,9650", lon="10,0200")
    page = html(step)
    assert "Emsland" in page.select_one("#standort-zuordnung").get_text()
    assert page.select_one("#lat")["value"].startswith("52,6")
    assert app.extensions["atlas"].store.count() == 0


def test_a_similar_project_nearby_is_shown_and_the_person_confirms(app):
    client = app.test_client()
    submit(client)
    again = start(client, name="Sprachcafe  Lamspringe!")
    warning = html(again).select_one("#doppelt").get_text()
    assert "Ein ähnliches Projekt wurde schon eingereicht und wartet auf Freigabe" in warning
    assert "Sprachcafé Lamspringe" not in warning, "a pending project stays unnamed"
    still = confirm(client, again)
    assert html(still).select_one("#doppelt") is not None
    assert app.extensions["atlas"].store.count() == 1
    confirm(client, still, duplicate_ok="y")
    assert app.extensions["atlas"].store.count() == 2


@pytest.mark.parametrize(("story", "changes", "field", "message"), [
    ("a pin far from the address", {"lat": "51,90", "lon": "10,20"}, "far_ok", "dass der Pin an der richtigen Stelle"),
    ("a similar project nearby", {}, "duplicate_ok", "dass Ihr Projekt ein anderes ist"),
])
def test_sending_the_location_step_without_confirming_its_warning_names_the_box_to_tick(app, story, changes, field,
                                                                                          message):
    """The person presses „Jetzt einreichen“ once more without ticking the warning's box: the page says so at the
    top and at the box, instead of coming back as it was."""
    client = app.test_client()
    if field == "duplicate_ok":
        submit(client)
    step = start(client, name="Sprachcafe  Lamspringe!", traeger="Kirchengemeinde")
    seen = confirm(client, step, **changes) if changes else step  # the warning as the page shows it
    warning = html(seen).select_one("#pin-warnung" if field == "far_ok" else "#doppelt")
    assert warning is not None and not warning.has_attr("hidden"), story
    # shown for the first time, it is only shown: no mistake named before the person saw it
    assert seen.status_code == 200 and html(seen).select_one(".error-summary") is None, story
    again = confirm(client, seen)
    assert again.status_code == 400
    page = html(again)
    summary = page.select_one(".error-summary")
    assert message in summary.get_text() and summary.select_one(f"a[href='#{field}']") is not None
    assert message in page.select_one(f"#{field}-fehler").get_text()
    assert page.select_one(f"#{field}")["aria-describedby"] == f"{field}-fehler"
    assert page.select_one("#name")["value"] == "Sprachcafe  Lamspringe!"
    assert page.select_one("#traeger")["value"] == "Kirchengemeinde"
    assert app.extensions["atlas"].store.count() == (1 if field == "duplicate_ok" else 0)
    confirm(client, again, **{field: "y"})
    assert app.extensions["atlas"].store.count() == (2 if field == "duplicate_ok" else 1)


def test_a_similar_project_met_where_the_pin_was_moved_is_shown_first_and_asked_for_when_sent_again(app):
    """A published „Sprachcafé Lamspringe“ 1.5 km north of the address: the address finds nothing similar nearby; the
    pin moved onto it does – shown (200, no mistake named), and only the next send without the box asks for it."""
    services = app.extensions["atlas"]
    address = services.geocoder.geocode(ort="Lamspringe").place
    there = replace(address, lat=address.lat + 0.0135)  # about 1.5 km
    project, errors = validate_project(dict(LAMSPRINGE, handlungsfelder="sprache"))
    assert not errors
    services.store.add_many([(project, there)], PUBLISHED)
    client = app.test_client()
    step = start(client, name="Sprachcafe  Lamspringe!")
    assert step.status_code == 200 and html(step).select_one("#doppelt") is None
    seen = confirm(client, step, lat=coordinate_text(there.lat), lon=coordinate_text(there.lon))
    assert seen.status_code == 200 and html(seen).select_one(".error-summary") is None
    assert html(seen).select_one("#doppelt") is not None
    again = confirm(client, seen)
    assert again.status_code == 400 and html(again).select_one("#duplicate_ok-fehler") is not None


@pytest.mark.parametrize("shown", [*PAYLOADS, "far_ok\u202e duplicate_ok\u0000", "far_ok " * 20_000])
def test_a_hostile_list_of_shown_warnings_changes_only_what_its_sender_is_told(app, shown):
    """`gezeigt` says which warnings the page showed: forged, it can name an unticked box to its own sender at the
    most – the project is stored only with every warning ticked, and the page writes its own list back as text."""
    client = app.test_client()
    step = start(client, name="Sprachcafe  Lamspringe!")
    seen = confirm(client, step, lat="51,90", lon="10,20", gezeigt=shown)
    assert seen.status_code in (200, 400)
    page = html(seen)
    assert not [tag for tag in page.find_all(True) if any(name.startswith("on") for name in tag.attrs)]
    assert page.select_one("main iframe, main img") is None
    assert page.select_one("#gezeigt")["value"] == "far_ok"  # what this page showed, not what was sent
    assert app.extensions["atlas"].store.count() == 0


def test_a_published_duplicate_is_named_and_linked_without_a_distance(app):
    client = app.test_client()
    submit(client)
    app.extensions["atlas"].store.set_status(1, "published", actor="test")
    warning = html(start(client, name="Sprachcafe Lamspringe")).select_one("#doppelt")
    assert warning.select_one("a")["href"] == "/projekt/1"
    assert warning.select_one("a").get_text() == "Sprachcafé Lamspringe"
    assert " km" not in warning.select_one("li").get_text() and "," not in warning.select_one("li").get_text()


def test_the_duplicate_warning_cannot_locate_an_approximate_project(app):
    """Moving the pin around an approximate project tells no more than its rounded position on the public map."""
    store = app.extensions["atlas"].store
    exact_lat, exact_lon = 51.96349, 10.01427
    project, _ = validate_project({"name": "Versteckter Treff", "handlungsfelder": "sprache", "ort": "Lamspringe",
                                   "approximate": True})
    place = app.extensions["atlas"].geocoder.geocode("Lamspringe").place
    from dataclasses import replace

    store.add(project, replace(place, lat=exact_lat, lon=exact_lon), "published")
    public_lat, public_lon = round(exact_lat, 2), round(exact_lon, 2)

    def flagged(lat, lon):
        return bool(similar_nearby(store, "Versteckter Treff", lat, lon))

    from atlas.geo import distance_km

    for step in range(-40, 41):  # a line of pins through the exact spot, 50 m apart
        lat, lon = exact_lat + step * 0.00045, exact_lon
        assert flagged(lat, lon) == (distance_km(lat, lon, public_lat, public_lon) <= 1.0)


def test_a_different_name_nearby_is_no_duplicate(app):
    client = app.test_client()
    submit(client)
    assert html(start(client, name="Fahrradwerkstatt für alle")).select_one("#doppelt") is None


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"name": ""}, "name", "Bitte geben Sie den Namen"),
    ({"handlungsfelder": []}, "handlungsfelder", "mindestens ein Handlungsfeld"),
    ({"website": "javascript:alert(1)"}, "website", "http:// oder https://"),
    ({"email": "keine-adresse"}, "email", "keine gültige E-Mail-Adresse"),
    ({"plz": "123"}, "plz", "fünf Ziffern"),
    ({"consent": ""}, "consent", "Bitte stimmen Sie"),
    ({"ort": "Bremen"}, "ort", "Der Atlas umfasst nur Projekte in Niedersachsen"),
    ({"ort": "Hamburg"}, "ort", "Der Atlas umfasst nur Projekte in Niedersachsen"),
    ({"ort": "Xyzzyhausen"}, "ort", "nicht gefunden"),
    ({"description": "x" * 2001}, "description", "höchstens 2000 Zeichen"),
])
def test_mistakes_are_named_at_the_top_and_at_the_field_and_what_was_typed_stays(app, fields, field, message):
    response = start(app.test_client(), **fields)
    assert response.status_code == 400
    page = html(response)
    assert message in page.select_one(".error-summary").get_text()
    assert page.select_one(f"#{field}") is not None
    assert page.select_one("#traeger")["value"] == "Kirchengemeinde"
    assert textarea(page.select_one("#description")) == dict(LAMSPRINGE, **fields)["description"]
    assert app.extensions["atlas"].store.count() == 0


@pytest.mark.parametrize(("field", "typed"), [
    ("website", "Jeden Dienstag " + "ab 16 Uhr " * 10_000),
    ("plz", "3" * 100_000),
    ("email", "traeger" * 15_000 + "@"),
])
def test_a_huge_value_in_a_field_is_named_in_the_messages_not_repeated_and_stays_in_the_field(app, field, typed):
    """A text of 100 kB pasted into the wrong field: the summary and the field's message said what was wrong by
    quoting all of it, 100 kB each, which the person had to scroll past to reach the form."""
    response = start(app.test_client(), **{field: typed})
    assert response.status_code == 400
    page = html(response)
    messages = [item.get_text() for item in page.select(".error-summary li")] + \
        [node.get_text() for node in page.select(f"#{field}-fehler")]
    assert len(messages) == 2 and all(len(message) < 300 for message in messages), [m[:300] for m in messages]
    assert page.select_one(f"#{field}")["value"] == typed


def test_user_text_is_shown_as_text_when_the_form_comes_back(app):
    response = start(app.test_client(), name=XSS, traeger=XSS, description=XSS, consent="")
    body = response.get_data(as_text=True)
    assert XSS not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


def test_a_post_without_csrf_token_stores_nothing(app):
    response = app.test_client().post("/einreichen", data=dict(LAMSPRINGE))
    assert response.status_code == 400
    assert app.extensions["atlas"].store.count() == 0


def test_an_oversized_request_is_refused_in_german(app):
    response = start(app.test_client(), description="x" * 2_000_000)
    assert response.status_code == 413
    assert "Die Anfrage ist zu groß" in response.get_data(as_text=True)


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored(app):
    response = submit(app.test_client(), homepage="http://spam.example")
    assert "Ihre Angaben sind eingegangen" in response.get_data(as_text=True)
    assert app.extensions["atlas"].store.count() == 0


def test_too_many_submissions_from_one_client_are_refused_and_the_input_stays(app):
    app.config["SUBMIT_RATE_LIMIT"] = "3 per minute"
    client = app.test_client()
    for _ in range(3):
        assert start(client, name="Nachhilfe").status_code == 200
    refused = start(client, name="Nachhilfe")
    assert refused.status_code == 429
    page = html(refused)
    assert "sehr viele Einreichungen" in page.select_one(".error-summary").get_text()
    assert page.select_one("#name")["value"] == "Nachhilfe"
    assert client.get("/einreichen").status_code == 200  # reading the form is not limited


@pytest.mark.parametrize(("query", "status", "text"), [
    ("lat=52,03&lon=9,97", 200, "Landkreis Hildesheim"),
    ("lat=53.5511&lon=9.9937", 200, "Hamburg"),
    ("lat=abc&lon=9", 400, "„abc“ ist keine Zahl."),
    ("lat=52.1&lon=abc", 400, "Die Koordinaten sind ungültig: „abc“ ist keine Zahl."),
    ("lat=95&lon=9", 400, "außerhalb des gültigen Bereichs"),
    ("", 400, "keine Zahlen"),
])
def test_the_pin_asks_where_it_lies(app, query, status, text):
    response = app.test_client().get(f"/einreichen/standort?{query}")
    assert response.status_code == status
    assert text in response.json["text"]


def test_an_approximate_location_is_public_only_rounded_and_the_office_sees_it_exactly(app):
    client = app.test_client()
    step = start(client, street="Hauptstraße 12", approximate="y")
    confirm(client, step, lat="51,961234", lon="10,012345")
    store = app.extensions["atlas"].store
    assert (store.get(1)["lat"], store.get(1)["lon"]) == (51.961234, 10.012345)
    store.set_status(1, "published", actor="test")
    page = html(client.get("/projekt/1"))
    data = json.loads(page.select_one("#atlas-data").get_text())
    assert (data["lat"][0] / data["scale"], data["lon"][0] / data["scale"]) == (51.96, 10.01)
    assert "Hauptstraße 12" not in page.get_text()
    assert "nur ungefähr" in page.get_text()


def test_behind_a_proxy_each_forwarded_client_has_its_own_limit(tmp_path):
    app = make_app(tmp_path, PROXY_COUNT=1, SUBMIT_RATE_LIMIT="1 per minute", BASE_URL="https://atlas.example")
    first, second = app.test_client(), app.test_client()
    first.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.1"
    second.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.2"
    assert start(first).status_code == 200
    assert start(second).status_code == 200
    assert start(first).status_code == 429


def test_the_duplicate_warning_cannot_locate_a_pending_project(app):
    """A project nobody has checked yet is counted by a fixed coarse cell, and only for (nearly) its whole name:
    a word of the name finds nothing, and pins moved around it change the answer only at the grid's lines."""
    from dataclasses import replace

    from atlas.submission import PENDING_CELL

    store = app.extensions["atlas"].store
    exact_lat, exact_lon = 52.15237, 9.95612
    project, _ = validate_project({"name": "Zuflucht Hildesheim Nord", "handlungsfelder": "wohnen-leben",
                                   "ort": "Hildesheim"})
    place = app.extensions["atlas"].geocoder.geocode("Hildesheim").place
    store.add(project, replace(place, lat=exact_lat, lon=exact_lon), "pending")
    assert not similar_nearby(store, "Zuflucht", exact_lat, exact_lon)  # one word of the name tells nothing
    assert similar_nearby(store, "Zuflucht Hildesheim-Nord", exact_lat, exact_lon) == [{"status": "pending"}]

    def cell(lat: float) -> int:
        return int(lat // PENDING_CELL[0])

    for step in range(-120, 121):  # a line of pins 50 m apart through the exact spot
        lat = exact_lat + step * 0.00045
        flagged = bool(similar_nearby(store, "Zuflucht Hildesheim Nord", lat, exact_lon))
        assert flagged == (cell(lat) == cell(exact_lat)), (step, lat)
