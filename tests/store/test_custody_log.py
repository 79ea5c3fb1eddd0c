"""The custody log on every backend: entries chain and verify; tampering with the stored rows
(raw SQL, as an insider with database access would) is found and named by ``verify``."""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from vigil.audit import AuditEvent
from vigil.custody import merkle
from vigil.custody.entry import GENESIS, CustodyEntry, leaf_digests, seal
from vigil.custody.heads import HeadSigner, SignedHead
from vigil.custody.log import sign_custody_head, verify_custody_log
from vigil.custody.verify import VerifyReport
from vigil.store import schema
from vigil.store.interfaces import Store
from vigil.store.memory import MemoryStore
from vigil.store.open import MIGRATIONS_DIR, create_store_engine, open_store
from vigil.store.sql import SqlStore

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _event(i: int) -> AuditEvent:
    return AuditEvent(f"analyst-{i % 2}@ngo", "set_status", f"case-{i}", START + timedelta(i),
                      {"status": "confirmed", "n": i}, role="analyst", case_id=f"case-{i}",
                      justification=f"reviewed evidence {i}")


@pytest.fixture
def signer(tmp_path: Path) -> HeadSigner:
    return HeadSigner(tmp_path / "keys" / "custody.key")


@pytest.fixture
def sql_store(sql_store_url: str) -> Iterator[SqlStore]:
    store = open_store(sql_store_url)
    assert isinstance(store, SqlStore)
    for i in range(1, 6):
        store.append_audit(_event(i))
    yield store
    store.close()


def _check(store: Store, signer: HeadSigner, *witnessed: SignedHead) -> VerifyReport:
    return verify_custody_log(store, signer.public_key(), list(witnessed))


def _sql(store: SqlStore, statement: str, **params: object) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_entries_are_sealed_in_a_chain_and_verify(store: Store, signer: HeadSigner) -> None:
    events = [_event(i) for i in range(1, 6)]
    for event in events:
        store.append_audit(event)
    entries = store.custody_entries()
    assert store.audit_events() == events
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert [e.prev_hash for e in entries] == [GENESIS] + [e.leaf_hash for e in entries[:-1]]
    assert all(e.recorded_at.endswith("+00:00") for e in entries)
    head = sign_custody_head(store, signer)
    assert (head.size, head.root) == (5, merkle.root(leaf_digests(entries)).hex())
    report = _check(store, signer)
    assert report.ok and report.line().startswith(f"verified 5 entries, root {head.root}")
    assert store.custody_entries(limit=2) == entries[:2]


@pytest.mark.parametrize("column", ["actor", "role", "action", "target", "case_id", "outcome",
                                    "at", "justification", "details", "recorded_at",
                                    "prev_hash", "leaf_hash"])
def test_a_flipped_byte_in_any_column_names_its_entry(sql_store: SqlStore, signer: HeadSigner,
                                                      column: str) -> None:
    stored = getattr(sql_store.custody_entries()[2], column)
    flipped = stored[:-2] + chr(ord(stored[-2]) ^ 0x01) + stored[-1]  # ASCII stays ASCII
    _sql(sql_store, f"UPDATE audit_events SET {column} = :v WHERE seq = 3", v=flipped)
    problem = _check(sql_store, signer).problem
    assert problem is not None and (problem.kind, problem.seq) == ("altered", 3)
    assert "entry 3 was altered" in problem.message


def test_a_deleted_entry_is_a_gap(sql_store: SqlStore, signer: HeadSigner) -> None:
    _sql(sql_store, "DELETE FROM audit_events WHERE seq = 3")
    problem = _check(sql_store, signer).problem
    assert problem is not None and (problem.kind, problem.seq) == ("missing", 3)


def test_a_deleted_entry_with_the_rest_renumbered_breaks_the_chain(
        sql_store: SqlStore, signer: HeadSigner) -> None:
    _sql(sql_store, "DELETE FROM audit_events WHERE seq = 3")
    for seq in (4, 5):
        _sql(sql_store, "UPDATE audit_events SET seq = :new WHERE seq = :old", new=seq - 1,
             old=seq)
    problem = _check(sql_store, signer).problem
    assert problem is not None and (problem.kind, problem.seq) == ("chain", 3)


def test_two_swapped_entries_are_out_of_order(sql_store: SqlStore, signer: HeadSigner) -> None:
    for old, new in ((2, -2), (3, 2), (-2, 3)):
        _sql(sql_store, "UPDATE audit_events SET seq = :new WHERE seq = :old", new=new, old=old)
    problem = _check(sql_store, signer).problem
    assert problem is not None and (problem.kind, problem.seq) == ("out_of_order", 2)
    assert "stored as 3" in problem.message


def test_truncation_is_found_against_the_stored_signed_head(sql_store: SqlStore,
                                                             signer: HeadSigner) -> None:
    sign_custody_head(sql_store, signer)
    _sql(sql_store, "DELETE FROM audit_events WHERE seq > 3")
    report = _check(sql_store, signer)
    assert report.problem is not None and report.problem.kind == "truncated"
    assert "covers 5 entries, the log holds 3" in report.problem.message


