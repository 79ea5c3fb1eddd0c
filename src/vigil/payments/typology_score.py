"""The typology score as pure Python: the part batch and inline scoring share.

:func:`vigil.payments.typology.score_accounts` gets the rules' finding rows and the benign
figures from SQL; :class:`vigil.payments.inline.InlineScorer` keeps them up to date one payment
at a time. Both turn a finding row into a contribution with :func:`rule_entry`. The inline
scorer turns the benign figures into a profile with :func:`benign_profile` and one account's
entries and profile into its :class:`TypologyScore` with :func:`score_account`; the batch score
does the same for every account at once, a column at a time
(:mod:`vigil.payments.typology_columns`, :mod:`vigil.payments.column_math`), held to these
functions' results bit for bit by tests (``tests/payments/test_typology_columns.py``,
``test_column_math.py``, and the inline scorer's ``test_inline_scorer.py``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from pydantic import Field

from vigil.column_rows import KeyedColumns
from vigil.model import JSONValue
from vigil.payments.benign_sql import BenignShape
from vigil.payments.rule_base import Frozen, PaymentRule, Text
from vigil.payments.rules import RuleConfig
from vigil.payments.sql_parts import SHAPE_COLUMNS

BUYER = "buyer"
VICTIM = "victim"


class TypologyConfig(Frozen):
    """How findings combine (vigil defaults, hand-set; see docs/payments.md)."""

    buyer_rules: tuple[Text, ...] = ("R1", "R2", "R3", "R5", "R6", "R7", "R8", "R11", "R12",
                                     "R14", "R15")
    """Sender-side rules; R4 (fan-in) describes the beneficiary, not each of its senders."""
    victim_rules: tuple[Text, ...] = ("R16",)
    alert_threshold: float = Field(default=0.5, gt=0, le=1)
    min_rules: int = Field(default=2, ge=1)
    victim_threshold: float = Field(default=0.4, gt=0, le=1)
    """R16 at its weight with two payments in the burst (the fewest it fires on)."""
    victim_min_rules: int = Field(default=1, ge=1)
    """R16 itself requires several rapid payments, a small first one, a capped total and a stop."""
    min_contribution: float = Field(default=0.05, ge=0)
    benign_weight: float = Field(default=0.8, ge=0, le=1)
    shape: BenignShape = BenignShape()
    with_features: bool = True
    """Attach each sender's temporal features (:mod:`vigil.payments.features_sql`)."""

    def typologies_of(self, rule_id: str) -> tuple[str, ...]:
        """The typologies a rule's findings score (none: the rule scores no account)."""
        return tuple(typology for typology, wanted in ((BUYER, self.buyer_rules),
                                                       (VICTIM, self.victim_rules))
                     if rule_id in wanted)


@dataclass(slots=True)
class TypologyScore:
    """One account's typology score with the rules that fired and the benign shape applied."""

    account: str
    typology: str
    score: float
    flagged: bool
    rules: list[dict[str, JSONValue]] = field(default_factory=list)
    benign: dict[str, JSONValue] = field(default_factory=dict)
    features: Mapping[str, JSONValue] = field(default_factory=dict)
    """A dict, or the batch score's :func:`rounded_features` (read-only)."""

    def to_json(self) -> dict[str, JSONValue]:
        return {"account": self.account, "typology": self.typology, "score": self.score,
                "flagged": self.flagged, "rules": list(self.rules), "benign": dict(self.benign)}


def payers(row: Mapping[str, Any]) -> list[str]:
    """The accounts a finding row scores: its senders."""
    return sorted({s for s in row.get("senders") or () if s is not None})


_NO_FIGURES: Mapping[str, JSONValue] = MappingProxyType({})


class RoundedRow(Mapping[str, Any]):
    """A query row read with each float rounded to 4 places when read, the ``hidden`` columns
    left out and ``derived`` figures over the row's. Rounded when read: a rule's strength reads
    two figures of a finding row (:func:`rule_entry`), and most scored accounts' features are
    never read, so nothing is rounded up front."""

    __slots__ = ("_derived", "_hidden", "_row")

    def __init__(self, row: Mapping[str, Any], hidden: frozenset[str],
                 derived: Mapping[str, JSONValue] | None = None) -> None:
        self._row, self._hidden, self._derived = row, hidden, derived or _NO_FIGURES

    def __getitem__(self, key: str) -> Any:
        if key in self._derived:
            return self._derived[key]
        if key in self._hidden:
            raise KeyError(key)
        value = self._row[key]
        return round(value, 4) if isinstance(value, float) else value

    def __iter__(self) -> Iterator[str]:
        yield from (key for key in self._row if key not in self._hidden
                    and key not in self._derived)
        yield from self._derived

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self))


_SENDER = frozenset({"sender"})


def rounded_features(row: Mapping[str, Any]) -> RoundedRow:
    """A sender's row of :func:`~vigil.payments.features_sql.sender_features_sql` as its
    features (less ``sender``)."""
    return RoundedRow(row, _SENDER)


