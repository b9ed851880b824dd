"""The one seam for geocoding: free text or street/PLZ/Ort in, a located place or a clear German message out.

Offline first (PLZ centroids, Gemeinden, GeoNames places); an online provider only when configured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from atlas.districts import Kreis
from atlas.gazetteer import Gazetteer
from atlas.geo import distance_km
from atlas.i18n import N_, _
from atlas.places import AMBIGUOUS, INVALID, NOT_FOUND, OK, UNAVAILABLE, Place, Result, found, valid_position
from atlas.qualified import kreis_named, looks_like_street, readings
from atlas.regions import Regions

if TYPE_CHECKING:  # geopy and the database only where the online geocoder is configured (atlas.services)
    from atlas.online import OnlineGeocoder

MAX_LENGTH = 200
PLZ = re.compile(r"(?<!\d)(\d{5})(?!\d)")
FORBIDDEN = re.compile(r"[<>{}\[\]\\|;=`$^~*\x00-\x1f\x7f]")
LEADING_NUMBER = re.compile(r"^\s*(\d+)\b")
PLZ_NAME_DISTANCE_KM = 30
SOURCE_ONLINE = "Nominatim (© OpenStreetMap-Mitwirkende)"
CLEARLY_LARGER = 3  # times the population of the next place of the same name
MIN_TOWN = 2_000  # below this, places of one name are villages alike: the person chooses
ORTSTEIL_KM = 15  # how far an Ortsteil may lie from the point of the Gemeinde it is written with
NAMED_NEAR_KM = 15  # a shared position outside every Gemeinde's area is named after the nearest within this
# The fields' names in messages (translated when a message names one)
INPUT, STREET, PLZ_FIELD, ORT = N_("Die Eingabe"), N_("Die Straße"), N_("Die PLZ"), N_("Der Ort")


@dataclass(frozen=True)
class Query:
    street: str = ""
    plz: str = ""
    ort: str = ""

    @property
    def text(self) -> str:
        return ", ".join(p for p in (self.street, f"{self.plz} {self.ort}".strip()) if p)


class Geocoder:
    def __init__(self, regions: Regions, gazetteer: Gazetteer, online: OnlineGeocoder | None = None):
        self.regions = regions
        self.gazetteer = gazetteer
        self.online = online

    def geocode(self, text: str | None = None, *, street: str = "", plz: str = "", ort: str = "") -> Result:
        """Where is it? Give either free text or the structured parts. (What the answer depends on is answer_key's to
        say: a change here to how a street is used changes that too.)"""
        try:
            query = parse(text) if text is not None else structured(street, plz, ort)
        except ValueError as error:
            return Result(INVALID, str(error))
        if query.street and self.online:
            online = self._online(query.text)
            if online.ok or online.status == AMBIGUOUS:
                return online
            fallback = self._offline(query)
            note = _("Die Adresse wurde online nicht gefunden; gezeigt wird die ungefähre Lage nach PLZ und Ort.")
            if online.status == UNAVAILABLE:
                note = _("Die Online-Adresssuche ist gerade nicht erreichbar; gezeigt wird die ungefähre Lage.")
            return _with_note(fallback, note, passing=online.status == UNAVAILABLE)
        result = self._offline(query)
        if query.street and result.ok:
            return _with_note(result, _("Die Straße wird ohne Online-Geocoder nicht ausgewertet."))
        if (result.status == NOT_FOUND or result.place_of_gemeinde) and self.online and query.ort:
            online = self._online(query.text)
            if online.status != NOT_FOUND:
                return online
        return result

    def answer_key(self, street: str = "", plz: str = "", ort: str = "") -> tuple:
        """What geocode(street=…, plz=…, ort=…) answers from: two queries with the same key get the same answer
        (an import geocodes each key once, not each of its 100k rows). The parts as geocode reads them; without
        the online geocoder a street is only noted, never looked up, so only whether there is one counts. Parts
        it refuses stay as given (their message)."""
        try:
            query = structured(street, plz, ort)
        except ValueError:
            return street, plz, ort
        return (query.street if self.online else bool(query.street)), query.plz, query.ort

    def position(self, lat: float, lon: float, name: str | None = None) -> Result:
        """A position the browser shared (the place itself), or a chosen candidate's point with its name."""
        if not valid_position(lat, lon):
            return Result(INVALID, _("Die Koordinaten sind ungültig."))
        if name:
            return found(Place(name, lat, lon, "place", "Auswahl", self.regions.locate(lat, lon)))
        gemeinde = self.gazetteer.gemeinde_at(lat, lon, within_km=NAMED_NEAR_KM)
        name = _("Ihr Standort bei %(place)s", place=gemeinde or f"{lat:.5f}, {lon:.5f}")
        return found(Place(name, lat, lon, "point", "Browser", self.regions.locate(lat, lon)))

    def _offline(self, query: Query) -> Result:
        if query.plz:
            return self._by_plz(query)
        if not self.gazetteer.has_name(query.ort):
            for name, qualifier in readings(query.ort):
                qualified = self._qualified(name, qualifier)
                if qualified is not None:
                    return qualified
        places = self.gazetteer.lookup_name(query.ort)
        if not places:
            hint = self.gazetteer.suggest(query.ort)
            if hint:
                return Result(NOT_FOUND, _("„%(place)s“ wurde nicht gefunden. Meinten Sie: %(suggestions)s? Versuchen "
                                           "Sie sonst die Postleitzahl oder den Namen der Gemeinde.",
                                           place=query.ort, suggestions=", ".join(hint)), suggestions=hint)
            return Result(NOT_FOUND, _("„%(place)s“ wurde nicht gefunden. Versuchen Sie die Postleitzahl oder den "
                                       "Namen der Gemeinde.", place=query.ort))
        return choose(query.ort, places)

    def _qualified(self, name: str, qualifier: str) -> Result | None:
        """A place written with its Kreis, or an Ortsteil with its Gemeinde: the Ortsteil if the gazetteer knows it
        there, else the Gemeinde, saying so. None if the qualifier names neither, or if the name is a town clearly
        larger than that Gemeinde: nobody writes a town with a village as its Gemeinde, so the brackets name a
        river or a region ("Stade (Elbe)" is Stade, not Elbe in Wolfenbüttel)."""
        kreis = kreis_named(qualifier, self.regions)
        if kreis:
            return self._in_kreis(name, kreis)
        gemeinde = choose(qualifier, self.gazetteer.lookup_name(qualifier)) \
            if self.gazetteer.has_name(qualifier) else Result(NOT_FOUND, "")
        points = [p for p in gemeinde.candidates or [gemeinde.place] if p and p.in_niedersachsen]
        ortsteile = {(o.lat, o.lon): o for p in points
                     if (o := self.gazetteer.nearest_named(name, p.lat, p.lon, ORTSTEIL_KM))}
        if len(ortsteile) == 1:
            return found(*ortsteile.values())
        kreis = kreis_named(qualifier, self.regions, explicit=False)
        if kreis and any(p.kreis == kreis for p in self.gazetteer.lookup_name(name)):
            return self._in_kreis(name, kreis)
        if gemeinde.ok and gemeinde.place.in_niedersachsen and not self._town_of_its_own(name, gemeinde.place):
            note = _("„%(place)s“ ist im Ortsverzeichnis bei %(gemeinde)s nicht enthalten; gezeigt wird die Lage "
                     "von %(gemeinde)s.", place=name, gemeinde=gemeinde.place.name)
            return Result(OK, f"{gemeinde.message} {note}", gemeinde.place, place_of_gemeinde=True)
        return None

    def _town_of_its_own(self, name: str, gemeinde: Place) -> bool:
        """Whether a place of this name is clearly larger than the Gemeinde it was written with."""
        largest = max(self.gazetteer.lookup_name(name), key=lambda p: p.population, default=None)
        return largest is not None and clearly_larger(largest, gemeinde)

    def _in_kreis(self, name: str, kreis: Kreis) -> Result:
        inside = [p for p in self.gazetteer.lookup_name(name) if p.kreis == kreis]
        if inside:
            return found(inside[0])
        return Result(NOT_FOUND, _("„%(place)s“ wurde nicht gefunden (gesucht in: %(kreis)s). Versuchen Sie die "
                                   "Postleitzahl.", place=name, kreis=kreis.label))

    def _by_plz(self, query: Query) -> Result:
        place = self.gazetteer.lookup_plz(query.plz)
        if place is None:
            return Result(NOT_FOUND, _("Die Postleitzahl %(plz)s gibt es nicht. Bitte prüfen Sie die Eingabe.",
                                       plz=query.plz))
        if not query.ort:
            return found(place)
        named = [p for p in self.gazetteer.lookup_name(query.ort)
                 if distance_km(p.lat, p.lon, place.lat, place.lon) <= PLZ_NAME_DISTANCE_KM]
        if not named:
            return replace(found(place, _("„%(place)s“ liegt nicht bei der PLZ %(plz)s; maßgeblich ist die PLZ.",
                                          place=query.ort, plz=query.plz)), ort_elsewhere=True)
        nearest = min(named, key=lambda p: distance_km(p.lat, p.lon, place.lat, place.lon))
        return found(place.named(f"{query.plz} {nearest.name}"))

    def _online(self, text: str) -> Result:
        from atlas.online import OnlineUnavailable

        try:
            hits = self.online.search(text)
        except OnlineUnavailable:
            return Result(UNAVAILABLE, _("Die Online-Adresssuche ist gerade nicht erreichbar. Bitte versuchen Sie "
                                         "es später oder geben Sie PLZ und Ort an."))
        if not hits:
            return Result(NOT_FOUND, _("„%(place)s“ wurde nicht gefunden. Bitte prüfen Sie die Schreibweise.",
                                       place=text))
        hit = hits[0]
        return found(Place(hit.name, hit.lat, hit.lon, hit.precision, SOURCE_ONLINE,
                           self.regions.locate(hit.lat, hit.lon)))


