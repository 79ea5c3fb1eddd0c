"""Bank indexes kept between commands: built once per checkpoint of the banks, then loaded.

``vigil match`` and ``vigil monitor`` used to read every bank entry from the store and build the
PDQ index on every call (11.6 s and 1.3 GB for a 1M-hash bank). As HMA's matchers load an index
built offline against a checkpoint (HMA ``background_tasks/build_index.py``), the built index's
arrays are saved to a cache file keyed by a checkpoint of the banks: the store's own count and
change marker per bank (:meth:`~vigil.store.interfaces.BankStore.bank_entry_counts`, one GROUP
BY). A new, paused or resumed entry changes the marker, so the next call rebuilds; bank states and
thresholds are read fresh on every call and are not cached.

The file holds hashes and the entries' bank, label and source, never media. Only the fast indexes
(``mih``, ``gpu``) are cached: ``brute`` is the slow, obviously-correct reference and stays so.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.engine import make_url

from vigil.media.banks.flood import FloodConfig
from vigil.media.banks.lookup import MediaLookup
from vigil.media.banks.records import BankEntry
from vigil.media.index.base import pack_pdq_hex
from vigil.media.index.factory import make_pdq_index, resolve_index_name
from vigil.media.index.segmented import SegmentedPdqIndex
from vigil.model import content_hash
from vigil.signal_types import PdqSignal
from vigil.store import codec
from vigil.store.interfaces import BankStore
from vigil.store.open import DEFAULT_DATABASE_URL, MEMORY_URL

__all__ = ["CACHE_FORMAT", "cached_lookup", "checkpoint", "index_cache_dir"]

log = logging.getLogger(__name__)

CACHE_FORMAT = 3
"""Bumped whenever the file's layout changes; a file of another format is rebuilt."""
CACHE_FOLDER = "index-cache"


def index_cache_dir(database_url: str | None) -> Path | None:
    """``index-cache`` next to a SQLite database file; None for PostgreSQL and memory://."""
    url = database_url or DEFAULT_DATABASE_URL
    if url == MEMORY_URL:
        return None
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).parent / CACHE_FOLDER


def checkpoint(banks: BankStore, index_name: str) -> str:
    """A digest of every bank's entry count and change marker, and of the index kind."""
    counts = banks.bank_entry_counts()
    return content_hash([CACHE_FORMAT, index_name,
                         [[name, c.entries, c.paused, c.marker] for name, c in counts.items()]])


def cached_lookup(banks: BankStore, pdq_index: str, cache_dir: Path | None,
                  flood: FloodConfig | None = None) -> MediaLookup:
    """:meth:`MediaLookup.from_store`, its index loaded from ``cache_dir`` when the banks are
    unchanged since it was saved there (built and saved otherwise)."""
    chosen = resolve_index_name(pdq_index)
    if cache_dir is None or chosen == "brute":
        return MediaLookup.from_store(banks, pdq_index, flood)
    mark = checkpoint(banks, chosen)  # before reading entries: a change meanwhile misses next time
    path = cache_dir / f"pdq-{chosen}.npz"
    cached = _load(path, mark, chosen)
    if cached is not None:
        index, others = cached
        lookup = MediaLookup(banks.banks(), others, index, flood)
        log.info("PDQ index loaded from %s (%d entries)", path, len(lookup))
        return lookup
    entries = banks.bank_entries()
    lookup = MediaLookup(banks.banks(), entries, pdq_index, flood)
    try:
        _save(path, mark, entries)
        log.info("PDQ index built and saved to %s (%d entries)", path, len(lookup))
    except OSError as exc:  # a read-only folder costs speed, never the answer
        log.warning("PDQ index not cached in %s: %s", path, exc)
    return lookup


