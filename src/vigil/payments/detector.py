"""The payments detector: runs the typology SQL on an engine and explains each finding.

A finding's subjects include the KYC phone numbers and e-mail addresses on its transactions, not
only the payment accounts, because those are what tie a bank's customer to a platform account seen
in chats or reports. Scores are the rule's weight times a strength that grows past the rule's
threshold and saturates, so one small remittance stays weak evidence (AUSTRAC: no single indicator
is enough) and a case is carried by several rules or other kinds of signal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Self

from vigil.engines import DuckDBEngine, SqlEngine
from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.payments.rules import (
    EscalationParams,
    FanInParams,
    FanOutParams,
    LowValueCorridorParams,
    PaymentRules,
    ProlificSenderParams,
    Rule,
    load_rules,
)
from vigil.payments.sql import rule_sql
from vigil.plugin import DetectionContext, Detector
from vigil.records import Payment, Record, RecordKind, identifiers_of
from vigil.settings import Settings

_SHAPE_COLUMNS = {"senders", "beneficiaries", "txn_ids", "first_at", "last_at"}
_KYC_KINDS = {EntityKind.PHONE, EntityKind.EMAIL}


def _beyond(value: float, threshold: float) -> float:
    """0.5 at the threshold, 0.75 at twice it, approaching 1: strength of a rule that fired."""
    return min(1.0, max(0.0, 1.0 - threshold / (2.0 * value))) if value > 0 else 0.0


def _strength(rule: Rule, stats: Mapping[str, Any]) -> float:
    params = rule.parameters
    if isinstance(params, LowValueCorridorParams):
        count = float(stats["txn_count"])
        return count / (count + params.half_score_count)
    if isinstance(params, ProlificSenderParams):
        return _beyond(stats["txn_count"], params.min_payments_exclusive)
    if isinstance(params, FanOutParams):
        return _beyond(stats["distinct_beneficiaries"], params.min_beneficiaries)
    if isinstance(params, FanInParams):
        return _beyond(stats["distinct_senders"], params.min_senders)
    shrink = stats["gap_shrink"]
    gap_part = 1.0 if shrink is None else _beyond(shrink, params.min_gap_shrink)
    return (_beyond(stats["amount_ratio"], params.min_amount_ratio) + gap_part) / 2.0


def _describe(rule: Rule, senders: list[str], beneficiaries: list[str],
              stats: Mapping[str, Any]) -> str:
    """The first sentence of an explanation: what the accounts did, in the rule's terms."""
    params, n = rule.parameters, stats["txn_count"]
    who, whom = ", ".join(senders), ", ".join(beneficiaries)
    if isinstance(params, LowValueCorridorParams):
        return (f"{who} sent {n} payment(s) of at most US${params.max_amount_usd:,.0f} each "
                f"(US${stats['total_usd']:,.2f} in all) to {whom} in a high-risk corridor")
    if isinstance(params, ProlificSenderParams):
        return (f"{who} sent {n} payments under US${params.max_amount_usd:,.0f} to high-risk "
                f"corridors, a median {stats['median_gap_days']:.1f} days apart")
    if isinstance(params, FanOutParams):
        return (f"{who} paid {stats['distinct_beneficiaries']} beneficiaries with a different "
                f"surname in high-risk corridors within {params.window_days} days")
    if isinstance(params, FanInParams):
        return (f"{whom} received low-value payments from {stats['distinct_senders']} senders "
                f"with a different surname in consumer countries within {params.window_days} days")
    return (f"{who}'s corridor payments escalated: the median amount rose from "
            f"US${stats['first_median_usd']:,.2f} to US${stats['second_median_usd']:,.2f} and "
            f"the median gap fell from {stats['first_median_gap_days']:.1f} to "
            f"{stats['second_median_gap_days']:.1f} days")


def _stats(rule: Rule, row: Mapping[str, Any]) -> dict[str, JSONValue]:
    """The row's figures, rounded so the signal id does not depend on float summation order."""
    stats: dict[str, JSONValue] = {
        key: round(value, 4) if isinstance(value, float) else value
        for key, value in sorted(row.items()) if key not in _SHAPE_COLUMNS
    }
    if isinstance(rule.parameters, EscalationParams):
        first_gap, second_gap = row["first_median_gap_days"], row["second_median_gap_days"]
        stats["amount_ratio"] = round(row["second_median_usd"] / row["first_median_usd"], 4)
        stats["gap_shrink"] = round(first_gap / second_gap, 4) if second_gap > 0 else None
    return stats


