"""Hub benchmark: one beneficiary paid by N senders, memory and time of R4, the detector and a run.

Every measurement runs in a fresh subprocess so its peak RSS (``os.wait4``'s ``ru_maxrss``) is its
own. For each N it prints the peak RSS and seconds of

- ``sql``: the R4 (fan-in) query alone on DuckDB, the running-sum SQL the detector runs, and at
  the small sizes the old self-join (:mod:`vigil.payments.reference`) in the same run, as a ratio;
- ``detector``: :class:`PaymentTypologyDetector` (all five rules) on the payments;
- ``vigil run``: the real CLI over a SQLite store built beforehand in another process;

then the per-payment memory slope between sizes. Payments are generated in the child, so each
peak includes the Python payment objects (the ``setup`` column is the RSS before the measured
step starts); ``--normal 100000`` adds ``vigil run`` on 100,000 ordinary payments and no hub.
Run with ``make bench-hub`` (about 4 minutes on an idle 2-core machine).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from vigil.records import Payment

HUB = "gcash:hub"
START = datetime(2026, 1, 1, tzinfo=UTC)
BACKGROUND = 20_000
CORRIDORS = [("AU", "PH"), ("US", "PH"), ("GB", "VN"), ("CA", "TH"), ("DE", "DE"), ("JP", "PH")]


def hub_world(hub_senders: int, background: int = BACKGROUND, seed: int = 7) -> list[Payment]:
    """One hub paid once by each of ``hub_senders`` buyers over 60 days, plus background.

    Background: ``background / 5`` senders paying 5 times each among as many beneficiaries in
    mixed corridors over a year, a third of them relatives (same surname), so every rule has
    ordinary work to do. With no hub this is the "ordinary" world of the ``--normal`` run.
    """
    rng = random.Random(seed)
    payments = [Payment(
        txn_id=f"hub{i:07d}", sender=f"bank:buyer{i}", beneficiary=HUB, amount=25.0,
        currency="USD", amount_usd=float(rng.randint(10, 150)),
        sender_country=rng.choice(["AU", "US", "GB", "CA"]), beneficiary_country="PH",
        sent_at=START + timedelta(seconds=rng.randint(0, 60 * 86400)),
        sender_name=f"Buyer{i} Surname{i % 997}", beneficiary_name="Rosa Dizon",
        sender_phone=f"+614{i:08d}" if i % 10 == 0 else None,
    ) for i in range(hub_senders)]
    people = max(1, background // 5)
    for i in range(background):
        sender, beneficiary = i % people, rng.randrange(people)
        surname = f"Family{sender}" if sender % 3 == 0 else f"Other{beneficiary}"
        sender_country, beneficiary_country = rng.choice(CORRIDORS)
        payments.append(Payment(
            txn_id=f"bg{i:07d}", sender=f"bank:s{sender}", beneficiary=f"gcash:b{beneficiary}",
            amount=50.0, currency="USD", amount_usd=float(rng.randint(5, 400)),
            sender_country=sender_country, beneficiary_country=beneficiary_country,
            sent_at=START + timedelta(seconds=rng.randint(0, 365 * 86400)),
            sender_name=f"Sam Family{sender}", beneficiary_name=f"Ana {surname}",
            sender_email=f"s{sender}@example.org" if sender % 5 == 0 else None))
    return payments


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child_sql(hub_senders: int, which: str) -> dict[str, Any]:
    from vigil.engines import DuckDBEngine
    from vigil.payments import load_rules
    from vigil.payments.payment_table import payment_columns
    from vigil.payments.reference import self_join_fan_sql
    from vigil.payments.rules import FanInParams
    from vigil.payments.sql import fan_in_sql

    params = load_rules().rule("R4").parameters
    assert isinstance(params, FanInParams)
    sql = fan_in_sql(params) if which == "new" else self_join_fan_sql(params)
    payments = hub_world(hub_senders)
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        setup_kb, start = _rss_kb(), time.perf_counter()
        rows = engine.query(sql)
    seconds = time.perf_counter() - start
    hub_row = next(row for row in rows if row["beneficiaries"] == [HUB])
    return {"setup_kb": setup_kb, "seconds": seconds, "payments": len(payments),
            "hub_senders_in_window": hub_row["distinct_senders"], "rows_digest": _digest(rows)}


def _digest(rows: list[dict[str, Any]]) -> str:
    """A hash of every row with its arrays sorted and sums rounded: equal rows, equal digest."""
    canonical = [{key: sorted(value) if isinstance(value, list) else
                  round(value, 6) if isinstance(value, float) else str(value)
                  for key, value in row.items()} for row in rows]
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def child_detector(hub_senders: int) -> dict[str, Any]:
    from vigil.payments import PaymentTypologyDetector
    from vigil.plugin import DetectionContext
    from vigil.store.memory import MemoryStore

    payments = hub_world(hub_senders)
    detector = PaymentTypologyDetector()
    setup_kb, start = _rss_kb(), time.perf_counter()
    signals = list(detector.detect(payments, DetectionContext(banks=MemoryStore())))
    return {"setup_kb": setup_kb, "seconds": time.perf_counter() - start,
            "payments": len(payments), "signals": len(signals)}


def child_build(hub_senders: int, url: str, background: int) -> dict[str, Any]:
    from vigil.store.open import open_store

    payments = hub_world(hub_senders, background)
    store = open_store(url)
    start = time.perf_counter()
    store.add_records(payments)
    store.close()
    return {"seconds": time.perf_counter() - start, "payments": len(payments)}


def measured(argv: list[str], env: dict[str, str] | None = None) -> tuple[dict[str, Any], float]:
    """Run ``argv``; its last stdout line as JSON (if any) and its own peak RSS in MB."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{argv} failed with {process.returncode}:\n{output[-2000:]}")
    lines = output.strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        result = {}
    result.setdefault("seconds", time.perf_counter() - start)
    return result, usage.ru_maxrss / 1024


