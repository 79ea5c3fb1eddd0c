"""The typology score's per-sender rows: the features (:mod:`vigil.payments.features_sql`) with
the pack's clock and cover words, and how the score fetches them and the benign figures.

On DuckDB both are fetched as columns, a row read only for an account the score scores
(:class:`~vigil.column_rows.KeyedColumns`: at 10M payments the dict per sender was about 3 of
the features step's 3.4 CPU-s, docs/benchmarks.md, "The pack at 10M"), side by side
with the rules' queries, in the same order; the values and their order are the dicts'.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any

from vigil.engines import SqlEngine, keyed_columns
from vigil.model import JSONValue
from vigil.payments.features_sql import sender_features_sql
from vigil.payments.finding_columns import FindingColumns, score_columns_query
from vigil.payments.rules import PaymentRules
from vigil.payments.rules.r6_cover_story import CoverStoryParams
from vigil.payments.rules.r7_time_of_day import TimeOfDayParams
from vigil.payments.share_sql import DEFAULT_UTC_OFFSETS
from vigil.payments.typology_score import rounded_features


def pack_features_sql(rules: PaymentRules) -> str:
    """:func:`~vigil.payments.features_sql.sender_features_sql` with R7's clock and R6's words
    when the pack has them."""
    offsets: dict[str, float] = dict(DEFAULT_UTC_OFFSETS)
    night = (22, 5)
    words: tuple[str, ...] = ("gift", "school fees", "medical bills", "accommodation", "uniform")
    for rule in rules.enabled():
        if isinstance(rule.parameters, TimeOfDayParams):
            offsets = rule.parameters.utc_offsets
            night = (rule.parameters.night_start, rule.parameters.night_end)
        if isinstance(rule.parameters, CoverStoryParams):
            words = rule.parameters.cover_words
    return sender_features_sql(rules.corridor, offsets, words, night)


def by_sender(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows keyed by their ``sender`` (the last row of a sender wins)."""
    return {row["sender"]: row for row in rows}


def sender_features(engine: SqlEngine, rules: PaymentRules) -> dict[str, dict[str, JSONValue]]:
    """sender -> temporal features, with R7's clock and R6's words when the pack has them."""
    return {sender: dict(rounded_features(row))
            for sender, row in by_sender(engine.query(pack_features_sql(rules))).items()}


def by_sender_then_findings(engine: SqlEngine, keyed: Sequence[str], sqls: Sequence[str],
                            runs: Sequence[str | None] = (),
                            ) -> tuple[list[Mapping[str, Mapping[str, Any]]],
                                       Iterator[FindingColumns]]:
    """sender -> its row for each of ``keyed`` (rows keyed by their first column, ``sender``),
    then the finding rows of each of ``sqls`` as columns as they come, all in order
    (:func:`~vigil.payments.typology.in_order`). On an engine with ``fetched``
    (:meth:`~vigil.engines.DuckDBEngine.fetched`, side by side) the keyed rows come as columns,
    a row read only when asked for, and the findings a column at a time
    (:func:`~vigil.payments.finding_columns.score_columns_query`). ``runs``: for each of
    ``sqls``, a query of the same rows and columns to run in its place, or ``None``
    (:mod:`vigil.payments.pack_keys`)."""
    ran = [run or sql for sql, run in zip(sqls, runs or [None] * len(sqls), strict=True)]
    fetched = getattr(engine, "fetched", None)
    if fetched is None:
        keyed_rows = [by_sender(engine.query(sql)) for sql in keyed]
        return list[Mapping[str, Mapping[str, Any]]](keyed_rows), (
            FindingColumns.of_rows(engine.query(sql)) for sql in ran)
    results: Iterator[Any] = fetched(chain(  # each rule's query planned as it is sent
        ((sql, keyed_columns) for sql in keyed),
        (score_columns_query(sql, run) for sql, run in zip(sqls, ran, strict=True))))
    return [next(results) for _ in keyed], results


__all__ = ["by_sender", "by_sender_then_findings", "pack_features_sql", "sender_features"]