def _present(values: Sequence[str | None] | None) -> list[str]:
    return sorted({value for value in values or () if value is not None})


def payment_columns(payments: Sequence[Payment]) -> dict[str, list[Any]]:
    """Payments as the ``payments`` table the rule SQL reads: one column per record field."""
    return {name: [getattr(payment, name) for payment in payments]
            for name in Payment.model_fields}


class PaymentTypologyDetector(Detector):
    """OSEC typologies R1-R5 from a versioned rule pack, run as SQL on a pluggable engine."""

    name: ClassVar[str] = "payments.typologies"
    version: ClassVar[str] = "1"
    description: ClassVar[str] = (
        "OSEC payment typologies R1-R5 (low-value corridor, prolific, fan-out, fan-in, "
        "escalation) with sources from AUSTRAC, AIC, AMLC, FATF and Westpac")
    consumes: ClassVar[RecordKind] = RecordKind.PAYMENT

    def __init__(self, rules: PaymentRules | None = None,
                 engine_factory: Callable[[], SqlEngine] = DuckDBEngine,
                 max_txn_ids: int = 50) -> None:
        self.rules = rules if rules is not None else load_rules()
        self._engine_factory = engine_factory
        self._max_txn_ids = max_txn_ids

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(rules=load_rules(settings.payment_rules))

    def detect(self, records: Sequence[Record], context: DetectionContext) -> Iterator[Signal]:
        """Run every enabled rule; the engine lives only for this call."""
        payments = [record for record in records if isinstance(record, Payment)]
        if not payments:
            return iter(())
        by_txn: dict[str, list[Payment]] = defaultdict(list)
        for payment in payments:
            by_txn[payment.txn_id].append(payment)
        engine = self._engine_factory()
        try:
            engine.register_table("payments", payment_columns(payments))
            signals = [self._signal(rule, row, by_txn) for rule in self.rules.enabled()
                       for row in engine.query(rule_sql(rule))]
        finally:
            engine.close()
        return iter(signals)

    def _signal(self, rule: Rule, row: Mapping[str, Any],
                by_txn: Mapping[str, list[Payment]]) -> Signal:
        senders, beneficiaries = _present(row["senders"]), _present(row["beneficiaries"])
        txn_ids = _present(row["txn_ids"])
        accounts = {EntityRef(EntityKind.PAYMENT_ACCOUNT, account): "payee"
                    for account in beneficiaries}
        accounts.update({EntityRef(EntityKind.PAYMENT_ACCOUNT, account): "payer"
                         for account in senders})
        roles = {str(ref): role for ref, role in accounts.items()}
        kyc = {ref for txn_id in txn_ids for payment in by_txn.get(txn_id, ())
               for ref in identifiers_of(payment) if ref.kind in _KYC_KINDS}
        first_at: datetime = row["first_at"]
        last_at: datetime = row["last_at"]
        stats = _stats(rule, row)
        evidence: dict[str, JSONValue] = {
            "rule": rule.id, "rule_name": rule.name, "source": rule.source,
            "rules_version": self.rules.version,
            "parameters": rule.parameters.model_dump(mode="json", exclude={"corridor"}),
            "txn_ids": txn_ids[: self._max_txn_ids], "txn_count": len(txn_ids),
            "first_at": first_at.isoformat(), "last_at": last_at.isoformat(),
            "stats": stats, "roles": roles,
        }
        explanation = (f"{_describe(rule, senders, beneficiaries, stats)} "
                       f"({first_at:%Y-%m-%d} to {last_at:%Y-%m-%d}). Rule {rule.id} "
                       f"({rule.name}) draws on {rule.source}.")
        return Signal(
            source=self.name, kind=SignalKind.PAYMENT,
            subjects=(*accounts, *kyc),
            score=round(rule.weight * _strength(rule, stats), 6), observed_at=last_at,
            evidence=evidence, explanation=explanation,
            detector_version=f"{self.version}+rules-{self.rules.version}",
        )


__all__ = ["PaymentTypologyDetector", "payment_columns"]
