"""PDQ and MD5 hashes of images; the image bytes never leave this function's frame.

PDQ is Meta's perceptual hash (256 bits, with a quality score 0-100); the ``pdqhash`` package binds
the reference C++ implementation. Quality below 50 means the hash is unreliable and is not matched
(facebook/ThreatExchange pdq/README.md; python-threatexchange ``QUALITY_THRESHOLD``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image

PDQ_QUALITY_THRESHOLD = 50
"""Hashes of lower quality are discarded (pdq/README.md: quality <= 49 is not reliable)."""


@dataclass(frozen=True)
class PdqHash:
    """A PDQ hash as 64 lower-case hex digits, with the quality the hasher reported."""

    hex: str
    quality: int

    @property
    def reliable(self) -> bool:
        return self.quality >= PDQ_QUALITY_THRESHOLD


def bits_to_hex(bits: np.ndarray) -> str:
    """256 0/1 values, most significant first, as 64 hex digits."""
    packed = np.packbits(bits.astype(np.uint8).reshape(-1))
    return packed.tobytes().hex()


def hex_to_bits(hex_digest: str) -> np.ndarray:
    """The inverse of :func:`bits_to_hex`: 4 bits per hex digit, most significant first."""
    return np.unpackbits(np.frombuffer(bytes.fromhex(hex_digest), dtype=np.uint8))


def pdq_of_image(image: Image.Image) -> PdqHash:
    """PDQ of a Pillow image (converted to RGB) via the reference implementation."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.uint8)
    bits, quality = pdqhash.compute(pixels)
    return PdqHash(bits_to_hex(np.asarray(bits)), int(quality))


def md5_of_bytes(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def sha256_of_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hamming_hex(a: str, b: str) -> int:
    """Bit distance between two equal-length hex digests."""
    if len(a) != len(b):
        raise ValueError(f"hashes of different lengths: {len(a)} and {len(b)} hex digits")
    return (int(a, 16) ^ int(b, 16)).bit_count()
