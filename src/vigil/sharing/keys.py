"""Per-partner HMAC keys, read from the file ``VIGIL_SHARE_KEYS`` names; never written anywhere.

The file is JSON: ``{"partner-name": "<hex key>", ...}``. A key must be at least 32 bytes, the
output length of SHA-256, which RFC 2104 section 3 gives as the least length worth using (less
"would decrease the security strength of the function"). Errors name the file and the partner.
"""

from __future__ import annotations

import json
from pathlib import Path

MIN_KEY_BYTES = 32


class PartnerKeyError(ValueError):
    """The key file is missing, unreadable, or has no usable key for a partner."""


def load_partner_keys(path: Path | None) -> dict[str, bytes]:
    """Every partner's key from ``path`` (``PartnerKeyError`` naming what is wrong)."""
    if path is None:
        raise PartnerKeyError("no key file: set VIGIL_SHARE_KEYS to a JSON file of partner keys")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PartnerKeyError(f"{path}: cannot read the key file: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise PartnerKeyError(f"{path}: line {exc.lineno}: not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise PartnerKeyError(f"{path}: expected an object of partner names to hex keys")
    return {str(name): _key(path, str(name), value) for name, value in data.items()}


def _key(path: Path, partner: str, value: object) -> bytes:
    try:
        key = bytes.fromhex(str(value))
    except ValueError:
        raise PartnerKeyError(f"{path}: partner {partner!r}: the key is not hex") from None
    if len(key) < MIN_KEY_BYTES:
        raise PartnerKeyError(f"{path}: partner {partner!r}: the key has {len(key)} bytes; "
                              f"at least {MIN_KEY_BYTES} are needed (RFC 2104)")
    return key


def partner_key(keys: dict[str, bytes], partner: str) -> bytes:
    """The key for ``partner``, or ``PartnerKeyError`` naming the partners that have one."""
    if partner not in keys:
        known = ", ".join(sorted(keys)) or "none"
        raise PartnerKeyError(f"no key for partner {partner!r} (partners with a key: {known})")
    return keys[partner]
