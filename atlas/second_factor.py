"""The second factor of office accounts: codes from an authenticator app (TOTP, RFC 6238), and ten one-time
recovery codes for a lost phone.

The TOTP secret is stored encrypted (Fernet) under a key derived from the app's SECRET_KEY (HKDF-SHA256): a copy
of the database alone does not hand it out. After a key rotation the old keys (SECRET_KEY_FALLBACKS) still read it,
and a right code seals it again under the new key; without them it is unreadable – see `SecretUnreadable`.

A code counts once: the time step of the last code used is kept per account and only a later step is accepted; the
check and the write are one UPDATE, so two requests racing with one code cannot both win. The factor counts once a
first code was right. Recovery codes are kept as salted scrypt hashes, each used once. No Flask here.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, insert, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from atlas import audit, hashing
from atlas.schema import recovery_codes, users
from atlas.store import Store

ISSUER = "Gemeinsame Sache"  # what the authenticator app shows above the account's address
DRIFT_STEPS = 1  # the code of the step before or after counts too: phone clocks are rarely exact
RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read off paper and typed again
RECOVERY_LENGTH = 10  # 50 bits each
RECOVERY_HASH = "scrypt:16384:8:1"  # salted; cheaper than a password's, as the codes are random
KEY_INFO = b"atlas: TOTP secrets of office accounts, v1"
MAX_TYPED = 64  # characters of a code looked at; anything longer is wrong anyway


class SecretUnreadable(RuntimeError):
    """The stored TOTP secret cannot be decrypted with this key: SECRET_KEY changed since it was enrolled."""


@dataclass(frozen=True)
class Enrolment:
    """What an authenticator app needs: the secret (to type) and the otpauth:// URI (to scan)."""

    secret: str
    uri: str

    @property
    def grouped(self) -> str:
        """The secret in blocks of four, as people type it."""
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


class SecondFactor:
    def __init__(self, store: Store, secret_key: str | bytes, previous_keys: list[str | bytes] | tuple = ()):
        self.store = store
        self._current = Fernet(derive_key(secret_key))
        self._fernet = MultiFernet([self._current] + [Fernet(derive_key(key)) for key in previous_keys])

    def enrolled(self, user_id: int) -> bool:
        with self.store.read() as db:
            return db.execute(select(users.c.totp_confirmed_at).where(users.c.id == user_id)).scalar() is not None

    def pending(self, user_id: int, email: str) -> Enrolment | None:
        """The secret waiting for its first code (made on first call, the same on every reload); None once
        enrolled."""
        with self.store.write() as db:
            row = db.execute(select(users.c.totp_secret, users.c.totp_confirmed_at)
                             .where(users.c.id == user_id)).one()
            if row.totp_confirmed_at is not None:
                return None
            secret = self._readable(row.totp_secret)
            if secret is None:
                secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
                old = users.c.totp_secret
                same = old.is_(None) if row.totp_secret is None else old == row.totp_secret
                written = db.execute(update(users).where(users.c.id == user_id, same).values(
                    totp_secret=self._seal(secret), totp_last_step=None)).rowcount
                if not written:  # another request made one just now: show that one
                    secret = self._readable(db.execute(select(users.c.totp_secret)
                                                       .where(users.c.id == user_id)).scalar())
        return Enrolment(secret, pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER))

    def confirm(self, user_id: int, email: str, code: str, at: float | None = None) -> list[str] | None:
        """The first right code: the factor counts from now on. Returns the new recovery codes (to show once), or
        None if the code is wrong (or nothing waits for one)."""
        with self.store.read() as db:
            row = db.execute(select(users.c.totp_secret, users.c.totp_confirmed_at)
                             .where(users.c.id == user_id)).one()
        secret = self._readable(row.totp_secret)
        if row.totp_confirmed_at is not None or secret is None:
            return None
        step = _matching_step(secret, code, _now(at))
        if step is None:
            return None
        codes, hashes_ = _new_recovery_codes()  # hashed before the transaction: it takes a moment
        with self.store.write() as db:
            done = db.execute(update(users).where(users.c.id == user_id, users.c.totp_confirmed_at.is_(None),
                                                  users.c.totp_secret == row.totp_secret)
                              .values(totp_confirmed_at=datetime.now(UTC), totp_last_step=step)).rowcount
            if not done:
                return None
            _replace_recovery_codes(db, user_id, hashes_)
            audit.record(db, email, audit.SECOND_FACTOR_ENROLLED, email)
        return codes

    def verify(self, user_id: int, code: str, at: float | None = None) -> bool:
        """A right code of the account's app, of a later time step than the last one used; it is used up now.
        SecretUnreadable if the secret cannot be decrypted (a recovery code still works then)."""
        with self.store.read() as db:
            row = db.execute(select(users.c.totp_secret, users.c.totp_confirmed_at)
                             .where(users.c.id == user_id)).first()
        if row is None or row.totp_confirmed_at is None:
            return False
        step = _matching_step(self._open(row.totp_secret), code, _now(at))
        if step is None:
            return False
        with self.store.write() as db:
            if not db.execute(update(users).where(
                    users.c.id == user_id, or_(users.c.totp_last_step.is_(None), users.c.totp_last_step < step))
                    .values(totp_last_step=step)).rowcount:
                return False
            if not self._sealed_now(row.totp_secret):  # under a key of before the rotation: under the new one now
                db.execute(update(users).where(users.c.id == user_id, users.c.totp_secret == row.totp_secret)
                           .values(totp_secret=self._fernet.rotate(row.totp_secret.encode()).decode()))
        return True

    def use_recovery_code(self, user_id: int, email: str, code: str) -> bool:
        """A recovery code of the account that was not used yet; it is used up now."""
        code = recovery_normal(code)
        if not re.fullmatch(f"[{RECOVERY_ALPHABET}]{{{RECOVERY_LENGTH}}}", code):
            return False  # not one of ours: no hashing for what cannot match
        with self.store.read() as db:
            unused = db.execute(select(recovery_codes.c.id, recovery_codes.c.code_hash).where(
                recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None))).all()
        for row in unused:
            if check_password_hash(row.code_hash, code):
                with self.store.write() as db:
                    used = db.execute(update(recovery_codes).where(recovery_codes.c.id == row.id,
                                                                   recovery_codes.c.used_at.is_(None))
                                      .values(used_at=datetime.now(UTC))).rowcount == 1
                    if used:
                        audit.record(db, email, audit.RECOVERY_CODE_USED, email)
                return used
        return False

    def renew_recovery_codes(self, user_id: int, email: str, code: str, at: float | None = None) -> list[str] | None:
        """Ten new recovery codes in place of the old ones, for a right code of the app; None if it is wrong."""
        if not self.verify(user_id, code, at):
            return None
        codes, hashes_ = _new_recovery_codes()
        with self.store.write() as db:
            _replace_recovery_codes(db, user_id, hashes_)
            audit.record(db, email, audit.RECOVERY_CODES_RENEWED, email)
        return codes

    def recovery_codes_left(self, user_id: int) -> int:
        with self.store.read() as db:
            return db.execute(select(func.count()).select_from(recovery_codes).where(
                recovery_codes.c.user_id == user_id, recovery_codes.c.used_at.is_(None))).scalar_one()

    def _seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def _open(self, sealed: str | None) -> str:
        try:
            return self._fernet.decrypt((sealed or "").encode()).decode()
        except InvalidToken:
            raise SecretUnreadable("the TOTP secret was sealed with a SECRET_KEY that is neither the current one nor "
                                   "one of SECRET_KEY_FALLBACKS") from None

    def _sealed_now(self, sealed: str) -> bool:
        try:
            self._current.decrypt(sealed.encode())
        except InvalidToken:
            return False
        return True

    def _readable(self, sealed: str | None) -> str | None:
        """The pending secret, or None if there is none or it was sealed under another key (a new one is made)."""
        if sealed is None:
            return None
        try:
            return self._open(sealed)
        except SecretUnreadable:
            return None


