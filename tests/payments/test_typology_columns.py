"""The batch score over findings as columns (:mod:`vigil.payments.typology_columns`) scores
every account as the inline scorer's functions score it one account at a time
(:func:`~vigil.payments.typology_score.rule_entry` per finding,
:func:`~vigil.payments.typology_score.score_account` per account): the same scores to the bit,
flags, entries in the same order, benign figures and features, whatever the order of the
findings, however many senders a row has and however often a rule finds one account."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.model import JSONValue
from vigil.payments.rules import RuleConfig
from vigil.payments.typology import load_typology_rules
from vigil.payments.typology_columns import _Pairs, _product, grouped, score_groups
from vigil.payments.typology_score import (
    TypologyConfig,
    TypologyScore,
    benign_profile,
    payers,
    ranked,
    rule_entry,
    score_account,
)

PACK = load_typology_rules()
RULES = {rule.id: rule for rule in PACK.enabled()}
ACCOUNTS = ["bank:a", "bank:b", "bank:c", "wise:d", "bank:e"]
SHARES = st.sampled_from([0.05, 0.25, 0.5, 0.3333333333333333, 0.66666666, 1.0])
COUNTS = st.integers(1, 40)
FIGURES: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "R3": {"distinct_beneficiaries": st.integers(3, 9)},
    "R5": {"first_median_usd": st.sampled_from([10.0, 20.0, 33.3]),
           "second_median_usd": st.sampled_from([30.0, 55.5, 90.0]),
           "first_median_gap_days": st.sampled_from([4.0, 9.5]),
           "second_median_gap_days": st.sampled_from([0.0, 1.0, 2.5])},
    "R6": {"marked_share": SHARES}, "R8": {"marked_share": SHARES},
    "R11": {"marked_share": SHARES}, "R12": {"marked_share": SHARES},
    "R7": {"marked_payments": COUNTS, "marked_share": SHARES},
    "R15": {"most_unrelated_senders": st.integers(2, 30)},
    "R16": {"burst_payments": st.integers(2, 6)},
}
SENDERS = st.one_of(st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=1),
                    st.lists(st.sampled_from([*ACCOUNTS, None]), max_size=3), st.none())


@st.composite
def findings(draw: st.DrawFn) -> list[tuple[RuleConfig, dict[str, Any]]]:
    """Rows of a few rules in any order, some of several senders, some of none."""
    found = []
    for _ in range(draw(st.integers(0, 25))):
        rule = RULES[draw(st.sampled_from(sorted(RULES)))]
        row: dict[str, Any] = {"senders": draw(SENDERS), "txn_count": draw(COUNTS),
                               "total_usd": draw(st.floats(1.0, 500.0))}
        for name, values in FIGURES.get(rule.id, {}).items():
            row[name] = draw(values)
        found.append((rule, row))
    return found


def _expected(found: list[tuple[RuleConfig, dict[str, Any]]], config: TypologyConfig,
              profiles: Mapping[str, dict[str, JSONValue]]) -> list[TypologyScore]:
    """One account at a time, as the inline scorer scores."""
    entries: dict[tuple[str, str], list[dict[str, JSONValue]]] = defaultdict(list)
    for rule, row in found:
        typologies = config.typologies_of(rule.id)  # R4 scores no account
        entry = rule_entry(rule, row) if typologies else {}
        for account in payers(row):
            for typology in typologies:
                entries[(typology, account)].append(entry)
    return ranked(score_account(account, typology, listed, profiles.get(account, {}),
                                {"n": len(account)}, config)
                  for (typology, account), listed in entries.items())


def _lines(scores: list[TypologyScore]) -> list[str]:
    return [json.dumps({**s.to_json(), "features": dict(s.features)}, sort_keys=True)
            for s in scores]


@settings(max_examples=150, deadline=None)
@given(found=findings(), benign=st.dictionaries(st.sampled_from(ACCOUNTS), st.tuples(
    SHARES, SHARES, st.one_of(st.none(), SHARES), SHARES, st.integers(0, 9))),
       low=st.booleans())
def test_columns_score_as_one_account_at_a_time(
        found: list[tuple[RuleConfig, dict[str, Any]]],
        benign: dict[str, tuple[float, float, float | None, float, int]], low: bool) -> None:
    config = TypologyConfig(min_rules=1 if low else 2, alert_threshold=0.2 if low else 0.5)
    profiles = {account: benign_profile(*figures) for account, figures in benign.items()}
    got = ranked(score_groups(
        grouped(found), config,
        lambda accounts: [dict(profiles.get(account, {})) for account in accounts],
        lambda accounts: [{"n": len(account)} for account in accounts]))
    want = _expected(found, config, profiles)
    assert _lines(got) == _lines(want)
    assert got == want


def test_no_findings_score_no_account() -> None:
    assert score_groups(grouped([]), TypologyConfig(), lambda a: [], lambda a: []) == []


@settings(max_examples=100, deadline=None)
@given(parts=st.lists(st.tuples(st.integers(0, 3), st.floats(0.0, 1.0)), max_size=40),
       shuffle=st.randoms(use_true_random=False))
def test_each_account_s_product_is_taken_in_the_order_its_rules_were_found(
        parts: list[tuple[int, float]], shuffle: Any) -> None:
    places = list(range(len(parts)))
    shuffle.shuffle(places)
    pairs = _Pairs(np.asarray([a for a, _ in parts], dtype=np.intp),
                   np.zeros(len(parts), dtype=np.intp), np.asarray(places, dtype=np.intp),
                   np.zeros(len(parts), dtype=np.intp),
                   np.asarray([p for _, p in parts], dtype=np.float64))
    want = [1.0] * 4
    for place in range(len(parts)):
        account, part = parts[places.index(place)]
        want[account] *= 1.0 - min(part, 0.999)
    assert _product(pairs, 4).tolist() == want
