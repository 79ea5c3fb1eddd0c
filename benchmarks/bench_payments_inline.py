"""Inline payment scoring: payments/s and per-payment latency, with the batch path as reference.

N synthetic payments (:mod:`vigil.testing.scale_payments`: a fifth of them small corridor
payments to the Philippines from a pool of repeat senders; default 50,000, ``--rows``) are fed
one at a time, in time order, to :class:`vigil.InlineScorer` with the R1-R16 typology pack
(``--pack typology``, the default) or the default pack (``--pack default``). Each call is timed
(``perf_counter_ns`` and this thread's CPU clock); the run prints payments/s (wall and per CPU
second), p50, p99 and the largest latency, against the targets (>= 3,000 payments/s at p99 <= 10
ms; Tazama's published design target is 3,000 transactions/s at <= 35 ms), and one table row
(``| inline, R1-R16 ...``) to paste into docs/payments.md.

In the same run, the batch path (DuckDB) takes the same payments: the detector with the rules
the scorer supports (the script checks that both leave the same signals), the typology score
(:func:`vigil.payments.typology.score_accounts`, checked against the scorer's account scores)
and, when some rule is batch-only, the whole pack. The machine may be shared: the load average
is printed, and CPU time (of the process, and of the scoring thread per call) is the figure to
compare across runs.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Callable
from typing import TypeVar

from vigil import InlineScorer
from vigil.engines import DuckDBEngine
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.payment_table import payment_columns
from vigil.payments.rules import PaymentRules, load_rules
from vigil.payments.typology import (
    TypologyConfig,
    TypologyScore,
    load_typology_rules,
    score_accounts,
)
from vigil.plugin import DetectionContext
from vigil.records import Payment
from vigil.store.memory import MemoryStore
from vigil.testing.scale_payments import payment_batches, payments_of

T = TypeVar("T")
TARGET_RATE = 3000.0
TARGET_P99_MS = 10.0


def timed(work: Callable[[], T]) -> tuple[T, float, float]:
    """``work()``, its wall seconds and its CPU seconds (user + system of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def percentile(sorted_ns: list[int], share: float) -> float:
    """The nearest-rank percentile of sorted nanoseconds, in milliseconds."""
    index = min(len(sorted_ns) - 1, max(0, round(share * len(sorted_ns)) - 1))
    return sorted_ns[index] / 1e6


def run_inline(payments: list[Payment], rules: PaymentRules, config: TypologyConfig,
               ) -> tuple[InlineScorer, list[int], list[int], int]:
    """Score each payment; wall and CPU (this thread's) nanoseconds of each call."""
    scorer = InlineScorer(rules, config)
    wall_ns, cpu_ns, alerts = [], [], 0
    wall, cpu = time.perf_counter_ns, time.thread_time_ns
    for payment in payments:
        start, start_cpu = wall(), cpu()
        result = scorer.score(payment)
        cpu_ns.append(cpu() - start_cpu)
        wall_ns.append(wall() - start)
        alerts += bool(result.alerts)
    return scorer, wall_ns, cpu_ns, alerts


def verdict(rate: float, p99_ms: float) -> str:
    return "met" if rate >= TARGET_RATE and p99_ms <= TARGET_P99_MS else "NOT met"


def batch(payments: list[Payment], rules: PaymentRules) -> list[str]:
    found = PaymentTypologyDetector(rules).detect(payments, DetectionContext(banks=MemoryStore()))
    return sorted(signal.id for signal in found)


def typology_scores(payments: list[Payment], rules: PaymentRules,
                    config: TypologyConfig) -> list[TypologyScore]:
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        return score_accounts(engine, rules, config)


def report_inline(n: int, scorer: InlineScorer, wall_ns: list[int], cpu_ns: list[int],
                  wall: float, cpu: float, alerts: int) -> None:
    """The inline figures, and the table row for docs/payments.md."""
    wall_ns.sort()
    cpu_ns.sort()
    p50, p99, top = (percentile(wall_ns, 0.5), percentile(wall_ns, 0.99), wall_ns[-1] / 1e6)
    c50, c99, ctop = (percentile(cpu_ns, 0.5), percentile(cpu_ns, 0.99), cpu_ns[-1] / 1e6)
    print(f"inline ({', '.join(scorer.supported)}; batch-only: "
          f"{', '.join(scorer.batch_only) or 'none'}): {n / wall:,.0f} payments/s wall, "
          f"{n / cpu:,.0f} per CPU second; {alerts:,} payments raised an alert")
    print(f"  latency wall: p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {top:.1f} ms; "
          f"CPU: p50 {c50:.3f} ms, p99 {c99:.3f} ms, max {ctop:.1f} ms")
    print(f"  target >= {TARGET_RATE:,.0f}/s at p99 <= {TARGET_P99_MS:.0f} ms: "
          f"{verdict(n / wall, p99)} on wall time, {verdict(n / cpu, c99)} on CPU time "
          "(Tazama's published target: 3,000/s at 35 ms)")
    first, last = scorer.supported[0], scorer.supported[-1]
    print(f"| inline, {first}-{last} ({len(scorer.supported)} rules) | {n / cpu:,.0f} payments/s "
          f"| {n / wall:,.0f}/s | CPU {c50:.3f} / {c99:.3f} / {ctop:.1f} ms; wall {p50:.3f} / "
          f"{p99:.3f} / {top:.1f} ms | {verdict(n / cpu, c99)} (CPU) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pack", choices=("typology", "default"), default="typology")
    args = parser.parse_args()
    table = next(payment_batches(args.rows, args.seed, batch_rows=args.rows))
    payments = sorted(payments_of(table), key=lambda p: (p.sent_at, p.txn_id))
    rules = load_typology_rules() if args.pack == "typology" else load_rules()
    config = TypologyConfig(with_features=False)
    n = len(payments)
    print(f"{n:,} payments ({sum(p.beneficiary_country == 'PH' for p in payments):,} to PH), "
          f"rules {rules.version}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")
    gc.freeze()  # the benchmark's own list of payments is not the scorer's garbage to scan
    (scorer, wall_ns, cpu_ns, alerts), wall, cpu = timed(
        lambda: run_inline(payments, rules, config))
    report_inline(n, scorer, wall_ns, cpu_ns, wall, cpu, alerts)
    supported = rules.model_copy(update={"rules": tuple(
        r for r in rules.rules if r.id in scorer.supported)})
    same_ids, b_wall, b_cpu = timed(lambda: batch(payments, supported))
    agree = same_ids == [s.id for s in scorer.signals()]
    print(f"batch detector, same rules (DuckDB): {n / b_wall:,.0f} rows/s wall, {n / b_cpu:,.0f} "
          f"per CPU second; {len(same_ids):,} signals; inline agrees: {'yes' if agree else 'NO'}")
    scores, s_wall, s_cpu = timed(lambda: typology_scores(payments, supported, config))
    same = scores == scorer.accounts()
    print(f"batch typology score (DuckDB): {n / s_wall:,.0f} rows/s wall, {n / s_cpu:,.0f} per "
          f"CPU second; {len(scores):,} accounts, {sum(s.flagged for s in scores):,} flagged; "
          f"inline scores agree: {'yes' if same else 'NO'}")
    if scorer.batch_only:
        _, f_wall, f_cpu = timed(lambda: batch(payments, rules))
        print(f"batch, whole pack (DuckDB): {n / f_wall:,.0f} rows/s wall, {n / f_cpu:,.0f} per "
              "CPU second")
    print(f"ratio inline / batch detector (same rules), per CPU second: {b_cpu / cpu:.3f}; "
          f"inline / (detector + typology score): {(b_cpu + s_cpu) / cpu:.3f}")


if __name__ == "__main__":
    main()
