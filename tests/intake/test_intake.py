"""The intake library: durable, idempotent, validated like the importers, matched at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from typing import Any

import pytest

from vigil.intake.ledger import IdempotencyConflict
from vigil.intake.parse import BatchTooLarge, IntakeRejected, parse_body
from vigil.intake.rerun import DebouncedRun
from vigil.intake.service import Intake
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.records import RecordKind, record_from_dict
from vigil.registry import load_registry
from vigil.runs import run
from vigil.settings import Settings
from vigil.store.interfaces import Store
from vigil.store.open import open_store

KNOWN = "f" * 16 + "0" * 48
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def report(n: int, **changes: Any) -> dict[str, Any]:
    return {"report_id": f"r{n}", "reporter": f"vidchat:viewer{n}", "reported": "vidchat:host",
            "session_id": f"s{n}", "reported_at": "2026-11-29T10:00:00Z",
            "reason": "asked my age and to keep it secret", **changes}


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with closing(open_store(store_url)) as opened:
        opened.add_bank(BankInfo("known"))
        opened.add_bank_entries([BankEntry("known", KNOWN, "pdq", label="drawn test picture")])
        yield opened


def intake(store: Store, **settings: Any) -> Intake:
    return Intake(store, Settings(database_url="memory://", **settings), load_registry(),
                  background=False, clock=lambda: NOW)


def test_a_retry_with_the_same_key_gets_the_same_answer_and_stores_once(store: Store) -> None:
    service = intake(store)
    first = service.accept(RecordKind.REPORT, [report(1), report(2)], "key-1")
    again = service.accept(RecordKind.REPORT, [report(1), report(2)], "key-1")
    assert not first.replayed and again.replayed
    assert again.body == first.body
    assert [r["id"] for r in first.body["records"]] == ["r1", "r2"]
    assert len(store.records(RecordKind.REPORT)) == 2


def test_a_retry_without_a_key_stores_nothing_twice(store: Store) -> None:
    service = intake(store)
    service.accept(RecordKind.REPORT, [report(1)])
    service.accept(RecordKind.REPORT, [report(1)])
    assert len(store.records(RecordKind.REPORT)) == 1


def test_a_key_reused_for_another_request_is_refused(store: Store) -> None:
    service = intake(store)
    service.accept(RecordKind.REPORT, [report(1)], "key-1")
    with pytest.raises(IdempotencyConflict, match="key-1"):
        service.accept(RecordKind.REPORT, [report(2)], "key-1")
    assert len(store.records(RecordKind.REPORT)) == 1


def test_a_records_own_id_with_other_content_is_refused_and_nothing_is_stored(
        store: Store) -> None:
    service = intake(store)
    service.accept(RecordKind.REPORT, [report(1)])
    with pytest.raises(IdempotencyConflict, match="report_id 'r1'"):
        service.accept(RecordKind.REPORT, [report(2), report(1, reason="something else")])
    assert [r.report_id for r in store.records(RecordKind.REPORT)] == ["r1"]  # type: ignore


def test_bad_items_are_refused_with_their_field_paths(store: Store) -> None:
    service = intake(store)
    with pytest.raises(IntakeRejected) as refused:
        service.accept(RecordKind.REPORT, [report(1), {"report_id": "r2"}, "text",
                                           report(3, reported_at="2026-12-05T00:00:00Z")])
    locs = {tuple(p.loc) for p in refused.value.problems}
    assert {(1, "reporter"), (2,), (3, "reported_at")} <= locs
    assert any("in the future" in p.msg for p in refused.value.problems)
    assert store.records(RecordKind.REPORT) == []


def test_a_batch_over_the_limit_is_refused(store: Store) -> None:
    with pytest.raises(BatchTooLarge, match="at most 2"):
        intake(store, api_max_batch=2).accept(RecordKind.REPORT, [report(n) for n in range(3)])


@pytest.mark.parametrize(("body", "content_type", "count"), [
    (b'{"a": 1}', "application/json", 1),
    (b'[{"a": 1}, {"a": 2}]', "application/json; charset=utf-8", 2),
    (b'{"a": 1}\n\n{"a": 2}\n{"a": 3}\n', "application/x-ndjson", 3),
])
def test_bodies_are_one_object_an_array_or_ndjson(body: bytes, content_type: str,
                                                   count: int) -> None:
    assert len(parse_body(body, content_type)) == count


def test_a_bad_ndjson_line_is_named() -> None:
    with pytest.raises(IntakeRejected, match="body.2: invalid JSON"):
        parse_body(b'{"a": 1}\n{oops\n', "application/x-ndjson")


def test_a_reported_frame_that_matches_a_bank_is_answered_and_stored_as_a_signal(
        store: Store) -> None:
    receipt = intake(store).accept(RecordKind.REPORT, [report(1, frame_pdqs=[KNOWN])])
    row = receipt.body["records"][0]
    assert [m["bank"] for m in row["matches"]] == ["known"]
    assert row["signal_id"] in {s.id for s in store.signals()}


def test_a_media_observation_is_matched_at_once(store: Store) -> None:
    observation = {"observation_id": "o1", "account": "vidchat:host", "pdq": KNOWN,
                   "observed_at": "2026-11-29T10:00:00Z"}
    receipt = intake(store).accept(RecordKind.MEDIA, [observation])
    assert receipt.body["records"][0]["matches"][0]["bank"] == "known"


def test_the_services_cases_are_what_vigil_run_gives_over_the_same_data(
        store: Store, tmp_path: Any) -> None:
    service = intake(store)
    service.accept(RecordKind.REPORT, [report(1, frame_pdqs=[KNOWN]), report(2)])
    service.accept(RecordKind.MESSAGE, [{
        "conversation_id": "vidchat:c1", "message_id": "m1", "sender": "vidchat:host",
        "recipient": "vidchat:viewer1", "sent_at": "2026-11-29T09:00:00Z",
        "text": "how old are you? keep this our secret"}])
    service.run_now()
    with closing(open_store("memory://")) as batch:
        batch.add_bank(BankInfo("known"))
        batch.add_bank_entries(store.bank_entries())
        for kind in RecordKind:
            batch.add_records([record_from_dict(kind, r.model_dump(mode="json"))
                               for r in store.records(kind)])
        expected = run(batch, Settings(database_url="memory://"), load_registry()).cases
    assert [(c.id, c.priority) for c in store.cases()] == [(c.id, c.priority) for c in expected]
    assert store.cases()


def test_a_burst_of_pokes_costs_one_run() -> None:
    calls: list[float] = []
    done = threading.Event()
    rerun = DebouncedRun(lambda: (calls.append(time.monotonic()), done.set()), delay_s=0.2)
    for _ in range(20):
        rerun.poke()
    assert done.wait(5)
    rerun.close()
    assert len(calls) == 1 and rerun.runs == 1


def test_a_failed_run_is_counted_and_the_next_poke_runs_again() -> None:
    outcomes = iter([RuntimeError("store busy"), None])

    def action() -> None:
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome

    rerun = DebouncedRun(action, delay_s=60)
    rerun.poke()
    rerun.flush()
    rerun.poke()
    rerun.close()
    assert (rerun.failures, rerun.runs) == (1, 1)


def payment(n: int, day: int, **changes: Any) -> dict[str, Any]:
    """A small AU to PH payment from one sender to one of four beneficiaries."""
    return {"txn_id": f"t{n}", "sender": "bank:buyer", "beneficiary": f"gcash:b{n % 4}",
            "amount": 20, "currency": "USD", "amount_usd": 20, "sender_country": "AU",
            "beneficiary_country": "PH", "sent_at": f"2026-10-{day:02d}T21:00:00Z", **changes}


def test_payments_are_scored_inline_with_their_history_when_asked(store: Store) -> None:
    first = intake(store, inline_payments=True)
    early = first.accept(RecordKind.PAYMENT, [payment(n, n + 1) for n in range(20)])
    assert early.body["alerts"] and early.body["alerts"][0]["account"] == (
        "payment_account:bank:buyer")
    assert {r["id"] for r in early.body["alerts"][0]["rules"]} >= {"R1", "R3"}
    restarted = intake(store, inline_payments=True)  # warm-started from the stored twenty
    later = restarted.accept(RecordKind.PAYMENT, [payment(20, 22)])
    assert later.body["alerts"][0]["score"] >= early.body["alerts"][0]["score"]
    assert "R2" not in {r["id"] for r in early.body["alerts"][0]["rules"]}
    assert "R2" in {r["id"] for r in later.body["alerts"][0]["rules"]}
    assert "alerts" not in intake(store).accept(RecordKind.PAYMENT, [payment(21, 23)]).body
