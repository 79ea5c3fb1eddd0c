"""python-threatexchange's bank files: the ``dataset -P --csv`` CSV and ``pytx-text`` lines.

- ``pytx``: what python-threatexchange's CLI writes with ``threatexchange dataset -P --csv``
  (``signal_type,signal_str,collab,category,tags``; tags space-separated; category the aggregate
  opinion, e.g. ``POSITIVE_CLASS``) (pytx ``cli/dataset_cmd.py``). It also reads ``pytx-text``.
  ``NEGATIVE_CLASS`` rows (pytx: signals that "match the wrong content") go only into a negative
  bank, every other category only into a positive one; ``DISPUTED`` rows stay positive, with the
  category kept in the entry's metadata for the analyst.
- ``pytx-text``: one ``<signal_type> <signal>`` a line, as pytx's local-file exchange reads and
  writes (``exchanges/impl/file_api.py``) and ``threatexchange hash`` prints (``cli/hash_cmd.py``;
  with ``--photo-preprocess rotations`` a rotation name comes first; it is kept as metadata).

pytx signal types vigil cannot match (url, raw_text, vpdq...) are counted, not refused: a pytx
dataset mixes many types, and only the hash types are bank material.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable

from vigil import signal_types as vigil_types
from vigil.media.banks.files import BankImport, BankSpec, EntryCollector, csv_rows, normalise_hash
from vigil.media.banks.format_base import SNIFF_CHARS, BankFormat, sorted_entries
from vigil.media.banks.records import BankEntry, BankInfo, BankKind
from vigil.signal_types import SIGNAL_TYPES

PYTX_SIGNAL_TYPES = {name: kind.pytx_name for name, kind in SIGNAL_TYPES.items()}
"""vigil signal type -> pytx ``SignalType.get_name()`` (PdqSignal, VideoMD5Signal, ...)."""
_FROM_PYTX = {**{name: vigil for vigil, name in PYTX_SIGNAL_TYPES.items()},
              **{name: name for name in SIGNAL_TYPES}}  # the short names pytx's docs also use
PYTX_CSV_COLUMNS = ("signal_type", "signal_str", "collab", "category", "tags")
PYTX_CATEGORIES = ("NEGATIVE_CLASS", "INVESTIGATION_SEED", "POSITIVE_CLASS", "DISPUTED")
"""pytx ``AggregateSignalOpinionCategory`` names (``exchanges/fetch_state.py``)."""
_PYTX_ROTATIONS = frozenset({"ORIGINAL", "ROTATE90", "ROTATE180", "ROTATE270", "FLIPX", "FLIPY",
                             "FLIPPLUS1", "FLIPMINUS1"})  # pytx content_base.RotationType names


@functools.cache
def _pytx_checks() -> dict[str, Callable[[str], str]]:
    """pytx's own ``validate_signal_str`` per vigil type, or none if threatexchange is absent."""
    # The package is optional, so mypy may not find it; the ignores cover that case only.
    try:
        from threatexchange.signal_type.md5 import (  # type: ignore[import-not-found,unused-ignore]
            VideoMD5Signal,
        )
        from threatexchange.signal_type.pdq.signal import (  # type: ignore[import-not-found,unused-ignore]
            PdqSignal,
        )
        from threatexchange.signal_type.sha256 import (  # type: ignore[import-not-found,unused-ignore]
            VideoSHA256Signal,
        )
    except ImportError:  # optional: vigil's own checks below accept exactly the same hashes
        return {}
    return {vigil_types.PdqSignal.name: PdqSignal.validate_signal_str,
            vigil_types.Md5Signal.name: VideoMD5Signal.validate_signal_str,
            vigil_types.Sha256Signal.name: VideoSHA256Signal.validate_signal_str}


def validate_pytx_signal(pytx_type: str, signal: str) -> tuple[str, str]:
    """``(vigil signal type, hash)`` for a pytx signal; ``ValueError`` if pytx would refuse it."""
    vigil_type = _FROM_PYTX.get(pytx_type.strip().lower())
    if vigil_type is None:
        raise ValueError(f"pytx signal type {pytx_type!r} is not one vigil matches")
    signal_type, digest = normalise_hash(vigil_type, signal)
    check = _pytx_checks().get(signal_type)
    return signal_type, check(digest) if check else digest


def _pytx_type_known(collected: EntryCollector, where: str, pytx_type: str) -> bool:
    """False (and the row counted) for a pytx signal type vigil has no matcher for."""
    if not pytx_type:
        collected.problem(where, "no signal type")
        return False
    if pytx_type.lower() in _FROM_PYTX:
        return True
    known = ", ".join(sorted(PYTX_SIGNAL_TYPES.values()))
    collected.skipped[f"pytx signal type {pytx_type!r} (vigil matches {known})"] += 1
    return False


