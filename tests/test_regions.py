"""The region data: 45 Kreise, the area of Niedersachsen, four ArL, and assignment of points."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from atlas.districts import ARLS

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once


@pytest.fixture
def regions(services):
    return services.regions


def test_niedersachsen_has_45_kreise_with_unique_keys(regions):
    assert len(regions.kreise) == 45
    assert regions.kreise.rs.is_unique
    assert set(regions.kreise.kind) <= {"Landkreis", "Kreisfreie Stadt", "Region"}


def test_goettingen_is_the_2016_merger(regions):
    keys = set(regions.kreise.rs)
    assert "03159" in keys and not {"03152", "03156"} & keys
    assert regions.by_rs["03159"].label == "Landkreis Göttingen"
    # Osterode am Harz lies in the merged Kreis now.
    assert regions.locate(51.7269, 10.2509).kreis.rs == "03159"


def test_summed_area_is_that_of_niedersachsen(regions):
    area_km2 = regions.kreise.to_crs(25832).area.sum() / 1e6
    assert area_km2 == pytest.approx(47_710, rel=0.005)


@pytest.mark.parametrize("slug", list(ARLS))
def test_each_arl_holds_exactly_its_kreise(regions, slug):
    digit = {arl: d for d, arl in {"1": "braunschweig", "2": "leine-weser", "3": "lueneburg",
                                   "4": "weser-ems"}.items()}[slug]
    mine = regions.kreise[regions.kreise.arl == slug]
    assert set(mine.rs.str[2]) == {digit}
    district = regions.arl[regions.arl.arl == slug].to_crs(25832).geometry.iloc[0]
    union = mine.to_crs(25832).union_all()
    # The district polygon is drawn from simplified Kreise: it may differ only along its edge.
    assert district.symmetric_difference(union).area / union.area < 0.002


def test_every_kreis_belongs_to_one_of_four_arl(regions):
    assert regions.kreise.arl.value_counts().to_dict() == {
        slug: int((regions.kreise.rs.str[2] == d).sum())
        for d, slug in {"1": "braunschweig", "2": "leine-weser", "3": "lueneburg", "4": "weser-ems"}.items()
    }
    assert set(regions.arl.name) == {arl.name for arl in ARLS.values()}


@pytest.mark.parametrize(("lat", "lon", "reason"), [
    (53.0758, 8.8072, "liegt im Land Bremen"),
    (53.5500, 8.5800, "liegt in Bremerhaven (Land Bremen)"),
    (53.5507, 9.9930, "liegt in Hamburg"),
    (48.1374, 11.5755, "liegt außerhalb Niedersachsens"),
    (52.2895, 8.9146, "liegt außerhalb Niedersachsens (in Nordrhein-Westfalen)"),
    (52.3700, 4.8900, "liegt außerhalb Niedersachsens"),
])
def test_a_point_outside_every_kreis_gets_a_reason(regions, lat, lon, reason):
    one = regions.locate(lat, lon)
    assert one.kreis is None and one.arl is None
    assert one.reason.startswith(reason)
    many = regions.assign_lonlat([lon], [lat])
    assert many.kreis_rs.isna().all() and many.reason.iloc[0].startswith(reason)


def test_many_points_at_once_agree_with_one_by_one(regions):
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(6.6, 11.6, 2000), rng.uniform(51.3, 53.9, 2000)
    many = regions.assign_lonlat(lon, lat)
    assert len(many) == 2000
    for i in range(0, 2000, 7):
        one = regions.locate(lat[i], lon[i])
        assert (one.kreis.rs if one.kreis else None) == (many.kreis_rs.iat[i] if isinstance(many.kreis_rs.iat[i], str)
                                                          else None)
        assert one.reason == many.reason.iat[i]


def test_assign_takes_a_geodataframe_in_another_crs_and_keeps_its_index(regions):
    points = gpd.GeoDataFrame({"name": ["Hemmingen", "Meppen"]}, index=[10, 20],
                              geometry=gpd.points_from_xy([9.7236, 7.2910], [52.3143, 52.6906]), crs=4326)
    result = regions.assign(points.to_crs(25832))
    assert list(result.index) == [10, 20]
    assert list(result.kreis_name) == ["Region Hannover", "Emsland"]
    assert list(result.arl) == ["leine-weser", "weser-ems"]


@pytest.mark.parametrize("path", ["regions/kreise.geojson", "regions/kreise_karte.geojson", "regions/arl.geojson",
                                  "regions/umgebung.geojson", "gazetteer/gemeinden_nord.geojson"])
def test_the_boundaries_read_without_gdal_are_those_geopandas_reads(path):
    import shapely

    from atlas.regions import read_geojson

    file = Path(__file__).resolve().parent.parent / "data" / path
    ours, theirs = read_geojson(file), gpd.read_file(file)
    assert list(ours.columns) == list(theirs.columns) and ours.crs == theirs.crs
    assert ours.drop(columns="geometry").equals(theirs.drop(columns="geometry"))
    assert shapely.equals_exact(ours.geometry.values, theirs.geometry.values, tolerance=0).all()
