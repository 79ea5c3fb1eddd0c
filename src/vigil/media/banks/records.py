"""Hash banks and their entries: the records a bank store keeps, owned by the media domain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from vigil.model import JSONValue
from vigil.signal_types import PdqSignal


class BankKind(StrEnum):
    """What a match against the bank means (see :mod:`vigil.media.banks.policy` for the rule)."""

    POSITIVE = "positive"
    """Known material: a match is a finding."""
    NEGATIVE = "negative"
    """Known false positives (pytx ``NEGATIVE_CLASS``): a match suppresses positive matches."""


@dataclass(frozen=True)
class BankInfo:
    """A named list of hashes, with the threshold its matches use and whether it is in force.

    ``enabled`` is False while the bank is paused; ``state_reason`` and ``state_by`` say why and
    who (an analyst's name, or the flood check) changed it last. Adding a bank again updates its
    description but never its state: only :meth:`BankStore.set_bank_enabled` does that, so a
    re-import cannot silently resume a bank an analyst paused.
    """

    name: str
    signal_type: str = PdqSignal.name
    threshold: int = 31
    source: str = ""
    description: str = ""
    kind: BankKind = BankKind.POSITIVE
    labels: tuple[str, ...] = ()
    enabled: bool = True
    state_reason: str = ""
    state_by: str = ""


@dataclass(frozen=True)
class BankEntry:
    """One hash in a bank (``hash`` is lower-case hex; ``signal_type`` pdq, md5 or sha256).

    ``metadata`` keeps what a third-party list said about the hash (its record ids, tags,
    category), namespaced by format (``{"pytx": {...}}``, ``{"vics": {...}}``), so a match can
    show it. ``enabled`` is False while the entry is paused, e.g. by flood quarantine.
    """

    bank: str
    hash: str
    signal_type: str
    label: str = ""
    source: str = ""
    metadata: Mapping[str, JSONValue] = field(default_factory=dict, hash=False)
    enabled: bool = True
    state_reason: str = ""
    state_by: str = ""
