"""Why a file could not be hashed, in one line that names it (``vigil hash``, ``vigil match``).

Files come from seized devices and reports, so anything may arrive: text named ``.jpg``, a
truncated JPEG, an empty file, a folder, a file the process may not read, or a picture whose header
claims billions of pixels (a decompression bomb). Each becomes a :class:`MediaFileError` whose
message is ``PATH: reason``, so a command can report it, go on with the other files, and exit
non-zero at the end.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

__all__ = ["IMAGE_PIXEL_LIMIT", "MediaFileError", "check_image_size", "declared_size",
           "file_error", "unreadable"]

IMAGE_PIXEL_LIMIT = Image.MAX_IMAGE_PIXELS or 89_478_485
"""Pillow's own limit (``PIL.Image.MAX_IMAGE_PIXELS``, 89,478,485 pixels: about a quarter of a
gigabyte as RGB): above it Pillow warns of a decompression bomb, above twice it refuses. vigil
refuses from the warning on, before decoding, so no file can take the memory of a whole run."""

_MAX_REASON = 160
"""Characters of a library's own message kept in the reason; FFmpeg's can run to lines."""

_UNREADABLE = "not an image or video PyAV/Pillow can read"


class MediaFileError(ValueError):
    """A file that cannot be hashed; ``str()`` is ``PATH: reason``."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def declared_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header of the first format that accepts ``data``, or None.

    Read with Pillow's format plug-ins directly: ``Image.open`` would stop at the bomb check
    before the size could be read, and the check's message carries only the pixel count.
    """
    Image.init()
    prefix = data[:16]
    for opener, accept in list(Image.OPEN.values()):
        try:
            # plug-ins without a signature check (TGA, SPIDER...) would read a size into any
            # bytes, videos included; a bomb in those formats meets Pillow's own check instead
            accepted = accept is not None and accept(prefix)
            if not accepted or isinstance(accepted, str):  # a str is Pillow's "maybe" warning
                continue
            with opener(io.BytesIO(data), "") as image:
                return image.size
        except Exception:  # a plug-in that cannot parse these bytes says nothing about them
            continue
    return None


def check_image_size(path: str | Path, data: bytes) -> None:
    """``MediaFileError`` if ``data`` is a picture declaring more than the pixel limit."""
    size = declared_size(data)
    if size is not None and size[0] * size[1] > IMAGE_PIXEL_LIMIT:
        raise MediaFileError(path, f"image too large ({size[0]} x {size[1]} pixels; "
                                   f"limit {IMAGE_PIXEL_LIMIT})")


def file_error(path: str | Path, error: BaseException) -> MediaFileError:
    """``error``, raised while reading or decoding ``path``, as one line naming the file."""
    if isinstance(error, MediaFileError):
        return error
    if isinstance(error, IsADirectoryError) or Path(path).is_dir():
        return MediaFileError(path, "a directory, not a file")
    if isinstance(error, FileNotFoundError):
        return MediaFileError(path, "no such file")
    if isinstance(error, PermissionError):
        return MediaFileError(path, "cannot be read: permission denied")
    if isinstance(error, Image.DecompressionBombError | Image.DecompressionBombWarning):
        pixels = re.search(r"\((\d+) pixels\)", str(error))
        size = f"{pixels.group(1)} pixels" if pixels else "too many pixels"
        return MediaFileError(path, f"image too large ({size}; limit {IMAGE_PIXEL_LIMIT})")
    return MediaFileError(path, f"{_UNREADABLE}: {_short(path, error)}")


def unreadable(path: str | Path, why: str) -> MediaFileError:
    return MediaFileError(path, f"{_UNREADABLE}: {why}")


def _short(path: str | Path, error: BaseException) -> str:
    """The library's message without the path (already named), errno codes or line breaks."""
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    text = text.replace(f"'{path}'", "").replace(str(path), "")
    text = re.sub(r"\[Errno -?\d+\]\s*", "", text)
    text = re.sub(r"\s+", " ", text).strip(" :")
    if len(text) > _MAX_REASON:
        text = text[:_MAX_REASON - 3] + "..."
    return text or type(error).__name__
