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

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from vigil.column_rows import KeyedColumns
from vigil.engines import InOrderQueries, SqlEngine
from vigil.model import JSONValue
from vigil.payments.benign_sql import benign_profile_sql
from vigil.payments.column_math import benign_columns
from vigil.payments.finding_columns import finding_columns
from vigil.payments.pack_keys import keyed_findings_sql, keyed_rows_sql, keyed_rule, keyed_shape
from vigil.payments.rules import DEFAULT_PACK, PaymentRules, RuleConfig, load_rules
from vigil.payments.sql_parts import SHAPE_COLUMNS, corridor_where
from vigil.payments.typology_columns import grouped, in_turn, score_groups
from vigil.payments.typology_features import (
    by_sender,
    by_sender_then_findings,
    pack_features_sql,
    sender_features,
)
from vigil.payments.typology_score import (
    BUYER,
    VICTIM,
    RoundedColumnRow,
    TypologyConfig,
    TypologyScore,
    benign_profile,
    combine,
    cycles_uncollected,
    ranked,
    rounded_features,
)

_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def load_typology_rules() -> PaymentRules:
    """The shipped R1-R16 pack (``vigil/config/payment_typology.yaml``, the default pack) the
    score is tuned for."""
    return load_rules(DEFAULT_PACK)


Found = Iterable[tuple[RuleConfig, Mapping[str, Any]]]
"""Finding rows of a pack's rules, each with its rule (what :func:`pack_findings` returns)."""


_UNSCORED = SHAPE_COLUMNS - {"senders"}
"""Finding columns the score never reads: left out of its queries, so no engine builds them."""


def score_sql(rule: RuleConfig) -> str:
    """The rule's :meth:`~vigil.payments.rule_base.PaymentRule.score_sql` when it has one, else
    its SQL less the columns the score does not read (transaction ids, beneficiaries, times):
    the same rows, without the largest arrays."""
    form = rule.rule.score_sql(rule.parameters)
    if form is not None:
        return form
    sql = rule.rule.sql(rule.parameters)
    kept = [c for c in finding_columns(sql) if c not in _UNSCORED]
    if not all(_PLAIN_NAME.fullmatch(column) for column in kept):
        return sql
    return f"SELECT {', '.join(kept)} FROM ({sql}) findings"


def pack_findings(engine: SqlEngine, rules: PaymentRules, wanted: Collection[str] | None = None,
                  for_score: bool = False) -> list[tuple[RuleConfig, dict[str, Any]]]:
    """Every enabled rule's finding rows over the engine's ``payments`` (only the ``wanted``
    rule ids, when given), in the pack's order; ``for_score``: only the columns
    :func:`score_accounts` reads (:func:`score_sql`)."""
    chosen = [rule for rule in rules.enabled() if wanted is None or rule.id in wanted]
    sqls = [score_sql(rule) if for_score else rule.rule.sql(rule.parameters) for rule in chosen]
    return [(rule, row) for rule, rows in zip(chosen, in_order(engine, sqls), strict=True)
            for row in rows]


def in_order(engine: SqlEngine, sqls: Sequence[str]) -> Iterator[list[dict[str, Any]]]:
    """The rows of each of ``sqls``, in order: side by side where the engine can
    (:class:`~vigil.engines.InOrderQueries`, DuckDB), else one query at a time (Spark)."""
    if isinstance(engine, InOrderQueries):
        return engine.queries(sqls)
    return (engine.query(sql) for sql in sqls)


def _profile(row: Mapping[str, Any]) -> dict[str, JSONValue]:
    """One row of :func:`~vigil.payments.benign_sql.benign_profile_sql` as a benign profile."""
    return benign_profile(float(row["kin_share"]), float(row["organisation_share"]),
                          row["cadence"], float(row["few_payees"]), row["payees"])


def benign_profiles(engine: SqlEngine, rules: PaymentRules, config: TypologyConfig,
                    ) -> dict[str, dict[str, JSONValue]]:
    """sender -> its benign shape (``benign`` is the strongest, in [0, 1])."""
    rows = engine.query(benign_profile_sql(rules.corridor, config.shape))
    return {sender: _profile(row) for sender, row in by_sender(rows).items()}


def score_rows_where(rules: PaymentRules, config: TypologyConfig) -> list[str]:
    """Predicates of the payments the score reads besides the rules' (the benign shapes read
    the corridor's business payments too; the features, the corridor): for
    :func:`vigil.payments.pack_table.register_pack_payments`."""
    loose = rules.corridor.model_copy(update={"individuals_only": False})
    wanted = [corridor_where(loose)]
    return [*wanted, corridor_where(rules.corridor)] if config.with_features else wanted


def score_accounts(engine: SqlEngine, rules: PaymentRules | None = None,
                   config: TypologyConfig | None = None,
                   found: Found | None = None, account_keys: bool = False,
                   only: str | None = None) -> list[TypologyScore]:
    """Every account some rule found, scored per typology, highest first; ``engine`` holds the
    ``payments`` table (any :class:`~vigil.engines.SqlEngine`: DuckDB or Spark); ``rules``
    defaults to :func:`load_typology_rules`; ``found``: the rules' findings over that table
    when the caller already has them (:func:`pack_findings`), else they are queried here. The
    inline scorer scores the same way, one payment at a time (:mod:`vigil.payments.
    typology_score` holds what the two share; :mod:`vigil.payments.typology_columns` says how
    this batch form keeps to it). ``account_keys``: the engine's ``payments`` keys its accounts
    (:func:`~vigil.payments.pack_table.register_pack_payments` said so): the queries that can
    read the keys do (:mod:`vigil.payments.pack_keys`), with the same results. ``only``: a
    query of one column of account names (DuckDB's SQL): only those accounts are scored, each
    as it would be among all (:func:`_only_rows`)."""
    with cycles_uncollected():
        return _scored(engine, rules if rules is not None else load_typology_rules(),
                       config or TypologyConfig(), found, account_keys, only)


