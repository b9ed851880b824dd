"""An operator restarts the atlas: what the first start made from data/ and the code (the gazetteer, the basemap, the
maps Folium renders, the compiled templates) is read from the cache folder, and the second start answers sooner,
with the same pages. A damaged file there is made again."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import SQLITE_FILE, cli_environment

from atlas.migrate import upgrade

pytestmark = SQLITE_FILE

# One start as a process: the app, the start page, its map script; what it imported; what the cache folder holds
START = """
import hashlib, json, re, sys
from atlas import create_app
client = create_app().test_client()
page = client.get("/").get_data(as_text=True)
script = client.get(re.search(r'src="(/karte/[^"]*atlas[^"]*\\.js[^"]*)"', page).group(1))
print(json.dumps({"status": script.status_code, "script": hashlib.sha256(script.data).hexdigest(),
                  "folium": "folium" in sys.modules, "gdal": "pyogrio" in sys.modules or "fiona" in sys.modules}))
"""


@pytest.fixture
def start(tmp_path):
    upgrade(f"sqlite:///{tmp_path / 'instance' / 'atlas.db'}")
    env = cli_environment(ATLAS_INSTANCE_PATH=str(tmp_path / "instance"), ATLAS_TILES="none")

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
    cache = tmp_path / "instance" / "cache"
    kinds = {path.name.split("-")[0] for path in cache.glob("*.pickle")}
    assert kinds == {"gazetteer", "basemap", "map"}
    [templates] = (cache / "templates").iterdir()  # one folder, for this code and its libraries
    assert list(templates.iterdir())

    second = start()
    assert second == {**first, "folium": False}, "the same map script, without importing Folium"

    kept = [*cache.glob("*.pickle"), *templates.iterdir()]
    for path in kept:
        path.write_bytes(b"kaputt")
    third = start()
    assert third == first, "made again, as at the first start"
    assert all(path.read_bytes() != b"kaputt" for path in kept if path.exists())
    assert all(path.read_bytes() != b"kaputt" for path in [*cache.glob("*.pickle"), *templates.iterdir()])

    other = start(ATLAS_TILES="osm")  # another configuration: its own map, not the one kept for the first
    assert other["status"] == 200 and other["script"] != first["script"] and other["folium"]
