"""The case page's payment timeline reads only its accounts' payments, through the record
store's query by account (``payments_of``), on every record store: in memory, SQLite, and
Parquet parts with records still waiting in the operational store. A guard fails the test if
anything reads every payment, and a counter on the JSON decoder shows that only the accounts'
payments were decoded, however many others are stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.casework.conftest import Demo
from vigil import EntityRef, Signal, SignalKind, case_payments
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.identifiers import EntityKind
from vigil.model import Case
from vigil.records import Payment, RecordKind
from vigil.store import codec
from vigil.store.open import open_store

START = datetime(2026, 2, 1, tzinfo=UTC)
A, B, C = "wise:1", "gcash:+639170000001", "gcash:+639170000002"


def _payment(txn: str, sender: str, beneficiary: str, day: int = 0) -> Payment:
    return Payment(txn_id=txn, sender=sender, beneficiary=beneficiary, amount=50.0,
                   currency="USD", amount_usd=50.0, sender_country="US",
                   beneficiary_country="PH", sent_at=START + timedelta(days=day))


def _case() -> Case:
    subjects = (EntityRef.parse(f"payment_account:{A}"), EntityRef.parse(f"payment_account:{B}"))
    signal = Signal("payments.typologies", SignalKind.PAYMENT, subjects, 0.5, START,
                    {"txn_ids": ["ac-1"]}, "why", "1")
    return Case("case-p", subjects, (signal,), 0.5, ())


OTHERS = [_payment(f"x-{n}", f"wise:{1000 + n}", f"gcash:+6391799{n:05d}", n % 90)
          for n in range(600)]
MINE = [_payment("ab-1", A, B, 1), _payment("ab-2", A, B, 2), _payment("ba-1", B, A, 3)]
OUTSIDE = [_payment("ac-1", A, C, 4), _payment("ac-2", A, C, 5)]  # ac-1 named by the signal


class ReadsNoHistory:
    """A record store that fails the test if anything asks it for every record of a kind."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        if name in {"records", "record_batches"}:
            raise AssertionError(f"{name}() reads every stored record")
        return getattr(self._inner, name)


def _split(tmp_path: Path) -> SplitRecordStore:
    """Parquet parts, plus records waiting in the operational store (one already moved)."""
    columnar = ColumnarRecords(tmp_path / "records")
    columnar.add_records([*OTHERS[:300], MINE[0], OUTSIDE[0]])
    columnar.add_records([*OTHERS[300:], MINE[1]])
    store = open_store(f"sqlite:///{tmp_path / 'vigil.db'}")
    store.add_records([MINE[2], OUTSIDE[1], MINE[1]])
    return SplitRecordStore(store, columnar)


def _decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    decoded: list[str] = []
    real = codec.record_from_json

    def counting(record_kind: RecordKind | str, text: str) -> Any:
        decoded.append(str(record_kind))
        return real(record_kind, text)

    monkeypatch.setattr(codec, "record_from_json", counting)
    return decoded


def test_only_the_cases_accounts_payments_are_read(store_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(store_url)
    store.add_records([*OTHERS, *MINE, *OUTSIDE])
    decoded = _decoded(monkeypatch)
    found = case_payments(_case(), ReadsNoHistory(store))
    assert [p.txn_id for p in found] == ["ab-1", "ab-2", "ba-1", "ac-1"]
    if not store_url.startswith("memory"):  # the memory store keeps objects, decodes nothing
        assert len(decoded) == len(MINE) + len(OUTSIDE)  # of 605 payments stored
    assert store.payments_of([]) == []
    store.close()


def test_parquet_parts_and_waiting_records_are_queried_by_account(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _split(tmp_path)
    decoded = _decoded(monkeypatch)
    found = case_payments(_case(), ReadsNoHistory(store))
    assert [p.txn_id for p in found] == ["ab-1", "ab-2", "ba-1", "ac-1"]
    assert len(decoded) == len(MINE) + len(OUTSIDE) + 1  # ab-2's waiting copy: read, left out
    assert store.payments_of([]) == []


def test_the_query_finds_what_reading_every_payment_found(demo: Demo) -> None:
    every = [r for r in demo.store.records(RecordKind.PAYMENT) if isinstance(r, Payment)]
    checked = 0
    for case in demo.cases:
        accounts = {e.value for e in case.entities_of(EntityKind.PAYMENT_ACCOUNT)}
        named = {str(t) for s in case.signals if s.kind is SignalKind.PAYMENT
                 for t in s.evidence.get("txn_ids", [])}  # type: ignore[union-attr]
        before = sorted((p for p in every if p.txn_id in named or (
            p.sender in accounts and p.beneficiary in accounts)),
            key=lambda p: (p.sent_at, p.txn_id))
        assert case_payments(case, ReadsNoHistory(demo.store)) == before, case.id
        checked += bool(before)
    assert checked >= 3
