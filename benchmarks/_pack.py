"""The ``pack-duckdb`` and ``pack-spark`` stages of ``bench_scale.py``: the R1-R16 pack and the
typology score over Parquet parts on one engine, each query timed (wall and CPU seconds: on a
shared machine the CPU figure is the one the load does not inflate).

Settings for an A/B on DuckDB: ``VIGIL_BENCH_MEMORY_LIMIT`` (default ``PARQUET_MEMORY_LIMIT``)
and ``VIGIL_BENCH_THREADS`` (DuckDB's threads once the shared table is built; default as the
engine has it); ``VIGIL_BENCH_SEQUENTIAL=1`` runs the queries one at a time;
``VIGIL_BENCH_ACCOUNT_KEYS=0`` reads the account text instead of integer account keys
(:mod:`vigil.payments.pack_keys`)."""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from typing import Any


def cpu_s() -> float:
    """CPU seconds of this process, every thread (DuckDB's too; a Spark JVM's are not here)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pack_score(engine_name: str, parts: list[str]) -> int:
    """The R1-R16 pack and the typology score over ``parts`` on one engine; the accounts scored.
    The score runs every rule it counts (R4, which it does not, runs to a count); each query's
    wall seconds go to stderr."""
    from vigil.payments.detector import PARQUET_MEMORY_LIMIT
    from vigil.payments.pack_table import register_pack_payments
    from vigil.payments.typology import TypologyConfig, load_typology_rules, score_accounts
    from vigil.payments.typology import score_rows_where as score_rows

    rules, config = load_typology_rules(), TypologyConfig()
    engine = _engine(engine_name, os.environ.get("VIGIL_BENCH_MEMORY_LIMIT", PARQUET_MEMORY_LIMIT))
    start, cpu = time.perf_counter(), cpu_s()
    keys = engine_name == "duckdb" and os.environ.get("VIGIL_BENCH_ACCOUNT_KEYS") != "0"
    keyed = register_pack_payments(engine, rules, parts, extra=score_rows(rules, config),
                                   account_keys=keys)
    times = [f"shared scan {time.perf_counter() - start:.1f} s / {cpu_s() - cpu:.2f} CPU-s"]
    _threads_after_scan(engine_name, engine)
    scored = {*config.buyer_rules, *config.victim_rules}
    others = [f"SELECT COUNT(*) AS n FROM ({_counted(rule, keyed)}) findings"
              for rule in rules.enabled() if rule.id not in scored]
    side_by_side = hasattr(engine, "queries") and not os.environ.get("VIGIL_BENCH_SEQUENTIAL")
    timed = (TimedInOrder(engine) if side_by_side else TimedFetched(engine)
             if hasattr(engine, "fetched") else TimedQueries(engine))
    start, cpu, main = time.perf_counter(), cpu_s(), time.thread_time()
    counts = _background(engine, others) if side_by_side else None
    scores = score_accounts(timed, rules, config, account_keys=keyed)
    if counts is None:
        for sql in others:
            timed.query(sql)
    else:
        counts.join()
    labels = ["benign", "features", *(r.id for r in rules.enabled() if r.id in scored),
              *(f"{r.id} (count)" for r in rules.enabled() if r.id not in scored)]
    times += timed.report(labels)
    times.append(f"score and counts {time.perf_counter() - start:.1f} s / {cpu_s() - cpu:.2f} "
                 f"CPU-s, of which the calling thread {time.thread_time() - main:.2f} CPU-s")
    if not side_by_side:
        times.append(f"the score's Python (findings to entries, combination) "
                     f"{cpu_s() - cpu - sum(timed.cpu):.2f} CPU-s")
    engine.close()
    print("  per step: " + ", ".join(times), file=sys.stderr)
    return len(scores)


def _counted(rule: Any, keyed: bool) -> str:
    """A rule the score does not count, as its findings (over the account keys where it may
    read them: R4 groups by beneficiary, and a count does not turn its senders back)."""
    from vigil.payments.pack_keys import keyed_rule, keyed_sql
    from vigil.payments.rules.r4_fan_in import FanIn

    sql: str = rule.rule.sql(rule.parameters)
    return keyed_sql(sql) if keyed and (keyed_rule(rule) or type(rule.rule) is FanIn) else sql


def _threads_after_scan(engine_name: str, engine: Any) -> None:
    """DuckDB's threads set to ``VIGIL_BENCH_THREADS`` once the shared table is built (an A/B
    for a quiet machine, where the queries run side by side anyway: docs/benchmarks.md, "The
    pack at 10M: not super-linear under the same load")."""
    if engine_name == "duckdb" and os.environ.get("VIGIL_BENCH_THREADS"):
        engine.query(f"SET threads = {int(os.environ['VIGIL_BENCH_THREADS'])}")


