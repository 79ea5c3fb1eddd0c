"""Hashing an uploaded image or video without keeping it: streamed to a private temporary file,
hashed, and deleted before the answer is sent.

vigil stores hashes and metadata, never media bytes. A video decoder needs a seekable file, so
the upload is written to a file in a new private folder (mode 0700, under the system temporary
folder), and both are removed as soon as hashing ends, also when it fails. The hashed items name
the upload by the client's file name, never by the temporary path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from vigil.media.paths import HashedItem, hash_path


class UploadTooLarge(ValueError):
    """The upload went past the deployment's limit; what was written is deleted."""


class UploadSink:
    """Where an upload's chunks go until it is hashed (see :func:`hashed_upload`)."""

    def __init__(self, handle: BinaryIO, path: Path, max_bytes: int, shown_name: str) -> None:
        self._handle = handle
        self._path = path
        self._max_bytes = max_bytes
        self._shown_name = shown_name
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._max_bytes:
            raise UploadTooLarge(f"upload larger than {self._max_bytes} bytes "
                                 "(VIGIL_API_MAX_UPLOAD_BYTES)")
        self._handle.write(chunk)

    def hash(self) -> list[HashedItem]:
        """Hashes of the whole upload (``ValueError`` if it is neither picture nor video)."""
        self._handle.flush()
        try:
            items = list(hash_path(self._path))
        except ValueError:
            raise ValueError(f"{self._shown_name}: neither a picture nor a video vigil can "
                             "decode") from None
        return [replace(item, path=self._shown_name) for item in items]


@contextmanager
def hashed_upload(max_bytes: int, shown_name: str = "upload") -> Iterator[UploadSink]:
    """A sink for an upload's bytes; the file and its folder are gone when the block ends."""
    folder = Path(tempfile.mkdtemp(prefix="vigil-upload-"))
    try:
        os.chmod(folder, 0o700)
        path = folder / "content"
        with open(path, "xb") as handle:
            yield UploadSink(handle, path, max_bytes, shown_name or "upload")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
