"""Every bank's entries in one index per signal type, each hit held to its own bank's threshold.

Raw matching only: pauses, negative banks and floods are applied on top by
:class:`vigil.media.banks.lookup.MediaLookup`, which every caller should use instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from vigil.media.banks.records import BankEntry, BankInfo
from vigil.media.index.base import PDQ_MATCH_THRESHOLD, HashIndex, Match
from vigil.media.index.brute import ExactIndex
from vigil.media.index.factory import PdqIndexChoice, make_pdq_index
from vigil.signal_types import PdqSignal
from vigil.signal_types import signal_type as signal_type_named
from vigil.store.interfaces import BankStore


class BankMatcher:
    """All banks' entries, one index per signal type, each match held to its own bank's threshold.

    One index per type (not per bank) keeps a query to one search; it uses the largest bank
    threshold and each hit is then kept only if within its own bank's threshold. ``pdq_index``
    names the PDQ index (``index.factory.INDEX_NAMES``) or is the registry's plug-in for it; all
    of them return the same matches.
    """

    def __init__(self, banks: Sequence[BankInfo], entries: Sequence[BankEntry],
                 pdq_index: PdqIndexChoice | HashIndex = "brute") -> None:
        """``pdq_index`` may also be a built index (e.g. loaded by ``banks.index_cache``)."""
        self._thresholds = {bank.name: bank.threshold for bank in banks}
        by_type: dict[str, list[BankEntry]] = defaultdict(list)
        for entry in entries:
            by_type[entry.signal_type].append(entry)
        pdq_entries = by_type.pop(PdqSignal.name, [])
        self._indexes: dict[str, HashIndex] = {PdqSignal.name: pdq_index if isinstance(
            pdq_index, HashIndex) else make_pdq_index(pdq_index, pdq_entries)}
        self._indexes.update({kind: ExactIndex.build(group) for kind, group in by_type.items()})

    @classmethod
    def from_store(cls, store: BankStore,
                   pdq_index: PdqIndexChoice = "brute") -> BankMatcher:
        return cls(store.banks(), store.bank_entries(), pdq_index)

    def threshold(self, bank: str) -> int:
        """The bank's PDQ threshold; a bank stored without its info gets the default 31."""
        return self._thresholds.get(bank, PDQ_MATCH_THRESHOLD)

    def _widest(self) -> int:
        return max([*self._thresholds.values(), PDQ_MATCH_THRESHOLD])

    def match(self, signal_type: str, hex_hash: str) -> list[Match]:
        """Entries of ``signal_type`` matching ``hex_hash`` under their banks' thresholds."""
        index = self._indexes.get(signal_type)
        if index is None:
            return []
        if not signal_type_named(signal_type).is_similarity():
            return index.query(hex_hash, 0)
        return [m for m in index.query(hex_hash, self._widest())
                if m.distance <= self.threshold(m.entry.bank)]

    def match_many(self, codes: np.ndarray) -> list[list[Match]]:
        """PDQ matches of many codes at once (e.g. a video's frames): one batched search."""
        return [[m for m in matches if m.distance <= self.threshold(m.entry.bank)]
                for matches in self._indexes[PdqSignal.name].query_many(codes, self._widest())]

    def add(self, entries: Sequence[BankEntry], banks: Sequence[BankInfo] = ()) -> None:
        """Start matching more entries (and banks' thresholds) without rebuilding anything."""
        self._thresholds.update({bank.name: bank.threshold for bank in banks})
        by_type: dict[str, list[BankEntry]] = defaultdict(list)
        for entry in entries:
            by_type[entry.signal_type].append(entry)
        for kind, group in by_type.items():
            self._indexes.setdefault(kind, ExactIndex()).add(group)

    def remove(self, entries: Iterable[BankEntry]) -> int:
        """Stop matching these bank entries; how many were removed."""
        return sum(self._indexes[e.signal_type].remove([e]) for e in entries
                   if e.signal_type in self._indexes)

    def __len__(self) -> int:
        return sum(len(index) for index in self._indexes.values())
