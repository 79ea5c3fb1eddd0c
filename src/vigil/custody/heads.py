"""Signed tree heads: the custody log's size and Merkle root, signed with Ed25519.

A hash chain alone can be rewritten wholesale by whoever controls the database; what makes the
log tamper-evident is a head that someone else keeps (Crosby & Wallach, "Efficient Data
Structures for Tamper-Evident Logging", USENIX Security 2009; the signed tree head of Certificate
Transparency, RFC 6962 §3.5 / RFC 9162 §4.10). ``vigil audit head`` prints one for an outside
witness; the store also keeps every head it signed, so a truncated log is caught at the next
``vigil audit verify``.

The signing key is an Ed25519 key (RFC 8032) in a PKCS#8 PEM file, created on first use with
owner-only permissions (0600) beside the store, never inside it: someone able to rewrite the
database should not be able to re-sign it as well.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vigil.store import codec

HEAD_FORMAT = "vigil-custody-tree-head/v1"
"""First line of every signed message, so a signature cannot be replayed for anything else."""

KEY_FILE_NAME = "custody-ed25519.key"


@dataclass(frozen=True)
class SignedHead:
    """The log's first ``size`` entries have Merkle root ``root`` (hex), signed at ``signed_at``."""

    size: int
    root: str
    signed_at: str
    signature: str
    public_key: str

    def message(self) -> bytes:
        return signed_message(self.size, self.root, self.signed_at)

    def to_json(self) -> dict[str, str | int]:
        return {"size": self.size, "root": self.root, "time": self.signed_at,
                "signature": self.signature, "public_key": self.public_key,
                "format": HEAD_FORMAT}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SignedHead:
        """A head as ``vigil audit head`` prints it (``KeyError``/``TypeError`` if malformed)."""
        size = data["size"]
        if not isinstance(size, int):
            raise TypeError(f"head size must be an integer, not {size!r}")
        return cls(size, str(data["root"]), str(data["time"]), str(data["signature"]),
                   str(data["public_key"]))


def signed_message(size: int, root: str, signed_at: str) -> bytes:
    return f"{HEAD_FORMAT}\n{size}\n{root}\n{signed_at}\n".encode()


def signature_valid(head: SignedHead, public_key: str) -> bool:
    """Whether ``head`` was signed by the Ed25519 key ``public_key`` (raw, hex)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
        key.verify(bytes.fromhex(head.signature), head.message())
    except (ValueError, InvalidSignature):
        return False
    return True


class HeadSigner:
    """Signs heads with the key in ``key_path``, creating the key the first time it is needed."""

    def __init__(self, key_path: Path) -> None:
        self.key_path = key_path
        self._key: Ed25519PrivateKey | None = None

    @classmethod
    def for_store(cls, key_path: Path | None, database_url: str | None) -> HeadSigner:
        """The signer a setting names, or the one beside the store (:func:`default_key_path`)."""
        return cls(key_path if key_path is not None else default_key_path(database_url))

    def sign(self, size: int, root: str, at: datetime | None = None) -> SignedHead:
        key = self._private_key()
        signed_at = codec.datetime_to_text((at or datetime.now(UTC)).astimezone(UTC))
        signature = key.sign(signed_message(size, root, signed_at)).hex()
        return SignedHead(size, root, signed_at, signature, public_key_hex(key.public_key()))

    def public_key(self) -> str | None:
        """The public key (hex) if the key file exists; never creates it."""
        if self._key is None and not self.key_path.exists():
            return None
        return public_key_hex(self._private_key().public_key())

    def _private_key(self) -> Ed25519PrivateKey:
        if self._key is None:
            self._key = _load_or_create(self.key_path)
        return self._key


def public_key_hex(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw.hex()


def _load_or_create(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: not an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes creating the key at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _load_or_create(path)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def default_key_path(database_url: str | None) -> Path:
    """Beside a SQLite file; else in ``./.vigil`` (where the default SQLite store lives)."""
    prefix = "sqlite:///"
    if database_url and database_url.startswith(prefix) and len(database_url) > len(prefix):
        return Path(database_url[len(prefix):].split("?")[0]).parent / KEY_FILE_NAME
    return Path(".vigil") / KEY_FILE_NAME
