"""Scale benchmark: import and typologies over N generated payments, columnar against today's path.

Writes N synthetic payments (:mod:`vigil.testing.scale_payments`) as one CSV, then, each stage in
a fresh process (so peak RSS, ``ru_maxrss``, belongs to that stage alone):

- ``import-parquet``: ``vigil.ingest.import_files`` into the columnar store
  (``VIGIL_RECORD_STORE=parquet``): with ``--lane duckdb`` (default) the CSV lane
  (:mod:`vigil.columnar.csv_lane`: DuckDB reads and checks the plain rows in SQL, Python the
  rest), with ``--lane python`` every row validated by the importer and the Payment model; stored
  as Parquet parts, deduplicated by DuckDB over the stored key columns;
- ``typologies-parquet``: ``PaymentTypologyDetector.detect_parquet_batches`` over those parts
  (the rule SQL on DuckDB's ``read_parquet``, feature computation included, no Python object per
  row), each batch of signals stored in the SQLite store before the next is built;
- ``typology-sql`` (at N past the baseline): every enabled rule's SQL over the imported parts to
  a row count (feature computation included, signals not built), on the table ``detect_parquet``
  reads: the shared corridor's payments, read from the parts once;
- ``typology-sql-bulk`` (only with ``--only``): the same over parts DuckDB writes straight from the
  CSV without validation (the shortcut used before the CSV lane could import 10M rows);
- ``pack-duckdb`` and ``pack-spark`` (only with ``--only``; ``_pack.py``): the whole R1-R16 pack
  (``payment_typology.yaml``) and the typology score (benign shapes and temporal features
  included) over the bulk parts, on DuckDB or Spark local: one shared scan of the parts
  (:mod:`vigil.payments.pack_table`), every rule's findings as the score reads them (R4,
  which the score does not count, to a count), every account scored; per-query seconds on
  stderr. Spark's CPU and peak RSS include its JVM. For a
  quick round: ``--only pack-duckdb --rows 1000000``;
- at ``--baseline-rows`` (default 1,000,000, or N if smaller), today's path in the same run:
  ``import-sql`` (the ``records`` table of a SQLite store) and ``typologies-sql`` (records read
  back as Payment objects, loaded into DuckDB, rules run), and the ratio of the two paths.

Prints rows/s, CPU seconds (every thread) and peak RSS per stage and the machine's load average
(the machine may be shared: CPU seconds are the figure its load does not inflate).
Run with ``make bench-scale`` (10,000,000 rows) or ``--rows``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    import pyarrow.csv as pa_csv

    from vigil.testing.scale_payments import payment_batches

    with path.open("wb") as handle:
        for number, batch in enumerate(payment_batches(rows, seed)):
            # No quotes (no cell needs them): the CSV lane reads only unquoted files.
            options = pa_csv.WriteOptions(include_header=number == 0, quoting_style="none")
            pa_csv.write_csv(batch, handle, write_options=options)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process, every thread (DuckDB's too), and of a Spark JVM it started:
    on a shared machine, the figure the load does not inflate."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + _jvm()[0]


def _jvm() -> tuple[float, float]:
    """CPU seconds and peak RSS (MiB) of this process's child processes (Spark's JVM), from
    /proc (Linux); zeros when there are none."""
    cpu, peak = 0.0, 0.0
    for tasks in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        for pid in tasks.read_text().split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            peak += next((int(line.split()[1]) / 1024 for line in status.splitlines()
                          if line.startswith("VmHWM:")), 0.0)
    return cpu, peak


def stage(name: str, csv: Path, folder: Path, lane: str = "duckdb") -> dict[str, float]:
    """In a child process: one stage; returns seconds, peak RSS and rows it handled."""
    from vigil.columnar.split import SplitRecordStore
    from vigil.columnar.store import ColumnarRecords
    from vigil.ingest import import_files
    from vigil.payments.detector import PaymentTypologyDetector
    from vigil.plugin import DetectionContext
    from vigil.records import RecordKind
    from vigil.registry import load_registry
    from vigil.store.open import open_store

    store = open_store(f"sqlite:///{folder / 'vigil.db'}")
    parts = ColumnarRecords(folder / "records")
    start, cpu, rows, signals = time.perf_counter(), _cpu_s(), 0, 0
    if name.startswith("import"):
        target = SplitRecordStore(store, parts) if name == "import-parquet" else store
        [summary] = import_files(target, RecordKind.PAYMENT, [csv], load_registry().importers,
                                 columnar_lane=lane == "duckdb")
        rows = summary.lines - 1
    elif name == "typology-sql-bulk":
        written = time.perf_counter()
        bulk = bulk_parts(csv, folder)
        print(f"bulk parts written in {time.perf_counter() - written:.1f} s", file=sys.stderr)
        start, cpu = time.perf_counter(), _cpu_s()
        signals = typology_sql_rows(bulk)
        rows = ColumnarRecords(folder / "bulk").count(RecordKind.PAYMENT)
    elif name.startswith("pack-"):
        parts_written = bulk_parts(csv, folder)
        start, cpu = time.perf_counter(), _cpu_s()
        rows = ColumnarRecords(folder / "bulk").count(RecordKind.PAYMENT)
        from _pack import pack_score
        signals = pack_score(name.removeprefix("pack-"), parts_written)
    elif name == "typology-sql":
        rows = parts.count(RecordKind.PAYMENT)
        signals = typology_sql_rows(parts.parts(RecordKind.PAYMENT))
    elif name == "typologies-parquet":
        rows = parts.count(RecordKind.PAYMENT)
        for batch in PaymentTypologyDetector().detect_parquet_batches(
                parts.parts(RecordKind.PAYMENT)):
            store.add_signals([signal for _, signal in batch])
            signals += len(batch)
    else:
        payments = store.records(RecordKind.PAYMENT)
        rows = len(payments)
        signals = len(list(PaymentTypologyDetector().detect(
            payments, DetectionContext(banks=store))))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "cpu_s": _cpu_s() - cpu, "rows": rows, "signals": signals,
            "peak_mib": _peak_mib() + _jvm()[1]}


BULK_PART_ROWS = 1_000_000


def bulk_parts(csv: Path, folder: Path) -> list[str]:
    """Parts written by DuckDB from the CSV, in the columnar store's schema minus ``data``."""
    import duckdb

    from vigil.records import Payment

    target = folder / "bulk" / "payment"
    if target.exists():  # written by an earlier stage of this run
        return sorted(str(p) for p in target.glob("*.parquet"))
    target.mkdir(parents=True)
    fields = ", ".join(Payment.model_fields)
    connection = duckdb.connect()
    connection.execute("SET preserve_insertion_order = false")
    connection.execute(
        f"COPY (SELECT txn_id AS record_id, sha256(CAST(t AS VARCHAR)) AS content_hash, "
        f"{fields} FROM (SELECT * REPLACE (CAST(sent_at AS TIMESTAMPTZ) AT TIME ZONE 'UTC' "
        f"AS sent_at), 'p2p' AS channel, 'individual' AS sender_type, "
        f"'individual' AS beneficiary_type, '' AS reference, NULL::VARCHAR AS sender_name, "
        f"NULL::VARCHAR AS beneficiary_name, NULL::VARCHAR AS sender_email, "
        f"NULL::VARCHAR AS beneficiary_phone FROM read_csv('{csv}', header = true)) t) "
        f"TO '{target}' (FORMAT parquet, COMPRESSION zstd, "
        f"FILE_SIZE_BYTES '64MB', PER_THREAD_OUTPUT false)")
    connection.close()
    return sorted(str(p) for p in target.glob("*.parquet"))


