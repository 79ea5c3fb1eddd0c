"""Pseudonyms of identifiers and the shared-list file that carries them.

A pseudonym is ``HMAC-SHA-256(key, "kind:value")`` over vigil's normalised form of the identifier
(:mod:`vigil.identifiers`: E.164 phones, lower-cased emails, platform-scoped handles, ...), so the
two sides agree whenever they normalise alike, which they do by both running vigil's rules. A
plain SHA-256 of a phone number can be reversed by trying every number; a keyed hash cannot
without the key. Keyed hashes are still pseudonymous personal data under the GDPR (Art. 4(5)).

The file names the kind of each identifier in the clear, so a receiver only compares like with
like; it never holds the key, the identifiers, or anything else about the case.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from vigil.identifiers import EntityKind
from vigil.model import EntityRef

SHARE_FORMAT = "vigil-share/1"
SHAREABLE_KINDS = frozenset({EntityKind.ACCOUNT, EntityKind.EMAIL, EntityKind.PHONE,
                             EntityKind.PAYMENT_ACCOUNT, EntityKind.WALLET, EntityKind.DEVICE})
"""Identifiers that name a person, an account or a device; IPs (shared by households and NATs)
and bank hashes (shared through bank formats) are not sent."""


class ShareFileError(ValueError):
    """A shared list that cannot be read; the message names the field."""


def pseudonym(key: bytes, entity: EntityRef) -> str:
    return hmac.new(key, str(entity).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SharedList:
    """A partner's pseudonymised identifiers: ``(kind, pseudonym)`` pairs, and when made."""

    partner: str
    created: datetime
    items: tuple[tuple[str, str], ...]

    def to_json(self) -> str:
        return json.dumps({"format": SHARE_FORMAT, "partner": self.partner,
                           "created": self.created.isoformat(), "algorithm": "HMAC-SHA-256",
                           "items": [{"kind": k, "hmac": h} for k, h in self.items]},
                          indent=1) + "\n"


def pseudonymise(key: bytes, partner: str, entities: Iterable[EntityRef],
                 created: datetime) -> SharedList:
    items = sorted({(e.kind.value, pseudonym(key, e)) for e in entities
                    if e.kind in SHAREABLE_KINDS})
    return SharedList(partner, created, tuple(items))


def read_shared_list(text: str, origin: str) -> SharedList:
    """Parse a shared list (``ShareFileError`` naming ``origin`` and the bad field)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ShareFileError(f"{origin}: line {exc.lineno}: not JSON: {exc.msg}") from None
    if not isinstance(data, dict) or data.get("format") != SHARE_FORMAT:
        raise ShareFileError(f"{origin}: 'format' is not {SHARE_FORMAT!r}")
    try:
        created = datetime.fromisoformat(str(data.get("created")))
    except ValueError:
        raise ShareFileError(f"{origin}: 'created' is not an ISO 8601 time") from None
    if created.tzinfo is None:
        raise ShareFileError(f"{origin}: 'created' has no time zone")
    items = data.get("items")
    if not isinstance(items, list):
        raise ShareFileError(f"{origin}: 'items' is not a list")
    pairs = []
    for i, item in enumerate(items):
        kind, digest = (item.get("kind"), item.get("hmac")) if isinstance(item, dict) else (0, 0)
        if kind not in {k.value for k in SHAREABLE_KINDS} or not _is_digest(digest):
            raise ShareFileError(f"{origin}: items[{i}]: expected a shareable 'kind' and a "
                                 "64-hex 'hmac'")
        pairs.append((str(kind), str(digest)))
    return SharedList(str(data.get("partner", "")), created, tuple(pairs))


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(
        c in "0123456789abcdef" for c in value)
