"""What geocoding answers: a located place, and the outcome of a query (status, place or candidates, message)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from atlas.districts import Arl, Assignment, Kreis
from atlas.i18n import N_, _
from atlas.text import clean_text

OK, AMBIGUOUS, NOT_FOUND, INVALID, UNAVAILABLE = "ok", "ambiguous", "not_found", "invalid", "unavailable"

# How exact a location is, and how to say so to a person.
PRECISION_LABELS = {
    "address": N_("Adresse"),
    "street": N_("Straße"),
    "postcode": N_("Mitte des PLZ-Gebiets"),
    "municipality": N_("Gemeindegebiet"),
    "place": N_("Ortsmitte"),
    "point": N_("vom Browser übermittelt"),
    "pin": N_("Pin auf der Karte"),
}


def precision_label(precision: str) -> str:
    """How exact a location is, in the reader's language."""
    return _(PRECISION_LABELS[precision]) if precision in PRECISION_LABELS else precision


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    precision: str
    source: str
    assignment: Assignment
    population: int = 0  # the Gemeinde's (Destatis), else the place's (GeoNames); decides which place is meant

    @property
    def kreis(self) -> Kreis | None:
        return self.assignment.kreis

    @property
    def arl(self) -> Arl | None:
        return self.assignment.arl

    @property
    def in_niedersachsen(self) -> bool:
        return self.kreis is not None

    @property
    def approximate(self) -> bool:
        """Only an address, a shared position or a placed pin is the place itself; a PLZ centroid is not."""
        return self.precision not in ("address", "point", "pin")

    @property
    def description(self) -> str:
        """ "um 30169 Hannover (Mitte des PLZ-Gebiets)" """
        label = precision_label(self.precision)
        if self.approximate:
            return _("um %(place)s (%(precision)s)", place=self.name, precision=label)
        return f"{self.name} ({label})"

    @property
    def where(self) -> str:
        """ "Landkreis Diepholz, Amt für regionale Landesentwicklung Leine-Weser" or the reason."""
        if self.kreis:
            return f"{self.kreis.label}, {self.arl.name}"
        return self.assignment.reason_text

    def named(self, name: str) -> Place:
        return replace(self, name=name)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "precision": self.precision,
            "approximate": self.approximate,
            "source": self.source,
            "kreis": {"rs": self.kreis.rs, "name": self.kreis.label} if self.kreis else None,
            "arl": {"slug": self.arl.slug, "name": self.arl.name} if self.arl else None,
            "reason": self.assignment.reason,
        }


@dataclass(frozen=True)
class Result:
    status: str
    message: str
    place: Place | None = None
    candidates: list[Place] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # "Meinten Sie …?": names of places that exist
    place_of_gemeinde: bool = False  # an Ortsteil the gazetteer lacks: the point is its Gemeinde's
    passing: bool = False  # a fallback while the online geocoder was unreachable: the next lookup may differ
    ort_elsewhere: bool = False  # the Ort given with a PLZ lies far from it: the place is the PLZ's

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_dict(self) -> dict:
        data = {"status": self.status, "message": self.message}
        empty = {"name": None, "lat": None, "lon": None, "precision": None, "approximate": None,
                 "source": None, "kreis": None, "arl": None, "reason": None}
        data.update(self.place.to_dict() if self.place else empty)
        data["candidates"] = [c.to_dict() for c in self.candidates]
        return data


def found(place: Place, note: str = "") -> Result:
    """An ok result whose message says where the place lies, or why it is outside."""
    if place.in_niedersachsen:
        message = f"{place.description}: {place.where}."
    else:
        message = place.assignment.sentence(place.name)
    if place.approximate and place.in_niedersachsen:
        message += " " + _("Die Lage ist ungefähr.")
    return Result(OK, (message + (" " + note if note else "")).strip(), place)


def valid_position(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def parse_position(lat_text: str, lon_text: str) -> tuple[float, float]:
    """Latitude and longitude as typed or sent (German comma or dot), or a ValueError with a German message that
    names what is not a number."""
    lat, lon = _coordinate(lat_text), _coordinate(lon_text)
    if lat is None and lon is None:
        raise ValueError(_("Die Koordinaten sind ungültig: „%(lat)s“, „%(lon)s“ sind keine Zahlen.",
                           lat=clean_text(lat_text)[:20], lon=clean_text(lon_text)[:20]))
    if lat is None or lon is None:
        raise ValueError(_("Die Koordinaten sind ungültig: „%(value)s“ ist keine Zahl.",
                           value=clean_text(lat_text if lat is None else lon_text)[:20]))
    if not valid_position(lat, lon):
        raise ValueError(_("Die Koordinaten liegen außerhalb des gültigen Bereichs (Breite -90 bis 90, "
                           "Länge -180 bis 180)."))
    return lat, lon


def _coordinate(text: str) -> float | None:
    try:
        return float(str(text).strip().replace(",", "."))
    except ValueError:
        return None
