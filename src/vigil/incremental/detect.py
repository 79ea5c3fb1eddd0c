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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vigil.checkpoints import FULL_SCOPE, RunCheckpoint
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
                      on_step: Callable[[str], None] = lambda _step: None) -> list[DetectorRun]:
    """Run every detector, in full or incrementally as the module note says."""
    runs = []
    for detector in detectors:
        on_step(f"detect {detector.name}")
        marks = previous.marks if previous is not None else {}
        again = (not full and previous is not None
                 and previous.detectors.get(detector.name) == prints[detector.name])
        mark = marks.get(detector.consumes.value) if again else None
        runs.append(_run_one(detector, records, mark, context))
    return runs


def _run_one(detector: Detector, records: RunRecords, mark: Mapping[str, Any] | None,
             context: DetectionContext) -> DetectorRun:
    kind = detector.consumes
    if isinstance(detector, PackDetector) and records.parts(kind) is not None:
        return _payments_from_parts(detector, records, mark)
    found = partitioning(detector)
    arrived = records.arrived(kind, mark) if found is not None else None
    if found is None or arrived is None:
        everything = records.all(kind)
        scoped = (found.detect(everything, context, None) if found is not None
                  else [(FULL_SCOPE, s) for s in detector.detect(everything, context)])
        return DetectorRun(detector.name, scoped, None, len(everything))
    affected, history = found.region(records.all(kind), arrived)
    scoped = found.detect(history, context, affected) if affected else []
    return DetectorRun(detector.name, scoped, affected, len(arrived))


def _payments_from_parts(detector: PackDetector, records: RunRecords,
                         mark: Mapping[str, Any] | None) -> DetectorRun:
    """Payments kept as Parquet parts: the detector's SQL over the parts (over the history of
    the keys the new parts touch, when incremental: :mod:`vigil.payments.partition_keys`)."""
    parts = records.parts(RecordKind.PAYMENT) or []
    wanted = detector.partition_keys()
    arrived = records.arrived_parts(RecordKind.PAYMENT, mark) if wanted is not None else None
    fs = records.filesystem()
    if wanted is None or arrived is None:
        return DetectorRun(detector.name, detector.detect_parquet_scoped(parts, fs), None,
                           _count(parts, fs))
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


__all__ = ["DetectorRun", "detect_all_scoped", "fingerprint", "signals_of"]
