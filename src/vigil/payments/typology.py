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
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from operator import itemgetter
from threading import Lock
from typing import Any

from pydantic import AwareDatetime

from vigil.engines import DuckDBEngine, InOrderQueries, SqlEngine
from vigil.model import JSONValue
from vigil.payments.benign_sql import benign_profile_sql
from vigil.payments.rule_base import PaymentRule
from vigil.payments.rules import DEFAULT_PACK, PaymentRules, RuleConfig, load_rules
from vigil.payments.sql_parts import corridor_where
from vigil.payments.typology_features import (
    by_sender,
    by_sender_then_rows,
    pack_features_sql,
    sender_features,
)
from vigil.payments.typology_score import (
    BUYER,
    VICTIM,
    TypologyConfig,
    TypologyScore,
    benign_profile,
    combine,
    cycles_uncollected,
    payers,
    ranked,
    rounded_features,
    rule_entry,
    score_account,
)
from vigil.records import Payment

_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]*")

def load_typology_rules() -> PaymentRules:
    """The shipped R1-R16 pack (``vigil/config/payment_typology.yaml``, the default pack) the
    score is tuned for."""
    return load_rules(DEFAULT_PACK)


Found = Iterable[tuple[RuleConfig, Mapping[str, Any]]]
"""Finding rows of a pack's rules, each with its rule (what :func:`pack_findings` returns)."""


_SHAPE = frozenset({"senders", "beneficiaries", "txn_ids", "first_at", "last_at"})
_UNSCORED = _SHAPE - {"senders"}
"""Finding columns the score never reads: left out of its queries, so no engine builds them."""


_PLANNER_LOCK = Lock()


@lru_cache(maxsize=1)
def _planner() -> DuckDBEngine:
    """One DuckDB database per process holding an empty ``payments`` table, for
    :func:`finding_columns` (opening one per rule cost 40 ms each: half a second per pack)."""
    types: dict[object, str] = {float: "DOUBLE", AwareDatetime: "TIMESTAMP"}
    columns = ", ".join(f"CAST(NULL AS {types.get(field.annotation, 'VARCHAR')}) AS {name}"
                        for name, field in Payment.model_fields.items())
    engine = DuckDBEngine()
    engine.create_table("payments", f"SELECT {columns} LIMIT 0")
    return engine


@lru_cache(maxsize=256)
def finding_columns(sql: str) -> tuple[str, ...]:
    """The column names of a rule's finding rows, from DuckDB's plan of ``sql`` over an empty
    ``payments`` table (the SQL is portable, so the names are every engine's)."""
    with _PLANNER_LOCK:
        return tuple(row["column_name"] for row in _planner().query(f"DESCRIBE {sql}"))


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


Entries = dict[tuple[str, str], list[dict[str, JSONValue]]]
"""(typology, account) -> the contributions of every finding about the account."""


def _entries(found: Found, config: TypologyConfig) -> Entries:
    """:data:`Entries` of the typologies' rules, in one pass over ``found`` (each row turned
    into a contribution by :func:`~vigil.payments.typology_score.rule_entry`, as inline; rows
    of one rule with the same figures share it: :class:`_RuleRows`)."""
    entries: Entries = defaultdict(list)
    seen: dict[str, _RuleRows] = {}
    made: dict[tuple[Any, ...], dict[str, JSONValue]] = {}
    for rule, row in found:
        rows = seen.get(rule.id)
        if rows is None:
            rows = seen[rule.id] = _RuleRows(rule, config.typologies_of(rule.id), row)
        if not rows.kinds:
            continue
        entry = rows.entry(row, made)
        senders = row.get("senders")
        if senders is None or len(senders) != 1 or senders[0] is None:
            senders = payers(row)  # one sender needs no set and no sort
        for account in senders:
            for kind in rows.kinds:
                entries[(kind, account)].append(entry)
    return entries


