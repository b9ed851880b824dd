"""The key that signs sessions and forms: never a value anyone else knows.

On first start a random key is written into the instance folder (mode 0600) and reused after; `ATLAS_SECRET_KEY`
overrides it. A configured key that is short or publicly known is refused at start.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

KEY_FILE = "secret_key"
MIN_BYTES = 32
MIN_DISTINCT = 10  # different bytes at least: a token_hex(32) has 15 or 16, "a" * 32 one
# Values that appear in this project's history or in tutorials: whoever knows them can sign a session.
KNOWN_DEFAULTS = frozenset({
    "dev-only-change-me", "dev", "development", "secret", "secret-key", "secret_key", "changeme", "change-me",
    "change_me", "please-change-me", "test", "testing", "default", "flask", "atlas",
})


class UnsafeSecretKey(RuntimeError):
    """The configured secret key would let others forge sessions; the message says what to do."""


def secret_key(configured: str | bytes | None, instance_path: Path) -> str | bytes:
    """The configured key if it is safe, else the instance folder's own random key (created on first use)."""
    if configured:
        check_secret_key(configured)
        return configured
    return _instance_key(Path(instance_path) / KEY_FILE)


def check_secret_key(key: str | bytes) -> None:
    raw = key.encode() if isinstance(key, str) else key
    if raw.decode(errors="replace").strip().lower() in KNOWN_DEFAULTS:
        raise UnsafeSecretKey("ATLAS_SECRET_KEY ist ein öffentlich bekannter Beispielwert. Setzen Sie einen eigenen "
                              "zufälligen Schlüssel (python -c 'import secrets; print(secrets.token_hex(32))') "
                              "oder lassen Sie die Einstellung weg: dann erzeugt der Atlas selbst einen.")
    if len(raw) < MIN_BYTES:
        raise UnsafeSecretKey(f"ATLAS_SECRET_KEY ist zu kurz: {len(raw)} Bytes, nötig sind mindestens {MIN_BYTES}. "
                              "Erzeugen Sie einen mit: python -c 'import secrets; print(secrets.token_hex(32))'")
    if len(set(raw)) < MIN_DISTINCT or _repeated(raw):
        raise UnsafeSecretKey(f"ATLAS_SECRET_KEY ist zu einfach: {len(set(raw))} verschiedene Zeichen (nötig sind "
                              f"mindestens {MIN_DISTINCT}), oder ein kurzes Stück wiederholt. Erzeugen Sie einen mit: "
                              "python -c 'import secrets; print(secrets.token_hex(32))'")


def _repeated(raw: bytes) -> bool:
    """ "abab…", "secretsecret…", "dev-only-change-medev-only-change-me": a short piece written again and again,
    which guessing tries first, however long the whole is."""
    return any(raw == (raw[:period] * (len(raw) // period + 1))[:len(raw)] for period in range(1, len(raw) // 2 + 1))


def _instance_key(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: of several processes starting at once, exactly one writes the key, the others read it
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return _read_key(path)


def _read_key(path: Path) -> str:
    for _ in range(50):  # another process may be between creating the file and writing it
        key = path.read_text().strip()
        if key:
            break
        time.sleep(0.02)
    if path.stat().st_mode & 0o077:
        raise UnsafeSecretKey(f"{path} ist für andere Benutzer lesbar. Bitte mit chmod 600 {path} schützen.")
    check_secret_key(key)
    return key
