"""Base classes for detectors, importers and exporters, and named entries for scorers and indexes.

Each base is small: a stable ``name`` (also its storage key), a ``version`` and one or two abstract
methods. Everything a plug-in needs at run time comes in through arguments, never from globals.
Bank formats, engines and signal types have their bases beside their code
(:class:`~vigil.media.banks.format_base.BankFormat`, :class:`~vigil.engines.Engine`,
:class:`~vigil.signal_types.SignalType`); :mod:`vigil.registry` holds all eight kinds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Self

from vigil.media.banks.flood import FloodAlert, FloodConfig
from vigil.media.banks.lookup import MediaLookup
from vigil.model import Case, Signal
from vigil.quarantine import QuarantineEntry
from vigil.records import Record, RecordKind
from vigil.settings import Settings
from vigil.store.interfaces import BankStore


@dataclass(frozen=True)
class DetectionContext:
    """What a detector may consult besides its records: banks, and the clock of the run.

    Detectors never write bank state: a flood pause the media lookup proposes is kept here, and
    the pipeline stores it with an audit event after detection (:meth:`take_flood_pauses`).
    """

    banks: BankStore
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    _lookups: dict[tuple[str, FloodConfig | None], MediaLookup] = field(
        default_factory=dict, init=False, compare=False, repr=False)

    def media_lookup(self, pdq_index: str = "brute",
                     flood: FloodConfig | None = FloodConfig()) -> MediaLookup:  # noqa: B008
        """The run's media lookup, built from :attr:`banks` on first use and then shared.

        Shared so that every detector of a run (media, panic reports) judges a hash the same
        way, against one index and one flood count; the frozen default is a value, not state.
        """
        key = (pdq_index, flood)
        if key not in self._lookups:
            self._lookups[key] = MediaLookup.from_store(self.banks, pdq_index, flood)
        return self._lookups[key]

    def share_lookup(self, lookup: MediaLookup, pdq_index: str = "brute",
                     flood: FloodConfig | None = FloodConfig()) -> None:  # noqa: B008
        """Use ``lookup`` where a detector asks for ``(pdq_index, flood)``, instead of building.

        The web intake keeps one lookup in memory between requests; rebuilding it from the
        bank store for every request would read every bank entry each time.
        """
        self._lookups[(pdq_index, flood)] = lookup

    def take_flood_pauses(self) -> list[FloodAlert]:
        """Flood pauses proposed by the run's lookups since the last call (for the pipeline)."""
        return [pause for lookup in self._lookups.values() for pause in lookup.take_pauses()]


class Plugin(ABC):  # noqa: B024 - a shared base for the registry, not an interface of its own
    """What every plug-in declares: a stable unique name, a version and one line about it."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""


class Detector(Plugin):
    """Turns all stored records of one kind into signals."""

    consumes: ClassVar[RecordKind]

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build the detector for a run; override to read a config file named in ``settings``."""
        return cls()

    @abstractmethod
    def detect(self, records: Sequence[Record], context: DetectionContext) -> Iterator[Signal]:
        """Yield signals for ``records`` (all of kind :attr:`consumes`)."""


@dataclass(frozen=True)
class ImportResult:
    """Accepted records and quarantined rows of one file, and how many lines were read."""

    records: list[Record]
    quarantined: list[QuarantineEntry]
    lines: int


class Importer(Plugin):
    """Reads one file format of one record kind."""

    produces: ClassVar[RecordKind]
    suffixes: ClassVar[tuple[str, ...]]

    @abstractmethod
    def read(self, path: Path) -> ImportResult:
        """Parse ``path``; bad rows become quarantine entries, never exceptions."""


class Exporter(Plugin):
    """Writes cases in a format an analyst files or shares."""

    media_type: ClassVar[str]

    @abstractmethod
    def export(self, cases: Sequence[Case]) -> str:
        """Render ``cases`` to text."""


@dataclass(frozen=True)
class ScorerPlugin:
    """A triage scorer by name: ``score(group, config, as_of)`` gives one component of a case's
    priority (see :mod:`vigil.triage`); its name is the key of its weight in triage.yaml."""

    name: str
    score: Callable[..., object]
    description: str = ""
    version: str = "1"


@dataclass(frozen=True)
class IndexPlugin:
    """A PDQ index by the name ``VIGIL_MEDIA_INDEX`` takes; all give the same matches."""

    name: str
    description: str = ""
    version: str = "1"