def _scored(engine: SqlEngine, rules: PaymentRules, config: TypologyConfig,
            found: Found | None, account_keys: bool = False, only: str | None = None,
            ) -> list[TypologyScore]:
    """:func:`score_accounts` with its defaults filled in: each rule's findings as columns
    (:mod:`vigil.payments.finding_columns`), scored a typology at a time
    (:mod:`vigil.payments.typology_columns`)."""
    wanted = {*config.buyer_rules, *config.victim_rules}
    scored = [rule for rule in rules.enabled() if rule.id in wanted] if found is None else []
    benign = benign_profile_sql(rules.corridor, config.shape)
    features = [pack_features_sql(rules)] if config.with_features else []
    sqls = [score_sql(rule) for rule in scored]
    runs: list[str | None] = []
    if account_keys:  # the same rows, read by account keys where the query may
        benign = keyed_rows_sql(benign) if keyed_shape(config.shape) else benign
        features = [keyed_rows_sql(sql) for sql in features]
        runs = [keyed_findings_sql(sql) if keyed_rule(rule) else None
                for rule, sql in zip(scored, sqls, strict=True)]
    if only is not None:
        benign, features, runs = _only_rows(only, benign, features, sqls, runs)
    (profiles, *by_features), results = by_sender_then_findings(  # rules run while the
        engine, [benign, *features], sqls, runs)                 # earlier rules' rows are read
    groups = in_turn(scored, results) if found is None else grouped(found)
    by_sender = by_features[0] if by_features else {}
    return ranked(score_groups(groups, config, lambda accounts: _profiles(profiles, accounts),
                               lambda accounts: _features(by_sender, accounts)))


def _only_rows(only: str, benign: str, features: list[str], sqls: list[str],
               runs: list[str | None]) -> tuple[str, list[str], list[str | None]]:
    """The score's queries keeping only the rows of the accounts ``only`` names: per-sender rows
    of those senders; finding rows one of whose senders is one of them, in the order the rule's
    query gives them (an account's score reads its own rows only, in their order: the first of
    equal entries counts, and the rules in the order first found)."""
    names = f"(SELECT list(name) FROM ({only}) wanted(name))"

    def senders(sql: str) -> str:
        return f"SELECT * FROM ({sql}) q WHERE sender IN ({only})"

    def findings(sql: str) -> str:
        return (f"SELECT * EXCLUDE (vigil_place) FROM (SELECT row_number() OVER () AS "
                f"vigil_place, * FROM ({sql}) q) f WHERE CASE WHEN len(f.senders) = 1 THEN "
                f"f.senders[1] IN ({only}) ELSE list_has_any(f.senders, {names}) END "
                "ORDER BY vigil_place")
    ran = [findings(run or sql) for sql, run in zip(sqls, runs or [None] * len(sqls),
                                                     strict=True)]
    return senders(benign), [senders(sql) for sql in features], list[str | None](ran)


def _features(rows: Mapping[str, Mapping[str, Any]], accounts: list[str],
              ) -> list[Mapping[str, JSONValue]]:
    """Each account's features (``{}`` without a row), read when asked for
    (:func:`~vigil.payments.typology_score.rounded_features`)."""
    if isinstance(rows, KeyedColumns):
        return [{} if at is None else RoundedColumnRow(rows, at) for at in rows.find(accounts)]
    get = rows.get
    return [{} if row is None else rounded_features(row)
            for row in (get(account) for account in accounts)]


def _profiles(rows: Mapping[str, Mapping[str, Any]], accounts: list[str],
              ) -> list[dict[str, JSONValue]]:
    """Each account's benign profile (``{}`` without a row): from the columns at once
    (:func:`~vigil.payments.column_math.benign_columns`) where the rows are
    :class:`~vigil.column_rows.KeyedColumns`, else row by row."""
    if isinstance(rows, KeyedColumns):
        found = rows.find(accounts)
        at = [n for n in found if n is not None]
        shaped = benign_columns(*(_taken(rows.column(name), at) for name in _BENIGN))
        if shaped is not None:
            made = iter(shaped)
            return [{} if n is None else next(made) for n in found]
    return [dict(_looked_up(rows, account, _profile)) for account in accounts]


_BENIGN = ("kin_share", "organisation_share", "cadence", "few_payees", "payees")


def _taken(column: Sequence[Any], at: list[int]) -> list[Any]:
    return [column[n] for n in at]


def _looked_up(rows: Mapping[str, Mapping[str, Any]], account: str,
               shaped: Callable[[Mapping[str, Any]], Mapping[str, JSONValue]],
               ) -> Mapping[str, JSONValue]:
    """The account's row shaped (only the scored accounts' rows are: fewer than the senders),
    or ``{}``."""
    row = rows.get(account)
    return {} if row is None else shaped(row)


def ranked_senders(scores: Sequence[TypologyScore], typology: str = BUYER) -> list[str]:
    """The accounts of one typology, highest score first."""
    return [s.account for s in scores if s.typology == typology]


__all__ = ["BUYER", "VICTIM", "TypologyScore", "Found", "TypologyConfig", "benign_profiles",
           "combine", "finding_columns", "in_order", "load_typology_rules", "pack_findings",
           "ranked_senders", "score_accounts", "score_rows_where", "score_sql", "sender_features"]
