"""Hash banks in CSV: the one file format a partner can send and an analyst can read.

A bank file has the header ``hash,signal_type,label,source`` (columns in any order) and one hash a
row. The bank's name and match threshold are not in the file: they are decided by whoever adds the
bank, because the same exchange list may be matched strictly in one deployment and loosely in
another (per-bank thresholds are the top HMA adopter request, media.md §1.4).

A file with any bad row is refused whole, with every bad row named by file and line: a bank that
silently lost some of its hashes would miss matches without anyone knowing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from vigil.media.matching import PDQ_MATCH_THRESHOLD
from vigil.store.interfaces import BankEntry, BankInfo

BANK_CSV_COLUMNS = ("hash", "signal_type", "label", "source")
HEX_DIGITS_BY_SIGNAL_TYPE = {"pdq": 64, "md5": 32}
"""PDQ is 256 bits (pdq/README.md), MD5 128 bits."""

_HEX = re.compile(r"^[0-9a-f]+$")
_MAX_THRESHOLD = 255
"""A PDQ threshold of 256 or more would match every hash."""


class BankFileError(ValueError):
    """A bank file that cannot be loaded; the message names the file and each bad line."""


def _check_threshold(threshold: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise ValueError(f"bank threshold must be an int, got {threshold!r}")
    if not 0 <= threshold <= _MAX_THRESHOLD:
        raise ValueError(f"bank threshold {threshold} is outside 0-{_MAX_THRESHOLD} bits")


def _entry_from_row(bank: str, row: dict[str, str | None]) -> BankEntry:
    """Validate one row; ``ValueError`` says what is wrong with it (without the line)."""
    if None in row:
        raise ValueError("more fields than the header has")
    values = {key: (value or "").strip() for key, value in row.items()}
    signal_type = values["signal_type"].lower()
    width = HEX_DIGITS_BY_SIGNAL_TYPE.get(signal_type)
    if width is None:
        known = ", ".join(sorted(HEX_DIGITS_BY_SIGNAL_TYPE))
        raise ValueError(f"unknown signal_type {values['signal_type']!r} (expected {known})")
    digest = values["hash"].lower()
    if len(digest) != width or not _HEX.match(digest):
        raise ValueError(f"{signal_type} hash needs {width} hex digits, got {values['hash']!r}")
    return BankEntry(bank=bank, hash=digest, signal_type=signal_type,
                     label=values["label"], source=values["source"])


def _check_header(fieldnames: Sequence[str] | None, origin: str) -> None:
    found = [name.strip() for name in fieldnames or ()]
    if sorted(found) != sorted(BANK_CSV_COLUMNS):
        raise BankFileError(
            f"{origin}: line 1: header must be {','.join(BANK_CSV_COLUMNS)}, got {','.join(found)}"
        )


def _bank_signal_type(entries: Sequence[BankEntry]) -> str:
    """The bank's type: the one its entries share, or ``mixed`` (e.g. photo PDQ + video MD5)."""
    types = {entry.signal_type for entry in entries}
    if len(types) > 1:
        return "mixed"
    return types.pop() if types else "pdq"


def parse_bank_csv(
    text: str,
    bank: str,
    threshold: int = PDQ_MATCH_THRESHOLD,
    *,
    origin: str = "<bank csv>",
    source: str = "",
    description: str = "",
) -> tuple[BankInfo, list[BankEntry]]:
    """Read bank CSV ``text``; ``origin`` names it in errors. Repeated hashes are kept once.

    Raises :class:`BankFileError` listing every bad row as ``origin: line N: why``.
    """
    if not bank.strip():
        raise ValueError("bank name must not be empty")
    _check_threshold(threshold)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    _check_header(reader.fieldnames, origin)
    reader.fieldnames = [name.strip() for name in reader.fieldnames or ()]
    entries: dict[tuple[str, str], BankEntry] = {}
    problems: list[str] = []
    for row in reader:
        try:
            entry = _entry_from_row(bank, row)
        except ValueError as exc:
            problems.append(f"{origin}: line {reader.line_num}: {exc}")
            continue
        entries.setdefault((entry.signal_type, entry.hash), entry)
    if problems:
        raise BankFileError("\n".join(problems))
    kept = list(entries.values())
    info = BankInfo(name=bank, signal_type=_bank_signal_type(kept), threshold=threshold,
                    source=source or origin, description=description)
    return info, kept


def load_bank_csv(
    path: Path, bank: str, threshold: int = PDQ_MATCH_THRESHOLD, *, description: str = ""
) -> tuple[BankInfo, list[BankEntry]]:
    """Read a bank file (UTF-8, optional BOM); the bank's ``source`` is the file's path."""
    text = Path(path).read_text(encoding="utf-8-sig")
    return parse_bank_csv(text, bank, threshold, origin=str(path), description=description)


def bank_csv_text(entries: Iterable[BankEntry]) -> str:
    """Entries as bank CSV, sorted by type and hash so that equal banks give equal files."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(BANK_CSV_COLUMNS)
    for entry in sorted(entries, key=lambda e: (e.signal_type, e.hash, e.label, e.source)):
        writer.writerow([entry.hash, entry.signal_type, entry.label, entry.source])
    return buffer.getvalue()


def export_bank_csv(entries: Iterable[BankEntry], path: Path) -> None:
    Path(path).write_text(bank_csv_text(entries), encoding="utf-8", newline="")