class RoundedColumnRow(RoundedRow):
    """:func:`rounded_features` of row ``at`` of a :class:`~vigil.column_rows.KeyedColumns`,
    read from its columns without a row object of its own: one object per scored account (the
    batch score keeps 427,005 at 10M payments, and the cycle collector walks each once it runs
    again)."""

    __slots__ = ("_at", "_table")

    def __init__(self, table: KeyedColumns, at: int) -> None:
        self._table, self._at, self._hidden, self._derived = table, at, _SENDER, _NO_FIGURES

    def __getitem__(self, key: str) -> Any:
        if key in self._hidden:
            raise KeyError(key)
        value = self._table.columns[self._table.positions[key]][self._at]
        return round(value, 4) if isinstance(value, float) else value

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._table.names if name not in self._hidden)


def rule_entry(rule: RuleConfig, row: Mapping[str, Any],
               typed: PaymentRule[Any] | None = None) -> dict[str, JSONValue]:
    """One finding row as a contribution: the rule's strength on the row's rounded figures
    (:class:`RoundedRow`; ``typed``: the rule object, when the caller holds one)."""
    typed = typed or rule.rule
    stats = RoundedRow(row, SHAPE_COLUMNS, typed.derived_stats(row))
    strength = typed.strength(rule.parameters, stats)
    return {"id": rule.id, "name": rule.name, "value": round(strength, 4),
            "weight": rule.weight, "contribution": round(rule.weight * strength, 4),
            "source": rule.source, "txn_count": row["txn_count"]}


def contribution(entry: Mapping[str, JSONValue]) -> float:
    value = entry["contribution"]
    return value if type(value) is float else float(str(value))


def strongest(entries: Iterable[dict[str, JSONValue]]) -> dict[str, dict[str, JSONValue]]:
    """Rule id -> its strongest entry (the first of equals: equal contributions of one rule
    come from equal figures)."""
    best: dict[str, dict[str, JSONValue]] = {}
    for entry in entries:
        rule_id = str(entry["id"])
        if rule_id not in best or contribution(best[rule_id]) < contribution(entry):
            best[rule_id] = entry
    return best


def benign_profile(kin: float, organisation: float, cadence: float | None, few_payees: float,
                   payees: int) -> dict[str, JSONValue]:
    """A sender's benign figures as its profile; ``benign`` is the strongest shape."""
    shaped = float(cadence or 0.0) * (0.5 + 0.5 * few_payees)
    return {"kin_share": round(kin, 4), "organisation_share": round(organisation, 4),
            "cadence": round(shaped, 4), "payees": payees,
            "benign": round(max(kin, organisation, shaped), 4)}


def combine(found: Mapping[str, dict[str, JSONValue]], benign: float, config: TypologyConfig,
            min_rules: int, threshold: float) -> tuple[float, bool]:
    """Noisy-or of the contributions, discounted by the benign shape; flagged or not (one
    pass; the product is taken left to right from 1, as ``math.prod`` takes it)."""
    product, strong, floor = 1.0, 0, config.min_contribution
    for entry in found.values():
        part = contribution(entry)
        product *= 1.0 - min(part, 0.999)
        strong += part >= floor
    score = (1.0 - product) * (1.0 - config.benign_weight * benign)
    return round(score, 6), score >= threshold and strong >= min_rules


def score_account(account: str, typology: str, entries: Iterable[dict[str, JSONValue]],
                  profile: Mapping[str, JSONValue], features: Mapping[str, JSONValue],
                  config: TypologyConfig) -> TypologyScore:
    """One account's score for one typology from its rules' entries (the strongest of each
    rule counts), its benign profile (a buyer's score is discounted by it) and its features."""
    found = strongest(entries)
    if typology == BUYER:
        raw = profile.get("benign", 0.0)
        benign = raw if type(raw) is float else float(str(raw))
        min_rules, threshold = config.min_rules, config.alert_threshold
    else:
        benign, min_rules, threshold = 0.0, config.victim_min_rules, config.victim_threshold
    score, flagged = combine(found, benign, config, min_rules, threshold)
    ordered = (sorted(found.values(), key=lambda e: (-contribution(e), str(e["id"])))
               if len(found) > 1 else list(found.values()))
    return TypologyScore(account, typology, score, flagged, ordered, dict(profile),
                        features if isinstance(features, RoundedRow) else dict(features))


@contextmanager
def cycles_uncollected() -> Iterator[None]:
    """Python's cycle collector paused for the block (if it was on), for scoring a batch: the
    rows, entries and scores made there hold no reference cycles, so reference counting frees
    them all, and each collection the allocations would trigger only walks every object alive
    (at 1M payments about a quarter of the score's Python CPU: docs/benchmarks.md, the pack's
    third round). Another thread's cycles wait for the block's end."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def ranked(scores: Iterable[TypologyScore]) -> list[TypologyScore]:
    """Highest score first, then by typology and account: sorted by account, then (stably) by
    typology, then by score, highest first (a stable sort in reverse keeps equals in order),
    the order of the key ``(-score, typology, account)`` without a tuple per score."""
    ordered = sorted(scores, key=attrgetter("account"))
    ordered.sort(key=attrgetter("typology"))
    ordered.sort(key=attrgetter("score"), reverse=True)
    return ordered


__all__ = ["BUYER", "VICTIM", "TypologyScore", "RoundedColumnRow", "RoundedRow", "TypologyConfig",
           "benign_profile", "combine", "cycles_uncollected", "payers", "ranked",
           "rounded_features", "rule_entry", "score_account", "strongest"]
