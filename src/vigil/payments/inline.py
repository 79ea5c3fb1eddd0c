"""The inline scorer: one payment at a time, alerts from incrementally maintained features.

For an API intake or a stream: :meth:`InlineScorer.score` takes one payment and answers with the
rule findings it changed and the typology scores of the accounts they count for
(``benchmarks/bench_payments_inline.py`` measures it).

Each enabled rule that declares an incremental form (:attr:`PaymentRule.incremental
<vigil.payments.rule_base.PaymentRule.incremental>`) keeps its per-key state here; the rest are
batch-only and listed in :attr:`InlineScorer.batch_only` (they run in ``vigil run`` and ``vigil
payments scan``). The signals are built, when read, by the batch detector's own code
(:meth:`PaymentTypologyDetector.finding_signal
<vigil.payments.detector.PaymentTypologyDetector.finding_signal>`) from the rows the forms
keep, and the accounts are scored by the code the batch typology score shares or is held to
bit for bit (:mod:`vigil.payments.typology_score`) from those rows and the benign figures
(:mod:`vigil.payments.benign_incremental`), so after the same payments, in any order, the scorer
holds exactly the batch signals of the rules it supports and the scores
:func:`vigil.payments.typology.score_accounts` gives (``tests/payments/test_inline_scorer.py``),
less the temporal ``features`` (left empty inline).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue, Signal
from vigil.payments.benign_incremental import BenignIncremental
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.rule_base import IncrementalRule
from vigil.payments.rules import PaymentRules, RuleConfig, load_rules
from vigil.payments.typology_score import (
    BUYER,
    VICTIM,
    TypologyConfig,
    TypologyScore,
    payers,
    ranked,
    rule_entry,
    score_account,
)
from vigil.records import Payment, identifiers_of

_KYC_KINDS = {EntityKind.PHONE, EntityKind.EMAIL}
Slot = tuple[str, str]
"""A finding's place: the rule id and the form's key."""
Scored = tuple[str, str]
"""An account's place in the score: its typology and the account."""


Finding = tuple[RuleConfig, dict[str, Any]]
"""A rule and one row its SQL would return."""


@dataclass(frozen=True)
class InlineResult:
    """What one payment changed: the findings it made or moved, and the accounts' new scores.

    The findings' signals are built when first read (:attr:`signals`): scoring needs only the
    rows, and building a signal (its subjects, sentence and content hash) costs more than the
    rest of a payment together.
    """

    txn_id: str
    accounts: tuple[TypologyScore, ...]
    findings: tuple[Finding, ...] = ()
    build: Callable[[RuleConfig, dict[str, Any]], Signal] | None = field(
        default=None, repr=False, compare=False)

    @cached_property
    def signals(self) -> tuple[Signal, ...]:
        """The signals of :attr:`findings`, as the batch detector builds them."""
        build = self.build
        return () if build is None else tuple(build(rule, row) for rule, row in self.findings)

    @property
    def alerts(self) -> tuple[TypologyScore, ...]:
        """The accounts this payment left flagged."""
        return tuple(account for account in self.accounts if account.flagged)


