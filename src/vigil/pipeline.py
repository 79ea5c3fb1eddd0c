"""The one-way pipeline over what is stored: detect, then link, then triage, then store cases.

A run detects what arrived since the last run's checkpoint (:mod:`vigil.incremental`; all of it
with ``full``), and cases are built from the *current* signals (:mod:`vigil.checkpoints`: the
findings of the last computation of each detector and scope; signals of earlier runs stay in the
signal store as history): only the cases the changed signals and arrived records touch are
relinked, re-scored and rewritten when the last run's cases allow it, else all of them
(:mod:`vigil.incremental.cases`); a case keeps its id while it grows, and its review status carries
over by that id (a merged case inherits those of the cases it absorbed,
:mod:`vigil.case_lineage`). Signals that arrived without a record (a live-stream match; later
the API) cannot be recomputed, so each run reads them from the signal store and links them with
the rest (docs/decisions/0002-signals-without-records.md).
Detectors never write bank state: the flood pauses they propose are stored here, each with an
audit event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, cast

from vigil.audit import AuditEvent
from vigil.checkpoints import CheckpointStore, RunCheckpoint, SignalFacts
from vigil.incremental.arrivals import RunRecords
from vigil.incremental.cases import CaseBasis, CaseBuilder
from vigil.incremental.current import (
    CurrentSet,
    current_after,
    current_change,
    without_unchanged,
)
from vigil.incremental.detect import detect_all_scoped, fingerprint, signals_of
from vigil.incremental.partitions import PackDetector
from vigil.incremental.relink import Earlier
from vigil.incremental.usage import arrived_identifiers
from vigil.linking import LinkingConfig, load_linking_config
from vigil.linking_sql import TableEngine
from vigil.media.banks.lookup import store_flood_pauses
from vigil.model import Case, Signal
from vigil.plugin import DetectionContext, Detector
from vigil.record_stream import RecordStream, stream_records
from vigil.records import MediaObservation, Record, RecordKind
from vigil.settings import Settings
from vigil.store.interfaces import BankStore, RecordStore, SignalStore, Store
from vigil.triage import SCORERS, Scorer, TriageConfig, load_triage_config

if TYPE_CHECKING:
    from vigil.registry import Registry

StepCallback = Callable[[str], None]

LIVE_SOURCES = ("monitor.stream", "share.partner")
"""Sources whose signals arrive without a record behind them (``vigil monitor --store``; its
``vigil.monitor.signals.MONITOR_SOURCE``; ``vigil share import``, ``vigil.sharing.exchange.
SHARE_SOURCE``). No detector can recompute them, so runs read them."""


@dataclass(frozen=True)
class RunResult:
    """What one run produced: signals per detector, new signals stored, and the ranked cases."""

    signals_by_detector: dict[str, int]
    """Current signals per detector (and live signals per source) the cases were built from."""
    signals_added: int
    case_count: int
    as_of: datetime
    full: bool = False
    """Whether the run was asked to recompute everything (``vigil run --full``)."""
    detectors: dict[str, str] = field(default_factory=dict)
    """How each detector ran: ``full`` or ``incremental``."""
    read_cases: Callable[[], list[Case]] = field(default=list, repr=False, compare=False)
    """How :attr:`cases` reads the stored cases back."""

    @cached_property
    def cases(self) -> list[Case]:
        """The stored cases, ranked, read from the store when first asked (a run itself does
        not read every case back): ask before the store is closed or run again."""
        return self.read_cases()


@dataclass(frozen=True)
class PipelineConfig:
    """The configuration a run needs, read once from :class:`~vigil.settings.Settings`."""

    linking: LinkingConfig
    triage: TriageConfig
    live_sources: tuple[str, ...] = LIVE_SOURCES
    scorers: Mapping[str, Scorer] = field(default_factory=lambda: dict(SCORERS))
    """Triage scorers by name: the registry's table, so registered third-party scorers run."""
    sql_linking_engine: Callable[[], TableEngine] | None = None
    """``VIGIL_LINKING=sql``: the engine the components are found on; ``None`` means igraph."""

    @classmethod
    def from_settings(cls, settings: Settings,
                      registry: Registry | None = None) -> PipelineConfig:
        """Configs from ``settings``; scorers from ``registry`` (the built-ins when ``None``)."""
        scorers: dict[str, Scorer] = (
            dict(SCORERS) if registry is None
            else {name: cast(Scorer, plugin.score) for name, plugin in registry.scorers.items()})
        return cls(load_linking_config(settings.linking_config),
                   load_triage_config(settings.triage_config, scorers), scorers=scorers)


