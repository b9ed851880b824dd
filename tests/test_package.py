"""An operator installs the atlas from a wheel and serves it from an empty directory: no git checkout needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import requests
from servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent


def test_a_wheel_serves_the_atlas_from_an_empty_directory(tmp_path):
    wheels, target, empty = tmp_path / "wheels", tmp_path / "site", tmp_path / "leer"
    empty.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-color"]
    subprocess.run(pip + ["wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True)
    [wheel] = wheels.glob("atlas-*.whl")
    import zipfile

    inside = zipfile.ZipFile(wheel).namelist()
    assert {"atlas/templates/mail/mail.txt", "atlas/templates/mail/mail.html", "atlas/templates/mine/status.html",
            "atlas/migrations/versions/0004_mail_loop.py"} <= set(inside)
    subprocess.run(pip + ["install", "--no-deps", "--quiet", "--target", str(target), str(wheel)], check=True,
                   capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target), "ATLAS_TILES": "none"}
    env.pop("ATLAS_INSTANCE_PATH", None)
    atlas = [sys.executable, str(target / "bin" / "atlas")]

    where = subprocess.run([sys.executable, "-c", "import atlas; print(atlas.__file__)"], env=env, cwd=empty,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(target)), "the installed wheel, not the checkout"
    for command in (["db", "upgrade"], ["seed"]):
        done = subprocess.run(atlas + command, env=env, cwd=empty, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    assert (empty / "instance" / "atlas.db").exists() and (empty / "instance" / "secret_key").exists()

    port = free_port()
    server = subprocess.Popen(atlas + ["serve", "--port", str(port)], env=env, cwd=empty,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, seconds=60, process=server)
        base = f"http://127.0.0.1:{port}"
        for path in ("/", "/region/lueneburg", "/projekt/1", "/einreichen", "/benachrichtigung", "/static/atlas.js",
                     "/vendor/leaflet/leaflet.js", "/vendor/supercluster/supercluster.min.js", "/karte/arl.geojson",
                     "/karte/atlas.js", "/healthz"):
            assert requests.get(base + path, timeout=30).status_code == 200, path
        assert "Gewerkepass" in requests.get(base + "/region/weser-ems", timeout=30).text
    finally:
        server.terminate()
        server.wait(timeout=30)