class InlineScorer:
    """Stateful scorer over a rule pack; memory grows with the accounts and payments seen."""

    def __init__(self, rules: PaymentRules | None = None, config: TypologyConfig | None = None,
                 max_txn_ids: int = 50) -> None:
        self.rules = rules if rules is not None else load_rules()
        self.config = config or TypologyConfig()
        self._detector = PaymentTypologyDetector(self.rules, max_txn_ids=max_txn_ids)
        self._forms: list[tuple[RuleConfig, IncrementalRule[Any], tuple[str, ...]]] = [
            (rule, form(rule.parameters), self.config.typologies_of(rule.id))
            for rule in self.rules.enabled() if (form := rule.rule.incremental) is not None]
        self._typed = {rule.id: rule.rule for rule, _, _ in self._forms}
        self._benign = BenignIncremental(self.rules.corridor, self.config.shape)
        self._findings: dict[Slot, Signal] = {}
        """The signals of :attr:`_rows` built so far."""
        self._rules: dict[Slot, RuleConfig] = {}
        self._rows: dict[Slot, dict[str, Any]] = {}
        self._entries: dict[Scored, dict[Slot, dict[str, JSONValue]]] = {}
        self._kyc: dict[str, set[EntityRef]] = {}
        self._seen: set[str] = set()

    @property
    def supported(self) -> tuple[str, ...]:
        """Ids of the enabled rules scored inline."""
        return tuple(rule.id for rule, _, _ in self._forms)

    @property
    def batch_only(self) -> tuple[str, ...]:
        """Ids of the enabled rules with no incremental form (scored in batch only)."""
        inline = set(self.supported)
        return tuple(rule.id for rule in self.rules.enabled() if rule.id not in inline)

    def score(self, payment: Payment) -> InlineResult:
        """Take one payment (a ``txn_id`` seen before is ignored, as the store ignores it)."""
        if payment.txn_id in self._seen:
            return InlineResult(payment.txn_id, ())
        self._seen.add(payment.txn_id)
        kyc = {ref for ref in identifiers_of(payment) if ref.kind in _KYC_KINDS}
        if kyc:
            self._kyc[payment.txn_id] = kyc
        touched: set[Scored] = set()
        if self._benign.add(payment):
            touched.update((typology, payment.sender) for typology in (BUYER, VICTIM))
        changed: list[Finding] = []
        for rule, form, typologies in self._forms:
            for key in form.add(payment):
                row = form.finding(key)
                if self._refresh(rule, typologies, key, row, touched) and row is not None:
                    changed.append((rule, row))
        accounts = tuple(self._score(scored) for scored in sorted(touched, key=lambda s: s[::-1])
                         if self._entries.get(scored))
        return InlineResult(payment.txn_id, accounts, tuple(changed), self._signal)

    def _signal(self, rule: RuleConfig, row: dict[str, Any]) -> Signal:
        """The batch detector's signal of one finding (the KYC of a transaction never changes
        once taken, so a row's signal is the same whenever it is built)."""
        return self._detector.finding_signal(rule, row, self._kyc)

    def _refresh(self, rule: RuleConfig, typologies: tuple[str, ...], key: str,
                 row: dict[str, Any] | None, touched: set[Scored]) -> bool:
        """Replace the finding of ``(rule, key)`` by ``row`` (or drop it) and its contributions
        to the accounts' scores; ``False`` when the row is the one already held (a payment
        outside a busiest window)."""
        slot = (rule.id, key)
        old = self._rows.pop(slot, None)
        if old == row:
            if old is not None:
                self._rows[slot] = old
            return False
        self._findings.pop(slot, None)
        self._rules.pop(slot, None)
        for scored in self._scored(typologies, old):
            self._entries[scored].pop(slot, None)
            touched.add(scored)
        if row is None:
            return True
        self._rows[slot] = row
        self._rules[slot] = rule
        if typologies:
            entry = rule_entry(rule, row, self._typed[rule.id])
            for scored in self._scored(typologies, row):
                self._entries.setdefault(scored, {})[slot] = entry
                touched.add(scored)
        return True

    @staticmethod
    def _scored(typologies: tuple[str, ...], row: dict[str, Any] | None) -> list[Scored]:
        """Where a finding row counts: for each typology its rule scores, each of its payers."""
        if row is None:
            return []
        return [(typology, account) for typology in typologies for account in payers(row)]

    def _score(self, scored: Scored) -> TypologyScore:
        typology, account = scored
        return score_account(account, typology, self._entries[scored].values(),
                             self._benign.profile(account), {}, self.config)

    def score_all(self, payments: Iterable[Payment]) -> Iterator[InlineResult]:
        """:meth:`score` for each payment of a stream, in order."""
        for payment in payments:
            yield self.score(payment)

    def signals(self) -> list[Signal]:
        """Every current finding of the supported rules, by signal id (built now where not
        built before)."""
        for slot, row in self._rows.items():
            if slot not in self._findings:
                self._findings[slot] = self._signal(self._rules[slot], row)
        return sorted(self._findings.values(), key=lambda s: s.id)

    def accounts(self) -> list[TypologyScore]:
        """Every account with a current finding, per typology, highest score first (as
        :func:`vigil.payments.typology.score_accounts` ranks them)."""
        return ranked(self._score(scored) for scored, entries in self._entries.items()
                      if entries)


__all__ = ["InlineResult", "InlineScorer"]
