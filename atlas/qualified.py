"""A place written with what it belongs to: an Ortsteil with its Gemeinde („Cuxhaven-Altenwalde“, „Tettenborn (Bad
Sachsa)“, „Altenwalde, Cuxhaven“) or a place with its Kreis („Asendorf (Landkreis Diepholz)“, „Asendorf, LK
Diepholz“). Only the reading of the text is here; atlas/geocode.py looks the parts up."""

from __future__ import annotations

import re

from atlas.districts import Kreis
from atlas.gazetteer import QUALIFIER, normalise
from atlas.regions import Regions

PARENTHESISED = re.compile(r"(?P<name>[^()]+?)\s*\((?P<qualifier>[^()]+)\)")
# The words that make a qualifier a Kreis, and the kinds of Kreis each may name (normalised, "Lkr." is "lkr")
KREIS_WORDS = {"landkreis": {"Landkreis"}, "lkr": {"Landkreis"}, "lk": {"Landkreis"}, "kreis": {"Landkreis"},
               "kr": {"Landkreis"}, "region": {"Region"}, "stadt": {"Kreisfreie Stadt"}}
KREIS_WORD = re.compile(rf"({'|'.join(KREIS_WORDS)})\s+(.+)")
# What makes the first part of "X, Y" a street rather than a place: a street word, or a street's preposition
STREET_WORDS = re.compile(r"(stra(ss|ß)e|str\.?|weg|platz|allee|ring|damm|gasse|chaussee|ufer|markt|wall|stieg|"
                          r"steig|pfad|twiete|kamp|hof)$|^(am|an|auf|im|in|zum|zur|hinter|vor|unter|beim?)\s",
                          re.IGNORECASE)


def readings(text: str) -> list[tuple[str, str]]:
    """The ways to read the text as (place, what it belongs to), the likelier first. "Cuxhaven-Altenwalde" is
    Altenwalde in Cuxhaven (the Gemeinde is written first), else Cuxhaven in a place called Altenwalde."""
    text = " ".join(text.split())
    bracketed = PARENTHESISED.fullmatch(text)
    if bracketed:
        return [(bracketed["name"], bracketed["qualifier"].strip())]
    if "," in text:
        name, qualifier = (part.strip() for part in text.split(",", 1))
        return [(name, qualifier)] if name and qualifier else []
    pairs = []
    for hyphen in (m.start() for m in re.finditer(r"\s*-\s*", text)):
        left, right = text[:hyphen].strip(" -"), text[hyphen:].strip(" -")
        if left and right:
            pairs += [(right, left), (left, right)]
    return pairs


def kreis_named(text: str, regions: Regions, explicit: bool = True) -> Kreis | None:
    """The Kreis a qualifier names: "Landkreis Diepholz", "LK Diepholz", "Region Hannover", "Stadt Osnabrück";
    without `explicit`, also a bare Kreis name that only one Kreis bears ("Diepholz", not "Osnabrück")."""
    key = normalise(text)
    worded = KREIS_WORD.fullmatch(key)
    if worded:
        kinds, key = KREIS_WORDS[worded[1]], worded[2]
    elif explicit:
        return None
    else:
        kinds = {"Landkreis", "Region", "Kreisfreie Stadt"}
    named = [k for k in regions.by_rs.values() if k.kind in kinds and key in _kreis_keys(k)]
    return named[0] if len(named) == 1 else None


def looks_like_street(text: str) -> bool:
    """Whether "X" in "X, Y" is a street (with or without its number), not a place of Y."""
    return any(c.isdigit() for c in text) or bool(STREET_WORDS.search(text.strip()))


def _kreis_keys(kreis: Kreis) -> set[str]:
    name = normalise(kreis.name)
    return {name, normalise(QUALIFIER.sub("", kreis.name)), name.removeprefix("region ")}