def _category_fits(collected: EntryCollector, category: str) -> bool:
    """Known false positives go only into a negative bank, everything else only a positive one."""
    negative = collected.spec.kind is BankKind.NEGATIVE
    if (category == "NEGATIVE_CLASS") == negative:
        return True
    reason = ("rows other than NEGATIVE_CLASS (a negative bank holds known false positives only)"
              if negative else
              "NEGATIVE_CLASS rows (known false positives: import them into a negative bank)")
    collected.skipped[reason] += 1
    return False


def _read_pytx_csv(text: str, spec: BankSpec) -> BankImport:
    collected = EntryCollector(spec)
    for where, values in csv_rows(text, PYTX_CSV_COLUMNS, collected):
        category = values["category"].upper()
        if category not in PYTX_CATEGORIES:
            collected.problem(where, f"unknown category {values['category']!r}")
        elif _pytx_type_known(collected, where, values["signal_type"]) and _category_fits(
                collected, category):
            metadata = {"pytx": {"category": category, "tags": values["tags"].split()}}
            collected.add(where, (values["signal_type"], values["signal_str"]),
                          validate_pytx_signal, values["tags"], values["collab"], metadata)
    return collected.result()


def _read_pytx_text(text: str, spec: BankSpec) -> BankImport:
    collected = EntryCollector(spec)
    for number, line in enumerate(text.splitlines(), start=1):
        tokens, where, details = line.split(), f"line {number}", {}
        if not tokens:
            continue
        if tokens[0].upper() in _PYTX_ROTATIONS and len(tokens) >= 3:
            details["rotation"] = tokens.pop(0).upper()
        if len(tokens) < 2:
            collected.problem(where, "expected '<signal_type> <hash>'")
            continue
        if len(tokens) > 2:
            details["extra"] = " ".join(tokens[2:])
        if _pytx_type_known(collected, where, tokens[0]):
            collected.add(where, (tokens[0], tokens[1]), validate_pytx_signal,
                          source=spec.source, metadata={"pytx": details} if details else None)
    return collected.result()


def _looks_like_pytx_text(head: str) -> bool:
    tokens = next((line.split() for line in head.splitlines() if line.strip()), [])
    if tokens and tokens[0].upper() in _PYTX_ROTATIONS:
        tokens = tokens[1:]
    return len(tokens) >= 2 and tokens[0].lower() in _FROM_PYTX


class PytxBankFormat(BankFormat):
    """python-threatexchange's ``dataset -P --csv`` CSV (written); reads pytx-text lines too."""

    name = "pytx"
    description = "python-threatexchange dataset CSV (signal_type,signal_str,collab,category,tags)"
    extensions = (".csv",)

    def sniff(self, head: str) -> bool:
        first = head.partition("\n")[0]
        return [c.strip() for c in first.split(",")] == list(PYTX_CSV_COLUMNS) or (
            _looks_like_pytx_text(head))

    def read(self, text: str, spec: BankSpec) -> BankImport:
        if _looks_like_pytx_text(text[:SNIFF_CHARS]):
            return _read_pytx_text(text, spec)
        return _read_pytx_csv(text, spec)

    def write(self, info: BankInfo, entries: Iterable[BankEntry]) -> str:
        default = "NEGATIVE_CLASS" if info.kind is BankKind.NEGATIVE else "POSITIVE_CLASS"
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(PYTX_CSV_COLUMNS)
        for entry in sorted_entries(entries):
            pytx = entry.metadata.get("pytx") or {}
            writer.writerow([PYTX_SIGNAL_TYPES[entry.signal_type], entry.hash, entry.source,
                             pytx.get("category", default), entry.label])
        return buffer.getvalue()


class PytxTextBankFormat(BankFormat):
    """One ``<signal_type> <signal>`` a line: pytx's local-file exchange format."""

    name = "pytx-text"
    description = "one '<signal_type> <signal>' a line, pytx's local-file exchange format"
    extensions = (".txt",)

    def sniff(self, head: str) -> bool:
        return _looks_like_pytx_text(head)

    def read(self, text: str, spec: BankSpec) -> BankImport:
        return _read_pytx_text(text, spec)

    def write(self, info: BankInfo, entries: Iterable[BankEntry]) -> str:
        return "".join(f"{PYTX_SIGNAL_TYPES[e.signal_type]} {e.hash}\n"
                       for e in sorted_entries(entries))
