"""The location step of a submission: where the address lies, where the pin is, and what is already there.

Plain functions over the geocoder and the store; the web view only carries their answers to the form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from atlas.geo import distance_km
from atlas.geocode import Geocoder
from atlas.i18n import _
from atlas.likeness import same_name
from atlas.places import OK, Place, Result, parse_position
from atlas.projects import ProjectInput
from atlas.regions import Regions
from atlas.store import PENDING, PUBLISHED, Store

PIN_WARNING_KM = 2.0  # a pin farther than this from the address gets a warning the person confirms
PIN_MOVED_KM = 0.01  # closer than 10 m: the pin was not moved, the address's precision stays
DUPLICATE_RADIUS_KM = 1.0
PENDING_CELL = (0.05, 0.08)  # degrees (about 5.5 × 5.5 km): where a pending project is counted, never measured


@dataclass
class Location:
    """What the form shows in its location step, and whether the project may be stored now."""

    address: Place | None = None  # the geocoded address
    place: Place | None = None  # the point to store: the pin, or the address
    candidates: list[Place] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    pin_km: float = 0.0
    key: str = ""  # what was located; a changed address starts the step again

    @property
    def far(self) -> bool:
        return self.pin_km > PIN_WARNING_KM


@dataclass
class Answers:
    """What the person sent in the location step."""

    key: str = ""  # the key of the location they saw
    choice: str = ""  # "lat,lon" of a chosen candidate
    lat: str = ""
    lon: str = ""
    far_ok: bool = False
    duplicate_ok: bool = False
    shown: frozenset[str] = frozenset()  # the warnings the page they sent showed them ("far_ok", "duplicate_ok")


def locate_submission(geocoder: Geocoder, store: Store, project: ProjectInput, answers: Answers) -> Location:
    """Geocode the address (or the chosen candidate); once the person saw it, take the pin and check it."""
    key = address_key(project.street, project.plz, project.ort, answers.choice)
    address, candidates, error = locate_address(geocoder, project, answers.choice)
    if error:
        return Location(candidates=candidates, errors={"ort": error}, key=key)
    if answers.key != key:  # first look at this address: the pin starts on it
        return Location(address=address, place=address, key=key, candidates=candidates,
                        duplicates=similar_nearby(store, project.name, address.lat, address.lon))
    place, error = pin_place(geocoder.regions, address, answers.lat, answers.lon)
    location = Location(address=address, place=place, key=key, candidates=candidates)
    if error:
        location.errors["lat"] = error
        return location
    location.pin_km = distance_km(address.lat, address.lon, place.lat, place.lon)
    if not place.in_niedersachsen:
        location.errors["lat"] = outside_message(place, _("Der Pin"))
    location.duplicates = similar_nearby(store, project.name, place.lat, place.lon)
    if not location.errors:
        location.errors.update(unconfirmed(location, answers))
    return location


def unconfirmed(location: Location, answers: Answers) -> dict[str, str]:
    """The warnings the person saw and sent without ticking their box, each with what to do: else the same page
    came back with nothing new on it, and the person could not tell why nothing was submitted. A warning shown for
    the first time (a pin typed far away, a similar project near where the pin was moved) is only shown."""
    missing = {}
    if location.far and not answers.far_ok and "far_ok" in answers.shown:
        missing["far_ok"] = _("Bitte bestätigen Sie, dass der Pin an der richtigen Stelle steht, oder verschieben Sie "
                              "ihn.")
    if location.duplicates and not answers.duplicate_ok and "duplicate_ok" in answers.shown:
        missing["duplicate_ok"] = _("Bitte bestätigen Sie, dass Ihr Projekt ein anderes ist als das ähnliche in der "
                                    "Nähe.")
    return missing


def locate_address(geocoder: Geocoder, project: ProjectInput, choice: str = ""
                   ) -> tuple[Place | None, list[Place], str]:
    """The address's place in Niedersachsen (or the chosen one of several places of its name), the places to
    choose from (they stay on the form, so a choice can be changed), or why it cannot be used."""
    geocoded = geocoder.geocode(street=project.street, plz=project.plz, ort=project.ort)
    result = _chosen(geocoded, choice)
    if not result.ok:
        return None, geocoded.candidates, result.message
    if not result.place.in_niedersachsen:
        return None, geocoded.candidates, outside_message(result.place)
    return result.place, geocoded.candidates, ""


def ready(location: Location, answers: Answers) -> bool:
    """May the project be stored? The location was seen, is valid, and every warning was confirmed."""
    return (location.place is not None and not location.errors and answers.key == location.key
            and (answers.far_ok or not location.far) and (answers.duplicate_ok or not location.duplicates))


def address_key(street: str, plz: str, ort: str, choice: str = "") -> str:
    """What was located: the same key means the same address (and the same choice among places of a name)."""
    return "|".join([street, plz, ort, choice]).casefold()


def pin_place(regions: Regions, address: Place, lat_text: str, lon_text: str) -> tuple[Place, str]:
    """The pin where the person put it (the pin wins over the address), or the address if no pin was sent."""
    if not (lat_text or lon_text):
        return address, ""
    try:
        lat, lon = parse_position(lat_text, lon_text)
    except ValueError as error:
        return address, _("%(error)s Bitte ziehen Sie den Pin oder geben Sie Breite und Länge als Dezimalzahlen "
                          "an, etwa 52,0589 und 10,0238.", error=error)
    if distance_km(address.lat, address.lon, lat, lon) < PIN_MOVED_KM:
        return address, ""
    return Place(address.name, lat, lon, "pin", "Pin", regions.locate(lat, lon)), ""


def coordinate_text(value: float) -> str:
    """52,058912 – as the form shows a coordinate."""
    return f"{value:.6f}".replace(".", ",")


def similar_nearby(store: Store, name: str, lat: float, lon: float) -> list[dict]:
    """Projects nearby whose whole name is the same or very similar (a word of it is not enough).

    Only what the public may see: a published one within DUPLICATE_RADIUS_KM of its public position, with its
    name, place and number, and no distance (moving a pin must not locate an approximate project); a pending one,
    which nobody has checked yet, only counted, and only by the fixed coarse cell the pin lies in, so pins moved
    around it learn nothing finer than that cell.
    """
    published = [{"status": PUBLISHED, "id": row["id"], "name": row["name"], "ort": row["ort"]}
                 for row in store.nearby(lat, lon, DUPLICATE_RADIUS_KM, statuses=(PUBLISHED,))
                 if same_name(name, row["name"])]
    south, west = (math.floor(lat / PENDING_CELL[0]) * PENDING_CELL[0],
                   math.floor(lon / PENDING_CELL[1]) * PENDING_CELL[1])
    pending = [{"status": row["status"]} for row in store.in_box(
        (south, south + PENDING_CELL[0], west, west + PENDING_CELL[1]), statuses=(PENDING,))
        if same_name(name, row["name"])]
    return published + pending


def outside_message(place: Place, subject: str = "") -> str:
    return " ".join((place.assignment.sentence(subject or place.name),
                     _("Der Atlas umfasst nur Projekte in Niedersachsen; es wurde nichts gespeichert.")))


def _chosen(result: Result, choice: str) -> Result:
    """The candidate the person picked among several places of the same name, if it is one of them."""
    if not result.candidates or not choice:
        return result
    for candidate in result.candidates:
        if choice_value(candidate) == choice:
            return Result(OK, "", candidate)
    return result


def choice_value(place: Place) -> str:
    return f"{place.lat:.5f},{place.lon:.5f}"


def relocate(geocoder: Geocoder, row: dict, project: ProjectInput, lat_text: str, lon_text: str
             ) -> tuple[Place | None, dict[str, str]]:
    """Where an edited project lies: a changed address is geocoded again, else changed coordinates count."""
    if address_key(project.street, project.plz, project.ort) != address_key(row["street"], row["plz"], row["ort"]):
        address, _candidates, error = locate_address(geocoder, project)
        return (None, {"ort": error}) if error else (address, {})
    current = Place(row["ort"], row["lat"], row["lon"], row["precision"], "gespeichert",
                    geocoder.regions.locate(row["lat"], row["lon"]))
    place, error = pin_place(geocoder.regions, current, lat_text, lon_text)
    if error:
        return None, {"lat": error}
    if not place.in_niedersachsen:
        return None, {"lat": outside_message(place, _("Der Punkt"))}
    return place, {}
