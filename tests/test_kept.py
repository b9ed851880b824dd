"""An operator restarts the atlas: what the first start made from data/ and the code (the Kreise and their tiles,
the gazetteer, the basemap, the maps Folium renders, the compiled templates) is read from the cache folder, and the
second start answers sooner, with the same pages. A damaged file there is made again."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from helpers import SQLITE_FILE, cli_environment

from atlas.migrate import upgrade

pytestmark = SQLITE_FILE

# One start as a process: the app, the start page, its map script; what it imported; what the cache folder holds
START = """
import hashlib, json, re, sys
import atlas.regions
parsed, parse = [], atlas.regions.read_geojson
atlas.regions.read_geojson = lambda path: parsed.append(path.name) or parse(path)
from atlas import create_app
app = create_app()
client = app.test_client()
page = client.get("/").get_data(as_text=True)
script = client.get(re.search(r'src="(/karte/[^"]*atlas[^"]*\\.js[^"]*)"', page).group(1))
print(json.dumps({"status": script.status_code, "script": hashlib.sha256(script.data).hexdigest(),
                  "folium": "folium" in sys.modules, "gdal": "pyogrio" in sys.modules or "fiona" in sys.modules,
                  "geojson": sorted(set(parsed)), "gazetteer": "gazetteer" in vars(app.extensions["atlas"]),
                  "needless": sorted({name.split(".")[0] for name in sys.modules}
                                     & {"alembic", "rdflib", "translate", "lxml", "phonenumbers", "snowballstemmer",
                                        "Stemmer"})}))
"""


@pytest.fixture
def start(tmp_path):
    upgrade(f"sqlite:///{tmp_path / 'instance' / 'atlas.db'}")
    env = cli_environment(cold=True, ATLAS_INSTANCE_PATH=str(tmp_path / "instance"), ATLAS_TILES="none")

    def run(**settings: str) -> dict:
        done = subprocess.run([sys.executable, "-c", START], env={**env, **settings}, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])
    return run


def test_a_second_start_reads_what_the_first_made_and_a_damaged_copy_is_made_again(start, tmp_path):
    first = start()
    assert first["status"] == 200 and first["folium"], "the first start renders the map with Folium"
    assert not first["gdal"], "the region files are read without GDAL (28 MB in every process)"
    assert first["needless"] == [], ("the schema is checked without Alembic; rdflib waits for the DCAT catalogue, "
                                   "the Translate Toolkit for an agency's XLIFF file, phonenumbers for a contact "
                                   "written, the stemmer for a word searched")
    cache = tmp_path / "instance" / "cache"
    kinds = {path.name.split("-")[0] for path in cache.glob("*.pickle")}
    assert kinds == {"regions", "kreise_tiles", "gazetteer", "basemap", "map"}  # the tiles: the basemap's places joined
    [templates] = (cache / "templates").iterdir()  # one folder, for this code and its libraries
    assert list(templates.iterdir())
    assert first["geojson"] == ["arl.geojson", "gemeinden_nord.geojson", "kreise.geojson", "kreise_karte.geojson",
                                "umgebung.geojson"], "the boundaries, and the Gemeinden the gazetteer is made from"
    assert first["gazetteer"], "the basemap is made from the gazetteer's places"

    second = start()
    assert second == {**first, "folium": False, "geojson": [], "gazetteer": False}, (
        "the same map script, without importing Folium, parsing the boundaries or loading the gazetteer")

    kept = [*cache.glob("*.pickle"), *templates.iterdir()]
    for path in kept:
        path.write_bytes(b"kaputt")
    third = start()
    assert third == first, "made again, as at the first start"
    assert all(path.read_bytes() != b"kaputt" for path in kept if path.exists())
    assert all(path.read_bytes() != b"kaputt" for path in [*cache.glob("*.pickle"), *templates.iterdir()])

    other = start(ATLAS_TILES="osm")  # another configuration: its own map, not the one kept for the first
    assert other["status"] == 200 and other["script"] != first["script"] and other["folium"]


# What four workers of a new deployment do at once: each asks for the same kept thing, which takes a while to make
MAKE_SLOWLY = """
import sys, time
from pathlib import Path
from atlas.kept import read_or_make

def make():
    with open(sys.argv[2], "a") as made:
        made.write("made\\n")
    time.sleep(0.5)
    return {"gazetteer": list(range(1000))}

print(len(read_or_make(Path(sys.argv[1]), "slow", "the same data", make)["gazetteer"]))
"""


def test_what_many_processes_start_to_make_together_is_made_once_and_read_by_the_others(tmp_path):
    cache, made = tmp_path / "cache", tmp_path / "made.txt"
    runs = [subprocess.Popen([sys.executable, "-c", MAKE_SLOWLY, str(cache), str(made)], stdout=subprocess.PIPE,
                             text=True) for _ in range(4)]
    outputs = [run.communicate(timeout=60)[0] for run in runs]
    assert [run.returncode for run in runs] == [0] * 4
    assert outputs == ["1000\n"] * 4, "every process has the whole of it"
    assert made.read_text() == "made\n", "made by one process; the three others waited and read it"


def test_threads_of_one_process_make_it_once_too_and_an_unwritable_folder_makes_it_each_time(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from atlas.kept import read_or_make

    made = []

    def make():
        made.append(1)
        time.sleep(0.3)
        return "the basemap"

    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda _: read_or_make(tmp_path / "cache", "slow", "data", make), range(4)))
    assert found == ["the basemap"] * 4 and len(made) == 1

    (tmp_path / "a file").write_text("")
    nowhere = tmp_path / "a file" / "cache"  # a folder that cannot be made: nothing kept, nothing locked
    assert [read_or_make(nowhere, "slow", "data", make) for _ in range(2)] == ["the basemap"] * 2
    assert len(made) == 3
