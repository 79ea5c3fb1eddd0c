"""Peak memory of a run's detection over many messages and media observations: lists against
record streams, on both record stores.

Run: ``PYTHONPATH=src python benchmarks/bench_stream_records.py --rows 100000``. Stores ``--rows``
synthetic messages and as many media observations (``vigil.testing.scale_records``; a bank holds
the PDQ of one observation in 1,000, so the media detector has matches to judge) in a SQLite
store (``VIGIL_RECORD_STORE=sql``) and in Parquet parts beside one (``parquet``). Then, for each
store, a fresh process runs the media and lexicon detectors and identifier usage (the record
passes of a run) two ways: ``lists`` reads every record of both kinds first (the path before
record streams), ``streams`` hands them :func:`vigil.pipeline.read_records` streams. Each line
prints the child's RSS when detection starts (``/proc/self/statm``), its peak RSS (``VmHWM`` of
``/proc/self/status``, the whole process, imports included; not ``ru_maxrss``, which on Linux
keeps the parent's RSS across fork and exec) and the growth between them, its CPU time, and the
signal count (both ways must agree); the ratio lines compare the two ways in one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from itertools import islice

from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.records import MediaObservation, RecordKind
from vigil.store.interfaces import RecordStore
from vigil.store.open import open_store
from vigil.testing.scale_records import synthetic_records

KINDS = (RecordKind.MESSAGE, RecordKind.MEDIA)
CHUNK = 20_000

CHILD = """
import json, resource, sys, time, tracemalloc
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.detectors.conversations import ConversationLexiconDetector
from vigil.detectors.media import MediaHashDetector
from vigil.pipeline import detect_all, read_records
from vigil.records import RecordKind
from vigil.store.open import open_store
from vigil.usage import identifier_usage
db, parts, mode, trace = sys.argv[1:]
store = open_store(db)
records = store if parts == "-" else SplitRecordStore(store, ColumnarRecords(parts))
detectors = [MediaHashDetector(), ConversationLexiconDetector()]
with open("/proc/self/statm") as statm:
    start_kib = int(statm.read().split()[1]) * (resource.getpagesize() // 1024)
if trace == "1":
    tracemalloc.start()
start = time.process_time()
kinds = (RecordKind.MESSAGE, RecordKind.MEDIA)
if mode == "lists":
    by_kind = {kind: records.records(kind) for kind in kinds}
else:
    by_kind = {kind: stream for kind, stream in read_records(records).items() if kind in kinds}
found = detect_all(by_kind, store, detectors)
usage = identifier_usage(r for group in by_kind.values() for r in group)
cpu = time.process_time() - start
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
traced = tracemalloc.get_traced_memory()[1] // 1024 if trace == "1" else 0
print(json.dumps({"start_kib": start_kib, "peak_kib": peak, "cpu_s": cpu, "traced_kib": traced,
                  "signals": sum(len(s) for s in found.values()), "usage": len(usage)}))
"""


def fill(records: RecordStore, rows: int) -> None:
    for kind in KINDS:
        stream = synthetic_records(kind, rows, seed=1)
        while chunk := list(islice(stream, CHUNK)):
            records.add_records(chunk)


def bank(store_url: str, rows: int) -> None:
    store = open_store(store_url)
    store.add_bank(BankInfo("bench", threshold=31, source="bench"))
    pdqs = [o.pdq for i, o in enumerate(synthetic_records(RecordKind.MEDIA, rows, seed=1))
            if i % 1000 == 0 and isinstance(o, MediaObservation) and o.pdq is not None]
    store.add_bank_entries([BankEntry("bench", pdq, "pdq", f"item-{i}")
                            for i, pdq in enumerate(pdqs)])
    store.close()


def measure(db: str, parts: str, mode: str, trace: bool) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, db, parts, mode, "1" if trace else "0"],
                         check=True,
                         capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def _growth(result: dict[str, float]) -> float:
    """Peak RSS above the RSS the child had when detection started (at least 1 KiB)."""
    return max(result["peak_kib"] - result["start_kib"], 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000,
                        help="messages, and as many media observations")
    parser.add_argument("--trace", action="store_true",
                        help="also the peak of Python allocations during detection (tracemalloc; "
                             "slower, so CPU times are not comparable with a run without it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        stores = {"sql": (f"sqlite:///{folder}/sql.db", "-"),
                  "parquet": (f"sqlite:///{folder}/parquet.db", f"{folder}/parts")}
        for name, (db, parts) in stores.items():
            started = time.perf_counter()
            store = open_store(db)
            fill(store if parts == "-" else SplitRecordStore(store, ColumnarRecords(parts)),
                 args.rows)
            store.close()
            bank(db, args.rows)
            print(f"{name}: stored {args.rows:,} messages and {args.rows:,} observations "
                  f"in {time.perf_counter() - started:.0f} s")
        for name, (db, parts) in stores.items():
            results = {mode: measure(db, parts, mode, args.trace)
                       for mode in ("lists", "streams")}
            for mode, r in results.items():
                print(f"{name:8} {mode:8} RSS before {r['start_kib'] / 1024:6.0f} MiB, peak "
                      f"{r['peak_kib'] / 1024:6.0f} MiB (+{_growth(r) / 1024:6.0f})  "
                      f"cpu {r['cpu_s']:6.1f} s  signals {int(r['signals'])}"
                      + (f"  traced peak {r['traced_kib'] / 1024:6.1f} MiB" if args.trace else ""))
            lists, streams = results["lists"], results["streams"]
            assert lists["signals"] == streams["signals"], "both ways must find the same"
            print(f"{name:8} streams/lists: peak x{streams['peak_kib'] / lists['peak_kib']:.2f}, "
                  f"growth x{_growth(streams) / _growth(lists):.3f}, "
                  f"cpu x{streams['cpu_s'] / lists['cpu_s']:.2f}"
                  + (f", traced x{streams['traced_kib'] / lists['traced_kib']:.3f}"
                     if args.trace else ""))
    print(f"(peak RSS: VmHWM of a fresh process each; max RSS of this parent: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