def _background(engine: Any, sqls: list[str]) -> threading.Thread:
    """The rules the score does not count (R4), to a count, in a thread of their own, beside the
    score's queries."""
    thread = threading.Thread(target=lambda: [rows for rows in engine.queries(sqls, ahead=1)])
    thread.start()
    return thread


def _engine(name: str, memory_limit: str) -> Any:
    from vigil.engines import DuckDBEngine

    if name == "duckdb":
        return DuckDBEngine(memory_limit=memory_limit)
    from vigil.spark_engine import SparkEngine
    return SparkEngine()


class TimedQueries:
    """An engine whose queries are timed (wall and CPU seconds, in order; a query's time
    includes fetching its rows as Python dicts)."""

    def __init__(self, engine: Any) -> None:
        self.engine, self.seconds, self.cpu = engine, list[float](), list[float]()

    def register_table(self, name: str, rows: Any) -> None:
        self.engine.register_table(name, rows)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        start, cpu = time.perf_counter(), cpu_s()
        rows: list[dict[str, Any]] = self.engine.query(sql, params)
        self.seconds.append(time.perf_counter() - start)
        self.cpu.append(cpu_s() - cpu)
        return rows

    def report(self, labels: list[str]) -> list[str]:
        """Each query's wall and CPU seconds, labelled."""
        return [f"{label} {seconds:.1f} s / {cpu:.2f} CPU-s"
                for label, seconds, cpu in zip(labels, self.seconds, self.cpu, strict=False)]


class TimedFetched(TimedQueries):
    """:class:`TimedQueries` of an engine with ``fetched`` (DuckDB; Spark has none, and the
    score then takes its rows as dicts through ``query``)."""

    def fetched(self, queries: Any) -> Any:
        """The engine's :meth:`~vigil.engines.DuckDBEngine.fetched` (the score's benign figures
        and features as columns, then the rules' rows), one query at a time, each timed."""
        for sql, fetch in queries:
            start, cpu = time.perf_counter(), cpu_s()
            result = next(self.engine.fetched([(sql, fetch)], ahead=1))
            self.seconds.append(time.perf_counter() - start)
            self.cpu.append(cpu_s() - cpu)
            yield result


class TimedInOrder(TimedQueries):
    """An engine whose queries run side by side (:meth:`vigil.engines.DuckDBEngine.queries`);
    what is timed is when each query's rows reached the caller, from the first query's start
    (per-query CPU is not separable there: ``VIGIL_BENCH_SEQUENTIAL=1`` runs them one at a
    time, each with its CPU seconds)."""

    def queries(self, sqls: Any) -> Any:
        start = time.perf_counter()
        for rows in self.engine.queries(sqls):
            self.seconds.append(time.perf_counter() - start)
            yield rows

    def fetched(self, queries: Any) -> Any:
        start = time.perf_counter()
        for result in self.engine.fetched(queries):
            self.seconds.append(time.perf_counter() - start)
            yield result

    def report(self, labels: list[str]) -> list[str]:
        return [f"{label} at {seconds:.1f} s" for label, seconds in zip(labels, self.seconds,
                                                                          strict=False)]

    def close(self) -> None:
        self.engine.close()
