"""Password hashing (argon2id) and the TOTP second factor, with replay protection.

Passwords: argon2id through argon2-cffi with its RFC 9106 "low memory" defaults; the salt (16
bytes) and parameters travel inside the hash string. FBI CJIS Security Policy v5.9.5 IA-5(1)(a)
asks for at least 8 characters, no truncation and a salted KDF; NIST SP 800-63B 5.1.1.2 for at
least 8 characters and at least 64 allowed. TOTP: RFC 6238 through pyotp (30-second steps, six
digits). A code is accepted within one step either side of the server's step (RFC 6238 section
5.2 allows a small window for clock drift), and only if its step is later than the last step
accepted for that account, so a code once used is refused: the replay resistance CJIS IA-2(8)
and NIST SP 800-63B 5.1.4.2 ask for.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from vigil.accounts.errors import WeakPasswordError

MIN_PASSWORD_LENGTH = 8
"""FBI CJIS Security Policy v5.9.5 IA-5(1)(a); NIST SP 800-63B 5.1.1.2."""

MAX_PASSWORD_LENGTH = 1024
"""Long enough for any passphrase (NIST SP 800-63B asks for at least 64); refused above rather
than truncated, and it bounds the hashing work one request can cause."""

TOTP_WINDOW_STEPS = 1
"""Steps accepted either side of now (RFC 6238 section 5.2: at most one step of drift)."""

ISSUER = "vigil"

DEFAULT_HASHER = PasswordHasher()
"""argon2-cffi's defaults: argon2id, RFC 9106's low-memory profile (64 MiB, 3 passes)."""


def check_password_rules(password: str) -> None:
    """Raise :class:`WeakPasswordError` naming the rule a new password breaks."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"password must have at most {MAX_PASSWORD_LENGTH} characters")


def hash_password(password: str, hasher: PasswordHasher = DEFAULT_HASHER) -> str:
    """An argon2id hash of a password that meets the rules."""
    check_password_rules(password)
    return hasher.hash(password)


def password_matches(password_hash: str, password: str,
                     hasher: PasswordHasher = DEFAULT_HASHER) -> bool:
    """Whether ``password`` is the one hashed; a malformed hash never matches."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Enrolment:
    """The TOTP secret and its ``otpauth://`` URI, shown once at account creation."""

    secret: str
    uri: str


def new_totp(username: str) -> Enrolment:
    """A fresh 160-bit TOTP secret (RFC 4226 section 4 recommends 160 bits) and its URI."""
    secret = pyotp.random_base32(32)
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    return Enrolment(secret, uri)


def totp_code(secret: str, at: datetime) -> str:
    """The code an authenticator shows at ``at`` (for tests and the demo)."""
    return pyotp.TOTP(secret).at(at)


def accepted_totp_step(secret: str, code: str, at: datetime, last_step: int) -> int | None:
    """The time step ``code`` belongs to, if it is valid at ``at`` within the window and later
    than ``last_step``; ``None`` otherwise. Every candidate is compared in constant time."""
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    found = None
    for offset in range(-TOTP_WINDOW_STEPS, TOTP_WINDOW_STEPS + 1):
        expected = totp.at(at, counter_offset=offset)
        if hmac.compare_digest(expected.encode(), code.strip().encode()):
            found = now_step + offset
    if found is None or found <= last_step:
        return None
    return found
