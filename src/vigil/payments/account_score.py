"""One score per payment account from the rule signals about it: the scan's ranking and alerts.

A rule's signal names the accounts of a finding; the account it is *about* is the one in the
rule's key column (:attr:`~vigil.payments.rule_base.PaymentRule.history_key`: the sender of R1, R2,
R3 and R5, the beneficiary of R4), so a buyer is not scored for the fan-in of the facilitator he
paid, nor the facilitator for each buyer's escalation. A rule without a key, or keyed ``payer``
(R15: its finding is about the sender and names the beneficiaries that make it), scores every
account of its finding.

The combination is a noisy-OR of the rules' contributions (weight times strength), bounded in
[0, 1] and growing with every rule that fires, in the manner of Tazama's weighted typology sum
(Tazama's typology processor). An account is flagged only when its score reaches
:attr:`AlertPolicy.threshold` *and* at least :attr:`AlertPolicy.min_rules` different rules fired:
AUSTRAC's 2022 guide "Combating the sexual exploitation of children for financial gain"
says no single financial indicator is enough. The combination is one function
(:attr:`AlertPolicy.combine`), so a typology score can replace it without touching the scan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from vigil.identifiers import EntityKind
from vigil.model import JSONValue, Signal, SignalKind
from vigil.payments.rules import PaymentRules

_ROLE_OF_KEY = {"sender": "payer", "beneficiary": "payee"}


@dataclass(frozen=True)
class RuleHit:
    """One rule that fired for an account: its strength (``value``), weight and source."""

    id: str
    value: float
    """How far past its thresholds the finding is, in [0, 1] (the rule's strength)."""
    weight: float
    source: str
    explanation: str
    signal_id: str
    txn_ids: tuple[str, ...]

    @property
    def contribution(self) -> float:
        return self.weight * self.value

    def to_json(self) -> dict[str, JSONValue]:
        return {"id": self.id, "value": round(self.value, 6), "weight": self.weight,
                "source": self.source}


def noisy_or(hits: Sequence[RuleHit]) -> float:
    """``1 - prod(1 - weight * strength)``: every rule that fires raises the score, none alone
    reaches 1, and the order of the rules does not matter."""
    remaining = 1.0
    for hit in hits:
        remaining *= 1.0 - min(1.0, max(0.0, hit.contribution))
    return round(1.0 - remaining, 6)


@dataclass(frozen=True)
class AlertPolicy:
    """When an account's score is an alert. Both numbers are vigil defaults, meant to be tuned
    on an institution's own data; ``min_rules`` follows AUSTRAC (no single indicator is enough)."""

    threshold: float = 0.5
    min_rules: int = 2
    combine: Callable[[Sequence[RuleHit]], float] = field(default=noisy_or, compare=False)


@dataclass(frozen=True)
class AccountScore:
    """One account's combined score, whether it is flagged, and the rules behind it."""

    account: str
    """The entity reference, ``payment_account:<provider>:<id>``."""
    score: float
    flagged: bool
    rules: tuple[RuleHit, ...]

    @property
    def txn_ids(self) -> tuple[str, ...]:
        return tuple(sorted({t for hit in self.rules for t in hit.txn_ids}))

    def to_json(self) -> dict[str, JSONValue]:
        return {"account": self.account, "score": self.score, "flagged": self.flagged,
                "rules": [hit.to_json() for hit in self.rules]}


def _roles_scored(signal: Signal, rules: PaymentRules) -> set[str] | None:
    """The roles (payer/payee) whose accounts a signal is about; ``None``: every account."""
    rule_id = str(signal.evidence.get("rule", ""))
    try:
        key = rules.rule(rule_id).rule.history_key
    except KeyError:
        return None
    role = _ROLE_OF_KEY.get(key or "")
    return {role} if role else None


def accounts_scored(signal: Signal, rules: PaymentRules) -> list[str]:
    """The accounts (entity references) a rule signal counts for (see the module note)."""
    roles = signal.evidence.get("roles")
    role_of: dict[str, Any] = dict(roles) if isinstance(roles, dict) else {}
    wanted = _roles_scored(signal, rules)
    return [str(ref) for ref in signal.subjects if ref.kind is EntityKind.PAYMENT_ACCOUNT
            and (wanted is None or role_of.get(str(ref)) in wanted)]


def rule_hit(signal: Signal, rules: PaymentRules) -> RuleHit:
    """A rule signal as one account's hit: its strength, the pack's weight, the source."""
    rule_id = str(signal.evidence.get("rule", signal.source))
    try:
        weight = rules.rule(rule_id).weight
    except KeyError:
        weight = 1.0
    value = signal.score / weight if weight else 0.0
    txn_ids = signal.evidence.get("txn_ids")
    return RuleHit(id=rule_id, value=min(1.0, value), weight=weight,
                   source=str(signal.evidence.get("source", signal.source)),
                   explanation=signal.explanation, signal_id=signal.id,
                   txn_ids=tuple(str(t) for t in txn_ids) if isinstance(txn_ids, list) else ())


def strongest_per_rule(hits: Iterable[RuleHit]) -> tuple[RuleHit, ...]:
    """One hit per rule (the strongest), largest contribution first."""
    best: dict[str, RuleHit] = {}
    for hit in hits:
        if hit.id not in best or hit.value > best[hit.id].value:
            best[hit.id] = hit
    return tuple(sorted(best.values(), key=lambda h: (-h.contribution, h.id)))


def account_score(account: str, hits: Iterable[RuleHit], policy: AlertPolicy) -> AccountScore:
    """One account's score from its hits (one per rule kept), flagged by ``policy``."""
    kept = strongest_per_rule(hits)
    score = policy.combine(kept)
    return AccountScore(account, score, score >= policy.threshold and len(kept) >= policy.min_rules,
                        kept)


def score_accounts(signals: Iterable[Signal], rules: PaymentRules,
                   policy: AlertPolicy | None = None) -> list[AccountScore]:
    """Every account a payment rule fired for, highest score first (ties by account).

    An account keeps one hit per rule (the strongest), so a rule that fires twice for one
    account counts once.
    """
    policy = policy or AlertPolicy()
    hits: dict[str, list[RuleHit]] = defaultdict(list)
    for signal in signals:
        if signal.kind is not SignalKind.PAYMENT or "rule" not in signal.evidence:
            continue
        hit = rule_hit(signal, rules)
        for account in accounts_scored(signal, rules):
            hits[account].append(hit)
    scored = []
    for account, found in hits.items():
        scored.append(account_score(account, found, policy))
    return sorted(scored, key=lambda a: (-a.score, a.account))


__all__ = ["AccountScore", "AlertPolicy", "RuleHit", "account_score", "accounts_scored",
           "noisy_or", "rule_hit", "score_accounts", "strongest_per_rule"]
