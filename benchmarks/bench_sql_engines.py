"""SQL linking against igraph, and Spark local against DuckDB for the payments detector.

Prints, best of ``--repeat`` runs each (the first Spark call, which starts the JVM, is timed on
its own):

- linking at demo scale (the signals of the demo world, seed 7, with record-level usage) and on
  ``--signals`` synthetic signals: :func:`vigil.linking.link` (igraph) against
  :func:`vigil.linking_sql.link_sql` on DuckDB, with the rounds label propagation took, and a
  check that both gave the same groups; at demo scale also on Spark when it is installed;
- the payments detector (R1-R5) on ``--payments`` ordinary payments (``bench_hub``'s background
  world) on DuckDB and on Spark local, with a check that both gave the same signals.

Run: ``python benchmarks/bench_sql_engines.py`` (``--no-spark`` without Java).
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_hub import hub_world  # noqa: E402

from vigil.engines import DuckDBEngine  # noqa: E402
from vigil.linking import LinkedGroup, link, load_linking_config  # noqa: E402
from vigil.linking_sql import link_sql  # noqa: E402
from vigil.model import EntityRef, Signal, SignalKind  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)


def best(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """Fastest of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return min(times), result


def demo_signals() -> tuple[list[Signal], dict[EntityRef, set[EntityRef]]]:
    """The demo world's signals (no bank loaded, so no media matches) and its usage."""
    from vigil.demo.world import generate_world
    from vigil.pipeline import detect_all
    from vigil.records import RecordKind
    from vigil.registry import load_registry
    from vigil.settings import Settings
    from vigil.store.open import open_store
    from vigil.usage import identifier_usage

    world = generate_world(7)
    by_kind: dict[RecordKind, list[Any]] = {kind: [] for kind in RecordKind}
    for record in world.records():
        by_kind[record.kind].append(record)
    detectors = load_registry().detectors_for(Settings())
    found = detect_all(by_kind, open_store("memory://"), detectors)
    signals = [signal for group in found.values() for signal in group]
    return signals, identifier_usage(world.records())


def synthetic_signals(count: int, seed: int = 7) -> list[Signal]:
    """``count`` signals, each naming 2-3 of: an account, a payment account, an IP.

    Pools are sized so the graph is just below the point where one giant component forms (each
    account or payment account is in about 0.7 signals): many small groups and some long chains.
    """
    rng = random.Random(seed)
    accounts, wallets, ips = int(count * 1.5), int(count * 1.5), max(1, count // 10)
    signals = []
    for number in range(count):
        subjects = {EntityRef.parse(f"account:vc:u{rng.randrange(accounts)}")}
        subjects.add(EntityRef.parse(f"payment_account:gcash:w{rng.randrange(wallets)}"))
        if rng.random() < 0.1:
            ip = rng.randrange(ips)
            subjects.add(EntityRef.parse(f"ip:10.{ip // 250}.0.{ip % 250}"))
        signals.append(Signal(source="bench", kind=SignalKind.PAYMENT, subjects=tuple(subjects),
                              score=0.5, observed_at=START + timedelta(seconds=number),
                              evidence={"roles": {}, "n": number}, explanation="bench",
                              detector_version="1"))
    return signals


def _shape(groups: list[LinkedGroup]) -> list[tuple[str, ...]]:
    return [tuple(s.id for s in g.signals) for g in groups]


def bench_linking(label: str, signals: list[Signal], usage: Any, repeat: int,
                  spark: bool) -> None:
    config = load_linking_config()
    graph_s, reference = best(repeat, lambda: link(signals, config, usage))
    with DuckDBEngine() as engine:
        sql_s, groups = best(repeat, lambda: link_sql(signals, engine, config, usage))
    same = _shape(groups) == _shape(reference)
    print(f"linking {label}: {len(signals):,} signals, {len(reference):,} groups; "
          f"igraph {graph_s:.2f} s, SQL on DuckDB {sql_s:.2f} s "
          f"({sql_s / graph_s:.1f}x igraph); same groups: {same}")
    if spark:
        from vigil.spark_engine import SparkEngine

        with SparkEngine() as engine:
            spark_s, groups = best(1, lambda: link_sql(signals, engine, config, usage))
        print(f"linking {label}: SQL on Spark local {spark_s:.2f} s; "
              f"same groups: {_shape(groups) == _shape(reference)}")


def bench_payments(rows: int, repeat: int, spark: bool) -> None:
    from vigil.payments.detector import PaymentTypologyDetector
    from vigil.plugin import DetectionContext
    from vigil.store.open import open_store

    payments = hub_world(0, background=rows)
    context = DetectionContext(banks=open_store("memory://"))

    def detect(factory: Callable[[], Any]) -> list[Signal]:
        return list(PaymentTypologyDetector(engine_factory=factory).detect(payments, context))

    duck_s, duck = best(repeat, lambda: detect(DuckDBEngine))
    print(f"payments detector, {rows:,} payments: DuckDB {duck_s:.2f} s "
          f"({rows / duck_s:,.0f} payments/s), {len(duck):,} signals")
    if spark:
        from vigil.spark_engine import SparkEngine

        spark_s, found = best(repeat, lambda: detect(SparkEngine))
        print(f"payments detector, {rows:,} payments: Spark local {spark_s:.2f} s "
              f"({rows / spark_s:,.0f} payments/s, {spark_s / duck_s:.1f}x DuckDB); "
              f"{_compare(duck, found)}")


def _compare(duck: list[Signal], spark: list[Signal]) -> str:
    """Same findings (rule and subjects) and how many differ in any evidence value."""
    def by_finding(signals: list[Signal]) -> dict[tuple[Any, ...], Signal]:
        return {(s.evidence.get("rule"), tuple(sorted(map(str, s.subjects)))): s
                for s in signals}
    first, second = by_finding(duck), by_finding(spark)
    differing = [key for key in first.keys() & second.keys() if first[key].id != second[key].id]
    return (f"same findings: {first.keys() == second.keys()}, "
            f"{len(differing)} of {len(first):,} differ in evidence "
            f"({sorted({str(key[0]) for key in differing})})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-spark", action="store_true", help="DuckDB and igraph only")
    args = parser.parse_args()
    spark = not args.no_spark
    if spark:
        from vigil.spark_engine import spark_session

        began = time.perf_counter()
        spark_session()
        print(f"Spark local session start: {time.perf_counter() - began:.1f} s")
    print(f"{platform.node()}: {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}")
    signals, usage = demo_signals()
    bench_linking("demo world", signals, usage, args.repeat, spark)
    bench_linking("synthetic", synthetic_signals(args.signals), None, args.repeat, False)
    bench_payments(args.payments, args.repeat, spark)


if __name__ == "__main__":
    main()