def _save(path: Path, mark: str, entries: list[BankEntry]) -> None:
    """One ``.npz`` (no pickles): codes and bank numbers as arrays, labels and sources as JSON
    lists only for the entries that have them, and a small head read first to check freshness."""
    pdq = [e for e in entries if e.signal_type == PdqSignal.name]
    banks = sorted({e.bank for e in pdq})
    number = {name: i for i, name in enumerate(banks)}
    extra = [i for i, e in enumerate(pdq)
             if e.enabled and (e.label or e.source or e.hash != e.hash.lower())]
    arrays = {
        "head": _json({"format": CACHE_FORMAT, "checkpoint": mark, "banks": banks}),
        "codes": pack_pdq_hex([e.hash for e in pdq]),
        "bank_of": np.array([number[e.bank] for e in pdq], dtype=np.uint32),
        "extra_ids": np.array(extra, dtype=np.int64),
        "labels": _json([pdq[i].label for i in extra]),
        "sources": _json([pdq[i].source for i in extra]),
        "spelled": _json({i: pdq[i].hash for i in extra if pdq[i].hash != pdq[i].hash.lower()}),
        "paused": _json([[i, codec.bank_entry_to_dict(e)] for i, e in enumerate(pdq)
                         if not e.enabled]),
        "others": _json([codec.bank_entry_to_dict(e) for e in entries
                         if e.signal_type != PdqSignal.name]),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, allow_pickle=False, **arrays)
        os.replace(temporary, path)  # readers see the old file or the new one, never half
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _json(value: object) -> np.ndarray:
    return np.frombuffer(json.dumps(value).encode(), dtype=np.uint8)


def _unjson(array: np.ndarray) -> Any:
    return json.loads(array.tobytes())


def _load(path: Path, mark: str, chosen: str) -> tuple[SegmentedPdqIndex, list[BankEntry]] | None:
    """The cached index and the other signal types' entries, or None if stale or unreadable."""
    try:
        with path.open("rb") as file, np.load(file, allow_pickle=False) as arrays:
            head = _unjson(arrays["head"])
            if head.get("format") != CACHE_FORMAT or head.get("checkpoint") != mark:
                return None
            parts = {name: arrays[name] for name in arrays.files}
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged cache is rebuilt, never trusted
        log.warning("PDQ index cache %s unreadable, rebuilding: %s", path, exc)
        return None
    index = make_pdq_index(chosen)
    assert isinstance(index, SegmentedPdqIndex)  # resolve_index_name: mih or gpu here
    codes, bank_of = parts["codes"], parts["bank_of"]
    runs = np.flatnonzero(np.diff(bank_of)) + 1
    for start, end in zip([0, *runs.tolist()], [*runs.tolist(), len(codes)], strict=True):
        if end > start:
            index.add_codes(codes[start:end], head["banks"][int(bank_of[start])])
    _restore_extras(index, codes, parts)
    others = [codec.bank_entry_from_dict(row) for row in _unjson(parts["others"])]
    return index, others


def _restore_extras(index: SegmentedPdqIndex, codes: np.ndarray,
                    parts: dict[str, np.ndarray]) -> None:
    """Labels, sources, spellings and paused entries, as ``add()`` keeps them (ids: file order).

    ``add_codes`` is the index's bulk load and keeps none of them, so they go into its entry table
    here; the hashes come from the codes in one hex conversion rather than from the file.
    """
    ids = parts["extra_ids"]
    digits = np.ascontiguousarray(codes[ids]).tobytes().hex()
    hashes = [digits[at:at + 64] for at in range(0, len(digits), 64)]
    for at, spelled in _unjson(parts["spelled"]).items():
        hashes[int(np.searchsorted(ids, int(at)))] = spelled
    labels, sources = _unjson(parts["labels"]), _unjson(parts["sources"])
    index._entries._paused.update({i: codec.bank_entry_from_dict(row)
                                   for i, row in _unjson(parts["paused"])})
    index._entries._extras.update(zip(ids.tolist(), zip(hashes, labels, sources, strict=True),
                                      strict=True))