def _quiet(step: str) -> None:
    """No progress display."""


def read_records(store: RecordStore) -> dict[RecordKind, RecordStream]:
    """Every stored record by kind, as streams: each pass (a detector, the live-signal check,
    identifier usage) reads the store again a batch at a time, so a run never holds them all."""
    return stream_records(store)


def detect_all(records: Mapping[RecordKind, Iterable[Record]], banks: BankStore,
               detectors: Sequence[Detector], on_step: StepCallback = _quiet,
               context: DetectionContext | None = None) -> dict[str, list[Signal]]:
    """Run every detector over all records of the kind it consumes.

    Flood pauses the detectors propose stay in ``context`` (:meth:`~DetectionContext.
    take_flood_pauses`); :func:`run_pipeline` stores them.
    """
    context = context or DetectionContext(banks=banks)
    found: dict[str, list[Signal]] = {}
    for detector in detectors:
        on_step(f"detect {detector.name}")
        found[detector.name] = list(detector.detect(records.get(detector.consumes, []),
                                                    context))
    return found


def live_signals(signals: SignalStore, records: Mapping[RecordKind, Iterable[Record]],
                 sources: Sequence[str], as_of: datetime | None = None) -> list[Signal]:
    """Stored signals of ``sources`` that no record stands behind, observed by ``as_of``.

    A live signal names the observation it was stored with, if any (``evidence.observation_id``,
    when ``vigil monitor --store --account`` kept the frame as a record); that one is left to the
    media detector, which recomputes it from the record, so one frame never counts twice.
    """
    wanted = set(sources)
    stored = (signals.signals_from(wanted) if isinstance(signals, CheckpointStore)
              else signals.signals())
    live = [s for s in stored
            if s.source in wanted and (as_of is None or s.observed_at <= as_of)]
    named = {s.evidence.get("observation_id") for s in live} - {None}
    recorded = {r.observation_id for r in (records.get(RecordKind.MEDIA, []) if named else [])
                if isinstance(r, MediaObservation) and r.observation_id in named}
    return sorted((s for s in live if s.evidence.get("observation_id") not in recorded),
                  key=lambda s: s.id)


