"""The batch typology score over each rule's findings as columns (:class:`~vigil.payments.
finding_columns.FindingColumns`), every account of a typology at once.

It scores as :func:`~vigil.payments.typology_score.score_account` scores one account (the
inline scorer's way), figure for figure: a finding's contribution is
:func:`~vigil.payments.typology_score.rule_entry`'s, made once per distinct value of the
figures the rule reads (``txn_count`` and :attr:`~vigil.payments.rule_base.PaymentRule.
score_figures`); per account the strongest entry of each rule (the first of equals) counts;
the noisy-or's product is taken in the order the account's rules were first found, one
multiplication at a time as :func:`~vigil.payments.typology_score.combine` takes it (NumPy's
float64 operations are Python's); the rounding is Python's ``round``; the entries are ordered
by contribution, then rule id. A test holds the two to the same scores
(``tests/payments/test_typology_columns.py``), and the inline scorer's test both paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, count
from typing import Any

import numpy as np
import numpy.typing as npt

from vigil.model import JSONValue
from vigil.payments.column_math import rounded
from vigil.payments.finding_columns import FindingColumns
from vigil.payments.rules import RuleConfig
from vigil.payments.typology_score import (
    BUYER,
    TypologyConfig,
    TypologyScore,
    contribution,
    rule_entry,
)

Ints = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]

Made = tuple[list[dict[str, JSONValue]], Floats, Ints]
"""A rule's distinct entries, their contributions, and each row's entry number."""


@dataclass(frozen=True)
class RuleFindings:
    """One rule's finding rows, and each row's place among all the rows the score reads (the
    order its findings came in: an account's rules count in the order first found)."""

    rule: RuleConfig
    found: FindingColumns
    places: Ints


def grouped(found: Iterable[tuple[RuleConfig, Mapping[str, Any]]]) -> list[RuleFindings]:
    """``(rule, row)`` pairs as :class:`RuleFindings`, one per rule id (its first rule
    object's), in the order each id first comes."""
    rules: dict[str, RuleConfig] = {}
    rows: dict[str, list[Mapping[str, Any]]] = {}
    places: dict[str, list[int]] = {}
    for place, (rule, row) in enumerate(found):
        rules.setdefault(rule.id, rule)
        rows.setdefault(rule.id, []).append(row)
        places.setdefault(rule.id, []).append(place)
    return [RuleFindings(rule, FindingColumns.of_rows(rows[rule_id]),
                         np.asarray(places[rule_id], dtype=np.intp))
            for rule_id, rule in rules.items()]


def in_turn(rules: Sequence[RuleConfig], found: Iterable[FindingColumns],
            ) -> Iterator[RuleFindings]:
    """Each rule's columns as they come, the rules' rows placed one rule after another."""
    start = 0
    for rule, columns in zip(rules, found, strict=True):
        yield RuleFindings(rule, columns, np.arange(start, start + len(columns), dtype=np.intp))
        start += len(columns)


Profiles = Callable[[list[str]], list[dict[str, JSONValue]]]
"""The accounts' benign profiles (a new dict each), in order."""
Features = Callable[[list[str]], list[Mapping[str, JSONValue]]]
"""The accounts' features, in order."""


def score_groups(groups: Iterable[RuleFindings], config: TypologyConfig, profiles_of: Profiles,
                 features_of: Features) -> list[TypologyScore]:
    """Every account the groups' rows score, per typology of their rules (unranked), each
    group's entries made as it comes (the next rules' queries run meanwhile)."""
    typologies: dict[str, _Typology] = {}
    for group in groups:
        kinds = config.typologies_of(group.rule.id)
        if kinds:
            made = _entries(group)
            for kind in kinds:
                typologies.setdefault(kind, _Typology(kind)).add(group, made)
    return [score for typology in typologies.values()
            for score in typology.scores(config, profiles_of, features_of)]


def _entries(group: RuleFindings) -> Made:
    """A rule's distinct entries, their contributions, and each row's entry number."""
    impl = group.rule.rule
    names = None if impl.score_figures is None else ("txn_count", *impl.score_figures)
    codes, firsts = _codes(group.found.keys(names))
    entries = [rule_entry(group.rule, group.found.row(at), impl) for at in firsts]
    parts = np.array([contribution(entry) for entry in entries], dtype=np.float64)
    return entries, parts, codes


def _codes(keys: Iterable[Any]) -> tuple[Ints, list[int]]:
    """Each key's number (equal keys one number, in order of first coming; an unhashable key a
    number of its own) and each number's first row."""
    keyed = list(keys)
    index: dict[Any, int] = {}
    try:  # each key's first row, without Python code per row
        first = np.fromiter(map(index.setdefault, keyed, count()), dtype=np.intp,
                            count=len(keyed))
    except TypeError:  # a figure holding a list: such rows' entries are made afresh
        index, rows = {}, []
        for row, key in enumerate(keyed):
            try:
                rows.append(index.setdefault(key, row))
            except TypeError:
                rows.append(row)
        first = np.asarray(rows, dtype=np.intp)
    firsts = np.flatnonzero(first == np.arange(len(first)))
    number = np.zeros(len(first), dtype=np.intp)
    number[firsts] = np.arange(len(firsts))
    return number[first], firsts.tolist()


@dataclass
class _Pairs:
    """Each (account, rule) a typology counts: the account's number, the rule's, the row's
    place, its entry (a number into the typology's entries) and contribution."""

    account: Ints
    rule: Ints
    place: Ints
    entry: Ints
    part: Floats


class _Typology:
    """One typology's rules' rows, taken a rule at a time as they come: the (account, rule)
    pairs, the entries."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rule_ids: list[str] = []
        self.entries: list[dict[str, JSONValue]] = []
        self.accounts: list[list[str]] = []
        self.pairs: list[_Pairs] = []

    def add(self, group: RuleFindings, made: Made) -> None:
        listed, parts, codes = made
        rows, scored = group.found.scored()
        at = np.asarray(rows, dtype=np.intp)
        self.accounts.append(scored)  # numbered once every rule has come (:func:`_numbered`)
        self.pairs.append(_Pairs(at, np.full(len(at), len(self.rule_ids), dtype=np.intp),
                                 group.places[at], codes[at] + len(self.entries),
                                 parts[codes[at]]))
        self.rule_ids.append(group.rule.id)
        self.entries += listed

    def scores(self, config: TypologyConfig, profiles_of: Profiles, features_of: Features,
               ) -> list[TypologyScore]:
        """The score of every account the typology's rules' rows score."""
        pairs, accounts = self._joined()
        profiles = profiles_of(accounts)
        score, flagged = self._combined(pairs, config, profiles)
        ordered = list(map(self.entries.__getitem__,
                           pairs.entry[self._ordered(pairs)].tolist()))
        ends = np.cumsum(np.bincount(pairs.account, minlength=len(accounts))).tolist()
        scored, start = [], 0
        for account, value, flag, end, profile, features in zip(
                accounts, rounded(score, 6), flagged.tolist(), ends, profiles,
                features_of(accounts), strict=True):
            scored.append(TypologyScore(account, self.name, value, flag, ordered[start:end],
                                        profile, features))
            start = end
        return scored

    def _joined(self) -> tuple[_Pairs, list[str]]:
        """Every rule's pairs, their accounts numbered in order of first coming, the strongest
        of each (account, rule) only; and the accounts in the order of their numbers."""
        numbers, accounts = _numbered(list(chain.from_iterable(self.accounts)))
        pairs = _Pairs(numbers, *(np.concatenate([getattr(p, name) for p in self.pairs])
                                  for name in ("rule", "place", "entry", "part")))
        each = np.split(numbers, np.cumsum([len(scored) for scored in self.accounts])[:-1])
        if any(len(rule) and np.bincount(rule).max() > 1 for rule in each):
            pairs = _strongest(pairs, len(self.rule_ids))
        return pairs, accounts

    def _combined(self, pairs: _Pairs, config: TypologyConfig,
                  profiles: Sequence[Mapping[str, JSONValue]]) -> tuple[Floats, Any]:
        """Each account's score (unrounded) and whether it is flagged
        (:func:`~vigil.payments.typology_score.combine`)."""
        size = len(profiles)
        strong = np.bincount(pairs.account, weights=pairs.part >= config.min_contribution,
                             minlength=size)
        if self.name == BUYER:
            raw = [profile.get("benign", 0.0) for profile in profiles]
            benign = np.array(raw if all(type(v) is float for v in raw)
                              else [_benign(profile) for profile in profiles], dtype=np.float64)
            min_rules, threshold = config.min_rules, config.alert_threshold
        else:
            benign = np.zeros(size)
            min_rules, threshold = config.victim_min_rules, config.victim_threshold
        score = (1.0 - _product(pairs, size)) * (1.0 - config.benign_weight * benign)
        return score, (score >= threshold) & (strong >= min_rules)

    def _ordered(self, pairs: _Pairs) -> Ints:
        """The pairs by account, each account's by contribution (highest first), then rule id
        (:func:`~vigil.payments.typology_score.score_account`'s order)."""
        ranks = {rule_id: n for n, rule_id in enumerate(sorted(self.rule_ids))}
        by_id = np.array([ranks[rule_id] for rule_id in self.rule_ids], dtype=np.intp)
        return np.lexsort((by_id[pairs.rule], -pairs.part, pairs.account))


def _numbered(accounts: list[str]) -> tuple[Ints, list[str]]:
    """Each account's number, equal accounts one number, in order of first coming, and the
    accounts in the order of their numbers: as ``numbers.setdefault(account, len(numbers))``
    numbers them, by Arrow's hash table (a string is equal where its UTF-8 is) where every
    account is a string, about a third of the Python's cost at 1.2 million finding rows."""
    import pyarrow as pa  # here: importing the score does not load Arrow

    try:
        encoded = pa.array(accounts, type=pa.string()).dictionary_encode()
    except (pa.ArrowException, TypeError, UnicodeError):  # not all strings (a caller's rows)
        numbers: dict[str, int] = {}
        codes = [numbers.setdefault(account, len(numbers)) for account in accounts]
        return np.asarray(codes, dtype=np.intp), list(numbers)
    return (encoded.indices.to_numpy().astype(np.intp, copy=False),
            encoded.dictionary.to_pylist())


def _benign(profile: Mapping[str, JSONValue]) -> float:
    """A profile's ``benign`` as :func:`~vigil.payments.typology_score.score_account` reads
    it (0 without one)."""
    raw = profile.get("benign", 0.0)
    return raw if type(raw) is float else float(str(raw))


def _strongest(pairs: _Pairs, rules: int) -> _Pairs:
    """One pair per (account, rule): the strongest (the first found of equals), placed where
    the rule first scored the account (:func:`~vigil.payments.typology_score.strongest`)."""
    key = pairs.account * rules + pairs.rule
    best = np.lexsort((pairs.place, -pairs.part, key))
    first = np.lexsort((pairs.place, key))
    runs = np.flatnonzero(np.r_[True, key[first][1:] != key[first][:-1]])
    chosen = best[runs]
    return _Pairs(pairs.account[chosen], pairs.rule[chosen], pairs.place[first][runs],
                  pairs.entry[chosen], pairs.part[chosen])


def _product(pairs: _Pairs, size: int) -> Floats:
    """Per account the product of ``1 - min(contribution, 0.999)`` over its pairs, taken from
    1 in the order of their places, one multiplication at a time."""
    factor = 1.0 - np.minimum(pairs.part, 0.999)
    in_place = bool(np.all(pairs.place[1:] >= pairs.place[:-1]))
    order = (np.argsort(pairs.account, kind="stable") if in_place
             else np.lexsort((pairs.place, pairs.account)))
    account = pairs.account[order]
    starts = np.flatnonzero(np.r_[True, account[1:] != account[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    product = np.ones(size)
    for turn in range(int(rank.max()) + 1 if len(rank) else 0):
        chosen = order[rank == turn]
        product[pairs.account[chosen]] *= factor[chosen]
    return product


__all__ = ["RuleFindings", "grouped", "in_turn", "score_groups"]
