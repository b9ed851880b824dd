"""What a start keeps in the cache folder (ATLAS_CACHE_DIR): things made from data/, the code and its libraries
that are quicker to read than to make again – the Kreise and their tiles, the gazetteer, the basemap, the maps
Folium renders, the compiled templates, and the copy of the published projects (atlas.published, which checks its
own against the database).

A kept file is named by a fingerprint of what it was made from, always including this code and the libraries it
makes things with (`code()`): a change of either names a new file, and `read_or_make` removes the older ones of
its kind. Files are written to a temporary name and renamed, so a process starting meanwhile reads all of one or
nothing. Whatever cannot be read (damaged, or made by another version of a library) is made again; a folder that
cannot be written leaves every start to make what it needs, as without a cache.

What is missing is made once, however many start together: the workers of a new deployment, each with its threads,
take turns at a lock file beside it, and who comes after the first reads what the first made (`made_once`).

What is read from the folder is run as code (pickles, compiled templates): like the instance folder, it must be
writable by the atlas's own user alone (docs/operating.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
# The libraries whose versions change what is kept: its pickles' classes, the templates' compiled code, Folium's maps
LIBRARIES = ("numpy", "pandas", "geopandas", "shapely", "pyproj", "jinja2", "markupsafe", "flask", "flask-babel",
             "babel", "folium", "branca", "rapidfuzz", "anyascii")


def fingerprint(*parts: str, paths: tuple[Path, ...] = ()) -> str:
    """A short name for `parts` and the files at `paths` (a file, or the files in a folder): their names, sizes and
    times of change."""
    named = list(parts)
    for path in paths:
        for file in sorted(path.iterdir()) if path.is_dir() else [path]:
            if file.is_file():
                stat = file.stat()
                named.append(f"{file}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(named).encode()).hexdigest()[:24]


@functools.cache
def code() -> str:
    """This code (every module of the atlas, its migrations too) and the versions of the libraries named above,
    looked at once per process: what is kept is made again after any change of either."""
    package = Path(__file__).parent
    modules = tuple(sorted({file.parent for file in package.rglob("*.py")}))
    return fingerprint(*(f"{name}={_version(name)}" for name in LIBRARIES), paths=modules)


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def read_or_make(cache_dir: Path | None, kind: str, made_from: str, make: Callable[[], T]) -> T:
    """What `make` returns, read from the cache folder where an earlier start left it for the same `made_from` (and
    the same code); made and kept otherwise."""
    if cache_dir is None:
        return make()
    path = cache_dir / f"{kind}-{fingerprint(made_from, code())}.pickle"
    found = _read(path)
    if found is not None:
        return found[0]
    with made_once(path):
        found = _read(path)  # made by another process or thread while this one waited
        if found is not None:
            return found[0]
        value = make()
        if write_whole(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)):
            for old in [*cache_dir.glob(f"{kind}-*.pickle"), *cache_dir.glob(f"{kind}-*.lock")]:
                if old.stem != path.stem:
                    old.unlink(missing_ok=True)
    return value


def _read(path: Path) -> tuple | None:
    """(what is kept at `path`,), or None where nothing whole is."""
    try:
        with open(path, "rb") as handle:
            return (pickle.load(handle),)  # noqa: S301 - our own file in the atlas's own cache folder, written below
    except Exception:  # noqa: BLE001 - damaged, missing, or made by another library version: it is only a cache
        return None


@contextlib.contextmanager
def made_once(path: Path):
    """Holds the lock of `path` (a file beside it) while the block runs: one process or thread at a time makes what
    is kept there. The lock goes with the process that holds it, should it die; a folder that cannot be written, or
    a file system without locks, holds none (each makes its own, as without a cache)."""
    lock = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_suffix(".lock"), "a")  # noqa: SIM115 - closed below, which releases the lock
        fcntl.flock(lock, fcntl.LOCK_EX)
    except OSError:
        pass
    try:
        yield
    finally:
        if lock is not None:
            lock.close()


def file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_whole(path: Path, data: bytes) -> bool:
    """`data` at `path`, whole or not at all; False where the folder cannot be written (or the disk is full)."""
    name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
            name = handle.name
            handle.write(data)
        os.replace(name, path)
        return True
    except OSError:
        if name is not None:
            Path(name).unlink(missing_ok=True)
        return False