def run_pipeline(store: Store, detectors: Sequence[Detector], config: PipelineConfig,
                 as_of: datetime | None = None, actor: str = "system",
                 on_step: StepCallback | None = None,
                 records_from: RecordStore | None = None, *, full: bool = False,
                 settings_digest: str = "") -> RunResult:
    """Detect what arrived since the last checkpoint (everything with ``full``, or when there is
    none), then link and triage all current signals and store the cases; ``as_of`` defaults to
    the latest signal (reproducible). See :mod:`vigil.incremental` for how a run decides what
    is new, and :mod:`vigil.checkpoints` for what it leaves for the next one.

    Records are read from ``records_from`` when given (``VIGIL_RECORD_STORE=parquet``), else
    from ``store``. ``settings_digest`` names the settings the detectors were built from: a
    checkpoint taken under others is not continued."""
    step = on_step or _quiet
    records = RunRecords(records_from or store)
    previous = None if full else store.run_checkpoint()
    prints = {d.name: fingerprint(d, settings_digest, store) for d in detectors}
    context = DetectionContext(banks=store)
    runs = detect_all_scoped(detectors, records, previous, prints, context, full,
                             lambda batch: store.add_signals(batch).added, step)
    store_flood_pauses(store, store, context.take_flood_pauses())
    before = store.current_facts() if previous else []
    found = signals_of(runs)  # held: one found as it was is not decoded again to relink
    runs = without_unchanged(runs, before)
    added = store.add_signals(signals_of(runs)).added + sum(run.added for run in runs)
    change = current_change(runs, previous, full)
    current = current_after(before, change)
    processed = {run.name: run.arrived for run in runs}
    recorded = {RecordKind.MEDIA: records.all(RecordKind.MEDIA)}
    ids = {c.id for c in current}
    live = [s for s in live_signals(store, recorded, config.live_sources, as_of)
            if s.id not in ids]
    linked = CurrentSet(current + [SignalFacts.of(s, s.source, "") for s in live],
                        {s.id: s for s in [*found, *live]}, store)
    moment = as_of or max((f.observed_at for f in linked.facts), default=datetime.now(UTC))
    kinds = {d.emits for d in detectors if d.emits is not None} | {f.kind for f in linked.facts}
    builder = CaseBuilder(config.linking, config.triage.with_kinds(kinds), config.scorers,
                          config.sql_linking_engine)
    basis = builder.basis(moment, live)
    last = CaseBasis.from_json(previous.cases) if previous is not None else None
    earlier = _earlier(last, before, basis, builder)
    touched = arrived_identifiers(records, previous.marks) if earlier is not None \
        and previous is not None else None
    rebuilt = None if last is None or earlier is None or touched is None else builder.update(
        store, earlier, linked, touched, records, moment, step, last.as_of != basis.as_of)
    rebuilt_all = rebuilt is None
    if rebuilt is None:
        rebuilt = builder.rebuild(store, linked, records, moment, step)
    counts = _counts(current, live, detectors)
    mode = {run.name: "full" if run.scopes is None else "incremental" for run in runs}
    del runs, found, linked, current, before
    count = store.case_count()
    store.append_audit(AuditEvent(actor, "run", "pipeline", datetime.now(UTC), {
        "signals": counts, "signals_added": added, "cases": count,
        "cases_rebuilt": "all" if rebuilt_all else rebuilt,
        "as_of": moment.isoformat(), "full": full, "detectors": mode,
        "records_processed": processed}))
    store.commit_run(RunCheckpoint(_marks(detectors, records), prints,
                                   datetime.now(UTC).isoformat(), basis.to_json()), change)
    return RunResult(counts, added, count, moment, full, mode, store.cases)


def _earlier(last: CaseBasis | None, before: Sequence[SignalFacts], basis: CaseBasis,
             builder: CaseBuilder) -> list[Earlier] | None:
    """The signals the stored cases were built from, when the last run built them under the
    same configuration as this one; ``None``: rebuild every case."""
    if last is None or last.config != basis.config:
        return None
    return [Earlier.of_facts(f, builder.linking) for f in before] + list(last.live.values())


def _counts(current: Sequence[SignalFacts], live: Sequence[Signal],
            detectors: Sequence[Detector]) -> dict[str, int]:
    """Current signals per detector (every detector of the run named), then live per source."""
    counts = {detector.name: 0 for detector in detectors}
    for item in current:
        counts[item.detector] = counts.get(item.detector, 0) + 1
    for signal in live:
        counts[signal.source] = counts.get(signal.source, 0) + 1
    return counts


def _marks(detectors: Sequence[Detector], records: RunRecords) -> dict[str, dict[str, object]]:
    """Marks of the kinds the detectors consume, as the run read them (parts or records)."""
    kinds = {d.consumes for d in detectors}
    by_parts = {d.consumes for d in detectors if isinstance(d, PackDetector)}
    return {kind.value: records.mark(kind, kind in by_parts) for kind in sorted(kinds)}
