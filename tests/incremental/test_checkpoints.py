"""The checkpoint store on every backend, and when a run falls back to a full recompute."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.incremental.helpers import Runner, add_batch
from vigil.checkpoints import FULL_SCOPE, CurrentChange, RunCheckpoint, SignalFacts
from vigil.identifiers import EntityKind
from vigil.incremental.relink import Earlier
from vigil.linking import LinkingConfig
from vigil.model import EntityRef, Signal, SignalKind
from vigil.records import Record, RecordKind
from vigil.registry import load_registry
from vigil.settings import Settings
from vigil.store.interfaces import Store
from vigil.store.memory import MemoryStore
from vigil.testing.scale_payments import payment_batches, payments_of

AT = datetime(2024, 7, 1, tzinfo=UTC)
R1_R5 = Path("payment_rules.yaml")
"""The packaged R1-R5 pack, named by its file name."""


def _signal(source: str, value: str) -> Signal:
    return Signal(source=source, kind=SignalKind.REPORT,
                  subjects=(EntityRef(EntityKind.ACCOUNT, value),), score=0.5, observed_at=AT,
                  evidence={"roles": {}}, explanation="test", detector_version="1")


def test_current_signals_follow_each_change(store: Store) -> None:
    a, b, c = _signal("d1", "a"), _signal("d1", "b"), _signal("d2", "c")
    store.add_signals([a, b, c])
    assert store.run_checkpoint() is None and store.current_signals() == []
    first = RunCheckpoint({"payment": {"count": 3}}, {"d1": "x"}, "t1")
    store.commit_run(first, CurrentChange(
        added=[(a.id, "d1", "s:a"), (b.id, "d1", "s:b"), (c.id, "d2", FULL_SCOPE)],
        replace_all=True))
    assert store.run_checkpoint() == first
    assert {(x.signal.id, x.detector, x.scope) for x in store.current_signals()} == {
        (a.id, "d1", "s:a"), (b.id, "d1", "s:b"), (c.id, "d2", FULL_SCOPE)}
    second = RunCheckpoint({}, {"d1": "y"}, "t2")
    store.commit_run(second, CurrentChange(dropped={"d1": {"s:a"}}, dropped_detectors={"d2"}))
    assert [x.signal.id for x in store.current_signals()] == [b.id]
    assert store.run_checkpoint() == second


def test_current_facts_describe_the_current_signals_without_decoding_them(store: Store) -> None:
    accounts = (EntityRef(EntityKind.ACCOUNT, "w"), EntityRef(EntityKind.ACCOUNT, "x"))
    witness = Signal(source="d1", kind=SignalKind.REPORT, subjects=accounts,
                     score=0.5, observed_at=AT, evidence={"roles": {"account:w": "reporter"}},
                     explanation="test", detector_version="1")
    plain = _signal("d2", "b")
    store.add_signals([witness, plain])
    # ``plain`` is committed without its facts (as rows from before migration 0012 are): it is
    # read from its JSON, and the facts read back are the same either way.
    store.commit_run(RunCheckpoint(), CurrentChange(
        added=[(witness.id, "d1", "s:w"), (plain.id, "d2", FULL_SCOPE)], replace_all=True,
        facts={witness.id: SignalFacts.of(witness, "d1", "s:w")}))
    assert store.current_facts() == [SignalFacts.of(witness, "d1", "s:w"),
                                     SignalFacts.of(plain, "d2", FULL_SCOPE)]
    assert sorted(s.id for s in store.signals_of([plain.id, "sig-unknown", plain.id])) == \
        [plain.id]
    config = LinkingConfig()
    assert Earlier.of_facts(store.current_facts()[0], config) == Earlier.of(witness, config) \
        == Earlier(witness.id, ("account:w", "account:x"), ("account:x",))


def test_live_signals_are_picked_by_source(store: Store) -> None:
    live, other = _signal("monitor.stream", "a"), _signal("payments.typologies", "b")
    store.add_signals([live, other])
    assert store.signals_from({"monitor.stream"}) == [live]
    assert store.signals_from(set()) == []


def _payments(rows: int, seed: int) -> list[Record]:
    return list(payments_of(next(payment_batches(rows, seed=seed))))


def _runner(store: MemoryStore, settings: Settings) -> Runner:
    return Runner(store, store, settings, load_registry(), False, AT)


def _modes(store: MemoryStore) -> dict[str, str]:
    details = store.audit_events()[-1].details
    assert isinstance(details["detectors"], dict)
    return details["detectors"]


def test_deleted_records_make_the_next_run_full() -> None:
    store = MemoryStore()
    payments = _payments(1500, seed=2)
    add_batch(store, payments[:1000])
    runner = _runner(store, Settings(detectors="payments.typologies"))
    runner.run()
    store.delete_records([payments[0].content_hash()])
    add_batch(store, payments[1000:])
    after = runner.run()
    assert _modes(store) == {"payments.typologies": "full"}
    reference = MemoryStore()
    add_batch(reference, [p for p in payments if p is not payments[0]])
    full = Runner(reference, reference, runner.settings, runner.registry, True, AT)
    assert [v[1:] for v in full.run()] == [v[1:] for v in after]


def test_other_settings_or_detectors_make_the_next_run_full() -> None:
    store = MemoryStore()
    add_batch(store, _payments(800, seed=3))
    _runner(store, Settings(payment_rules=R1_R5)).run()
    _runner(store, Settings(payment_rules=R1_R5)).run()
    assert set(_modes(store).values()) == {"incremental"}
    _runner(store, Settings(payment_rules=R1_R5, media_index="mih")).run()
    assert set(_modes(store).values()) == {"full"}
    before = {c.detector for c in store.current_signals()}
    panic_only = Settings(payment_rules=R1_R5, media_index="mih", detectors="reports.panic")
    _runner(store, panic_only).run()
    assert "payments.typologies" in before
    assert {c.detector for c in store.current_signals()} <= {"reports.panic"}
    assert store.records(RecordKind.PAYMENT)
