"""The typology score: the rules' findings per account, combined, less the benign structure.

AUSTRAC: no single financial indicator is enough. Each rule's finding contributes its weight
times its strength; a sender's buyer score is the noisy-or of its contributions (each is read as
the chance that this indicator alone means buying), times ``1 - benign_weight * benign``, where
``benign`` is the strongest benign shape of :mod:`vigil.payments.benign_sql`. An account is
flagged only when the score passes ``alert_threshold`` AND at least ``min_rules`` rules
contributed ``min_contribution`` or more, so one weak indicator never alerts alone.

Nothing here reads truth labels: weights are set by hand in the pack with their reasons
(``vigil/config/payment_rules.yaml``), the combination's parameters below. Sextortion victims
(R16) are scored as their own typology, never as buyers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from vigil.engines import SqlEngine
from vigil.model import JSONValue
from vigil.payments.benign_sql import benign_profile_sql
from vigil.payments.features_sql import sender_features_sql
from vigil.payments.rules import PaymentRules, load_rules
from vigil.payments.rules.r6_cover_story import CoverStoryParams
from vigil.payments.rules.r7_time_of_day import TimeOfDayParams
from vigil.payments.share_sql import DEFAULT_UTC_OFFSETS
from vigil.payments.typology_score import (
    BUYER,
    VICTIM,
    AccountScore,
    TypologyConfig,
    benign_profile,
    combine,
    payers,
    ranked,
    rule_entry,
    score_account,
)


def load_typology_rules() -> PaymentRules:
    """The shipped R1-R16 pack (``vigil/config/payment_typology.yaml``) the score is tuned for."""
    from importlib.resources import as_file, files
    with as_file(files("vigil").joinpath("config", "payment_typology.yaml")) as path:
        return load_rules(path)


def _entries(engine: SqlEngine, rules: PaymentRules, config: TypologyConfig,
             ) -> dict[tuple[str, str], list[dict[str, JSONValue]]]:
    """(typology, account) -> the contributions of every finding about the account."""
    found: dict[tuple[str, str], list[dict[str, JSONValue]]] = defaultdict(list)
    for rule in rules.enabled():
        typologies = config.typologies_of(rule.id)
        if not typologies:
            continue
        for row in engine.query(rule.rule.sql(rule.parameters)):
            entry = rule_entry(rule, row)
            for typology in typologies:
                for account in payers(row):
                    found[(typology, account)].append(entry)
    return found


def benign_profiles(engine: SqlEngine, rules: PaymentRules, config: TypologyConfig,
                    ) -> dict[str, dict[str, JSONValue]]:
    """sender -> its benign shape (``benign`` is the strongest, in [0, 1])."""
    return {row["sender"]: benign_profile(float(row["kin_share"]),
                                          float(row["organisation_share"]), row["cadence"],
                                          float(row["few_payees"]), row["payees"])
            for row in engine.query(benign_profile_sql(rules.corridor, config.shape))}


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


def score_accounts(engine: SqlEngine, rules: PaymentRules | None = None,
                   config: TypologyConfig | None = None) -> list[AccountScore]:
    """Every account some rule found, scored per typology, highest first; ``engine`` holds the
    ``payments`` table (any :class:`~vigil.engines.SqlEngine`: DuckDB or Spark); ``rules``
    defaults to :func:`load_typology_rules`. The inline scorer scores the same way, one payment
    at a time (:mod:`vigil.payments.typology_score` holds what the two share)."""
    config = config or TypologyConfig()
    rules = rules if rules is not None else load_typology_rules()
    profiles = benign_profiles(engine, rules, config)
    features = sender_features(engine, rules) if config.with_features else {}
    return ranked(score_account(account, typology, entries, profiles.get(account, {}),
                                features.get(account, {}), config)
                  for (typology, account), entries in _entries(engine, rules, config).items())


def ranked_senders(scores: Sequence[AccountScore], typology: str = BUYER) -> list[str]:
    """The accounts of one typology, highest score first."""
    return [s.account for s in scores if s.typology == typology]


__all__ = ["BUYER", "VICTIM", "AccountScore", "TypologyConfig", "benign_profiles", "combine",
           "load_typology_rules", "ranked_senders", "score_accounts", "sender_features"]
