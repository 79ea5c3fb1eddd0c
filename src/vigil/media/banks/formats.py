"""Bank files in the formats partners already have: vigil CSV, python-threatexchange, Project VIC.

Each format is a :class:`~vigil.media.banks.format_base.BankFormat` with a stable name (``csv``,
``pytx``, ``pytx-text``, ``vics``) in :data:`BANK_FORMATS`, one module each (``csv_format.py``
for vigil's CSV, ``pytx.py``, ``vics.py``); :func:`sniff_bank_format` tells them apart by content,
then by file extension. As with vigil's CSV, a file with a malformed hash is refused whole, naming
every bad row; rows left out on purpose are counted in :attr:`BankImport.skipped`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from vigil.media.banks.csv_format import CsvBankFormat
from vigil.media.banks.files import BankFileError, BankImport, BankSpec
from vigil.media.banks.format_base import SNIFF_CHARS, BankFormat
from vigil.media.banks.pytx import (
    PYTX_SIGNAL_TYPES,
    PytxBankFormat,
    PytxTextBankFormat,
    validate_pytx_signal,
)
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.media.banks.vics import VicsBankFormat

__all__ = [
    "BANK_FORMATS", "PYTX_SIGNAL_TYPES", "BankFormat", "bank_format", "export_bank", "load_bank",
    "read_bank", "sniff_bank_format", "validate_pytx_signal",
]

BANK_FORMATS: dict[str, BankFormat] = {
    fmt.name: fmt
    for fmt in (VicsBankFormat(), PytxBankFormat(), CsvBankFormat(), PytxTextBankFormat())
}
"""Every format by name, in the order :func:`sniff_bank_format` tries them."""


Formats = Mapping[str, BankFormat]
"""Bank formats by name: :data:`BANK_FORMATS`, or the registry's ``bank_formats`` table, which
holds the built-ins and any a third party registers (the functions below take it as ``formats``)."""


def bank_format(name: str, formats: Formats = BANK_FORMATS) -> BankFormat:
    try:
        return formats[name]
    except KeyError:
        raise ValueError(f"unknown bank format {name!r}: use one of "
                         f"{', '.join(sorted(formats))}") from None


def sniff_bank_format(text: str, filename: str = "",
                      formats: Formats = BANK_FORMATS) -> BankFormat:
    """The format ``text`` looks like; failing that, the one its file extension names."""
    head = text.lstrip("\ufeff")[:SNIFF_CHARS]
    for fmt in formats.values():
        if fmt.sniff(head):
            return fmt
    suffix = Path(filename).suffix.lower()
    for fmt in formats.values():
        if suffix in fmt.extensions and suffix != ".csv":  # two CSV formats: content decides
            return fmt
    raise BankFileError(f"{filename or '<bank file>'}: cannot tell the bank format; name one of "
                        f"{', '.join(sorted(formats))}")


def read_bank(text: str, spec: BankSpec, format: str | None = None,
              formats: Formats = BANK_FORMATS) -> BankImport:
    """Parse bank ``text`` in the named format (sniffed when ``None``) into ``spec``'s bank."""
    text = text.lstrip("\ufeff")
    fmt = (bank_format(format, formats) if format
           else sniff_bank_format(text, spec.origin, formats))
    return fmt.read(text, spec)


def load_bank(path: Path, spec: BankSpec, format: str | None = None,
              formats: Formats = BANK_FORMATS) -> BankImport:
    """Read a bank file (UTF-8, optional BOM); errors and the default source name the path."""
    if spec.origin == BankSpec.origin:
        spec = replace(spec, origin=str(path))
    return read_bank(Path(path).read_text(encoding="utf-8-sig"), spec, format, formats)


def export_bank(info: BankInfo, entries: Iterable[BankEntry], path: Path,
                format: str | None = None, formats: Formats = BANK_FORMATS) -> None:
    """Write a bank; without ``format``, ``.json`` is VICS, ``.txt`` pytx-text, else csv."""
    if format is None:
        by_suffix = {".json": "vics", ".txt": "pytx-text"}
        format = by_suffix.get(Path(path).suffix.lower(), "csv")
    text = bank_format(format, formats).write(info, entries)
    Path(path).write_text(text, encoding="utf-8", newline="")
