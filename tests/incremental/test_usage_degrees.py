"""Record-level degrees counted in SQL over payment parts equal those of the users' sets."""

from __future__ import annotations

from pathlib import Path

from tests.incremental.helpers import add_batch
from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.demo.world import generate_world
from vigil.identifiers import EntityKind
from vigil.incremental.arrivals import RunRecords
from vigil.incremental.usage import usage_degrees, usage_of
from vigil.model import EntityRef
from vigil.records import Payment, Record, RecordKind
from vigil.store.open import open_store
from vigil.usage import identifier_usage


def test_degrees_from_parts_equal_degrees_from_sets(tmp_path: Path) -> None:
    """A demo world (payments in parts, chats and reports in SQLite) plus a self-payment (not
    counted: an account is not its own user) and a phone shared by two senders."""
    world = generate_world(seed=11, scale=0.25)
    payments = [r for r in world.records() if isinstance(r, Payment)]
    model = payments[0]
    extra: list[Record] = [
        model.model_copy(update={"txn_id": "self-1", "beneficiary": model.sender}),
        model.model_copy(update={"txn_id": "phone-1", "sender_phone": "+639170000001"}),
        model.model_copy(update={"txn_id": "phone-2", "sender": "bank:someone-else",
                                 "sender_phone": "+639170000001"})]
    store = open_store(f"sqlite:///{tmp_path / 'vigil.db'}")
    records = SplitRecordStore(store, ColumnarRecords(tmp_path / "records"))
    add_batch(records, [*world.records(), *extra])
    run = RunRecords(records)
    assert run.parts(RecordKind.PAYMENT)
    wanted = set(identifier_usage([*world.records(), *extra]))
    wanted.add(EntityRef(EntityKind.PHONE, "+639179999999"))  # used by no record
    expected = {used: len(users - {used}) for used, users in usage_of(run, wanted).items()}
    degrees = usage_degrees(run, wanted)
    assert degrees == expected
    assert degrees[EntityRef(EntityKind.PHONE, "+639170000001")] == 2
    assert degrees[EntityRef(EntityKind.PAYMENT_ACCOUNT, model.sender)] == len(
        {p.beneficiary for p in payments if p.sender == model.sender}
        | {p.sender for p in payments if p.beneficiary == model.sender})
    store.close()
