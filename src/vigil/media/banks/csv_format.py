"""vigil's own bank CSV as a :class:`~vigil.media.banks.format_base.BankFormat`.

The reading and writing live in :mod:`vigil.media.banks.files`, which the other formats share.
"""

from __future__ import annotations

from collections.abc import Iterable

from vigil.media.banks.files import (
    BANK_CSV_COLUMNS,
    BankImport,
    BankSpec,
    bank_csv_text,
    read_bank_csv,
)
from vigil.media.banks.format_base import BankFormat
from vigil.media.banks.records import BankEntry, BankInfo


class CsvBankFormat(BankFormat):
    """vigil's own ``hash,signal_type,label,source`` (:mod:`vigil.media.banks.files`)."""

    name = "csv"
    description = "vigil's bank CSV: hash,signal_type,label,source"
    extensions = (".csv",)

    def sniff(self, head: str) -> bool:
        first = head.partition("\n")[0]
        return sorted(c.strip() for c in first.split(",")) == sorted(BANK_CSV_COLUMNS)

    def read(self, text: str, spec: BankSpec) -> BankImport:
        return read_bank_csv(text, spec)

    def write(self, info: BankInfo, entries: Iterable[BankEntry]) -> str:
        return bank_csv_text(entries)
