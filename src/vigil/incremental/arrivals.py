"""What is stored now, as a *mark*, and what arrived since an earlier mark.

Every record store returns a kind's records in write order, so a mark of the records is their
count and a digest of their content hashes in that order: the records that arrived since a mark
are those past its count, provided the first ``count`` records still digest to it. Anything else
(a record deleted by the retention job, a store rebuilt) makes the mark stale, and the run
recomputes that kind in full. A kind kept as Parquet parts (``VIGIL_RECORD_STORE=parquet``) is
marked by the names of its parts instead: parts are only ever added, so the new ones are those
not named, and a named part that is gone makes the mark stale. Neither way reads more than keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import COLUMNAR_KINDS
from vigil.records import Record, RecordKind
from vigil.store.interfaces import RecordStore

Mark = Mapping[str, Any]


def _digest(hashes: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for value in hashes:
        digest.update(value.encode("ascii"))
    return digest.hexdigest()


def _part_name(part: str) -> str:
    return part.rsplit("/", 1)[-1]


class RunRecords:
    """One run's view of a record store: each kind read at most once, and marks of them."""

    def __init__(self, store: RecordStore) -> None:
        self.store = store
        self._records: dict[RecordKind, list[Record]] = {}
        self._hashes: dict[RecordKind, list[str]] = {}
        self._parts: dict[RecordKind, list[str]] = {}

    def all(self, kind: RecordKind) -> list[Record]:
        """Every stored record of ``kind`` in write order (read once per run)."""
        if kind not in self._records:
            self._records[kind] = self.store.records(kind)
        return self._records[kind]

    def parts(self, kind: RecordKind) -> list[str] | None:
        """The Parquet parts of ``kind`` when the store keeps it so, else ``None`` (listed once
        per run, so the mark names exactly the parts the run read)."""
        if not isinstance(self.store, SplitRecordStore) or kind not in COLUMNAR_KINDS:
            return None
        if kind not in self._parts:
            self._parts[kind] = self.store.columnar.parts(kind)
        return self._parts[kind]

    def filesystem(self) -> Any:
        """The fsspec file system of the parts when they are not local (else ``None``)."""
        if isinstance(self.store, SplitRecordStore) and not self.store.columnar.folder.is_local:
            return self.store.columnar.folder.fs
        return None

    def mark(self, kind: RecordKind, as_parts: bool) -> dict[str, Any]:
        """What is stored of ``kind`` now; ``as_parts``: by part names (the run read parts)."""
        parts = self.parts(kind) if as_parts else None
        if parts is not None:
            return {"parts": [_part_name(p) for p in parts]}
        hashes = self._content_hashes(kind)
        return {"count": len(hashes), "digest": _digest(hashes)}

    def arrived(self, kind: RecordKind, mark: Mark | None) -> list[Record] | None:
        """Records of ``kind`` stored after ``mark``; ``None`` when the mark is missing or stale."""
        if mark is None or "count" not in mark:
            return None
        hashes, count = self._content_hashes(kind), int(mark["count"])
        if count > len(hashes) or _digest(hashes[:count]) != mark.get("digest"):
            return None
        return self.all(kind)[count:]

    def arrived_parts(self, kind: RecordKind, mark: Mark | None) -> list[str] | None:
        """Parts of ``kind`` written after ``mark``; ``None`` when missing, stale or not parts."""
        parts = self.parts(kind)
        if parts is None or mark is None or "parts" not in mark:
            return None
        known = set(mark["parts"])
        names = {_part_name(p) for p in parts}
        if not known.issubset(names):
            return None
        return [p for p in parts if _part_name(p) not in known]

    def _content_hashes(self, kind: RecordKind) -> list[str]:
        if kind not in self._hashes:
            self._hashes[kind] = [record.content_hash() for record in self.all(kind)]
        return self._hashes[kind]


__all__ = ["Mark", "RunRecords"]
