"""Which records each built-in detector's findings depend on: its *partitions*.

A detector is partitioned when each of its findings is a function of one partition of the
records it consumes, named by a *scope*: a payment rule keyed by sender reads only that sender's
payments (``sender:<account>``; the rule's ``history_key``), a conversation detector one
conversation's messages, the media and report detectors one observation or report. An
incremental run then takes the partitions the new records fall in, gives the detector every
stored record of those partitions (the whole history it needs, nothing more), keeps the findings
whose scope is among them, and replaces the current signals of those scopes. A ``payer``
partition (R15, and the typology score with it: ``payer:<account>``) also reads every payment to
the beneficiaries its sender paid, and new payments fall in the payer partitions of every
sender of their beneficiaries (:mod:`vigil.payments.partition_keys`).

A detector not listed here (a third party's) is recomputed over all its records on every run,
which is always right. Media and report findings also depend on the banks, so those detectors
are recomputed in full whenever a bank changed (their fingerprint includes the banks).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from vigil.checkpoints import FULL_SCOPE
from vigil.detectors.chat_model import ConversationModelDetector
from vigil.detectors.conversations import ConversationLexiconDetector
from vigil.detectors.media import MediaHashDetector
from vigil.detectors.reports import PanicReportDetector
from vigil.identifiers import EntityKind
from vigil.model import Signal
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.partition_keys import history_of, keys_of_payments, scopes_of
from vigil.payments.score_detector import TypologyScoreDetector
from vigil.plugin import DetectionContext, Detector
from vigil.records import ChatMessage, MediaObservation, PanicReport, Payment, Record

ScopedSignals = list[tuple[str, Signal]]
Region = tuple[set[str], list[Record]]
"""Scopes to recompute, and the stored records their findings read."""


@dataclass(frozen=True)
class Partitioning:
    """How to find a detector's partitions: the scopes of a record, and scoped detection."""

    record_scopes: Callable[[Record], Iterable[str]]
    detect: Callable[[Sequence[Record], DetectionContext, Collection[str] | None], ScopedSignals]
    """Scoped findings of the records; only those of the wanted scopes, when given."""
    uses_banks: bool = False
    reach: Callable[[Sequence[Record], Sequence[Record]], Region] | None = None
    """The region of arrived records among the stored ones, when a partition is not the records
    of its scope alone (the payments partitions, :mod:`vigil.payments.partition_keys`)."""

    def region(self, stored: Sequence[Record], arrived: Sequence[Record]) -> Region:
        """The scopes ``arrived`` records change, and the ``stored`` records those scopes'
        findings read: by default the scopes of the arrived records, and the stored records
        in any of them."""
        if self.reach is not None:
            return self.reach(stored, arrived)
        affected = {scope for record in arrived for scope in self.record_scopes(record)}
        if not affected:
            return affected, []
        return affected, [r for r in stored if not affected.isdisjoint(self.record_scopes(r))]


def _scoped(detector: Detector, scope: Callable[[Signal], str]
            ) -> Callable[[Sequence[Record], DetectionContext, Collection[str] | None],
                          ScopedSignals]:
    def detect(records: Sequence[Record], context: DetectionContext,
               wanted: Collection[str] | None) -> ScopedSignals:
        found = [(scope(signal), signal) for signal in detector.detect(records, context)]
        return [(s, signal) for s, signal in found if wanted is None or s in wanted]
    return detect


def _conversation_scope(signal: Signal) -> str:
    found = [s.value for s in signal.subjects if s.kind is EntityKind.CONVERSATION]
    return f"conversation:{found[0]}" if len(found) == 1 else FULL_SCOPE


def _evidence_scope(field: str, prefix: str) -> Callable[[Signal], str]:
    def scope(signal: Signal) -> str:
        value = signal.evidence.get(field)
        return f"{prefix}:{value}" if isinstance(value, str) else FULL_SCOPE
    return scope


def _message_scopes(record: Record) -> tuple[str, ...]:
    return (f"conversation:{record.conversation_id}",) if isinstance(record, ChatMessage) else ()


def _observation_scopes(record: Record) -> tuple[str, ...]:
    if isinstance(record, MediaObservation):
        return (f"observation:{record.observation_id}",)
    return ()


def _report_scopes(record: Record) -> tuple[str, ...]:
    return (f"report:{record.report_id}",) if isinstance(record, PanicReport) else ()


def _payment_reach(keys: Collection[str], profiles: Sequence[str] | None = None,
                   ) -> Callable[[Sequence[Record], Sequence[Record]], Region]:
    """The region of new payments for detectors keyed by ``keys`` (sender, beneficiary,
    payer; ``profiles``: what the payer keys read of a beneficiary, :mod:`vigil.payments.
    payer_reach`): :func:`~vigil.payments.partition_keys.keys_of_payments` and its history."""
    def reach(stored: Sequence[Record], arrived: Sequence[Record]) -> Region:
        payments = [r for r in stored if isinstance(r, Payment)]
        touched = keys_of_payments(payments, [r for r in arrived if isinstance(r, Payment)],
                                   keys, profiles)
        affected = scopes_of(touched)
        return affected, list(history_of(payments, touched)) if affected else []
    return reach


PackDetector = PaymentTypologyDetector | TypologyScoreDetector
"""The detectors that run the payment rule pack: keyed by the pack's partition keys, run over
Parquet parts where the payments lie, and fingerprinted with the pack."""


def _no_scopes(record: Record) -> tuple[str, ...]:
    return ()


def _payment_partitioning(detector: PackDetector) -> Partitioning | None:
    keys = detector.partition_keys()
    if keys is None:
        return None
    if isinstance(detector, PaymentTypologyDetector):
        return Partitioning(_no_scopes, detector.detect_scoped,
                            reach=_payment_reach(keys, detector.beneficiary_profiles()))
    return Partitioning(_no_scopes, _scoped(detector, detector.scope_of),
                        reach=_payment_reach(keys, detector.beneficiary_profiles()))


def partitioning(detector: Detector) -> Partitioning | None:
    """How ``detector`` is partitioned, or ``None``: recompute it in full on every run."""
    if isinstance(detector, PackDetector):
        return _payment_partitioning(detector)
    if isinstance(detector, ConversationLexiconDetector | ConversationModelDetector):
        return Partitioning(_message_scopes, _scoped(detector, _conversation_scope))
    if isinstance(detector, MediaHashDetector):
        return Partitioning(_observation_scopes,
                            _scoped(detector, _evidence_scope("observation_id", "observation")),
                            uses_banks=True)
    if isinstance(detector, PanicReportDetector):
        return Partitioning(_report_scopes,
                            _scoped(detector, _evidence_scope("report_id", "report")),
                            uses_banks=True)
    return None


__all__ = ["Partitioning", "ScopedSignals", "partitioning"]
