"""Custody log throughput and proof sizes.

Run: ``PYTHONPATH=src python benchmarks/bench_custody.py [postgresql://...]``. Measures appends per
second on the memory store, a SQLite file and (when a URL is given) PostgreSQL, each append its
own locked, committed transaction as ``append_audit`` does; ``verify`` over the log; and the
inclusion and consistency proof sizes at 10^6 leaves. The anchor is Crosby & Wallach (USENIX
Security 2009): 1,750 events/s on one core, and a 3 KB proof at 80 M events. Wall time, so a
shared machine makes these figures low rather than high.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from vigil.audit import AuditEvent
from vigil.custody import merkle
from vigil.custody.verify import verify
from vigil.store.open import open_store

APPENDS = 2000
PROOF_LEAVES = 10**6


def _event(i: int) -> AuditEvent:
    return AuditEvent("analyst@ngo", "set_status", f"case-{i}", datetime.now(UTC),
                      {"status": "confirmed"}, role="analyst", case_id=f"case-{i}",
                      justification="benchmark")


def appends_per_second(url: str, label: str) -> None:
    store = open_store(url)
    start = time.perf_counter()
    for i in range(APPENDS):
        store.append_audit(_event(i))
    appended = APPENDS / (time.perf_counter() - start)
    entries = store.custody_entries()
    start = time.perf_counter()
    report = verify(entries, [], None)
    verified = len(entries) / (time.perf_counter() - start)
    store.close()
    assert report.ok, report.line()
    print(f"{label:<11} {appended:>9,.0f} appends/s  verify {verified:>9,.0f} entries/s")


def proof_sizes() -> None:
    leaves = [merkle.leaf_hash(i.to_bytes(8, "big")) for i in range(PROOF_LEAVES)]
    start = time.perf_counter()
    merkle.root(leaves)
    rooted = time.perf_counter() - start
    inclusion = merkle.inclusion_proof(PROOF_LEAVES // 3, leaves)
    consistency = merkle.consistency_proof(PROOF_LEAVES // 2 + 1, leaves)
    print(f"root over {PROOF_LEAVES:,} leaves: {rooted:.2f} s; inclusion proof "
          f"{32 * len(inclusion)} bytes; consistency proof {32 * len(consistency)} bytes")


def main() -> None:
    print(f"{APPENDS} appends each")
    appends_per_second("memory://", "memory")
    with tempfile.TemporaryDirectory() as folder:
        appends_per_second(f"sqlite:///{Path(folder) / 'bench.db'}", "sqlite")
    if len(sys.argv) > 1:
        appends_per_second(sys.argv[1], "postgresql")
    proof_sizes()


if __name__ == "__main__":
    main()
