"""Incremental run against a full run: N stored payments, then 30,000 new ones.

N synthetic payments (:mod:`vigil.testing.scale_payments`, default 10,000,000; ``--rows``) are
written as Parquet parts of the columnar store by DuckDB straight from a CSV (typed columns,
``record_id``, ``content_hash``; not validated, as ``bench_scale.py``'s ``typology-sql-bulk``
does, so the benchmark times the run and not the import), and a SQLite operational store beside
them. In one process:

1. ``vigil run`` over the N payments (the first run: everything is new), which leaves the
   checkpoint;
2. 30,000 new payments (``--new``) from the same sender and beneficiary pools arrive as a new
   part, sent over the stored payments' 180 days or, with ``--arrival day``, within the day
   after them (as a bank's day arrives), and ``vigil run`` processes them incrementally;
3. ``vigil run --full`` over all N + 30,000, the reference the incremental run is measured
   against (it must and does leave the same cases; tests/incremental checks that).

With ``--first-only`` only the first run is timed (with the md5 of what it leaves: a whole
run's peak memory at sizes where the three runs take too long). With ``--detect-only`` only
the incremental detection of the new payments is timed, by each
payment detector (the R1-R16 findings, then the typology score; each: the keys of its partitions
the new part touches, then its SQL over those keys' whole history in the N + 30,000 stored
payments, signals built): the part of a run that this design makes
proportional to what arrived, at sizes where a whole run does not fit the machine.

Each run is split into its steps (detect, link, triage and storing) from the pipeline's progress
callback. Prints wall and CPU seconds per step and per run, the ratio incremental / full, peak
RSS and the load average (the machine may be shared). ``make bench-scale`` runs it after
``bench_scale.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import write_csv  # noqa: E402


def copy_part(csv: Path, target: Path) -> None:
    """One Parquet file at ``target`` in the part schema (key columns, ``data`` left NULL so
    records are read from the typed columns, typed columns) from ``csv``."""
    import duckdb

    from vigil.records import Payment

    fields = ", ".join(Payment.model_fields)
    connection = duckdb.connect()
    connection.execute(
        f"COPY (SELECT txn_id AS record_id, sha256(CAST(t AS VARCHAR)) AS content_hash, "
        f"NULL::VARCHAR AS data, {fields} "
        f"FROM (SELECT * REPLACE (CAST(sent_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS sent_at), "
        f"'p2p' AS channel, 'individual' AS sender_type, "
        f"'individual' AS beneficiary_type, '' AS reference, NULL::VARCHAR AS sender_name, "
        f"NULL::VARCHAR AS beneficiary_name, NULL::VARCHAR AS sender_email, "
        f"NULL::VARCHAR AS beneficiary_phone FROM read_csv('{csv}', header = true)) t) "
        f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
    connection.close()


ARRIVALS = ("spread", "day")
"""When the new payments were sent: ``spread`` over the stored payments' whole 180 days (as
before 2026-12-01), or ``day``: within the day after the last stored one, as a bank's daily
arrival is (the same sender and beneficiary pools either way, so mostly existing accounts)."""


def write_new(path: Path, first: int, rows: int, total: int, seed: int = 99,
              arrival: str = "spread") -> None:
    """``rows`` new payments numbered from ``first``, drawn from the pools of a ``total`` set,
    sent as ``arrival`` says (:data:`ARRIVALS`)."""
    import numpy as np
    import pyarrow.csv as pa_csv

    from vigil.testing.scale_payments import SPAN_SECONDS, START_SECONDS, payment_batch

    when = ((START_SECONDS, SPAN_SECONDS) if arrival == "spread"
            else (START_SECONDS + SPAN_SECONDS, 86_400))
    batch = payment_batch(np.random.default_rng(seed), first, rows, total, *when)
    with path.open("wb") as handle:
        pa_csv.write_csv(batch, handle, pa_csv.WriteOptions(quoting_style="none"))


def rss_mib() -> float:
    """The process's resident memory now (``/proc/self/statm``; 0 where there is none)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class Steps:
    """Wall and CPU seconds per pipeline step, from the progress callback, and each step's peak
    resident memory (sampled every 0.1 s by a thread, since ``ru_maxrss`` only ever grows over
    the process's life and cannot say which step or run held the memory)."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float, float]] = []
        self.peaks: dict[str, float] = {}
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def __call__(self, step: str) -> None:
        self.marks.append(("detect" if step.startswith("detect") else step, time.perf_counter(),
                           time.process_time()))
        self._note()

    def _note(self) -> None:
        name = self.marks[-1][0] if self.marks else "start"
        self.peaks[name] = max(self.peaks.get(name, 0.0), rss_mib())

    def _sample(self) -> None:
        while not self._done.wait(0.1):
            self._note()

    def stop(self) -> None:
        """End the sampling (the last step's peak included)."""
        self._note()
        self._done.set()
        self._sampler.join()

    def split(self, end: float, cpu_end: float) -> dict[str, tuple[float, float]]:
        """Step -> (wall, CPU) seconds."""
        spent: dict[str, tuple[float, float]] = {}
        for (name, at, cpu_at), (_, then, cpu_then) in zip(
                self.marks, [*self.marks[1:], ("end", end, cpu_end)], strict=True):
            wall, cpu = spent.get(name, (0.0, 0.0))
            spent[name] = (wall + then - at, cpu + cpu_then - cpu_at)
        return spent


def timed(label: str, run: Callable[[Steps], object]) -> float:
    """Run once; print wall / CPU seconds per step, CPU seconds (all threads) and the cases."""
    print(f"  {label}: RSS before {rss_mib():,.0f} MiB", flush=True)
    steps = Steps()
    start, cpu = time.perf_counter(), time.process_time()
    result = run(steps)
    end, cpu_end = time.perf_counter(), time.process_time()
    steps.stop()
    parts = "  ".join(f"{name} {wall:.1f}/{spent:.1f} s {steps.peaks.get(name, 0):,.0f} MiB"
                      for name, (wall, spent) in steps.split(end, cpu_end).items())
    count = getattr(result, "case_count", None)  # main before 2026-11-30 22:00 had no count
    cases = count if count is not None else len(getattr(result, "cases", []))
    signals = sum(getattr(result, "signals_by_detector", {}).values())
    print(f"  {label:24} {end - start:8.1f} s wall {cpu_end - cpu:8.1f} s CPU  (wall/CPU/peak "
          f"RSS: {parts})  signals {signals:,}  cases {cases:,}  peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB, RSS after "
          f"{rss_mib():,.0f} MiB", flush=True)
    return end - start


def rebuilt(store: object) -> object:
    """How many cases the last run rebuilt (``all``, or a count: the rest were kept)."""
    events = [e for e in store.audit_events() if e.action == "run"]  # type: ignore[attr-defined]
    return events[-1].details.get("cases_rebuilt") if events else None


def outputs_md5(store: Any) -> str:
    """The md5 of the current signals (scope, content-hash id, score, explanation) and of the
    cases (members,
    signals, priority, reasons, status), each decoded and sorted; with their counts."""
    signals = sorted(f"{c.scope}|{c.signal.id}|{c.signal.score!r}|{c.signal.explanation}"
                     for c in store.current_signals())
    cases = sorted(repr((sorted(str(e) for e in c.entities),
                         sorted(s.id for s in c.signals), round(c.priority, 9),
                         [str(r) for r in c.reasons], c.status.value)) for c in store.cases())
    digest = [hashlib.md5("\n".join(rows).encode()).hexdigest() for rows in (signals, cases)]
    return (f"signals {len(signals):,} md5 {digest[0]}, cases {len(cases):,} md5 {digest[1]}")


MD5_ROWS = 2_000_000
"""Above this many payments ``--first-only`` prints no md5: it decodes every signal and case
(about 3.5 kB a signal), more memory than the run itself."""


def measure(rows: int, new: int, folder: Path, arrival: str = "spread",
            full_run: bool = True, first_only: bool = False) -> None:
    from vigil.columnar.split import SplitRecordStore
    from vigil.columnar.store import ColumnarRecords
    from vigil.registry import load_registry
    from vigil.runs import run
    from vigil.settings import Settings
    from vigil.store.open import open_store

    parts = folder / "records" / "payment"
    parts.mkdir(parents=True)
    start = time.perf_counter()
    write_csv(folder / "stored.csv", rows)
    copy_part(folder / "stored.csv", parts / "part-0-stored.parquet")
    (folder / "stored.csv").unlink()
    print(f"{rows:,} stored payments written as a part in {time.perf_counter() - start:.1f} s",
          flush=True)
    store = open_store(f"sqlite:///{folder / 'vigil.db'}")
    records = SplitRecordStore(store, ColumnarRecords(folder / "records"))
    settings, registry = Settings(), load_registry()

    def once(full: bool) -> Callable[[Steps], object]:
        return lambda steps: run(store, settings, registry, steps, records_from=records,
                                 full=full)

    print(f"new payments sent: {arrival}", flush=True)
    timed(f"first run ({rows:,})", once(False))
    if first_only:
        if rows <= MD5_ROWS:
            print(f"  after the first run: {outputs_md5(store)}", flush=True)
        store.close()
        return
    write_new(folder / "new.csv", rows, new, rows, arrival=arrival)
    copy_part(folder / "new.csv", parts / "part-1-new.parquet")
    incremental = timed(f"incremental (+{new:,})", once(False))
    print(f"  cases rebuilt by the incremental run: {rebuilt(store)}")
    print(f"  after the incremental run: {outputs_md5(store)}", flush=True)
    if not full_run:
        store.close()
        return
    full = timed(f"full ({rows + new:,})", once(True))
    print(f"  after the full run: {outputs_md5(store)}", flush=True)
    print(f"  incremental / full: {incremental / full:.3f} ({full / incremental:.1f}x faster)")
    store.close()


def detect_only(rows: int, new: int, folder: Path, arrival: str = "spread") -> None:
    """Time the incremental detection of ``new`` payments among ``rows`` stored ones, by each
    payment detector a run has (the R1-R16 findings, then the typology score), each with the
    keys of its own partitions."""
    from vigil.payments.detector import PaymentTypologyDetector
    from vigil.payments.score_detector import TypologyScoreDetector

    parts = folder / "payment"
    parts.mkdir(parents=True)
    start = time.perf_counter()
    write_csv(folder / "stored.csv", rows)
    copy_part(folder / "stored.csv", parts / "part-0-stored.parquet")
    (folder / "stored.csv").unlink()
    write_new(folder / "new.csv", rows, new, rows, arrival=arrival)
    copy_part(folder / "new.csv", parts / "part-1-new.parquet")
    print(f"{rows:,} + {new:,} payments written in {time.perf_counter() - start:.1f} s",
          flush=True)
    stored = sorted(str(p) for p in parts.glob("*.parquet"))
    total, total_cpu = 0.0, 0.0
    for detector in (PaymentTypologyDetector(), TypologyScoreDetector()):
        seconds, cpu = _detect_keyed(detector, stored, str(parts / "part-1-new.parquet"))
        total, total_cpu = total + seconds, total_cpu + cpu
    print(f"  both detectors: {total:.1f} s wall, {total_cpu:.1f} s CPU", flush=True)


def _detect_keyed(detector: Any, stored: list[str], arrived: str) -> tuple[float, float]:
    """One detector's incremental detection over ``stored`` of what ``arrived`` touches (the
    keys of its partitions, then its findings in their scopes); prints a line, returns its
    wall and CPU seconds."""
    from vigil.payments.partition_keys import keys_of_parts, scopes_of

    start, cpu = time.perf_counter(), time.process_time()
    reach = ((detector.beneficiary_profiles(),) if hasattr(detector, "beneficiary_profiles")
             else ())  # an older tree (A/B runs) has no profiles
    keys = keys_of_parts(stored, [arrived], detector.partition_keys() or (), None,
                         detector.hub_rows(), *reach)
    found = detector.detect_parquet_scoped(stored, None, keys)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    wanted = scopes_of(keys)
    print(f"  incremental detection, {detector.name}: {seconds:.1f} s wall, {cpu:.1f} s CPU, "
          f"{sum(len(v) for v in keys.values()):,} keys ({len(keys.get('payer', ())):,} payer), "
          f"{len(found):,} signals "
          f"({sum(1 for scope, _ in found if scope in wanted):,} in the keys' scopes), peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB", flush=True)
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--new", type=int, default=30_000)
    parser.add_argument("--detect-only", action="store_true",
                        help="time only the incremental detection (no first or full run)")
    parser.add_argument("--arrival", choices=ARRIVALS, default="spread",
                        help="when the new payments were sent (see ARRIVALS)")
    parser.add_argument("--no-full", action="store_true",
                        help="stop after the incremental run (no --full reference run)")
    parser.add_argument("--first-only", action="store_true",
                        help="stop after the first run (its peak memory and outputs' md5)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    with TemporaryDirectory() as scratch:
        if args.detect_only:
            detect_only(args.rows, args.new, Path(scratch), args.arrival)
        else:
            measure(args.rows, args.new, Path(scratch), args.arrival, not args.no_full,
                    args.first_only)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
