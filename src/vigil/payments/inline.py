"""The inline scorer: one payment at a time, alerts from incrementally maintained features.

For an API intake or a stream: :meth:`InlineScorer.score` takes one payment and answers with the
rule findings it changed and the scores of the accounts they count for, in well under a
millisecond for the senders of the pack's corridor (``benchmarks/bench_payments_inline.py``).

Each enabled rule that declares an incremental form (:attr:`PaymentRule.incremental
<vigil.payments.rule_base.PaymentRule.incremental>`) keeps its per-key state here; the rest are
batch-only and listed in :attr:`InlineScorer.batch_only` (they run in ``vigil run`` and ``vigil
payments scan``). The signals are built by the batch detector's own code
(:meth:`PaymentTypologyDetector.finding_signal
<vigil.payments.detector.PaymentTypologyDetector.finding_signal>`) from the rows the forms
keep, so after the same payments, in any order, the scorer holds exactly the batch signals of the
rules it supports, and the same account scores (``tests/payments/test_inline_scorer.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from vigil.identifiers import EntityKind
from vigil.model import EntityRef, Signal
from vigil.payments.account_score import (
    AccountScore,
    AlertPolicy,
    RuleHit,
    account_score,
    accounts_scored,
)
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.rule_base import IncrementalRule
from vigil.payments.rules import PaymentRules, RuleConfig, load_rules
from vigil.records import Payment, identifiers_of

_KYC_KINDS = {EntityKind.PHONE, EntityKind.EMAIL}
_KEYED = frozenset({"sender", "beneficiary"})
_ACCOUNT_PREFIX = f"{EntityKind.PAYMENT_ACCOUNT.value}:"


def _hit(rule: RuleConfig, signal: Signal) -> RuleHit:
    """:func:`~vigil.payments.account_score.rule_hit` for a signal of ``rule``, without looking
    the rule up in the pack again."""
    txn_ids = signal.evidence.get("txn_ids")
    return RuleHit(id=rule.id, value=min(1.0, signal.score / rule.weight), weight=rule.weight,
                   source=rule.source, explanation=signal.explanation, signal_id=signal.id,
                   txn_ids=tuple(str(t) for t in txn_ids) if isinstance(txn_ids, list) else ())


@dataclass(frozen=True)
class InlineResult:
    """What one payment changed: the findings it made or moved, and the accounts' new scores."""

    txn_id: str
    signals: tuple[Signal, ...]
    accounts: tuple[AccountScore, ...]

    @property
    def alerts(self) -> tuple[AccountScore, ...]:
        """The accounts this payment left flagged."""
        return tuple(account for account in self.accounts if account.flagged)


class InlineScorer:
    """Stateful scorer over a rule pack; memory grows with the accounts and payments seen."""

    def __init__(self, rules: PaymentRules | None = None, policy: AlertPolicy | None = None,
                 max_txn_ids: int = 50) -> None:
        self.rules = rules if rules is not None else load_rules()
        self.policy = policy or AlertPolicy()
        self._detector = PaymentTypologyDetector(self.rules, max_txn_ids=max_txn_ids)
        self._forms: list[tuple[RuleConfig, IncrementalRule[Any]]] = [
            (rule, form(rule.parameters)) for rule in self.rules.enabled()
            if (form := rule.rule.incremental) is not None]
        self._findings: dict[tuple[str, str], Signal] = {}
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        self._hits: dict[str, dict[str, RuleHit]] = defaultdict(dict)
        self._kyc: dict[str, set[EntityRef]] = {}
        self._seen: set[str] = set()

    @property
    def supported(self) -> tuple[str, ...]:
        """Ids of the enabled rules scored inline."""
        return tuple(rule.id for rule, _ in self._forms)

    @property
    def batch_only(self) -> tuple[str, ...]:
        """Ids of the enabled rules with no incremental form (scored in batch only)."""
        inline = set(self.supported)
        return tuple(rule.id for rule in self.rules.enabled() if rule.id not in inline)

    def score(self, payment: Payment) -> InlineResult:
        """Take one payment (a ``txn_id`` seen before is ignored, as the store ignores it)."""
        if payment.txn_id in self._seen:
            return InlineResult(payment.txn_id, (), ())
        self._seen.add(payment.txn_id)
        kyc = {ref for ref in identifiers_of(payment) if ref.kind in _KYC_KINDS}
        if kyc:
            self._kyc[payment.txn_id] = kyc
        changed: list[Signal] = []
        touched: set[str] = set()
        for rule, form in self._forms:
            key = form.add(payment)
            if key is None:
                continue
            signal = self._refresh(rule, key, form.finding(key), touched)
            if signal is not None:
                changed.append(signal)
        accounts = tuple(account_score(a, self._hits[a].values(), self.policy)
                         for a in sorted(touched) if self._hits.get(a))
        return InlineResult(payment.txn_id, tuple(changed), accounts)

    def _refresh(self, rule: RuleConfig, key: str, row: dict[str, Any] | None,
                 touched: set[str]) -> Signal | None:
        """Replace the finding of ``(rule, key)`` by ``row``'s signal (or drop it); nothing to
        do when the row is the one already held (a payment outside a busiest window)."""
        slot = (rule.id, key)
        if self._rows.get(slot) == row:
            return None
        before = self._findings.pop(slot, None)
        self._rows.pop(slot, None)
        if before is not None:
            for account in self._accounts(rule, key, before):
                self._hits[account].pop(rule.id, None)
                touched.add(account)
        if row is None:
            return None
        signal = self._detector.finding_signal(rule, row, self._kyc)
        self._findings[slot], self._rows[slot] = signal, row
        hit = _hit(rule, signal)
        for account in self._accounts(rule, key, signal):
            self._hits[account][rule.id] = hit
            touched.add(account)
        return signal if before is None or before.id != signal.id else None

    def _accounts(self, rule: RuleConfig, key: str, signal: Signal) -> list[str]:
        """The accounts a finding counts for: its key's, for a rule keyed by sender or
        beneficiary (what :func:`accounts_scored` finds in the signal, without reading it)."""
        if rule.rule.history_key in _KEYED:
            return [_ACCOUNT_PREFIX + key]
        return accounts_scored(signal, self.rules)

    def score_all(self, payments: Iterable[Payment]) -> Iterator[InlineResult]:
        """:meth:`score` for each payment of a stream, in order."""
        for payment in payments:
            yield self.score(payment)

    def signals(self) -> list[Signal]:
        """Every current finding of the supported rules, by signal id."""
        return sorted(self._findings.values(), key=lambda s: s.id)

    def accounts(self) -> list[AccountScore]:
        """Every account with a current finding, highest score first (as the scan ranks)."""
        scored = [account_score(a, hits.values(), self.policy)
                  for a, hits in self._hits.items() if hits]
        return sorted(scored, key=lambda a: (-a.score, a.account))


__all__ = ["InlineResult", "InlineScorer"]