def _me(*args: str) -> list[str]:
    return [sys.executable, __file__, "--child", *args]


def _slopes(label: str, points: list[tuple[int, float]]) -> None:
    for (n1, mb1), (n2, mb2) in zip(points, points[1:], strict=False):
        print(f"  {label} slope {n1:,} -> {n2:,} payments: "
              f"{(mb2 - mb1) * 1024 * 1024 / (n2 - n1):,.0f} B/payment")


def bench_sql(sizes: list[int], old_sizes: list[int]) -> None:
    print("R4 query alone (DuckDB): peak RSS MB / seconds")
    for n in sorted(set(sizes) | set(old_sizes)):
        new, new_mb = measured(_me("sql", str(n), "new"))
        line = (f"  hub {n:>7,} ({new['payments']:,} payments): running sum {new_mb:7.0f} MB "
                f"{new['seconds']:6.2f} s (setup {new['setup_kb'] / 1024:.0f} MB, "
                f"{new['hub_senders_in_window']:,} senders in the busiest window)")
        if n in old_sizes:
            old, old_mb = measured(_me("sql", str(n), "old"))
            same = old["rows_digest"] == new["rows_digest"]
            line += (f"; self-join {old_mb:7.0f} MB {old['seconds']:6.2f} s: "
                     f"{old_mb / new_mb:.1f}x memory, {old['seconds'] / new['seconds']:.0f}x "
                     f"time, same rows: {same}")
        print(line, flush=True)


def bench_detector(sizes: list[int]) -> None:
    print("payments detector, all rules: peak RSS MB / seconds")
    points = []
    for n in sizes:
        result, mb = measured(_me("detector", str(n)))
        points.append((result["payments"], mb))
        print(f"  hub {n:>7,} ({result['payments']:,} payments): {mb:7.0f} MB "
              f"{result['seconds']:6.2f} s (setup {result['setup_kb'] / 1024:.0f} MB, "
              f"{result['signals']:,} signals)", flush=True)
    _slopes("detector", points)


def bench_run(sizes: list[int], background: int = BACKGROUND, ordinary: bool = False) -> None:
    world = "ordinary payments, no hub" if ordinary else "hub"
    print(f"vigil run (CLI, SQLite store built beforehand), {world}: peak RSS MB / seconds")
    points = []
    for n in sizes:
        with TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/hub.db"
            built, _ = measured(_me("build", str(n), url, str(background)))
            env = {**os.environ, "VIGIL_DATABASE_URL": url}
            command = [sys.executable, "-c", "from vigil.cli.main import app; app()", "run",
                       "--limit", "1"]
            result, mb = measured(command, env)
        points.append((built["payments"], mb))
        label = "no hub" if ordinary else f"hub {n:>7,}"
        print(f"  {label} ({built['payments']:,} payments): {mb:7.0f} MB "
              f"{result['seconds']:6.2f} s, {mb * 1024 * 1024 / built['payments']:,.0f} "
              f"B/payment overall (store built in {built['seconds']:.0f} s)", flush=True)
    _slopes("vigil run", points)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 50_000, 100_000])
    parser.add_argument("--old-sizes", type=int, nargs="*", default=[2_000, 4_000])
    parser.add_argument("--run-sizes", type=int, nargs="*",
                        default=[10_000, 50_000, 100_000])
    parser.add_argument("--normal", type=int, nargs="*", default=[],
                        help="also `vigil run` on this many ordinary payments and no hub")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, n, *rest = args.child
        runs = {"sql": lambda: child_sql(int(n), rest[0]),
                "detector": lambda: child_detector(int(n)),
                "build": lambda: child_build(int(n), rest[0], int(rest[1]))}
        print(json.dumps(runs[mode]()))
        return
    print(f"machine: {platform.machine()} {os.cpu_count()} cpus, python "
          f"{platform.python_version()}; background {BACKGROUND:,} payments", flush=True)
    if args.sizes or args.old_sizes:
        bench_sql(args.sizes, args.old_sizes)
    if args.sizes:
        bench_detector(args.sizes)
    if args.run_sizes:
        bench_run(args.run_sizes)
    for payments in args.normal:
        bench_run([0], payments, ordinary=True)


if __name__ == "__main__":
    main()
