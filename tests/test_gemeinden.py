"""The Gemeinden of 2023 (Destatis GV100AD): each in the Kreis its key names, the Kreise's population, and the
official population deciding which of several places of one name is meant."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from atlas.gazetteer import read_gemeinden_ni
from atlas.geocode import Geocoder
from atlas.regions import load_regions

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="module")
def regions():
    return load_regions(DATA / "regions")


@pytest.fixture(scope="module")
def gemeinden():
    return read_gemeinden_ni(DATA / "gazetteer")


@pytest.fixture(scope="module")
def geocode(regions):
    from atlas.gazetteer import Gazetteer

    return Geocoder(regions, Gazetteer(DATA / "gazetteer", regions)).geocode


def test_every_gemeinde_of_niedersachsen_is_there_once(gemeinden):
    assert gemeinden.ags.is_unique and gemeinden.ags.str.fullmatch(r"03\d{6}").all()
    assert len(gemeinden) == 964  # 939 Gemeinden and 25 gemeindefreie Gebiete, 2 of them inhabited
    inhabited = gemeinden[gemeinden.population > 0]
    assert len(inhabited) == 941 and inhabited.plz.str.fullmatch(r"\d{5}").all()
    assert set(gemeinden.position) <= {"vg250", "teile", "plz"}


def test_every_gemeinde_lies_in_the_kreis_its_ags_names(regions, gemeinden):
    assigned = regions.assign_lonlat(gemeinden.lon.to_numpy(), gemeinden.lat.to_numpy())
    wrong = gemeinden[assigned.kreis_rs.to_numpy() != gemeinden.ags.str[:5].to_numpy()]
    assert wrong.empty, wrong[["ags", "name", "lat", "lon"]]


def test_the_kreise_populations_sum_to_niedersachsens(regions, gemeinden):
    population = regions.population
    assert list(population.index) == list(regions.kreise.rs)
    assert (population > 0).all()
    # 8,140,242: the sum of Niedersachsen's Gemeinde records in GV100AD_301123.txt, as read from the file itself
    assert population.sum() == gemeinden.population.sum() == 8_140_242
    assert population.idxmax() == "03241", "Region Hannover is the largest"
    assert population["03158"] == gemeinden[gemeinden.ags.str.startswith("03158")].population.sum()


def test_a_gemeinde_formed_since_2017_is_found_in_its_kreis(geocode, gemeinden):
    result = geocode("Remlingen-Semmenstedt")
    assert result.status == "ok", result.message
    assert result.place.kreis.label == "Landkreis Wolfenbüttel"
    assert result.place.population == int(gemeinden.set_index("ags").population["03158040"])
    assert geocode("Semmenstedt").place.kreis.label == "Landkreis Wolfenbüttel", "the former Gemeinde is a place"


def test_the_town_is_meant_by_its_official_population(geocode, gemeinden):
    result = geocode("Achim")
    assert result.status == "ok" and result.place.kreis.label == "Landkreis Verden"
    assert result.place.population == int(gemeinden.set_index("ags").population["03361001"])
    assert "Landkreis Wolfenbüttel" in result.message


def test_two_gemeinden_of_one_name_stay_a_choice(geocode, gemeinden):
    result = geocode("Asendorf")
    assert result.status == "ambiguous"
    official = gemeinden[gemeinden.name == "Asendorf"].sort_values("population", ascending=False)
    assert [(c.kreis.rs, c.population) for c in result.candidates] == \
        list(zip(official.ags.str[:5], official.population, strict=True))


def test_the_gv100ad_records_are_read_at_their_columns(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("build_gemeinden", ROOT / "scripts" / "build_gemeinden.py")
    build = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, build)  # its dataclass looks itself up there
    spec.loader.exec_module(build)
    records = [  # three records of GV100AD_301123.txt as they are, and one of another Land
        "6020231130031580405407Remlingen-Semmenstedt" + " " * 79 + "64    000000033430000000239600000001230    "
        "38319*****  2351111521113049" + " " * 27,
        "6020231130033610010001Achim, Stadt" + " " * 88 + "63    000000068060000003275200000015944    "
        "28832       2348270127701034" + " " * 27,
        "6020231130031595019501Harz (Landkreis Göttingen), gemfr. Geb." + " " * 61 + "66    "
        "000000267850000000000000000000000                23351206     052" + " " * 27,
        "6020231130040110000000Bremen, Stadt" + " " * 87 + "61    000000318200000056939600000280842    "
        "28195*****  2471110121401054055" + " " * 24,
    ]
    source = tmp_path / "GV100AD.txt"
    source.write_text("\n".join(records) + "\n", encoding="utf-8")
    read = build.read_gv100ad(source, "03")
    assert [(g.ags, g.name, g.kind, g.plz, g.population) for g in read] == [
        ("03158040", "Remlingen-Semmenstedt", "Gemeinde", "38319", 2396),
        ("03361001", "Achim", "Stadt", "28832", 32752),
        ("03159501", "Harz (Landkreis Göttingen)", "gemeindefreies Gebiet, unbewohnt", "", 0),
    ]
    with pytest.raises(ValueError, match="no Gemeinde of Land 09"):
        build.read_gv100ad(source, "09")