def choose(name: str, places: list[Place]) -> Result:
    """Prefer Niedersachsen: one match there resolves; of several, a clearly larger one is meant (the others are
    offered), and a tie is a choice for the person, never a guess. Candidates come largest first."""
    inside = sorted((p for p in places if p.in_niedersachsen), key=lambda p: (-p.population, p.kreis.label, p.name))
    if len(inside) == 1:
        return found(inside[0])
    if len(inside) > 1 and clearly_larger(inside[0], inside[1]):
        others = ", ".join(f"{p.name} ({p.kreis.label})" for p in inside[1:])
        result = found(inside[0], _("Gemeint ist der größere Ort; „%(place)s“ gibt es auch hier: %(others)s.",
                                    place=name, others=others))
        return Result(OK, result.message, result.place, candidates=inside)
    if len(inside) > 1:
        where = "; ".join(f"{p.name} ({p.kreis.label})" for p in inside)
        return Result(AMBIGUOUS, _("„%(place)s“ gibt es %(count)s-mal in Niedersachsen: %(where)s. Bitte wählen Sie "
                                   "einen Ort oder geben Sie die Postleitzahl dazu an.", place=name,
                                   count=len(inside), where=where), candidates=inside)
    return found(places[0])


def clearly_larger(first: Place, second: Place) -> bool:
    """Achim (Verden, 32,752 by the Gemeindeverzeichnis) against Achim (Wolfenbüttel, a village of 820 by
    GeoNames): the town is meant; the Gemeinden Asendorf, 2,968 against 2,113, are a tie."""
    return first.population >= MIN_TOWN and first.population >= CLEARLY_LARGER * max(second.population, 1)