def typology_sql_rows(parts: list[str]) -> int:
    """Every enabled rule's SQL over the parts, to a count (the findings stay in DuckDB), on the
    table ``detect_parquet`` builds (the shared corridor's payments, read once)."""
    from vigil.engines import DuckDBEngine
    from vigil.payments.detector import PARQUET_MEMORY_LIMIT, register_corridor_payments
    from vigil.payments.rules import load_rules

    rules = load_rules()
    engine = DuckDBEngine(memory_limit=PARQUET_MEMORY_LIMIT)
    start = time.perf_counter()
    register_corridor_payments(engine, rules, parts)
    times = [f"corridor table {time.perf_counter() - start:.1f} s"]
    found = 0
    for rule in rules.enabled():
        start = time.perf_counter()
        sql = f"SELECT count(*) AS n FROM ({rule.rule.sql(rule.parameters)})"
        found += engine.query(sql)[0]["n"]
        times.append(f"{rule.id} {time.perf_counter() - start:.1f} s")
    engine.close()
    print("  per step: " + ", ".join(times), file=sys.stderr)
    return found


LANE = ["duckdb"]
"""``--lane``: how ``import-parquet`` reads the CSV (vigil.columnar.csv_lane, or ``python``)."""


def run_stage(name: str, csv: Path, folder: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--stage", name, "--csv", str(csv),
                          "--folder", str(folder), "--lane", LANE[0]],
                         check=True, stdout=subprocess.PIPE, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    rate = result["rows"] / result["seconds"] if result["seconds"] else 0.0
    per_cpu = result["rows"] / result["cpu_s"] if result["cpu_s"] else 0.0
    print(f"  {name:20} {result['rows']:>11,.0f} rows {result['seconds']:8.1f} s "
          f"{rate:>11,.0f} rows/s  CPU {result['cpu_s']:7.1f} s ({per_cpu:,.0f} rows/CPU-s)  "
          f"peak RSS {result['peak_mib']:7,.0f} MiB  findings {result['signals']:,.0f}  "
          f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    return result


def measure(rows: int, scratch: Path, baseline: bool,
            only: list[str] | None = None) -> dict[str, dict[str, float]]:
    folder = scratch / f"n{rows}"
    folder.mkdir()
    csv = folder / "payments.csv"
    start = time.perf_counter()
    write_csv(csv, rows)
    print(f"{rows:,} payments: CSV written in {time.perf_counter() - start:.1f} s "
          f"({csv.stat().st_size / 2**20:,.0f} MiB)", flush=True)
    if any(name.startswith("pack-") for name in only or ()):
        start = time.perf_counter()  # written here, so no stage's peak RSS holds DuckDB's COPY
        bulk_parts(csv, folder)
        print(f"bulk parts written in {time.perf_counter() - start:.1f} s", flush=True)
    names = only or (["import-parquet", "typologies-parquet", "import-sql", "typologies-sql"]
                     if baseline else ["import-parquet", "typology-sql", "typologies-parquet"])
    return {name: run_stage(name, csv, folder) for name in names}


def _rate(result: dict[str, float]) -> float:
    return result["rows"] / result["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--baseline-rows", type=int, default=1_000_000)
    parser.add_argument("--stage")
    parser.add_argument("--csv", type=Path)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--lane", choices=["duckdb", "python"], default="duckdb",
                        help="import-parquet: the DuckDB CSV lane or the per-row Python importer")
    parser.add_argument("--only", help="comma-separated stages to run at --rows, e.g. "
                        "import-parquet (no baseline, no other stage)")
    args = parser.parse_args()
    LANE[0] = args.lane
    if args.only:
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, lane {args.lane}")
        with TemporaryDirectory() as scratch:
            measure(args.rows, Path(scratch), False, args.only.split(","))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return
    if args.stage:
        print(json.dumps(stage(args.stage, args.csv, args.folder, args.lane)))
        return
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with TemporaryDirectory() as scratch:
        baseline_rows = min(args.baseline_rows, args.rows)
        if baseline_rows:
            small = measure(baseline_rows, Path(scratch), baseline=True)
            for step in ("import", "typologies"):
                ratio = _rate(small[f"{step}-parquet"]) / _rate(small[f"{step}-sql"])
                print(f"  {step}: parquet path {ratio:.1f}x today's rows/s at {baseline_rows:,}")
        if args.rows != baseline_rows:
            measure(args.rows, Path(scratch), baseline=False)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
