"""Hash and match files the way ``vigil hash`` and ``vigil match`` do: images or videos.

A file is tried as a picture first (Pillow reads the header only), then as a video (PyAV). Only
hashes come out: bytes are read, hashed and dropped, never written anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from vigil.media.banks.lookup import MediaLookup, VariantMatch
from vigil.media.file_errors import check_image_size, file_error, unreadable
from vigil.media.hashing.dihedral import query_hashes_of_image
from vigil.media.hashing.fast import digest_bytes
from vigil.media.hashing.pdq import PDQ_QUALITY_THRESHOLD, md5_of_bytes, sha256_of_bytes
from vigil.media.video.frames import FrameHash, Sampling, hash_video
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


def match_path(path: Path, lookup: MediaLookup, sampling: Sampling | None = None,
               now: datetime | None = None) -> Iterator[tuple[HashedItem, VariantMatch]]:
    """Judged bank matches of a file (``vigil match``), through the one media lookup.

    A picture is one piece of content: its PDQ (the 8 dihedral variants of the picture itself)
    and its MD5 are judged together. A video's MD5 is judged once, then each sampled frame's PDQ
    (with the approximate variants of its hash). Hashes of quality under 50 are not matched
    (pdq/README.md: quality <= 49 is unreliable).
    """
    items = list(hash_path(path, sampling))
    if not items:
        return
    moment = now or datetime.now(UTC)
    first = items[0]
    if first.frame is None:
        variants: list[tuple[str, str]] = []
        if first.quality >= PDQ_QUALITY_THRESHOLD:
            with Image.open(path) as image:
                variants = [(name, h.hex) for name, h in query_hashes_of_image(image)]
        yield from ((first, found) for found in lookup.judge(variants, first.md5,
                                                             now=moment).kept)
        return
    yield from ((first, found) for found in lookup.judge(md5=first.md5, now=moment).kept)
    for item in items:
        if item.quality >= PDQ_QUALITY_THRESHOLD:
            yield from ((item, found) for found in lookup.judge_pdq(item.pdq, now=moment).kept)