def derive_key(secret_key: str | bytes) -> bytes:
    """The Fernet key for TOTP secrets: HKDF-SHA256 of the app's SECRET_KEY, for this one purpose."""
    raw = secret_key.encode() if isinstance(secret_key, str) else secret_key
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(raw)
    return base64.urlsafe_b64encode(derived)


def code_digits(typed: str) -> str:
    """What was typed as a code, as six ASCII digits if it is one: spaces and dashes dropped, digits of other
    scripts (Arabic-Indic, Persian, as a phone's keyboard may type them) read as digits; anything else is kept,
    so it cannot match."""
    typed = (typed or "")[:MAX_TYPED]
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in typed if c not in " -\t\u00a0")


def recovery_normal(typed: str) -> str:
    """A recovery code as stored: capitals, without spaces and dashes."""
    return re.sub(r"[\s-]", "", (typed or "")[:MAX_TYPED]).upper()


def _matching_step(secret: str, code: str, at: float) -> int | None:
    """The time step (RFC 6238: 30 s since 1970) whose code was typed, within the drift allowed; None if none."""
    code = code_digits(code)
    if not re.fullmatch(r"[0-9]{6}", code, flags=re.ASCII):
        return None
    totp = pyotp.TOTP(secret)
    now = int(at) // totp.interval
    for step in (now, now - DRIFT_STEPS, now + DRIFT_STEPS):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _new_recovery_codes() -> tuple[list[str], list[str]]:
    """Ten codes as shown (ABCDE-FGHJK) and their hashes."""
    plain = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(RECOVERY_COUNT)]
    half = RECOVERY_LENGTH // 2
    return ([f"{code[:half]}-{code[half:]}" for code in plain],
            [generate_password_hash(code, method=_recovery_method()) for code in plain])


def _recovery_method() -> str:
    """RECOVERY_HASH, or the password's method where that is no scrypt: never dearer than a password (the tests'
    cheap ATLAS_PASSWORD_HASH)."""
    return RECOVERY_HASH if hashing.method().startswith("scrypt") else hashing.method()


def _replace_recovery_codes(db, user_id: int, hashes_: list[str]) -> None:
    now = datetime.now(UTC)
    db.execute(delete(recovery_codes).where(recovery_codes.c.user_id == user_id))
    db.execute(insert(recovery_codes), [{"user_id": user_id, "code_hash": h, "created_at": now} for h in hashes_])


def _now(at: float | None) -> float:
    return time.time() if at is None else at
