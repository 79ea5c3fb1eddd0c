"""Import files into the record store: pick the importer, keep good rows, quarantine bad ones.

Import is idempotent: records are keyed by content hash, so importing the same file twice adds
nothing the second time. Accepted rows are always stored before the summary is returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vigil.plugin import Importer
from vigil.records import RecordKind
from vigil.store.interfaces import RecordStore


class NoImporterError(ValueError):
    """No registered importer reads this kind of record from this kind of file."""


@dataclass(frozen=True)
class FileSummary:
    """What happened to one file."""

    path: Path
    importer: str
    lines: int
    accepted: int
    added: int
    duplicates: int
    quarantined: int


def choose_importer(kind: RecordKind, path: Path,
                    importers: Mapping[str, type[Importer]]) -> type[Importer]:
    """The importer of ``kind`` whose suffix matches ``path`` (longest suffix wins)."""
    name = path.name.lower()
    candidates = [
        (len(suffix), importer_name, importer)
        for importer_name, importer in importers.items() if importer.produces is kind
        for suffix in importer.suffixes if name.endswith(suffix)
    ]
    if not candidates:
        known = sorted({s for i in importers.values() if i.produces is kind for s in i.suffixes})
        raise NoImporterError(f"{path}: no importer for {kind.value} files ending like this "
                              f"(known: {', '.join(known) or 'none'})")
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


def import_file(store: RecordStore, kind: RecordKind, path: Path,
                importers: Mapping[str, type[Importer]]) -> FileSummary:
    """Read ``path`` and store its accepted records and quarantined rows."""
    importer = choose_importer(kind, path, importers)
    result = importer().read(path)
    stored = store.add_records(result.records)
    store.add_quarantine(result.quarantined)
    return FileSummary(path, importer.name, result.lines, len(result.records),
                       stored.added, stored.duplicates, len(result.quarantined))


def import_files(store: RecordStore, kind: RecordKind, paths: Sequence[Path],
                 importers: Mapping[str, type[Importer]]) -> list[FileSummary]:
    return [import_file(store, kind, path, importers) for path in paths]
