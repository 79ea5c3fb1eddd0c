"""A scored payment account as the scan shows it: its score, whether it is flagged, and the rule
signals behind it.

The score itself is the typology score (:mod:`vigil.payments.typology`: a noisy-or of the rules'
contributions discounted by the sender's benign structure; :mod:`vigil.payments.scan_score`
ranks the scanned accounts with it); this module holds the scan's record of one account, each
rule it counts dressed as a :class:`RuleHit` (the stored signal's strength, explanation, id and
transactions), and :class:`AlertPolicy`, the threshold and rule count an analyst may set. An
account is flagged only when its score reaches :attr:`AlertPolicy.threshold` *and* at least
:attr:`AlertPolicy.min_rules` different rules contributed: AUSTRAC's 2022 guide "Combating the
sexual exploitation of children for financial gain" says no single financial indicator is enough.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.model import JSONValue, Signal
from vigil.payments.rules import PaymentRules


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


@dataclass(frozen=True)
class AlertPolicy:
    """When an account's score is an alert. Both numbers are vigil defaults, meant to be tuned
    on an institution's own data; ``min_rules`` follows AUSTRAC (no single indicator is enough)."""

    threshold: float = 0.5
    min_rules: int = 2


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


__all__ = ["AccountScore", "AlertPolicy", "RuleHit", "rule_hit"]