class _RuleRows:
    """One rule's finding rows as the score reads them: its typologies, and its figures (every
    column but ``senders``) taken from a row by one getter, for the rows of the first row's
    columns (one query's rows all are); rows of other columns take :func:`_entry`'s way."""

    def __init__(self, rule: RuleConfig, kinds: tuple[str, ...], first: Mapping[str, Any]) -> None:
        self.rule, self.impl, self.kinds = rule, rule.rule, kinds
        names = [name for name in first if name != "senders"]
        self.width = len(names) + 1
        self.figures: Callable[[Mapping[str, Any]], Any] = (
            itemgetter(*names) if names else (lambda row: ()))

    def entry(self, row: Mapping[str, Any], made: dict[tuple[Any, ...], dict[str, JSONValue]],
              ) -> dict[str, JSONValue]:
        """:func:`_entry` of ``row``: a row with ``senders`` and as many other columns as the
        first row has all of the first row's columns, so its figures are the getter's."""
        if len(row) != self.width or "senders" not in row:
            return _entry(self.rule, row, self.impl, made)
        try:
            key = (self.rule.id, self.figures(row))
            entry = made.get(key)
        except (KeyError, TypeError):
            return _entry(self.rule, row, self.impl, made)
        if entry is None:
            entry = made[key] = rule_entry(self.rule, row, self.impl)
        return entry


def _entry(rule: RuleConfig, row: Mapping[str, Any], impl: PaymentRule[Any],
           made: dict[tuple[Any, ...], dict[str, JSONValue]]) -> dict[str, JSONValue]:
    """:func:`rule_entry` of ``row``, or the entry made for an earlier row of the same rule
    whose every column but ``senders`` is equal (a contribution is a function of the rule and
    the finding's figures: at 1M payments R1's 35,290 findings have 22 distinct figures, R7's
    14,542 have 53, R11's 25,149 have 21); rows holding a list are made afresh."""
    try:
        key = (rule.id, *(value for name, value in row.items() if name != "senders"))
        entry = made.get(key)
    except TypeError:
        return rule_entry(rule, row, impl)
    if entry is None:
        entry = made[key] = rule_entry(rule, row, impl)
    return entry


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
                   found: Found | None = None) -> list[TypologyScore]:
    """Every account some rule found, scored per typology, highest first; ``engine`` holds the
    ``payments`` table (any :class:`~vigil.engines.SqlEngine`: DuckDB or Spark); ``rules``
    defaults to :func:`load_typology_rules`; ``found``: the rules' findings over that table
    when the caller already has them (:func:`pack_findings`), else they are queried here. The
    inline scorer scores the same way, one payment at a time (:mod:`vigil.payments.
    typology_score` holds what the two share)."""
    with cycles_uncollected():
        return _scored(engine, rules if rules is not None else load_typology_rules(),
                       config or TypologyConfig(), found)


def _scored(engine: SqlEngine, rules: PaymentRules, config: TypologyConfig,
            found: Found | None) -> list[TypologyScore]:
    """:func:`score_accounts` with its defaults filled in."""
    wanted = {*config.buyer_rules, *config.victim_rules}
    scored = [rule for rule in rules.enabled() if rule.id in wanted] if found is None else []
    (profiles, *features), results = by_sender_then_rows(engine, [  # rules run while the
        benign_profile_sql(rules.corridor, config.shape),          # earlier rows are combined
        *([pack_features_sql(rules)] if config.with_features else [])],
        [score_sql(rule) for rule in scored])
    if found is None:
        found = ((rule, row) for rule, rows in zip(scored, results, strict=True) for row in rows)
    entries = _entries(found, config)
    by_sender = features[0] if features else {}
    return ranked(score_account(account, typology, rule_entries,
                                _looked_up(profiles, account, _profile),
                                _looked_up(by_sender, account, rounded_features), config)
                  for (typology, account), rule_entries in entries.items())


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
