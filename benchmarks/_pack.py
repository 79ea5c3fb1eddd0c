"""The ``pack-duckdb`` and ``pack-spark`` stages of ``bench_scale.py``: the R1-R16 pack and the
typology score over Parquet parts on one engine, each query timed."""

from __future__ import annotations

import sys
import time
from typing import Any


def pack_score(engine_name: str, parts: list[str]) -> int:
    """The R1-R16 pack and the typology score over ``parts`` on one engine; the accounts scored.
    The score runs every rule it counts (R4, which it does not, runs to a count); each query's
    wall seconds go to stderr."""
    from vigil.payments.detector import PARQUET_MEMORY_LIMIT
    from vigil.payments.pack_table import register_pack_payments
    from vigil.payments.typology import TypologyConfig, load_typology_rules, score_accounts
    from vigil.payments.typology import score_rows_where as score_rows

    rules, config = load_typology_rules(), TypologyConfig()
    engine = _engine(engine_name, PARQUET_MEMORY_LIMIT)
    start = time.perf_counter()
    register_pack_payments(engine, rules, parts, extra=score_rows(rules, config))
    times = [f"shared scan {time.perf_counter() - start:.1f} s"]
    timed = TimedQueries(engine)
    scores = score_accounts(timed, rules, config)
    scored = {*config.buyer_rules, *config.victim_rules}
    others = [rule for rule in rules.enabled() if rule.id not in scored]
    for rule in others:
        timed.query(f"SELECT COUNT(*) AS n FROM ({rule.rule.sql(rule.parameters)}) findings")
    labels = ["benign", "features", *(r.id for r in rules.enabled() if r.id in scored),
              *(f"{r.id} (count)" for r in others)]
    times += [f"{label} {seconds:.1f} s" for label, seconds in zip(labels, timed.seconds,
                                                                   strict=False)]
    engine.close()
    print("  per step: " + ", ".join(times), file=sys.stderr)
    return len(scores)


def _engine(name: str, memory_limit: str) -> Any:
    from vigil.engines import DuckDBEngine

    if name == "duckdb":
        return DuckDBEngine(memory_limit=memory_limit)
    from vigil.spark_engine import SparkEngine
    return SparkEngine()


class TimedQueries:
    """An engine whose queries are timed (wall seconds, in order)."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.seconds = engine, list[float]()

    def register_table(self, name: str, rows: Any) -> None:
        self.engine.register_table(name, rows)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        start = time.perf_counter()
        rows: list[dict[str, Any]] = self.engine.query(sql, params)
        self.seconds.append(time.perf_counter() - start)
        return rows

    def close(self) -> None:
        self.engine.close()
