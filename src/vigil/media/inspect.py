"""Hash and match files the way ``vigil hash`` and ``vigil match`` do: images or videos.

A file is tried as a picture first (Pillow reads the header only), then as a video (PyAV). Only
hashes come out: bytes are read, hashed and dropped, never written anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from vigil.media.dihedral import query_hashes_of_image
from vigil.media.fasthash import digest_bytes
from vigil.media.file_errors import check_image_size, file_error, unreadable
from vigil.media.hashing import PDQ_QUALITY_THRESHOLD, md5_of_bytes, sha256_of_bytes
from vigil.media.matching import BankMatcher
from vigil.media.query import IDENTITY, VariantMatch, match_variants, pdq_hash_variants
from vigil.media.video import FrameHash, Sampling, hash_video
from vigil.model import JSONValue


@dataclass(frozen=True)
class HashedItem:
    """One picture, or one sampled frame of a video, as hashes (and where it came from)."""

    path: str
    pdq: str
    quality: int
    md5: str
    sha256: str
    frame: FrameHash | None = None

    def as_json(self) -> dict[str, JSONValue]:
        row: dict[str, JSONValue] = {"path": self.path, "pdq": self.pdq,
                                     "quality": self.quality, "md5": self.md5,
                                     "sha256": self.sha256}
        if self.frame is not None:
            row |= {"frame_number": self.frame.frame_number,
                    "timestamp_s": round(self.frame.timestamp_s, 3)}
        return row


def is_picture(data: bytes) -> bool:
    from io import BytesIO

    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


def hash_path(path: Path, sampling: Sampling | None = None) -> Iterator[HashedItem]:
    """One item for a picture; one per sampled frame for a video.

    ``MediaFileError`` (a ``ValueError``) names the file if it is neither, or too large.
    """
    data = path.read_bytes()
    check_image_size(path, data)  # before Pillow decodes anything (decompression bombs)
    md5, sha256 = md5_of_bytes(data), sha256_of_bytes(data)
    if is_picture(data):
        digests = digest_bytes(data)
        yield HashedItem(str(path), digests.pdq.hex, digests.pdq.quality, md5, sha256)
        return
    try:
        frames = hash_video(path, sampling)
    except Exception as exc:  # PyAV raises many error types; the message names the file
        raise file_error(path, exc) from exc
    if not frames:  # e.g. text named .jpg: FFmpeg's image2 demuxer opens it, decodes nothing
        raise unreadable(path, "no picture or video frame could be decoded")
    for frame in frames:
        yield HashedItem(str(path), frame.pdq, frame.quality, md5, sha256, frame)


def match_path(path: Path, matcher: BankMatcher,
               sampling: Sampling | None = None) -> Iterator[tuple[HashedItem, VariantMatch]]:
    """Bank matches of a file: MD5 exactly, PDQ with the 8 dihedral variants of the content."""
    items = list(hash_path(path, sampling))
    if items:
        for found in match_variants(matcher, "md5", [(IDENTITY, items[0].md5)]):
            yield items[0], found
    picture = items and items[0].frame is None
    for item in items:
        if item.quality < PDQ_QUALITY_THRESHOLD:
            continue  # pdq/README.md: quality <= 49 is unreliable (media.md §2.1)
        if picture:
            with Image.open(path) as image:
                variants = [(name, h.hex) for name, h in query_hashes_of_image(image)]
        else:
            variants = pdq_hash_variants(item.pdq)
        for found in match_variants(matcher, "pdq", variants):
            yield item, found
