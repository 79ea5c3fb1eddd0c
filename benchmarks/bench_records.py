"""Record validation throughput: rows validated per second, and stored JSON read back per second.

Run: ``PYTHONPATH=src python benchmarks/bench_records.py``. CPU time, best of several repeats, so
other processes on a shared machine disturb it less. Rows with identifiers typed outside ASCII take
the Unicode folding path (the first one also builds the confusables table, outside the timing).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from vigil.records import RecordKind, record_from_dict
from vigil.store.codec import record_from_json, record_to_json

ROWS = 3000
REPEATS = 15
PAYMENT = {"txn_id": "t", "sender": "Wise:111", "beneficiary": "GCash:0917-000-0001",
           "amount": 40, "currency": "AUD", "amount_usd": 26.5, "sender_country": "au",
           "beneficiary_country": "PH", "sent_at": "2026-03-01T10:00:00+08:00",
           "sender_email": "Bob@Example.com"}
MEDIA = {"observation_id": "m", "account": "vidchat:a1", "pdq": "f" * 64, "quality": 90,
         "observed_at": "2026-03-01T10:00:00+00:00", "ip": "192.0.2.1"}
UNICODE_MEDIA = {**MEDIA, "account": "vidchat:\u0430l\u200dice"}


def per_second(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return ROWS / min(times)


def measure(kind: RecordKind, row: dict[str, Any], label: str) -> None:
    key = next(iter(row))
    rows = [{**row, key: f"{row[key]}{i}"} for i in range(ROWS)]
    texts = [record_to_json(record_from_dict(kind, r)) for r in rows]
    validated = per_second(lambda: [record_from_dict(kind, r) for r in rows])
    read_back = per_second(lambda: [record_from_json(kind, t) for t in texts])
    print(f"{label:14} validate {validated:9,.0f}/s   read back {read_back:9,.0f}/s")


def main() -> None:
    measure(RecordKind.PAYMENT, PAYMENT, "payment")
    measure(RecordKind.MEDIA, MEDIA, "media")
    measure(RecordKind.MEDIA, UNICODE_MEDIA, "media unicode")


if __name__ == "__main__":
    main()
