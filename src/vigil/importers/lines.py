"""Reading a file as lines without trusting it: bounded line length, BOM, gzip damage.

Every importer reads through :func:`read_lines`, so no line is ever held whole past
:data:`MAX_LINE_BYTES` (a 50 MB "identifier" costs one buffer, not 50 MB), a UTF-8 byte-order
mark is dropped, and a damaged ``.gz`` yields the lines read before the damage followed by a
:class:`FileProblem` instead of an exception.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAX_LINE_BYTES = 1024 * 1024
"""Longest line read: far above any real row (about 300 bytes), far below memory trouble."""

_SKIP_CHUNK = 64 * 1024
_BOM = b"\xef\xbb\xbf"

MEDIA_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "a JPEG image"),
    (0, b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (0, b"GIF8", "a GIF image"),
    (8, b"WEBP", "a WebP image"),
    (4, b"ftyp", "an MP4/MOV video"),
    (0, b"\x1aE\xdf\xa3", "a Matroska/WebM video"),
    (0, b"II*\x00", "a TIFF image"),
    (0, b"MM\x00*", "a TIFF image"),
    (0, b"%PDF", "a PDF document"),
    (0, b"PK\x03\x04", "a ZIP archive"),
)
"""File signatures (their format specifications' magic numbers) of media a text import must
never read line by line: such a file is refused whole, and nothing of it is kept."""


@dataclass(frozen=True)
class RawLine:
    """One physical line (1-based ``number``); ``data`` is empty when the line was too long."""

    number: int
    data: bytes
    size: int

    @property
    def too_long(self) -> bool:
        return self.size > MAX_LINE_BYTES


@dataclass(frozen=True)
class FileProblem:
    """Damage that ends the file early (or a file that is not what its name says)."""

    line: int
    reason: str


def _skip_rest(handle: BinaryIO, read: bytes) -> int:
    """Read past the rest of an over-long line in small chunks; its total size in bytes."""
    size = len(read)
    while read and not read.endswith(b"\n"):
        read = handle.readline(_SKIP_CHUNK)
        size += len(read)
    return size


def media_signature(head: bytes) -> str | None:
    """What ``head`` (a file's first bytes) says the file is, when it is media, else None."""
    for offset, magic, what in MEDIA_MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return what
    return None


def _lines(handle: BinaryIO) -> Iterator[RawLine]:
    number = 0
    while data := handle.readline(MAX_LINE_BYTES + 1):
        number += 1
        if number == 1 and data.startswith(_BOM):
            data = data[len(_BOM):]
        if len(data) > MAX_LINE_BYTES:
            yield RawLine(number, b"", _skip_rest(handle, data))
        else:
            yield RawLine(number, data, len(data))


def _text_lines(handle: BinaryIO, name: str) -> Iterator[RawLine | FileProblem]:
    """The lines of ``handle``, unless it starts like media: then one problem, and no line."""
    what = media_signature(handle.peek(16)[:16])  # type: ignore[attr-defined]
    if what is not None:
        yield FileProblem(0, f"{name} is {what}, not text: file refused, nothing of it kept")
    else:
        yield from _lines(handle)


def read_lines(path: Path) -> Iterator[RawLine | FileProblem]:
    """Every line of ``path`` (gunzipped when it ends in ``.gz``); damage ends it with a problem."""
    if not path.name.lower().endswith(".gz"):
        with path.open("rb") as handle:
            yield from _text_lines(handle, path.name)
        return
    last = 0
    try:
        with gzip.open(path, "rb") as handle:
            for line in _text_lines(handle, path.name):  # type: ignore[arg-type]
                last = line.number if isinstance(line, RawLine) else last
                yield line
    except gzip.BadGzipFile as exc:
        yield FileProblem(last, f"{path.name} is not a gzip file ({exc})" if last == 0 else
                          f"gzip stream damaged after line {last} ({exc})")
    except EOFError:
        yield FileProblem(last, f"gzip stream truncated after line {last}")
    except zlib.error as exc:
        yield FileProblem(last, f"gzip stream damaged after line {last} ({exc})")
