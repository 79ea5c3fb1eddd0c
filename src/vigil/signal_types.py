"""One class per kind of hash vigil matches (PDQ, MD5, SHA-256), in the spirit of
python-threatexchange's ``SignalType`` (``signal_type/signal_base.py``).

Each class says everything code used to branch on a string for: how many hex digits the hash
has, how two hashes are compared (Hamming bits for PDQ, equality for the digests), the default
match threshold, and the names other formats give it (pytx, Project VIC). Code asks
:func:`signal_type` for the class by its stable name (``pdq``, ``md5``, ``sha256``, also the
storage key in bank entries) and calls it; a new kind is one class here and one line in
:data:`SIGNAL_TYPES`.
"""

from __future__ import annotations

import re
from typing import ClassVar

__all__ = ["SIGNAL_TYPES", "Md5Signal", "PdqSignal", "Sha256Signal", "SignalType", "signal_type"]

_HEX = re.compile(r"^[0-9a-f]+$")


class SignalType:
    """A kind of hash: stable name, width in hex digits, distance and default threshold.

    Class methods only, as in pytx: a signal type is a description, not a value.
    """

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    hex_digits: ClassVar[int]
    default_threshold: ClassVar[int] = 0
    """Largest distance still a match; 0 means only an equal hash matches."""
    label: ClassVar[str]
    """How sentences and Project VIC name the kind (``PDQ``, ``MD5``, ``SHA256``)."""
    pytx_name: ClassVar[str]
    """python-threatexchange's name for the kind (its ``SignalType.get_name()``)."""

    @classmethod
    def is_similarity(cls) -> bool:
        """Whether near hashes match too (a perceptual hash), not only equal ones."""
        return cls.default_threshold > 0

    @classmethod
    def normalise(cls, raw: str) -> str:
        """The hash lower-cased and checked; ``ValueError`` says what is wrong."""
        digest = raw.strip().lower()
        if len(digest) != cls.hex_digits or not _HEX.match(digest):
            raise ValueError(f"{cls.name} hash needs {cls.hex_digits} hex digits, "
                             f"got {raw.strip()!r}")
        return digest

    @classmethod
    def distance(cls, left: str, right: str) -> int:
        """0 for equal hashes, else 1: exact digests have no nearer or farther."""
        return 0 if left.lower() == right.lower() else 1


class PdqSignal(SignalType):
    name = "pdq"
    description = "PDQ perceptual photo hash: 256 bits, matched by Hamming distance"
    hex_digits = 64  # 256 bits (pdq/README.md)
    default_threshold = 31  # pdq/README.md; pytx PDQ_CONFIDENT_MATCH_THRESHOLD
    label = "PDQ"
    pytx_name = "pdq"

    @classmethod
    def distance(cls, left: str, right: str) -> int:
        """Bits that differ between two PDQ hashes."""
        return (int(left, 16) ^ int(right, 16)).bit_count()


class Md5Signal(SignalType):
    name = "md5"
    description = "MD5 digest of a file (video or photo): 128 bits, exact match only"
    hex_digits = 32
    label = "MD5"
    pytx_name = "video_md5"


class Sha256Signal(SignalType):
    name = "sha256"
    description = "SHA-256 digest of a file: 256 bits, exact match only"
    hex_digits = 64
    label = "SHA256"
    pytx_name = "video_sha256"


SIGNAL_TYPES: dict[str, type[SignalType]] = {
    cls.name: cls for cls in (PdqSignal, Md5Signal, Sha256Signal)}
"""Every built-in signal type by stable name."""


def signal_type(name: str) -> type[SignalType]:
    """The signal type called ``name`` (case and spaces ignored), or ``ValueError`` naming all."""
    try:
        return SIGNAL_TYPES[name.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(SIGNAL_TYPES))
        raise ValueError(f"unknown signal_type {name.strip()!r} (expected {known})") from None