def test_truncation_with_the_heads_deleted_is_found_by_a_witness(sql_store: SqlStore,
                                                                 signer: HeadSigner) -> None:
    witnessed = sign_custody_head(sql_store, signer)
    _sql(sql_store, "DELETE FROM audit_events WHERE seq > 3")
    _sql(sql_store, "DELETE FROM custody_heads")
    assert _check(sql_store, signer).ok  # only an outside copy of the head can tell
    problem = _check(sql_store, signer, witnessed).problem
    assert problem is not None and problem.kind == "truncated"


def test_a_rewritten_but_consistent_chain_fails_the_signed_head(
        sql_store: SqlStore, signer: HeadSigner) -> None:
    sign_custody_head(sql_store, signer)
    previous, rewritten = GENESIS, []
    for entry in sql_store.custody_entries():
        event = entry.event()
        if entry.seq == 2:
            event = replace(event, actor="someone-else")
        sealed = seal(entry.seq, event, previous)
        rewritten.append(sealed)
        previous = sealed.leaf_hash
    _sql(sql_store, "DELETE FROM audit_events")
    with sql_store.engine.begin() as conn:
        conn.execute(schema.audit_events.insert(), [asdict(e) for e in rewritten])
    problem = _check(sql_store, signer).problem
    assert problem is not None and (problem.kind, problem.seq) == ("head_mismatch", 5)


@pytest.mark.parametrize("forgery", ["other_key", "flipped_signature", "moved_root"])
def test_a_forged_head_is_refused(sql_store: SqlStore, signer: HeadSigner, tmp_path: Path,
                                  forgery: str) -> None:
    sign_custody_head(sql_store, signer)  # creates the trusted key
    entries = sql_store.custody_entries()
    root = merkle.root(leaf_digests(entries)).hex()
    head = HeadSigner(tmp_path / "other.key").sign(5, root)
    if forgery == "flipped_signature":
        head = signer.sign(5, root)
        head = replace(head, signature=head.signature[:-1] + ("0" if head.signature[-1] != "0"
                                                               else "1"))
    elif forgery == "moved_root":
        head = replace(signer.sign(5, root), size=4)
    sql_store.add_custody_head(head)
    problem = _check(sql_store, signer).problem
    assert problem is not None and problem.kind == "bad_signature"


def test_the_memory_store_finds_edits_and_truncation(signer: HeadSigner) -> None:
    store = MemoryStore()
    for i in range(1, 6):
        store.append_audit(_event(i))
    witnessed = sign_custody_head(store, signer)
    kept: list[CustodyEntry] = store._audit  # the list itself, as an insider would edit it
    kept[1] = replace(kept[1], justification="edited later")
    problem = _check(store, signer).problem
    assert problem is not None and (problem.kind, problem.seq) == ("altered", 2)
    del kept[1:]
    problem = _check(store, signer, witnessed).problem
    assert problem is not None and problem.kind == "truncated"


def test_heads_are_signed_every_n_appends(store: Store, signer: HeadSigner) -> None:
    store.use_head_signer(signer, every=3)
    for i in range(1, 8):
        store.append_audit(_event(i))
    assert [h.size for h in store.custody_heads()] == [3, 6]
    assert _check(store, signer).ok
    with pytest.raises(ValueError, match="every 1 or more"):
        store.use_head_signer(signer, every=0)


def test_the_key_file_is_created_once_owner_only(signer: HeadSigner) -> None:
    assert signer.public_key() is None and not signer.key_path.exists()
    first = signer.sign(0, merkle.EMPTY_ROOT.hex())
    mode = stat.S_IMODE(os.stat(signer.key_path).st_mode)
    assert mode == 0o600
    assert HeadSigner(signer.key_path).public_key() == first.public_key


def test_concurrent_writers_never_fork_the_chain(sql_store_url: str, signer: HeadSigner) -> None:
    stores = [open_store(sql_store_url) for _ in range(3)]
    start = threading.Barrier(len(stores))

    def write(store: Store, writer: int) -> None:
        start.wait()
        for i in range(15):
            store.append_audit(replace(_event(i), actor=f"writer-{writer}"))

    threads = [threading.Thread(target=write, args=(s, n)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with closing(stores[0]):
        report = _check(stores[0], signer)
        assert report.ok, report.line()
        assert report.entries == 45
    for store in stores[1:]:
        store.close()


def test_events_stored_before_the_custody_log_are_chained_by_the_migration(
        unmigrated_sql_store_url: str, signer: HeadSigner) -> None:
    engine = create_store_engine(unmigrated_sql_store_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        for seq, when in ((1, "2025-01-02T03:04:05+08:00"), (2, "2025-01-03T00:00:00+00:00"),
                          (7, "2025-01-04T00:00:00+00:00")):  # 3-6: rolled-back sequence values
            conn.execute(text("INSERT INTO audit_events (seq, actor, action, target, at, details)"
                              " VALUES (:seq, 'old@ngo', 'pause_bank', 'b', :at, :details)"),
                         {"seq": seq, "at": when, "details": f'{{"reason":"r{seq}"}}'})
    engine.dispose()
    with closing(open_store(unmigrated_sql_store_url)) as store:
        entries = store.custody_entries()
        assert [e.seq for e in entries] == [1, 2, 3]
        assert entries[0].recorded_at == "2025-01-01T19:04:05+00:00"
        assert [e.event().details for e in entries] == [{"reason": f"r{n}"} for n in (1, 2, 7)]
        assert _check(store, signer).ok
        store.append_audit(_event(9))
        assert _check(store, signer).ok and len(store.custody_entries()) == 4