def parse(text: str) -> Query:
    """Split free text into street, PLZ and Ort, or say precisely what is wrong with it."""
    text = _checked(text, INPUT)
    if text.isdigit():
        if len(text) != 5:
            raise ValueError(_("Eine Postleitzahl hat fünf Ziffern, „%(text)s“ hat %(count)s.", text=text,
                               count=len(text)))
        return Query(plz=text)
    leading = LEADING_NUMBER.match(text)
    if leading and len(leading.group(1)) != 5:
        raise ValueError(_("Eine Postleitzahl hat fünf Ziffern, „%(text)s“ hat %(count)s.", text=leading.group(1),
                           count=len(leading.group(1))))
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:  # only commas: nothing typed
        raise _nothing_typed()
    for i, part in enumerate(parts):
        plz = PLZ.search(part)
        if plz:
            ort = (part[: plz.start()] + part[plz.end():]).strip()
            rest = parts[:i] + parts[i + 1:]
            if not ort and rest and not any(c.isdigit() for c in rest[-1]):
                ort = rest.pop()
            return Query(street=", ".join(rest), plz=plz.group(1), ort=ort)
    if len(parts) == 2 and not looks_like_street(parts[0]):
        return Query(ort=", ".join(parts))  # "Altenwalde, Cuxhaven": an Ortsteil and its Gemeinde
    if len(parts) > 1:
        return Query(street=", ".join(parts[:-1]), ort=parts[-1])
    return Query(ort=_has_letters(parts[0]))


def structured(street: str, plz: str, ort: str) -> Query:
    street = _checked(street, STREET, required=False)
    plz = _checked(plz, PLZ_FIELD, required=False)
    ort = _checked(ort, ORT, required=False)
    if plz and not (plz.isdigit() and len(plz) == 5):
        raise ValueError(_("Eine Postleitzahl hat fünf Ziffern, zum Beispiel 30169 – nicht „%(plz)s“.", plz=plz))
    if not plz and not ort:
        raise ValueError(_("Bitte geben Sie eine Postleitzahl oder einen Ort an."))
    return Query(street=street, plz=plz, ort=_has_letters(ort) if ort else "")


def _checked(value: str | None, label: str, required: bool = True) -> str:
    """The value with its white space made single, or ValueError naming the field (`label`, a message translated
    only then: an import checks the parts of 100k rows)."""
    value = " ".join(value.split()) if value else ""
    if not value:  # an empty street or PLZ, as in most rows of an import
        if required:
            raise _nothing_typed()
        return value
    if len(value) > MAX_LENGTH:
        raise ValueError(_("%(field)s ist zu lang: höchstens %(limit)s Zeichen.", field=_(label), limit=MAX_LENGTH))
    if FORBIDDEN.search(value):
        raise ValueError(_("%(field)s enthält Zeichen, die in Adressen nicht vorkommen (etwa < > { } ;).",
                           field=_(label)))
    return value


def _nothing_typed() -> ValueError:
    return ValueError(_("Bitte geben Sie einen Ort, eine Postleitzahl oder eine Adresse ein."))


def _has_letters(name: str) -> str:
    if not any(c.isalpha() for c in name):
        raise ValueError(_("„%(text)s“ ist kein Ortsname. Bitte geben Sie einen Ort, eine PLZ oder eine Adresse "
                           "ein.", text=name))
    return name


def _with_note(result: Result, note: str, passing: bool = False) -> Result:
    """The result with a note added, and all it says besides kept (an Ort far from its PLZ, a Gemeinde's point)."""
    return replace(result, message=f"{result.message} {note}".strip(), passing=passing)
