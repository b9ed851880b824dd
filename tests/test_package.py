"""A Python user builds the atlas from a fresh clone with `pip wheel .`, installs the wheel into a new venv and serves
it from an empty directory: no `make`, no npm, no checkout needed.

The build reads supercluster from npm's cache, which `make` (npm ci) fills, so the suite runs offline like the rest
of it; without that cache the build fetches the pinned tarball from the npm registry. Both are checked against
package-lock.json's sha512. Building without isolation uses this venv's setuptools and Babel (the test extra names
them), so PyPI is not asked either.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import requests
from servers import AtlasServe

from atlas.i18n import LANGUAGES

# What this file tests does not depend on the database: it runs once, on SQLite (see conftest).
pytestmark = pytest.mark.once

ROOT = Path(__file__).resolve().parent.parent
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-color"]


def test_a_wheel_from_a_fresh_clone_serves_the_atlas_from_an_empty_directory(tmp_path):
    clone, wheels, venv, empty = tmp_path / "klon", tmp_path / "wheels", tmp_path / "venv", tmp_path / "leer"
    fresh_clone(clone)
    assert not (clone / "node_modules").exists() and not list(clone.glob("atlas/translations/*/*/*.mo"))

    built = subprocess.run(PIP + ["wheel", "--no-deps", "--no-build-isolation", "-v", "-w", str(wheels), "."],
                           cwd=clone, capture_output=True, text=True)
    output = built.stdout + built.stderr
    assert built.returncode == 0, output[-5000:]
    assert "BuildBackendWarning" not in output and "eprecat" not in output, output[-5000:]
    [wheel] = wheels.glob("atlas-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    assert {"atlas/templates/mail/mail.txt", "atlas/templates/mail/mail.html", "atlas/templates/mine/status.html",
            "atlas/migrations/versions/0004_mail_loop.py", "atlas/npm/supercluster.min.js", "atlas/npm/LICENSE",
            "atlas/gunicorn_conf.py"} <= inside  # deploy/Dockerfile's gunicorn reads its hook from the wheel
    modules = {path.name for path in (ROOT / "static" / "js").glob("*.js")}
    assert {name.removeprefix("atlas/static/js/") for name in inside if name.startswith("atlas/static/js/")} == modules
    assert {f"atlas/translations/{code}/LC_MESSAGES/messages.mo" for code in LANGUAGES if code != "de"} <= inside
    assert not [name for name in inside if name.endswith(".po") or name.startswith("atlas/npm/package")]
    assert [name for name in inside if re.fullmatch(r"atlas/_ranking\.[\w.-]+\.so", name)], "the search's ranking"
    assert "License-Expression: MIT AND ISC" in zipfile.ZipFile(wheel).read(
        "atlas-0.1.0.dist-info/METADATA").decode()

    atlas = install_into_new_venv(wheel, venv)
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATLAS_", "PYTHON"))} | {"ATLAS_TILES": "none"}
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import atlas; print(atlas.__file__)"], env=env,
                           cwd=empty, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv)), "the installed wheel, not the checkout"
    ranked = subprocess.run([str(venv / "bin" / "python"), "-c",
                             "from atlas import ranking; print(ranking.available())"],
                            env=env, cwd=empty, capture_output=True, text=True)
    assert ranked.stdout.strip() == "True", ranked.stdout + ranked.stderr  # compiled, and seen by Python's sqlite3

    located = subprocess.run(atlas + ["locate", "Hildesheim"], env=env, cwd=empty, capture_output=True, text=True)
    assert located.returncode == 0 and "Landkreis Hildesheim" in located.stdout, located.stdout + located.stderr
    for command in (["db", "upgrade"], ["seed"]):
        done = subprocess.run(atlas + command, env=env, cwd=empty, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    assert (empty / "instance" / "atlas.db").exists() and (empty / "instance" / "secret_key").exists()

    server = AtlasServe(atlas, env, empty)
    try:
        entry = re.search(r'src="(/js/\w+/)maps\.js"', requests.get(server.url + "/", timeout=30).text).group(1)
        for path in ("/", "/region/lueneburg", "/projekt/1", "/einreichen", "/benachrichtigung", "/static/atlas.css",
                     *(entry + name for name in sorted(modules)), "/vendor/leaflet/leaflet.js",
                     "/vendor/supercluster/supercluster.min.js", "/karte/arl.geojson", "/karte/atlas.js", "/healthz"):
            assert requests.get(server.url + path, timeout=30).status_code == 200, path
        assert "Gewerkepass" in requests.get(server.url + "/karte/projekte.json?arl=weser-ems", timeout=30).text
        english = requests.get(server.url + "/einreichen?lang=en", timeout=30).text
        assert '<html lang="en"' in english and "Submit" in english, "the compiled catalogues are in the wheel"
    finally:
        server.stop()


def fresh_clone(target: Path) -> None:
    """`git clone` of this repository, with the tracked files as they are now (uncommitted changes included)."""
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, capture_output=True)
    changed = subprocess.run(["git", "diff", "--name-only", "-z", "HEAD"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, changed):
        if (ROOT / name).exists():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
        else:
            (target / name).unlink(missing_ok=True)


def install_into_new_venv(wheel: Path, venv: Path) -> list[str]:
    """The wheel into a new venv; its dependencies come from this venv (a path line after the new venv's own
    site-packages), since PyPI is not asked. Returns the new venv's `atlas` command."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}  # a checkout on PYTHONPATH would
    # count as the atlas installed already, and pip would skip the wheel
    subprocess.run(PIP + ["--python", str(python), "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
                   check=True, capture_output=True, env=clean)
    site_packages = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   check=True, capture_output=True, text=True).stdout.strip()
    Path(site_packages, "zz_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return [str(venv / "bin" / "atlas")]
