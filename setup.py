"""The wheel's build step for what the atlas serves but the repository does not hold, so that `pip wheel .` and
`pip install .` work from a fresh clone:

- supercluster, the clustering index the maps use, from npm: the version package-lock.json pins, checked against the
  integrity (sha512) recorded there. It is read from npm's own cache when `make` (npm ci) put it there, else fetched
  from the npm registry; only dist/supercluster.min.js and its LICENSE go into the wheel, as atlas/npm/.
- the translation catalogues, compiled with Babel from atlas/translations/*/LC_MESSAGES/messages.po.
- atlas._ranking, the search's ranking function for SQLite (atlas/_ranking.c, atlas.ranking), compiled against
  the system's SQLite – the library Python's sqlite3 module uses (gcc, Debian's libsqlite3-dev and the Python
  headers); without them the build goes on without it, and the search ranks with SQLite's bm25().

Everything else about the package is declared in pyproject.toml. An editable install (`make`) needs none of this:
it serves node_modules/ and the catalogues `make` compiled beside their .po files.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
import urllib.request
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
NPM_PACKAGE = "supercluster"
NPM_REGISTRY = "https://registry.npmjs.org"
NPM_FILES = {"package/dist/supercluster.min.js": "supercluster.min.js", "package/LICENSE": "LICENSE"}


class BuildPy(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        package = Path(self.build_lib) / "atlas"
        unpack_npm_files(npm_tarball(), package / "npm")
        compile_catalogues(ROOT / "atlas" / "translations", package / "translations")


def npm_tarball() -> bytes:
    """The pinned tarball, from npm's cache or the registry, only if its sha512 is the one package-lock.json records."""
    version, algorithm, digest = npm_pin()
    hexdigest = digest.hex()  # npm's cache (cacache) keeps a tarball under its integrity
    cached = npm_cache() / "_cacache" / "content-v2" / algorithm / hexdigest[:2] / hexdigest[2:4] / hexdigest[4:]
    if cached.is_file():
        data = cached.read_bytes()
        source = str(cached)
    else:
        source = f"{NPM_REGISTRY}/{NPM_PACKAGE}/-/{NPM_PACKAGE}-{version}.tgz"
        print(f"fetching {source}")
        try:
            with urllib.request.urlopen(source, timeout=60) as answer:
                data = answer.read()
        except OSError as error:
            raise SystemExit(f"{NPM_PACKAGE} {version} is neither in npm's cache ({npm_cache()}) nor could it be "
                             f"fetched from {source}: {error}. Build with network, or run `npm ci` once "
                             "before.") from None
    if hashlib.new(algorithm, data).digest() != digest:
        raise SystemExit(f"{source} is not the {NPM_PACKAGE} {version} of package-lock.json: its {algorithm} differs.")
    return data


def npm_pin() -> tuple[str, str, bytes]:
    """Version and integrity of the package, as npm recorded them in package-lock.json (which package.json pins)."""
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"][NPM_PACKAGE]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"][f"node_modules/{NPM_PACKAGE}"]
    if locked["version"] != pinned:
        raise SystemExit(f"package.json pins {NPM_PACKAGE} {pinned}, package-lock.json has {locked['version']}: "
                         "run `npm install` to update the lock file.")
    algorithm, digest = locked["integrity"].split("-", 1)
    return locked["version"], algorithm, base64.b64decode(digest)


def npm_cache() -> Path:
    configured = os.environ.get("npm_config_cache") or os.environ.get("NPM_CONFIG_CACHE")
    return Path(configured) if configured else Path.home() / ".npm"


def unpack_npm_files(tarball: bytes, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member, name in NPM_FILES.items():
            (target / name).write_bytes(archive.extractfile(member).read())


def compile_catalogues(source: Path, target: Path) -> None:
    """messages.po -> messages.mo for every language, leaving out fuzzy entries (as `pybabel compile` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        mo = target / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as handle:
            write_mo(handle, catalog)


# -ffp-contract=off: no fused multiply-add, so the scores are SQLite's bm25()'s to the bit (atlas/_ranking.c).
# Optional: without a compiler or SQLite's headers the atlas is built without it and ranks with bm25() (the Docker
# image's slim build stage has neither; it serves PostgreSQL)
RANKING = Extension("atlas._ranking", ["atlas/_ranking.c"], libraries=["sqlite3"],
                    extra_compile_args=["-O2", "-ffp-contract=off"], optional=True)

setup(cmdclass={"build_py": BuildPy}, ext_modules=[RANKING])
