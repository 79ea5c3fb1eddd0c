"""What every bank file format is: a stable name, a sniffer, a reader and a writer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import ClassVar

from vigil.media.banks.files import BankImport, BankSpec
from vigil.media.banks.records import BankEntry, BankInfo

SNIFF_CHARS = 4096
"""How much of a file the sniffers look at."""


class BankFormat(ABC):
    """One bank file format; ``name`` is its stable key in :data:`BANK_FORMATS`."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]]

    @abstractmethod
    def sniff(self, head: str) -> bool:
        """Whether the first few thousand characters of a file look like this format."""

    @abstractmethod
    def read(self, text: str, spec: BankSpec) -> BankImport: ...

    @abstractmethod
    def write(self, info: BankInfo, entries: Iterable[BankEntry]) -> str:
        """The entries as file text; equal banks give equal text (sorted by type and hash)."""


def sorted_entries(entries: Iterable[BankEntry]) -> list[BankEntry]:
    """Entries in the order every format writes them: by type, hash, label and source."""
    return sorted(entries, key=lambda e: (e.signal_type, e.hash, e.label, e.source))
