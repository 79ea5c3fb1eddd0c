"""The typology score: the rules' findings per account, combined, less the benign structure.

AUSTRAC: no single financial indicator is enough. Each rule's finding contributes its weight
times its strength; a sender's buyer score is the noisy-or of its contributions (each is read as
the chance that this indicator alone means buying), times ``1 - benign_weight * benign``, where
``benign`` is the strongest benign shape of :mod:`vigil.payments.benign_sql`. An account is
flagged only when the score passes ``alert_threshold`` AND at least ``min_rules`` rules
contributed ``min_contribution`` or more, so one weak indicator never alerts alone.

Nothing here reads truth labels: weights are set by hand in the pack with their reasons
(``vigil/config/payment_typology.yaml``), the combination's parameters below. Sextortion victims
(R16) are scored as their own typology, never as buyers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field

from vigil.engines import SqlEngine
from vigil.model import JSONValue
from vigil.payments.benign_sql import BenignShape, benign_profile_sql
from vigil.payments.features_sql import sender_features_sql
from vigil.payments.rule_base import Frozen, Text
from vigil.payments.rules import DEFAULT_PACK, PaymentRules, load_rules
from vigil.payments.rules.r6_cover_story import CoverStoryParams
from vigil.payments.rules.r7_time_of_day import TimeOfDayParams
from vigil.payments.share_sql import DEFAULT_UTC_OFFSETS

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


def load_typology_rules() -> PaymentRules:
    """The shipped R1-R16 pack (``vigil/config/payment_typology.yaml``, the default pack) the
    score is tuned for."""
    return load_rules(DEFAULT_PACK)


@dataclass
class AccountScore:
    """One account's typology score with the rules that fired and the benign shape applied."""

    account: str
    typology: str
    score: float
    flagged: bool
    rules: list[dict[str, JSONValue]] = field(default_factory=list)
    benign: dict[str, JSONValue] = field(default_factory=dict)
    features: dict[str, JSONValue] = field(default_factory=dict)


def _payers(row: Mapping[str, Any]) -> list[str]:
    return sorted({s for s in row.get("senders") or () if s is not None})


def _contributions(engine: SqlEngine, rules: PaymentRules, wanted: set[str],
                   ) -> dict[str, dict[str, dict[str, JSONValue]]]:
    """account -> rule id -> the strongest finding of that rule for the account."""
    found: dict[str, dict[str, dict[str, JSONValue]]] = defaultdict(dict)
    for rule in rules.enabled():
        if rule.id not in wanted:
            continue
        for row in engine.query(rule.rule.sql(rule.parameters)):
            stats = {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()
                     if k not in {"senders", "beneficiaries", "txn_ids", "first_at", "last_at"}}
            stats.update(rule.rule.derived_stats(row))
            strength = rule.rule.strength(rule.parameters, stats)
            entry: dict[str, JSONValue] = {
                "id": rule.id, "name": rule.name, "value": round(strength, 4),
                "weight": rule.weight, "contribution": round(rule.weight * strength, 4),
                "source": rule.source, "txn_count": row["txn_count"]}
            for account in _payers(row):
                best = found[account].get(rule.id)
                if best is None or float(str(best["contribution"])) < rule.weight * strength:
                    found[account][rule.id] = entry
    return found


def benign_profiles(engine: SqlEngine, rules: PaymentRules, config: TypologyConfig,
                    ) -> dict[str, dict[str, JSONValue]]:
    """sender -> its benign shape (``benign`` is the strongest, in [0, 1])."""
    profiles: dict[str, dict[str, JSONValue]] = {}
    for row in engine.query(benign_profile_sql(rules.corridor, config.shape)):
        kin, org = float(row["kin_share"]), float(row["organisation_share"])
        cadence = float(row["cadence"] or 0.0) * (0.5 + 0.5 * float(row["few_payees"]))
        profiles[row["sender"]] = {
            "kin_share": round(kin, 4), "organisation_share": round(org, 4),
            "cadence": round(cadence, 4), "payees": row["payees"],
            "benign": round(max(kin, org, cadence), 4)}
    return profiles


def sender_features(engine: SqlEngine, rules: PaymentRules) -> dict[str, dict[str, JSONValue]]:
    """sender -> temporal features, with R7's clock and R6's words when the pack has them."""
    offsets: dict[str, float] = dict(DEFAULT_UTC_OFFSETS)
    night = (22, 5)
    words: tuple[str, ...] = ("gift", "school fees", "medical bills", "accommodation", "uniform")
    for rule in rules.enabled():
        if isinstance(rule.parameters, TimeOfDayParams):
            offsets = rule.parameters.utc_offsets
            night = (rule.parameters.night_start, rule.parameters.night_end)
        if isinstance(rule.parameters, CoverStoryParams):
            words = rule.parameters.cover_words
    rows = engine.query(sender_features_sql(rules.corridor, offsets, words, night))
    return {row["sender"]: {k: round(v, 4) if isinstance(v, float) else v
                            for k, v in row.items() if k != "sender"} for row in rows}


def combine(found: Mapping[str, dict[str, JSONValue]], benign: float, config: TypologyConfig,
            min_rules: int, threshold: float) -> tuple[float, bool]:
    """Noisy-or of the contributions, discounted by the benign shape; flagged or not."""
    parts = [float(str(entry["contribution"])) for entry in found.values()]
    score = (1.0 - math.prod(1.0 - min(p, 0.999) for p in parts))
    score *= 1.0 - config.benign_weight * benign
    strong = sum(p >= config.min_contribution for p in parts)
    return round(score, 6), score >= threshold and strong >= min_rules


def score_accounts(engine: SqlEngine, rules: PaymentRules | None = None,
                   config: TypologyConfig | None = None) -> list[AccountScore]:
    """Every account some rule found, scored per typology, highest first; ``engine`` holds the
    ``payments`` table (any :class:`~vigil.engines.SqlEngine`: DuckDB or Spark); ``rules``
    defaults to :func:`load_typology_rules`."""
    config = config or TypologyConfig()
    rules = rules if rules is not None else load_typology_rules()
    profiles = benign_profiles(engine, rules, config)
    features = sender_features(engine, rules) if config.with_features else {}
    scores = []
    for typology, wanted, min_rules, threshold, discounted in (
            (BUYER, set(config.buyer_rules), config.min_rules, config.alert_threshold, True),
            (VICTIM, set(config.victim_rules), config.victim_min_rules, config.victim_threshold,
             False)):
        for account, found in _contributions(engine, rules, wanted).items():
            profile = profiles.get(account, {})
            benign = float(str(profile.get("benign", 0.0))) if discounted else 0.0
            score, flagged = combine(found, benign, config, min_rules, threshold)
            ordered = sorted(found.values(), key=lambda e: (-float(str(e["contribution"])),
                                                            str(e["id"])))
            scores.append(AccountScore(account, typology, score, flagged, ordered, profile,
                                       features.get(account, {})))
    return sorted(scores, key=lambda s: (-s.score, s.typology, s.account))


def ranked_senders(scores: Sequence[AccountScore], typology: str = BUYER) -> list[str]:
    """The accounts of one typology, highest score first."""
    return [s.account for s in scores if s.typology == typology]


__all__ = ["BUYER", "VICTIM", "AccountScore", "TypologyConfig", "benign_profiles", "combine",
           "load_typology_rules", "ranked_senders", "score_accounts", "sender_features"]
