"""One run's detection, in full or incremental, and the change it makes to the current signals.

For each detector the run decides (:func:`plan`): in full when ``vigil run --full`` asks, when
there is no checkpoint yet, when the detector's fingerprint changed (another version, setting,
rule pack or, for the media and report detectors, bank), when it is not partitioned
(:mod:`vigil.incremental.partitions`), or when the mark of its records is stale
(:mod:`vigil.incremental.arrivals`); otherwise incremental: the partitions of the records that
arrived are recomputed from their whole stored history and replace the current signals of those
scopes. Payments kept as Parquet parts never become Python objects: the rule SQL reads the
parts where they lie, restricted to the senders and beneficiaries of the new parts, and the
typology score (not partitioned: every run in full) reads them there too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vigil.checkpoints import FULL_SCOPE, RunCheckpoint
from vigil.engines import DuckDBEngine
from vigil.incremental.arrivals import RunRecords
from vigil.incremental.partitions import Partitioning, ScopedSignals, partitioning
from vigil.model import Signal, content_hash
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.score_detector import TypologyScoreDetector
from vigil.plugin import DetectionContext, Detector
from vigil.records import Payment, RecordKind
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
    """What a detector was: name, version, class, settings, rule pack, banks when it uses them.
    A checkpoint taken with another fingerprint is not continued: the detector runs in full."""
    parts: list[Any] = [detector.name, detector.version, type(detector).__qualname__,
                        settings_digest]
    if isinstance(detector, PaymentTypologyDetector):
        parts.append(detector.rules.model_dump(mode="json"))
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
    found = partitioning(detector)
    kind = detector.consumes
    parts = (records.parts(kind) if isinstance(
        detector, (PaymentTypologyDetector, TypologyScoreDetector)) else None)
    if isinstance(detector, PaymentTypologyDetector) and parts is not None:
        return _payments_from_parts(detector, records, mark)
    if isinstance(detector, TypologyScoreDetector) and parts is not None:
        fs = records.filesystem()
        return DetectorRun(detector.name, [(FULL_SCOPE, s) for s in
                                           detector.detect_parquet(parts, fs)],
                           None, _count(parts, fs))
    arrived = records.arrived(kind, mark) if found is not None else None
    if found is None or arrived is None:
        everything = records.all(kind)
        scoped = (found.detect(everything, context, None) if found is not None
                  else [(FULL_SCOPE, s) for s in detector.detect(everything, context)])
        return DetectorRun(detector.name, scoped, None, len(everything))
    affected = {scope for record in arrived for scope in found.record_scopes(record)}
    return DetectorRun(detector.name, _recompute(found, records.all(kind), affected, context),
                       affected, len(arrived))


def _recompute(found: Partitioning, stored: Sequence[Any], affected: set[str],
               context: DetectionContext) -> ScopedSignals:
    """The findings of the ``affected`` partitions, from their whole stored history."""
    if not affected:
        return []
    history = [r for r in stored if not affected.isdisjoint(found.record_scopes(r))]
    return found.detect(history, context, affected)


def _payments_from_parts(detector: PaymentTypologyDetector, records: RunRecords,
                         mark: Mapping[str, Any] | None) -> DetectorRun:
    """Payments kept as Parquet parts: the rule SQL over the parts (restricted when new)."""
    parts = records.parts(RecordKind.PAYMENT) or []
    columns = detector.partition_columns()
    arrived = records.arrived_parts(RecordKind.PAYMENT, mark) if columns is not None else None
    fs = records.filesystem()
    if columns is None or arrived is None:
        return DetectorRun(detector.name, detector.detect_parquet_scoped(parts, fs), None,
                           _count(parts, fs))
    keys = _keys_of(arrived, columns, fs)
    affected = {f"{column}:{value}" for column, values in keys.items() for value in values}
    scoped = detector.detect_parquet_scoped(parts, fs, keys) if affected else []
    return DetectorRun(detector.name, [(scope, s) for scope, s in scoped if scope in affected],
                       affected, _count(arrived, fs))


def _keys_of(parts: Sequence[str], columns: Sequence[str], fs: Any) -> dict[str, list[str]]:
    """The distinct values of ``columns`` in ``parts`` (the keys new payments touch)."""
    if not parts:
        return {column: [] for column in columns}
    engine = DuckDBEngine()
    try:
        engine.register_parquet("arrived", parts, list(Payment.model_fields), fs)
        return {column: [row["v"] for row in engine.query(
                    f'SELECT DISTINCT "{column}" AS v FROM arrived WHERE "{column}" IS NOT NULL '
                    "ORDER BY v")]
                for column in columns}
    finally:
        engine.close()


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
