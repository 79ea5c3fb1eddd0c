"""Base classes for detectors, importers and exporters, and named entries for scorers and indexes.

Each base is small: a stable ``name`` (also its storage key), a ``version`` and one or two abstract
methods. Everything a plug-in needs at run time comes in through arguments, never from globals.
Bank formats, engines and signal types have their bases beside their code
(:class:`~vigil.media.banks.format_base.BankFormat`, :class:`~vigil.engines.Engine`,
:class:`~vigil.signal_types.SignalType`); :mod:`vigil.registry` holds all eight kinds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

from vigil.media.banks.flood import FloodAlert, FloodConfig
from vigil.media.banks.lookup import MediaLookup
from vigil.media.index.factory import PdqIndexChoice
from vigil.model import Case, Signal, SignalKind
from vigil.quarantine import QuarantineEntry
from vigil.records import Record, RecordKind
from vigil.settings import Settings
from vigil.store.interfaces import BankStore

if TYPE_CHECKING:
    from vigil.media.banks.records import BankEntry
    from vigil.media.index.base import HashIndex


class PluginTables(Protocol):
    """What a detector may ask the registry (:class:`vigil.registry.Registry`) for by name.

    A protocol rather than the class, so this module does not import the registry that
    imports it.
    """

    @property
    def payment_rules(self) -> Mapping[str, type[Any]]: ...

    def engine(self, name: str) -> type[Any]: ...

    def index(self, name: str) -> IndexPlugin: ...


@dataclass(frozen=True)
class DetectionContext:
    """What a detector may consult besides its records: banks, and the clock of the run.

    Detectors never write bank state: a flood pause the media lookup proposes is kept here, and
    the pipeline stores it with an audit event after detection (:meth:`take_flood_pauses`).
    """

    banks: BankStore
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    _lookups: dict[tuple[PdqIndexChoice, FloodConfig | None], MediaLookup] = field(
        default_factory=dict, init=False, compare=False, repr=False)

    def media_lookup(self, pdq_index: PdqIndexChoice = "brute",
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
    emits: ClassVar[SignalKind | None] = None
    """The kind of signal this detector produces; a run's corroboration is out of the kinds its
    detectors emit. ``None`` (a third-party default) counts the kinds its signals turn out to be."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build the detector for a run; override to read a config file named in ``settings``."""
        return cls()

    @classmethod
    def from_registry(cls, settings: Settings, registry: PluginTables) -> Self:
        """Build the detector for a run that needs other plug-ins (an engine, rules) by name.

        :meth:`Registry.detectors_for` calls this; the default ignores the registry.
        """
        return cls.from_settings(settings)

    @abstractmethod
    def detect(self, records: Iterable[Record], context: DetectionContext) -> Iterator[Signal]:
        """Yield signals for ``records`` (all of kind :attr:`consumes`).

        A run passes a :class:`~vigil.record_stream.RecordStream`: each pass over it reads the
        store again a batch at a time, so hold what a pass finds, not the records (a detector
        that needs two passes over a one-shot iterator takes
        :func:`~vigil.record_stream.replayable` of it first).
        """


@dataclass(frozen=True)
class AcceptedRow:
    """A record an importer accepted, with its line and the SHA-256 of that raw line (enough to
    quarantine it later if the store refuses it, without keeping the line)."""

    line: int
    record: Record
    line_sha256: str


RowOutcome = AcceptedRow | QuarantineEntry
"""What an importer yields for each non-blank line: a record, or why not."""


@dataclass(frozen=True)
class ImportResult:
    """Accepted records and quarantined rows of one file, and how many lines were read."""

    records: list[Record]
    quarantined: list[QuarantineEntry]
    lines: int


class Importer(Plugin):
    """Reads one file format of one record kind, a row at a time (memory does not grow with
    the file)."""

    produces: ClassVar[RecordKind]
    suffixes: ClassVar[tuple[str, ...]]

    @abstractmethod
    def rows(self, path: Path) -> Generator[RowOutcome, None, int]:
        """Yield each row of ``path`` as it is read; return the number of lines read.

        Bad rows (and file-level damage) become quarantine entries, never exceptions.
        """

    def read(self, path: Path) -> ImportResult:
        """The whole file at once (small files and tests; :mod:`vigil.ingest` streams)."""
        records: list[Record] = []
        quarantined: list[QuarantineEntry] = []
        rows = self.rows(path)
        while True:
            try:
                outcome = next(rows)
            except StopIteration as done:
                return ImportResult(records, quarantined, done.value)
            if isinstance(outcome, AcceptedRow):
                records.append(outcome.record)
            else:
                quarantined.append(outcome)


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
    """A PDQ index by the name ``VIGIL_MEDIA_INDEX`` takes; all give the same matches.

    ``build`` makes the index from bank entries; the built-ins leave it ``None`` and are built by
    :func:`vigil.media.index.factory.make_pdq_index` from their name (with its GPU fallbacks).
    """

    name: str
    description: str = ""
    version: str = "1"
    build: Callable[[Sequence[BankEntry]], HashIndex] | None = None
