"""One run's detection, in full or incremental, and the change it makes to the current signals.

For each detector the run decides (:func:`plan`): in full when ``vigil run --full`` asks, when
there is no checkpoint yet, when the detector's fingerprint changed (another version, setting,
rule pack or, for the media and report detectors, bank), when it is not partitioned
(:mod:`vigil.incremental.partitions`), or when the mark of its records is stale
(:mod:`vigil.incremental.arrivals`); otherwise incremental: the partitions of the records that
arrived are recomputed from their whole stored history and replace the current signals of those
scopes. Payments kept as Parquet parts never become Python objects: the rule SQL and the
typology score read the parts where they lie, restricted to the history of the keys the new
parts touch (their senders and beneficiaries, and for R15 and the score every sender of those
beneficiaries: :mod:`vigil.payments.partition_keys`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from vigil.checkpoints import FULL_SCOPE, RunCheckpoint, SignalFacts
from vigil.engines import DuckDBEngine
from vigil.incremental.arrivals import RunRecords
from vigil.incremental.partitions import PackDetector, ScopedSignals, partitioning
from vigil.model import Signal, content_hash
from vigil.payments.partition_keys import keys_of_parts, scopes_of
from vigil.payments.score_detector import TypologyScoreDetector
from vigil.plugin import DetectionContext, Detector
from vigil.records import RecordKind
from vigil.store.interfaces import BankStore


@dataclass
class DetectorRun:
    """What one detector did in a run: the signals that become current, the scopes replaced."""

    name: str
    signals: ScopedSignals = field(default_factory=list)
    scopes: set[str] | None = None
    """Scopes whose current signals are replaced; ``None``: all of them (a full recompute)."""
    arrived: int = 0
    """Records the detector was run for: all it consumes in full, the new ones incremental."""
    stored: list[SignalFacts] = field(default_factory=list)
    """Facts of signals already stored through the run's :data:`SignalSink` as the detector
    found them (a run in full): none of them is held, unlike :attr:`signals`."""
    added: int = 0
    """How many of :attr:`stored` the store did not hold before."""


SignalSink = Callable[[Sequence[Signal]], int]
"""Stores a batch of signals; how many were new (:meth:`~vigil.store.interfaces.SignalStore.
add_signals`)."""

SINK_BATCH = 20_000
"""Signals a run in full stores at a time (vigil's choice, as :data:`vigil.payments.
parquet_batches.FINDINGS_BATCH`)."""


def fingerprint(detector: Detector, settings_digest: str, banks: BankStore) -> str:
    """What a detector was: name, version, class, settings, rule pack (with each rule's history
    key: the scopes of its signals) and score configuration, banks when it uses them. A
    checkpoint taken with another fingerprint is not continued: the detector runs in full."""
    parts: list[Any] = [detector.name, detector.version, type(detector).__qualname__,
                        settings_digest]
    if isinstance(detector, PackDetector):
        parts.append(detector.rules.model_dump(mode="json"))
        parts.append({rule.id: rule.rule.history_key for rule in detector.rules.enabled()})
    if isinstance(detector, TypologyScoreDetector):
        parts.append(detector.config.model_dump(mode="json"))
    found = partitioning(detector)
    if found is None or found.uses_banks:
        counts = banks.bank_entry_counts()
        parts.append([repr(bank) for bank in banks.banks()])
        parts.append({name: repr(count) for name, count in sorted(counts.items())})
    return content_hash(parts)


def detect_all_scoped(detectors: Sequence[Detector], records: RunRecords,
                      previous: RunCheckpoint | None, prints: Mapping[str, str],
                      context: DetectionContext, full: bool,
                      sink: SignalSink,
                      on_step: Callable[[str], None] = lambda _step: None) -> list[DetectorRun]:
    """Run every detector, in full or incrementally as the module note says. A detector run in
    full hands its signals to ``sink`` a batch at a time as it finds them and keeps their facts
    alone (:attr:`DetectorRun.stored`); an incremental one's are held, since a scope found
    unchanged is not stored again (:func:`~vigil.incremental.current.without_unchanged`)."""
    runs = []
    for detector in detectors:
        on_step(f"detect {detector.name}")
        marks = previous.marks if previous is not None else {}
        again = (not full and previous is not None
                 and previous.detectors.get(detector.name) == prints[detector.name])
        mark = marks.get(detector.consumes.value) if again else None
        runs.append(_run_one(detector, records, mark, context, sink))
    return runs


def _run_one(detector: Detector, records: RunRecords, mark: Mapping[str, Any] | None,
             context: DetectionContext, sink: SignalSink) -> DetectorRun:
    kind = detector.consumes
    if isinstance(detector, PackDetector) and records.parts(kind) is not None:
        return _payments_from_parts(detector, records, mark, sink)
    found = partitioning(detector)
    arrived = records.arrived(kind, mark) if found is not None else None
    if found is None or arrived is None:
        everything = records.all(kind)
        scoped: Iterable[tuple[str, Signal]] = (
            found.detect(everything, context, None) if found is not None
            else ((FULL_SCOPE, s) for s in detector.detect(everything, context)))
        return _in_full(detector.name, _batched(scoped), len(everything), sink)
    affected, history = found.region(records.all(kind), arrived)
    scoped = found.detect(history, context, affected) if affected else []
    return DetectorRun(detector.name, scoped, affected, len(arrived))


def _in_full(name: str, batches: Iterable[ScopedSignals], arrived: int,
             sink: SignalSink) -> DetectorRun:
    """A detector's run in full: each batch stored through ``sink``, only its facts kept."""
    facts: list[SignalFacts] = []
    added = 0
    for batch in batches:
        added += sink([signal for _, signal in batch])
        facts.extend(SignalFacts.of(signal, name, scope) for scope, signal in batch)
    return DetectorRun(name, [], None, arrived, facts, added)


def _batched(scoped: Iterable[tuple[str, Signal]]) -> Iterator[ScopedSignals]:
    found = iter(scoped)
    while batch := list(islice(found, SINK_BATCH)):
        yield batch


def _payments_from_parts(detector: PackDetector, records: RunRecords,
                         mark: Mapping[str, Any] | None,
                         sink: SignalSink) -> DetectorRun:
    """Payments kept as Parquet parts: the detector's SQL over the parts (over the history of
    the keys the new parts touch, when incremental: :mod:`vigil.payments.partition_keys`)."""
    parts = records.parts(RecordKind.PAYMENT) or []
    wanted = detector.partition_keys()
    arrived = records.arrived_parts(RecordKind.PAYMENT, mark) if wanted is not None else None
    fs = records.filesystem()
    if wanted is None or arrived is None:
        return _in_full(detector.name, detector.detect_parquet_batches(parts, fs),
                        _count(parts, fs), sink)
    keys = keys_of_parts(parts, arrived, wanted, fs, detector.hub_rows(),
                         detector.beneficiary_profiles())
    affected = scopes_of(keys)
    scoped = detector.detect_parquet_scoped(parts, fs, keys) if affected else []
    return DetectorRun(detector.name, [(scope, s) for scope, s in scoped if scope in affected],
                       affected, _count(arrived, fs))


def _count(parts: Sequence[str], fs: Any) -> int:
    if not parts:
        return 0
    engine = DuckDBEngine()
    try:
        engine.register_parquet("counted", parts, ["txn_id"], fs)
        return int(engine.query("SELECT COUNT(*) AS n FROM counted")[0]["n"])
    finally:
        engine.close()


def signals_of(runs: Sequence[DetectorRun]) -> list[Signal]:
    return [signal for run in runs for _, signal in run.signals]


__all__ = ["SINK_BATCH", "DetectorRun", "SignalSink", "detect_all_scoped", "fingerprint",
           "signals_of"]
