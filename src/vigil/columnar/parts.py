"""Where Parquet parts live and how one is written so a crash never leaves half of it.

A kind's parts are the files ``<root>/<kind>/part-*.parquet``; the listing is the manifest: a
part is written under a ``.tmp`` name, flushed and fsynced, then renamed, and only names ending
in ``.parquet`` count. A ``kill -9`` mid-write leaves at most a ``.tmp`` file, which no reader
lists and the next writer removes. The root is a local folder or any fsspec URL
(``VIGIL_RECORDS_URL``, e.g. ``s3://bucket/vigil/records``); on object stores the rename is the
store's own (S3's copy-then-delete is not atomic, but a part is visible only once complete).
"""

from __future__ import annotations

import fcntl
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

UNIQUE_COLUMNS = ("record_id", "content_hash", "txn_id", "message_id", "observation_id",
                  "report_id")
"""Columns with a value per row: no dictionary (pyarrow builds one, then gives it up) and no
content_hash statistics (nothing prunes on it); 0.39 against 0.28 CPU-s per 200,000 payments
written (docs/benchmarks.md, CSV lane, third round)."""
PART_SUFFIX = ".parquet"
TMP_SUFFIX = ".tmp"
LOCK_NAME = ".writer.lock"


class PartFolder:
    """The parts of every kind under one root (a local path or an fsspec URL)."""

    def __init__(self, root: str | Path) -> None:
        self.fs, path = fsspec.core.url_to_fs(str(root))
        self.root = str(path).rstrip("/")
        self.is_local = isinstance(self.fs, LocalFileSystem)
        self.protocol = "" if self.is_local else _protocol(self.fs)

    def folder(self, kind: str) -> str:
        return f"{self.root}/{kind}"

    def parts(self, kind: str) -> list[str]:
        """Complete parts of ``kind`` in write order, as paths DuckDB and pyarrow can open."""
        folder = self.folder(kind)
        if not self.fs.exists(folder):
            return []
        names = sorted(str(p) for p in self.fs.ls(folder, detail=False)
                       if str(p).endswith(PART_SUFFIX))
        return [self.protocol + name for name in names]

    def write_part(self, kind: str, table: pa.Table) -> str:
        """Write ``table`` as a new complete part of ``kind``; returns its path."""
        folder = self.folder(kind)
        self.fs.makedirs(folder, exist_ok=True)
        # Names sort in write order (nanoseconds), and the random tail keeps writers apart.
        name = f"{folder}/part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}{PART_SUFFIX}"
        self._write_whole(name, table)
        return self.protocol + name

    def replace_part(self, part: str, table: pa.Table) -> None:
        """Put ``table`` in place of the complete part ``part``, the same way: a reader sees
        the old part or the new one, and one that opened the old file keeps reading it."""
        self._write_whole(self.fs_path(part), table)

    def fs_path(self, part: str) -> str:
        """A part's path on :attr:`fs` (the listing's paths carry the protocol for DuckDB)."""
        return part.split("://", 1)[1] if "://" in part else part

    def _write_whole(self, name: str, table: pa.Table) -> None:
        """Write under ``name`` + ``.tmp``, then rename: the file is whole or absent."""
        temporary = name + TMP_SUFFIX
        if self.is_local:
            write_local_part(Path(temporary), Path(name), table)
            return
        with self.fs.open(temporary, "wb") as handle:
            write_parquet(table, handle)
        self.fs.mv(temporary, name)

    @contextmanager
    def writer_lock(self, kind: str) -> Iterator[None]:
        """Hold the kind's writer lock (an ``flock`` on a local root; the kernel drops it when
        the holder dies, even by ``kill -9``): an import and the mover take turns, so neither
        removes the other's ``.tmp`` part nor accepts an id the other is writing. A remote
        root has no lock: one writer per kind there."""
        if not self.is_local:
            yield
            return
        folder = Path(self.folder(kind))
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / LOCK_NAME).open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def remove_leftovers(self, kind: str) -> int:
        """Delete ``.tmp`` files an interrupted writer left behind; returns how many."""
        folder = self.folder(kind)
        if not self.fs.exists(folder):
            return 0
        leftovers = [p for p in self.fs.ls(folder, detail=False) if str(p).endswith(TMP_SUFFIX)]
        for path in leftovers:
            self.fs.rm(path)
        return len(leftovers)


def _protocol(fs: fsspec.AbstractFileSystem) -> str:
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return f"{protocol}://"


def _dictionary_columns(schema: pa.Schema) -> list[str]:
    """Columns worth a dictionary: not :data:`UNIQUE_COLUMNS`, nor floats and times (amounts and
    moments are nearly all distinct too: their dictionaries are given up as well). A
    410,827-payment part: 0.26-0.33 to 0.23 CPU-s written, and smaller (docs/benchmarks.md, CSV
    lane, sixth round)."""
    return [f.name for f in schema if f.name not in UNIQUE_COLUMNS
            and not (pa.types.is_floating(f.type) or pa.types.is_timestamp(f.type))]


def write_parquet(table: pa.Table, handle: BinaryIO) -> None:
    """``table`` as Parquet (zstd) into ``handle``; see :func:`_dictionary_columns`."""
    names = table.schema.names
    pq.write_table(table, handle, compression="zstd",
                   use_dictionary=_dictionary_columns(table.schema),
                   write_statistics=[n for n in names if n != "content_hash"])


def write_local_part(temporary: Path, final: Path, table: pa.Table) -> None:
    """Write, fsync the file, rename, fsync the folder: the part is whole or absent."""
    with temporary.open("wb") as handle:
        write_parquet(table, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, final)
    folder = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


__all__ = ["PART_SUFFIX", "TMP_SUFFIX", "UNIQUE_COLUMNS", "PartFolder", "write_local_part",
           "write_parquet"]
