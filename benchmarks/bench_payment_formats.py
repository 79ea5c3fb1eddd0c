"""Payment-format import benchmark: parse cost and peak memory of each importer, as a ratio to
the canonical CSV importer measured in the same run.

For each size, writes the same N synthetic payments as canonical CSV, ISO 20022 pacs.008 XML,
SWIFT MT103 and P2P-wallet CSV, then in a fresh process per file (so that peak RSS,
``resource.getrusage``'s ``ru_maxrss``, belongs to one run) iterates the importer's rows
(validation included, no store). Prints CPU seconds, rows/s of CPU time, peak RSS, its growth
while reading (peak over the RSS before the first row), and the CPU-time ratio to the canonical
CSV. Two sizes show whether memory grows with the file (it
should not: every importer streams). Run: ``python benchmarks/bench_payment_formats.py``.
"""

from __future__ import annotations

import argparse
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.importers.payments_formats.fixtures import (  # noqa: E402
    CREDITOR_IBAN,
    DEBTOR_IBAN,
    P2P_HEADER,
    mt103,
    pacs008,
    pacs_tx,
)

FORMATS = ("csv.payment", "iso20022.payment", "mt103.payment", "p2p-csv.payment")


def write_files(folder: Path, rows: int) -> dict[str, Path]:
    paths = {name: folder / f"p{suffix}" for name, suffix in zip(
        FORMATS, (".csv", ".xml", ".fin", ".p2p.csv"), strict=True)}
    with paths["csv.payment"].open("w") as out:
        out.write("txn_id,sender,beneficiary,amount,currency,amount_usd,sender_country,"
                  "beneficiary_country,sent_at,reference\n")
        for i in range(rows):
            out.write(f"t{i},iban:{DEBTOR_IBAN},iban:{CREDITOR_IBAN},150.00,GBP,190.5,GB,PH,"
                      f"2025-03-04T21:15:00+00:00,family support\n")
    head, tail = pacs008("@").split("@")
    with paths["iso20022.payment"].open("w") as out:
        out.write(head)
        for i in range(rows):
            out.write(pacs_tx(i))
        out.write(tail)
    with paths["mt103.payment"].open("w") as out:
        for i in range(rows):
            out.write(mt103(f"R{i}"))
    with paths["p2p-csv.payment"].open("w") as out:
        out.write(P2P_HEADER)
        for i in range(rows):
            out.write(f"w-{i},sam_{i % 500},+1 202 555 0100,rosa,+63 917 555 0100,20.00,USD,"
                      f"2025-06-01T23:40:00-05:00,gift\n")
    return paths


def run_one(name: str, path: Path) -> None:
    """In a child process: iterate one importer's rows; prints ``cpu_seconds peak_mib rows
    growth_mib`` (growth: peak RSS over the RSS before reading, i.e. what the file cost)."""
    from vigil.registry import load_registry

    importer = load_registry().importers[name]()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, accepted = time.process_time(), 0
    rows = importer.rows(path)
    for outcome in rows:
        accepted += hasattr(outcome, "record")
    seconds = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.3f} {peak:.1f} {accepted} {peak - before:.1f}")


def measure(name: str, path: Path) -> tuple[float, float, int, float]:
    out = subprocess.run([sys.executable, __file__, "--child", name, str(path)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2]), float(out[3])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--child", nargs=2)
    args = parser.parse_args()
    if args.child:
        run_one(args.child[0], Path(args.child[1]))
        return
    print(f"# {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"{'rows':>8} {'importer':<18} {'cpu s':>7} {'rows/s':>9} {'peak MiB':>9} "
          f"{'growth':>7} {'x csv':>6}")
    for rows in args.rows:
        with TemporaryDirectory() as folder:
            paths = write_files(Path(folder), rows)
            base = None
            for name in FORMATS:
                seconds, peak, accepted, growth = measure(name, paths[name])
                assert accepted == rows, (name, accepted)
                base = base or seconds
                print(f"{rows:>8} {name:<18} {seconds:>7.2f} {rows / seconds:>9,.0f} "
                      f"{peak:>9.1f} {growth:>7.1f} {seconds / base:>6.2f}")


if __name__ == "__main__":
    main()
