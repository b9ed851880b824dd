"""What a start keeps in the cache folder (ATLAS_CACHE_DIR): things made from data/ and this code that are quicker
to read than to make again (the gazetteer, the basemap, the compiled templates).

A kept file is named by a fingerprint of what it was made from: a change of either names a new file, and the old
ones of its kind go. Files are written to a temporary name and renamed, so a process starting meanwhile reads all
of one or nothing. A damaged file is made again; a folder that cannot be written leaves every start to make what
it needs, as without a cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def fingerprint(*parts: str, paths: tuple[Path, ...] = ()) -> str:
    """A short name for `parts` and the files at `paths` (a file, or the files in a folder): their names, sizes and
    times of change. The module that makes a thing names its own file among them: changed code makes it anew."""
    named = list(parts)
    for path in paths:
        for file in sorted(path.iterdir()) if path.is_dir() else [path]:
            if file.is_file():
                stat = file.stat()
                named.append(f"{file.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(named).encode()).hexdigest()[:24]


def kept(cache_dir: Path | None, kind: str, made_from: str, make: Callable[[], T]) -> T:
    """What `make` returns, read from the cache folder where an earlier start left it for the same `made_from`."""
    if cache_dir is None:
        return make()
    path = cache_dir / f"{kind}-{made_from}.pickle"
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own file in the operator's cache folder, written below
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, ValueError):
        pass
    value = make()
    if write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)):
        for old in cache_dir.glob(f"{kind}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    return value


def read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def write(path: Path, data: bytes) -> bool:
    """`data` at `path`, whole or not at all; False where the folder cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
            handle.write(data)
        os.replace(handle.name, path)
        return True
    except OSError:
        return False
