"""Detection quality of the payment typology pack on generated worlds, against a naive baseline.

Each held-out seed (none of them used by the tests or for tuning: tuning used seeds 101-103)
generates a world (:mod:`vigil.demo.payworld`), writes the canonical CSV and, apart, its truth;
the payments are imported with the real CSV importer, scored by the typology score
(:func:`vigil.payments.typology.score_accounts`, every rule of the shipped R1-R16 pack
``payment_typology.yaml``, on DuckDB) and ranked. Printed per world and pooled: the buyers'
average precision over all senders, the recall of buyers within an alert budget of 1 % of
senders, and on its own line the share of that budget taken by benign family remitters; the
same for the naive baseline (rank by the count of payments of at most US$200 to the
Philippines), measured in the same run. With ``--case-queue`` the senders are also ranked by the
case queue ``vigil run`` leaves with default settings (the R1-R16 pack): cases by priority, and
inside a case its payers by their typology score signal (``payments.typology_score``), then by
the sum of their other signals' scores.

    python benchmarks/bench_payments.py [--seeds 9001 9002 9003] [--senders 5000]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from vigil.demo.payworld import generate_payworld, read_truth, write_payworld
from vigil.engines import DuckDBEngine
from vigil.identifiers import EntityKind
from vigil.importers.csv_payments import PaymentCsv
from vigil.payments.payment_table import payment_columns
from vigil.payments.typology import ranked_senders, score_accounts
from vigil.records import Payment
from vigil.registry import load_registry
from vigil.runs import run
from vigil.settings import Settings
from vigil.store.memory import MemoryStore

FAMILY_ROLES = {"family", "extended_family", "in_laws"}


def average_precision(ranking: Sequence[str], positives: set[str]) -> float:
    """Mean of precision at each buyer's rank; a buyer never ranked counts as precision 0."""
    hits, total = 0, 0.0
    for rank, account in enumerate(ranking, start=1):
        if account in positives:
            hits += 1
            total += hits / rank
    return total / len(positives) if positives else 0.0


def full_ranking(ranked: Sequence[str], senders: Sequence[str]) -> list[str]:
    """``ranked`` then every other sender (in a fixed order: unscored senders tie at the end)."""
    seen = set(ranked)
    return list(ranked) + sorted(s for s in senders if s not in seen)


def figures(ranking: Sequence[str], truth: dict[str, str], senders: int) -> dict[str, float]:
    budget = max(1, math.ceil(0.01 * senders))
    buyers = {a for a, role in truth.items() if role == "buyer"}
    top = ranking[:budget]
    return {"ap": average_precision(ranking, buyers),
            "recall": sum(a in buyers for a in top) / len(buyers),
            "family": sum(truth.get(a) in FAMILY_ROLES for a in top) / budget,
            "budget": budget, "buyers": len(buyers)}


def baseline(payments: Sequence[Payment]) -> list[str]:
    """Naive: senders by their count of payments of at most US$200 to the Philippines."""
    counts = Counter(p.sender for p in payments
                     if p.beneficiary_country == "PH" and p.amount_usd <= 200.0)
    return [s for s, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def case_queue(payments: Sequence[Payment]) -> list[str]:
    """Senders in the order ``vigil run``'s case queue presents them (default settings)."""
    store = MemoryStore()
    store.add_records(payments)
    started = time.process_time()
    run(store, Settings(), load_registry())
    print(f"  vigil run (default settings): {time.process_time() - started:.1f} CPU s")
    senders = {p.sender for p in payments}
    ranked: list[str] = []
    for case in sorted(store.cases(), key=lambda c: (-c.priority, c.id)):
        score: Counter[str] = Counter()
        weight: Counter[str] = Counter()
        for signal in case.signals:
            roles = signal.evidence.get("roles")
            for ref in case.entities_of(EntityKind.PAYMENT_ACCOUNT):
                if isinstance(roles, dict) and roles.get(str(ref)) == "payer":
                    if "typology" in signal.evidence:
                        score[ref.value] = max(score[ref.value], signal.score)
                    else:
                        weight[ref.value] += signal.score
        ranked += [a for a in sorted(weight.keys() | score.keys(),
                                     key=lambda a: (-score[a], -weight[a], a))
                   if a in senders and a not in ranked]
    return ranked


def one_world(seed: int, senders: int, folder: Path,
              with_cases: bool) -> tuple[dict[str, float], ...]:
    paths = folder / f"payments-{seed}.csv", folder / f"truth-{seed}.csv"
    write_payworld(generate_payworld(seed, senders), *paths)
    result = PaymentCsv().read(paths[0])
    if result.quarantined:
        raise SystemExit(f"seed {seed}: {len(result.quarantined)} rows quarantined")
    payments = [r for r in result.records if isinstance(r, Payment)]
    truth = read_truth(paths[1])
    all_senders = sorted({p.sender for p in payments})
    started = time.process_time()
    with DuckDBEngine() as engine:
        engine.register_table("payments", payment_columns(payments))
        scores = score_accounts(engine)
    cpu = time.process_time() - started
    pack = figures(full_ranking(ranked_senders(scores), all_senders), truth, len(all_senders))
    naive = figures(full_ranking(baseline(payments), all_senders), truth, len(all_senders))
    queue = (figures(full_ranking(case_queue(payments), all_senders), truth, len(all_senders)),
             ) if with_cases else ()
    print(f"seed {seed}: {len(payments):,} payments, {len(all_senders):,} senders, "
          f"{pack['buyers']:.0f} buyers, budget {pack['budget']:.0f}; scoring CPU {cpu:.1f} s "
          f"({len(payments) / cpu:,.0f} payments per CPU second)")
    return (pack, naive, *queue)


def report(name: str, rows: Sequence[dict[str, float]]) -> None:
    mean = {k: sum(r[k] for r in rows) / len(rows) for k in ("ap", "recall", "family")}
    print(f"{name:<9} average precision {mean['ap']:.3f}   recall@1% {mean['recall']:.3f}")
    print(f"{name:<9} benign family remitters' share of the 1% budget {mean['family']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[9001, 9002, 9003])
    parser.add_argument("--senders", type=int, default=5000)
    parser.add_argument("--case-queue", action="store_true",
                        help="also rank by vigil run's case queue (about 30 CPU s a world)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            results.append(one_world(seed, args.senders, Path(tmp), args.case_queue))
    print(f"mean over seeds {args.seeds} (targets: AP >= 0.8, recall@1% >= 0.9):")
    for column, name in enumerate(("pack", "baseline", "cases")[: len(results[0])]):
        report(name, [result[column] for result in results])


if __name__ == "__main__":
    main()
