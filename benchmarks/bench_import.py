"""Import benchmark: rows/s and peak memory of streaming import, against whole-file import.

For each size, writes N payment rows as CSV and as JSON Lines, then in a fresh process each
(so that peak RSS, ``resource.getrusage``'s ``ru_maxrss``, belongs to one run) imports the file
into a fresh SQLite store:

- ``stream``: :func:`vigil.ingest.import_file` (rows stored a chunk at a time);
- ``whole-file``: the old behaviour, ``Importer.read`` (every row in memory) then one
  ``add_records`` call;
- ``json.loads``: the floor, parsing every line and nothing else (JSON Lines only).

Prints rows/s, peak RSS and the ratio to the whole-file run. Run with ``make bench-import``.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

ROW = {"sender": "wise:{i}", "beneficiary": "gcash:0917{j:07d}", "amount": 40.5,
       "currency": "AUD", "amount_usd": 26.5, "sender_country": "AU",
       "beneficiary_country": "PH", "sent_at": "2026-03-01T10:00:00+00:00",
       "reference": "school fees"}


def payment(i: int) -> dict[str, object]:
    row = {k: v.format(i=i, j=i % 5000) if isinstance(v, str) else v for k, v in ROW.items()}
    return {"txn_id": f"t{i}", **row}


def write_files(folder: Path, rows: int) -> dict[str, Path]:
    jsonl, table = folder / "p.jsonl", folder / "p.csv"
    with jsonl.open("w") as out_jsonl, table.open("w", newline="") as out_csv:
        writer = csv.DictWriter(out_csv, fieldnames=list(payment(0)))
        writer.writeheader()
        for i in range(rows):
            row = payment(i)
            out_jsonl.write(json.dumps(row) + "\n")
            writer.writerow(row)
    return {"jsonl": jsonl, "csv": table}


def run_one(mode: str, path: Path, db: Path) -> None:
    """In a child process: one import; prints ``seconds peak_rss_mib stored``."""
    from vigil.ingest import choose_importer, import_file
    from vigil.records import RecordKind
    from vigil.registry import load_registry
    from vigil.store.open import open_store

    importers = load_registry().importers
    start = time.perf_counter()
    stored = 0
    if mode == "json.loads":
        with path.open("rb") as handle:
            stored = sum(1 for line in handle if json.loads(line))
    else:
        store = open_store(f"sqlite:///{db}")
        if mode == "stream":
            stored = import_file(store, RecordKind.PAYMENT, path, importers).added
        else:
            result = choose_importer(RecordKind.PAYMENT, path, importers)().read(path)
            stored = store.add_records(result.records).added
            store.add_quarantine(result.quarantined)
        store.close()
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{seconds:.3f} {peak_mib:.1f} {stored}")


def measure(mode: str, path: Path, db: Path) -> tuple[float, float, int]:
    out = subprocess.run([sys.executable, __file__, "--one", mode, str(path), str(db)],
                         check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one[0], Path(args.one[1]), Path(args.one[2]))
        return
    print(f"python {platform.python_version()} on {platform.machine()}, SQLite store")
    print(f"{'rows':>8} {'format':>6} {'mode':>11} {'rows/s':>9} {'peak MiB':>9} {'vs whole':>9}")
    for rows in args.rows:
        with TemporaryDirectory() as folder:
            files = write_files(Path(folder), rows)
            for fmt, path in files.items():
                modes = ["whole-file", "stream"] + (["json.loads"] if fmt == "jsonl" else [])
                results = {}
                for mode in modes:
                    db = Path(folder) / f"{fmt}-{mode}.db"
                    results[mode] = measure(mode, path, db)
                    seconds, peak, stored = results[mode]
                    assert stored == rows, (mode, stored)
                    base = results["whole-file"]
                    ratio = f"{base[0] / seconds:.2f}x / {peak / base[1]:.2f}"
                    print(f"{rows:>8} {fmt:>6} {mode:>11} {rows / seconds:>9,.0f} {peak:>9.0f}"
                          f" {ratio:>9}")


if __name__ == "__main__":
    main()
