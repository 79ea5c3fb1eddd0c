"""Hash banks in CSV, and what every bank file format shares: the bank's spec and hash checks.

A bank file has the header ``hash,signal_type,label,source`` (columns in any order) and one hash a
row. The bank's name and match threshold are not in the file: they are decided by whoever adds the
bank, because the same exchange list may be matched strictly in one deployment and loosely in
another (per-bank thresholds are the top HMA adopter request, HMA roadmap). The same holds for
the bank's kind (known material, or known false positives) and labels: see :class:`BankSpec`.

A file with any bad row is refused whole, with every bad row named by file and line: a bank that
silently lost some of its hashes would miss matches without anyone knowing. Rows left out on
purpose (a hash type vigil cannot match, a PhotoDNA hash) are counted in
:attr:`BankImport.skipped` instead, so that the importer can say how many and why.
Other formats (python-threatexchange, Project VIC) are in :mod:`vigil.media.banks.formats`.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vigil.media.banks.records import BankEntry, BankInfo, BankKind
from vigil.media.index.base import PDQ_MATCH_THRESHOLD
from vigil.model import JSONValue
from vigil.signal_types import PdqSignal
from vigil.signal_types import signal_type as signal_type_named

BANK_CSV_COLUMNS = ("hash", "signal_type", "label", "source")

Validate = Callable[[str, str], tuple[str, str]]
"""Checks a ``(signal_type, hash)`` pair as read; returns it normalised or raises ValueError."""
_MAX_THRESHOLD = 255
"""A PDQ threshold of 256 or more would match every hash."""


class BankFileError(ValueError):
    """A bank file that cannot be loaded; the message names the file and each bad line."""


@dataclass(frozen=True)
class BankSpec:
    """What the person adding a bank decides, whatever the file format says.

    ``origin`` names the file in error messages and is the bank's ``source`` when none is given.
    ``only_categories``, when set, keeps only entries whose category (a Project VIC ``Category``)
    is listed: category schemes differ by country, so vigil never guesses which are illegal.
    """

    name: str
    threshold: int = PDQ_MATCH_THRESHOLD
    kind: BankKind = BankKind.POSITIVE
    source: str = ""
    description: str = ""
    labels: tuple[str, ...] = ()
    origin: str = "<bank file>"
    only_categories: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("bank name must not be empty")
        _check_threshold(self.threshold)
        object.__setattr__(self, "kind", BankKind(self.kind))

    def info(self, entries: Sequence[BankEntry]) -> BankInfo:
        return BankInfo(name=self.name, signal_type=_bank_signal_type(entries),
                        threshold=self.threshold, source=self.source or self.origin,
                        description=self.description, kind=self.kind, labels=self.labels)


@dataclass(frozen=True)
class BankImport:
    """A parsed bank file: the bank, its entries, and how many rows were left out and why."""

    info: BankInfo
    entries: list[BankEntry]
    skipped: Counter[str] = field(default_factory=Counter)

    def notes(self) -> list[str]:
        """One plain line per reason, most frequent first, for the importer to print."""
        return [f"{count} left out: {reason}" for reason, count in self.skipped.most_common()]


def _check_threshold(threshold: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise ValueError(f"bank threshold must be an int, got {threshold!r}")
    if not 0 <= threshold <= _MAX_THRESHOLD:
        raise ValueError(f"bank threshold {threshold} is outside 0-{_MAX_THRESHOLD} bits")


def normalise_hash(signal_type: str, raw: str) -> tuple[str, str]:
    """``(signal_type, hash)`` lower-cased and checked; ``ValueError`` says what is wrong."""
    kind = signal_type_named(signal_type)
    return kind.name, kind.normalise(raw)


def check_csv_header(fieldnames: Sequence[str] | None, columns: Sequence[str],
                     origin: str) -> list[str]:
    """The stripped header, or :class:`BankFileError` unless it has exactly ``columns``."""
    found = [name.strip() for name in fieldnames or ()]
    if sorted(found) != sorted(columns):
        raise BankFileError(
            f"{origin}: line 1: header must be {','.join(columns)}, got {','.join(found)}"
        )
    return found


def _bank_signal_type(entries: Sequence[BankEntry]) -> str:
    """The bank's type: the one its entries share, or ``mixed`` (e.g. photo PDQ + video MD5)."""
    types = {entry.signal_type for entry in entries}
    if len(types) > 1:
        return "mixed"
    return types.pop() if types else PdqSignal.name


class EntryCollector:
    """The entries of one import: each hash kept once, bad rows listed, skipped rows counted."""

    def __init__(self, spec: BankSpec) -> None:
        self.spec = spec
        self.entries: dict[tuple[str, str], BankEntry] = {}
        self.skipped: Counter[str] = Counter()
        self.problems: list[str] = []

    def problem(self, where: str, why: str) -> None:
        self.problems.append(f"{self.spec.origin}: {where}: {why}")

    def add(self, where: str, hashed: tuple[str, str], validate: Validate, label: str = "",
            source: str = "", metadata: Mapping[str, JSONValue] | None = None) -> None:
        """Add ``(signal_type, hash)`` checked by ``validate``, or note why it is bad."""
        try:
            signal_type, digest = validate(*hashed)
        except ValueError as exc:
            self.problem(where, str(exc))
            return
        if (signal_type, digest) in self.entries:
            self.skipped["repeated hash (the first row is kept)"] += 1
            return
        self.entries[signal_type, digest] = BankEntry(
            self.spec.name, digest, signal_type, label, source, dict(metadata or {}))

    def result(self) -> BankImport:
        """The import, or :class:`BankFileError` naming every bad row."""
        if self.problems:
            raise BankFileError("\n".join(self.problems))
        kept = list(self.entries.values())
        return BankImport(self.spec.info(kept), kept, self.skipped)


def csv_rows(text: str, columns: Sequence[str],
             collected: EntryCollector) -> Iterator[tuple[str, dict[str, str]]]:
    """``(where, stripped values)`` of each row of a CSV with exactly ``columns``; a row with
    more cells than the header is a problem of ``collected``, not a row."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    reader.fieldnames = check_csv_header(reader.fieldnames, columns, collected.spec.origin)
    for row in reader:
        where = f"line {reader.line_num}"
        if None in row:
            collected.problem(where, "more fields than the header has")
            continue
        yield where, {key: (value or "").strip() for key, value in row.items()}


def read_bank_csv(text: str, spec: BankSpec) -> BankImport:
    """Read bank CSV ``text`` into the bank ``spec`` describes. Repeated hashes are kept once.

    Raises :class:`BankFileError` listing every bad row as ``origin: line N: why``.
    """
    collected = EntryCollector(spec)
    for where, values in csv_rows(text, BANK_CSV_COLUMNS, collected):
        collected.add(where, (values["signal_type"], values["hash"]), normalise_hash,
                      values["label"], values["source"])
    return collected.result()


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
    spec = BankSpec(bank, threshold, source=source, description=description, origin=origin)
    parsed = read_bank_csv(text, spec)
    return parsed.info, parsed.entries


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
