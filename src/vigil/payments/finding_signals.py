"""A rule's finding row as a payment signal: what the batch path and the inline scorer share.

A finding names its senders, beneficiaries and transactions; its signal's subjects are those
payment accounts and the KYC phones and e-mails on its transactions, its evidence the rule's
figures, parameters and sources. At a million payments the rules find about 127,000 findings,
so what is the same for every finding of a rule (its rule object, its parameters as JSON, its
sentence's tail) is worked out once per rule, and each account's reference once per batch
(docs/benchmarks.md, "Payment signals built cheaper").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.payments.rule_base import PaymentRule
from vigil.payments.rules import PaymentRules, RuleConfig
from vigil.payments.sql_parts import SHAPE_COLUMNS

_ACCOUNT = EntityKind.PAYMENT_ACCOUNT


def present(values: Sequence[str | None] | None) -> list[str]:
    """The distinct non-null values, sorted."""
    return sorted({value for value in values or () if value is not None})


def finding_stats(typed: PaymentRule[Any], row: Mapping[str, Any]) -> dict[str, JSONValue]:
    """The row's figures, rounded so the signal id does not depend on float summation order."""
    stats: dict[str, JSONValue] = {
        key: round(value, 4) if isinstance(value, float) else value
        for key, value in sorted(row.items()) if key not in SHAPE_COLUMNS
    }
    stats.update(typed.derived_stats(row))
    return stats


@dataclass(frozen=True)
class _RuleFacts:
    """What every finding of one rule shares."""

    config: RuleConfig
    typed: PaymentRule[Any]
    parameters: dict[str, JSONValue]
    tail: str


class FindingSignals:
    """Signals of finding rows for one detector (its name, version and pack)."""

    def __init__(self, source: str, version: str, rules: PaymentRules, max_txn_ids: int) -> None:
        self.source, self.rules, self.max_txn_ids = source, rules, max_txn_ids
        self.detector_version = f"{version}+rules-{rules.version}"
        self._facts: dict[int, _RuleFacts] = {}
        self._refs: dict[tuple[EntityKind, str], EntityRef] = {}

    def _rule_facts(self, rule: RuleConfig) -> _RuleFacts:
        facts = self._facts.get(id(rule))
        if facts is None or facts.config is not rule:
            facts = _RuleFacts(rule, rule.rule,
                               rule.parameters.model_dump(mode="json", exclude={"corridor"}),
                               f"Rule {rule.id} ({rule.name}) draws on {rule.source}.")
            self._facts[id(rule)] = facts
        return facts

    def kyc_refs(self, phones: Iterable[str | None], emails: Iterable[str | None],
                 ) -> set[EntityRef]:
        """A finding's KYC phones and e-mails (``None`` left out) as references."""
        refs = {self._ref(EntityKind.PHONE, phone) for phone in phones if phone is not None}
        return refs | {self._ref(EntityKind.EMAIL, email) for email in emails
                       if email is not None}

    def _ref(self, kind: EntityKind, value: str) -> EntityRef:
        """One reference per identifier (a frozen dataclass costs a microsecond to build)."""
        ref = self._refs.get((kind, value))
        if ref is None:
            if len(self._refs) > 1_000_000:
                self._refs.clear()  # bounded: about one batch's identifiers
            ref = self._refs[(kind, value)] = EntityRef(kind, value)
        return ref

    def signal(self, rule: RuleConfig, row: Mapping[str, Any],
               kyc_by_txn: Mapping[str, set[EntityRef]]) -> Signal:
        """The signal of one finding row (``kyc_by_txn``: each transaction's KYC refs)."""
        txn_ids = present(row["txn_ids"])
        kyc = {ref for txn_id in txn_ids for ref in kyc_by_txn.get(txn_id, ())}
        return self.signal_with(rule, row, kyc, txn_ids)

    def signal_with(self, rule: RuleConfig, row: Mapping[str, Any], kyc: set[EntityRef],
                    txn_ids: list[str] | None = None) -> Signal:
        """The signal of one finding row whose KYC refs (over all its transactions) are
        ``kyc`` (``txn_ids``: the row's, when the caller has them)."""
        facts = self._rule_facts(rule)
        senders, beneficiaries = present(row["senders"]), present(row["beneficiaries"])
        txn_ids = present(row["txn_ids"]) if txn_ids is None else txn_ids
        accounts = {self._ref(_ACCOUNT, account): "payee" for account in beneficiaries}
        accounts.update({self._ref(_ACCOUNT, account): "payer" for account in senders})
        first_at: datetime = row["first_at"]
        last_at: datetime = row["last_at"]
        stats = finding_stats(facts.typed, row)
        strength = facts.typed.strength(rule.parameters, stats)
        sentence = facts.typed.explain(rule.parameters, senders, beneficiaries, stats)
        evidence: dict[str, JSONValue] = {
            "rule": rule.id, "rule_name": rule.name, "source": rule.source,
            "rules_version": self.rules.version, "parameters": dict(facts.parameters),
            "txn_ids": txn_ids[: self.max_txn_ids], "txn_count": len(txn_ids),
            "first_at": first_at.isoformat(), "last_at": last_at.isoformat(),
            "stats": stats, "roles": {str(ref): role for ref, role in accounts.items()},
        }
        return Signal(
            source=self.source, kind=SignalKind.PAYMENT, subjects=(*accounts, *kyc),
            score=round(rule.weight * strength, 6), observed_at=last_at, evidence=evidence,
            explanation=f"{sentence} ({first_at:%Y-%m-%d} to {last_at:%Y-%m-%d}). {facts.tail}",
            detector_version=self.detector_version,
        )


__all__ = ["FindingSignals", "finding_stats", "present"]
