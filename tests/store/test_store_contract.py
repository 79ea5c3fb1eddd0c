"""One contract for every store: memory, SQLite and PostgreSQL must behave the same."""

from __future__ import annotations

import hashlib
import json
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from vigil.audit import AuditEvent
from vigil.identifiers import EntityKind
from vigil.media.banks.records import BankEntry, BankInfo, BankKind
from vigil.model import Case, CaseStatus, EntityRef, Reason, Signal, SignalKind
from vigil.quarantine import QuarantineEntry
from vigil.records import ChatMessage, MediaObservation, PanicReport, Payment, Record, RecordKind
from vigil.store import codec, record_ids, schema
from vigil.store.interfaces import AddResult, Store
from vigil.store.memory import MemoryStore
from vigil.store.open import (
    MIGRATIONS_DIR,
    UnsupportedDatabaseURL,
    create_store_engine,
    open_store,
)
from vigil.store.sql import SqlStore

MANILA = timezone(timedelta(hours=8))
PDQ = "f" * 48 + "0" * 16


def _records(n: int) -> list[Record]:
    """One record of each kind per ``i``; timestamps in a non-UTC zone to test offsets."""
    at = datetime(2024, 5, 1, 20, 0, tzinfo=MANILA)
    out: list[Record] = []
    for i in range(n):
        out += [
            ChatMessage(conversation_id=f"chat:c{i}", message_id=f"m{i}", sender=f"chat:@Buyer{i}",
                        recipient="chat:seller", sent_at=at, text="which app? move there"),
            MediaObservation(observation_id=f"o{i}", account=f"chat:seller{i}", observed_at=at,
                             pdq=PDQ, quality=90, ip="10.0.0.1"),
            Payment(txn_id=f"t{i}", sender=f"remit:{i}", beneficiary="gcash:0917-123", amount=25.5,
                    currency="USD", amount_usd=25.5, sender_country="us",
                    beneficiary_country="ph", sent_at=at + timedelta(minutes=i)),
            PanicReport(report_id=f"r{i}", reporter=f"chat:viewer{i}", reported="chat:seller",
                        session_id="s1", reported_at=at, reason="asked my age",
                        frame_pdqs=(PDQ,)),
        ]
    return out


def _signal(n: int, tz: timezone = UTC) -> Signal:
    suspect = EntityRef.of(EntityKind.ACCOUNT, f"chat:user{n}")
    return Signal(
        source="test-detector",
        kind=SignalKind.CONVERSATION,
        subjects=(suspect, EntityRef.of(EntityKind.PHONE, "+63 917 123 4567")),
        score=0.25 + n / 100,
        observed_at=datetime(2024, 3, 1, 12, n, 30, 123456, tzinfo=tz),
        evidence={"roles": {str(suspect): "suspect"}, "indicators": ["asks_age", "moves_app"],
                  "distance": n, "nested": {"ratio": 0.1 * n, "none": None}},
        explanation=f"User {n} asked for an age and a move to another app.",
        detector_version="1.0",
    )


def _case(name: str, priority: float, *signals: Signal) -> Case:
    entities = tuple(sorted({e for s in signals for e in s.subjects}))
    reasons = (Reason("payers", 2.0, 0.3, 0.6, "two distinct payers"),
               Reason("media", 1.0, 0.25, 0.25, "a bank match"))
    return Case(f"case-{name}", entities, signals, priority, reasons)


def _signal_fields(s: Signal) -> tuple[object, ...]:
    return (s.id, s.source, s.kind, s.subjects, s.score, s.observed_at,
            s.observed_at.utcoffset(), dict(s.evidence), s.explanation, s.detector_version)


def test_records_are_stored_once_and_filtered_by_kind(store: Store) -> None:
    records = _records(3)
    assert store.add_records(records[:6] + records[:2]) == AddResult(6, 2)
    assert store.add_records(records) == AddResult(6, 6)
    for kind in RecordKind:
        stored = store.records(kind)
        assert stored == [r for r in records if r.kind is kind]
        assert [r.content_hash() for r in stored] == [
            r.content_hash() for r in records if r.kind is kind]


def test_empty_adds_change_nothing(store: Store) -> None:
    for add in (store.add_records, store.add_signals, store.add_quarantine,
                store.add_bank_entries):
        assert add([]) == AddResult(0, 0)
    assert store.signals() == [] and store.quarantine() == [] and store.bank_entries() == []


def test_signals_are_idempotent_and_round_trip(store: Store) -> None:
    signals = [_signal(1), _signal(2, MANILA), _signal(3)]
    assert store.add_signals(signals[:2] + signals[:1]) == AddResult(2, 1)
    assert store.add_signals(signals) == AddResult(1, 2)
    assert [_signal_fields(s) for s in store.signals()] == [_signal_fields(s) for s in signals]


def test_quarantine_is_keyed_by_source_line_and_line_hash(store: Store) -> None:
    long_raw = "x," * 5000  # longer than a PostgreSQL b-tree entry may be
    entries = [QuarantineEntry.of(RecordKind.PAYMENT, "pay.csv", line, raw, "bad amount")
               for line, raw in [(2, "a,b"), (3, "a,b"), (4, long_raw)]]
    same_row_new_reason = replace(entries[0], reason="other reason")
    assert store.add_quarantine(entries) == AddResult(3, 0)
    assert store.add_quarantine([same_row_new_reason, entries[2]]) == AddResult(0, 2)
    assert store.quarantine() == entries
    assert store.quarantine(limit=2) == entries[:2] and store.quarantine_count() == 3
    assert entries[2].excerpt.endswith("\u2026") and len(entries[2].excerpt) == 200
    assert entries[2].line_sha256 == hashlib.sha256(long_raw.encode()).hexdigest()


def test_same_record_id_with_other_content_is_a_conflict(store: Store) -> None:
    first = _records(2)
    changed = [r.model_copy(update={"reason": "other"}) if r.kind is RecordKind.REPORT else r
               for r in _records(1)]
    assert store.add_records(first) == AddResult(8, 0)
    result = store.add_records([*changed, first[3]])
    assert result == AddResult(0, 4, (3,))
    in_one_call = [_records(3)[8], _records(3)[8].model_copy(update={"text": "other"})]
    assert store.add_records(in_one_call) == AddResult(1, 0, (1,))
    assert [r.content_hash() for r in store.records(RecordKind.REPORT)] == [
        first[3].content_hash(), first[7].content_hash()]


def test_migration_0003_sanitises_old_quarantine_rows(unmigrated_sql_store_url: str) -> None:
    """Rows stored under 0002 keep no raw payload after the upgrade; ids taken twice keep both
    rows (the later one without a natural key)."""
    engine = create_store_engine(unmigrated_sql_store_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    payload = "QUJD" * 2000
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
        conn.execute(text("INSERT INTO quarantine (entry_key, kind, source, line, raw, reason) "
                          "VALUES ('k', 'media', 'm.jsonl', 3, :raw, :reason)"),
                     {"raw": '{"thumb": "' + payload + '"}', "reason": "bad: " + "9" * 9000})
        for digest, amount in (("h1", 1), ("h2", 2)):
            data = json.dumps({"txn_id": "t1", "amount": amount})
            conn.execute(text("INSERT INTO records (content_hash, kind, data) "
                              "VALUES (:h, 'payment', :d)"), {"h": digest, "d": data})
        command.upgrade(config, "head")
        row = conn.execute(text("SELECT excerpt, line_sha256, reason FROM quarantine")).one()
        keys = conn.execute(text("SELECT natural_key FROM records ORDER BY seq")).scalars().all()
    engine.dispose()
    assert payload not in row.excerpt and "[redacted 8,000 chars]" in row.excerpt
    assert row.reason == "bad: [redacted 9,000 chars]"
    assert row.line_sha256 == hashlib.sha256(('{"thumb": "' + payload + '"}').encode()).hexdigest()
    assert keys == [record_ids.natural_key(RecordKind.PAYMENT, "t1"), None]


def test_cases_round_trip_sorted_by_priority_then_id(store: Store) -> None:
    s1, s2, s3 = _signal(1), _signal(2, MANILA), _signal(3)
    cases = [_case("b", 0.5, s1), _case("c", 0.9, s2, s3), _case("a", 0.5, s3)]
    store.replace_cases(cases)
    assert store.cases() == sorted(cases, key=lambda c: (-c.priority, c.id))
    assert [c.id for c in store.cases()] == ["case-c", "case-a", "case-b"]
    loaded = store.case("case-c")
    assert loaded == cases[1] and loaded is not None
    assert [_signal_fields(s) for s in loaded.signals] == [_signal_fields(s) for s in (s2, s3)]
    assert store.case("case-missing") is None


def test_reviewed_status_survives_replace_cases(store: Store) -> None:
    first = [_case("a", 0.4, _signal(1)), _case("b", 0.7, _signal(2))]
    store.replace_cases(first)
    store.set_status("case-a", CaseStatus.IN_REVIEW)
    assert store.case("case-a") == replace(first[0], status=CaseStatus.IN_REVIEW)

    grown = _case("a", 0.8, _signal(1), _signal(4))
    store.replace_cases([grown, replace(_case("c", 0.1, _signal(3)), status=CaseStatus.DISMISSED)])
    assert [(c.id, c.status) for c in store.cases()] == [
        ("case-a", CaseStatus.IN_REVIEW), ("case-c", CaseStatus.DISMISSED)]
    assert store.case("case-b") is None

    store.replace_cases([])
    assert store.cases() == []
    store.replace_cases([grown])  # a case that comes back still carries its review
    assert store.cases() == [replace(grown, status=CaseStatus.IN_REVIEW)]


def test_set_status_of_unknown_case_raises_key_error(store: Store) -> None:
    store.replace_cases([_case("a", 0.4, _signal(1))])
    with pytest.raises(KeyError, match="case-nope"):
        store.set_status("case-nope", CaseStatus.CONFIRMED)
    assert store.case("case-a") == _case("a", 0.4, _signal(1))


def test_banks_and_their_entries(store: Store) -> None:
    store.add_bank(BankInfo("zeta", threshold=31, source="NCMEC"))
    store.add_bank(BankInfo("alpha", signal_type="md5", threshold=0))
    store.add_bank(BankInfo("zeta", threshold=20, description="updated"))
    assert store.banks() == [BankInfo("alpha", signal_type="md5", threshold=0),
                             BankInfo("zeta", threshold=20, description="updated")]
    entries = [BankEntry("zeta", PDQ, "pdq", label="known"), BankEntry("alpha", "a" * 32, "md5"),
               BankEntry("zeta", PDQ, "md5"), BankEntry("zeta", PDQ, "pdq", label="again")]
    assert store.add_bank_entries(entries) == AddResult(3, 1)
    assert store.add_bank_entries(entries[:2]) == AddResult(0, 2)
    assert store.bank_entries() == entries[:3]
    assert store.bank_entries("zeta") == [entries[0], entries[2]]
    assert store.bank_entries("missing") == []


def test_bank_entry_without_its_bank_raises_key_error(store: Store) -> None:
    with pytest.raises(KeyError, match="nobank"):
        store.add_bank_entries([BankEntry("nobank", PDQ, "pdq")])
    assert store.bank_entries() == []


NCMEC_META = {"pytx": {"category": "POSITIVE_CLASS", "tags": ["a", "ñ"], "ids": [12, 34]},
              "vics": {"MediaID": 7, "VictimIdentified": True, "Series": None}}


def test_bank_kind_labels_state_and_entry_metadata_round_trip(store: Store) -> None:
    negative = BankInfo("fp", threshold=10, kind=BankKind.NEGATIVE, labels=("benign", "meme"))
    paused = BankInfo("old", signal_type="md5", threshold=0, enabled=False,
                      state_reason="partner withdrew the list", state_by="analyst@ngo")
    for bank in (negative, paused):
        store.add_bank(bank)
    assert store.banks() == [negative, paused]
    assert [b.kind for b in store.banks()] == [BankKind.NEGATIVE, BankKind.POSITIVE]
    entries = [BankEntry("fp", PDQ, "pdq", "x", "pytx", metadata=NCMEC_META),
               BankEntry("old", "a" * 32, "md5", enabled=False, state_reason="flood",
                         state_by="flood-check")]
    assert store.add_bank_entries(entries) == AddResult(2, 0)
    assert store.bank_entries() == entries
    assert store.bank_entries("fp")[0].metadata == NCMEC_META


def test_re_adding_a_bank_updates_it_but_keeps_its_paused_state(store: Store) -> None:
    store.add_bank(BankInfo("b", threshold=31))
    store.set_bank_enabled("b", False, reason="flood on 3 hashes", actor="flood-check")
    store.add_bank(BankInfo("b", threshold=20, kind=BankKind.NEGATIVE, labels=("x",),
                            description="re-imported"))
    assert store.banks() == [BankInfo("b", threshold=20, kind=BankKind.NEGATIVE, labels=("x",),
                                      description="re-imported", enabled=False,
                                      state_reason="flood on 3 hashes", state_by="flood-check")]
    store.set_bank_enabled("b", True, reason="reviewed: benign meme", actor="analyst@ngo")
    assert [(b.enabled, b.state_reason, b.state_by) for b in store.banks()] == [
        (True, "reviewed: benign meme", "analyst@ngo")]


def test_pausing_one_entry_leaves_the_others_and_survives_re_adding(store: Store) -> None:
    store.add_bank(BankInfo("b"))
    entries = [BankEntry("b", PDQ, "pdq"), BankEntry("b", PDQ, "md5"),
               BankEntry("b", "0" * 64, "pdq")]
    store.add_bank_entries(entries)
    store.set_bank_entry_enabled("b", "pdq", PDQ, False, reason="41 matches in 1 h",
                                 actor="flood-check")
    assert store.add_bank_entries(entries) == AddResult(0, 3)
    assert store.bank_entries("b") == [
        replace(entries[0], enabled=False, state_reason="41 matches in 1 h",
                state_by="flood-check"), entries[1], entries[2]]
    store.set_bank_entry_enabled("b", "pdq", PDQ, True, reason="ok", actor="analyst@ngo")
    assert [e.enabled for e in store.bank_entries("b")] == [True, True, True]


def test_removing_entries_and_banks(store: Store) -> None:
    store.add_bank(BankInfo("b"))
    store.add_bank(BankInfo("kept"))
    entries = [BankEntry("b", PDQ, "pdq"), BankEntry("b", PDQ, "md5"),
               BankEntry("b", "0" * 64, "pdq"), BankEntry("kept", PDQ, "pdq")]
    store.add_bank_entries(entries)
    assert store.remove_bank_entries("b", [("pdq", PDQ), ("pdq", PDQ), ("pdq", "1" * 64)]) == 1
    assert store.remove_bank_entries("nope", [("pdq", PDQ)]) == 0
    assert store.bank_entries() == entries[1:]
    assert store.remove_bank("b") == 2
    assert store.banks() == [BankInfo("kept")] and store.bank_entries() == entries[3:]
    with pytest.raises(KeyError):
        store.remove_bank("b")
    store.add_bank(BankInfo("b"))  # the name can be used again, empty
    assert store.bank_entries("b") == []


@pytest.mark.parametrize("change", [
    lambda s: s.set_bank_enabled("nope", False, reason="r", actor="a"),
    lambda s: s.set_bank_entry_enabled("b", "pdq", "1" * 64, False, reason="r", actor="a"),
    lambda s: s.set_bank_entry_enabled("nope", "pdq", PDQ, False, reason="r", actor="a"),
])
def test_changing_the_state_of_something_unknown_raises_key_error(store: Store,
                                                                   change: Any) -> None:
    store.add_bank(BankInfo("b"))
    store.add_bank_entries([BankEntry("b", PDQ, "pdq")])
    with pytest.raises(KeyError):
        change(store)
    assert store.banks() == [BankInfo("b")]
    assert store.bank_entries() == [BankEntry("b", PDQ, "pdq")]


def _migrate_to(url: str, revision: str, *statements: str) -> None:
    engine = create_store_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            current = MigrationContext.configure(conn).get_current_revision()
            if current is not None and current > revision:
                command.downgrade(config, revision)
            else:
                command.upgrade(config, revision)
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def test_banks_stored_under_0001_survive_upgrade_and_downgrade(
        unmigrated_sql_store_url: str) -> None:
    _migrate_to(unmigrated_sql_store_url, "0001",
                "INSERT INTO banks VALUES ('old', 'pdq', 25, 'NCMEC', 'd')",
                "INSERT INTO bank_entries (bank, signal_type, hash, label, source)"
                f" VALUES ('old', 'pdq', '{PDQ}', 'l', 's')")
    old_bank, old_entry = BankInfo("old", "pdq", 25, "NCMEC", "d"), BankEntry("old", PDQ, "pdq",
                                                                             "l", "s")
    with closing(open_store(unmigrated_sql_store_url)) as store:
        assert (store.banks(), store.bank_entries()) == ([old_bank], [old_entry])
        assert store.banks()[0].kind is BankKind.POSITIVE
        store.set_bank_enabled("old", False, reason="r", actor="a")
    _migrate_to(unmigrated_sql_store_url, "0001")
    # upgraded anew: state back to defaults
    with closing(open_store(unmigrated_sql_store_url)) as again:
        assert (again.banks(), again.bank_entries()) == ([old_bank], [old_entry])


def test_audit_events_come_back_in_order(store: Store) -> None:
    start = datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    events = [AuditEvent("analyst@ngo", action, "case-a", start + timedelta(seconds=i),
                         {"step": i, "note": "ñ ✓", "list": [1, 2]})
              for i, action in enumerate(["open", "set_status", "export"])]
    events.append(AuditEvent("system", "import", "pay.csv", start.astimezone(MANILA)))
    for event in events:
        store.append_audit(event)
    stored = store.audit_events()
    assert stored == events
    assert [e.at.utcoffset() for e in stored] == [e.at.utcoffset() for e in events]


def test_data_survives_reopen_and_migrations_run_once(unmigrated_sql_store_url: str) -> None:
    with closing(open_store(unmigrated_sql_store_url)) as first:
        first.add_records(_records(1))
    for _ in range(2):
        with closing(open_store(unmigrated_sql_store_url)) as again:
            assert isinstance(again, SqlStore)
            assert again.add_records(_records(1)) == AddResult(0, 4)
            with again.engine.connect() as conn:
                versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        assert versions == [(_head_revision(),)]


def _head_revision() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_sqlite_and_memory_give_identical_cases(tmp_path: Path) -> None:
    signals = [_signal(i, MANILA if i % 2 else UTC) for i in range(6)]
    cases = [_case(f"{i:02d}", round(1 / (1 + i % 3), 3), *signals[i:i + 2]) for i in range(5)]
    memory, sqlite = MemoryStore(), open_store(f"sqlite:///{tmp_path / 'same.db'}")
    try:
        for backend in (memory, sqlite):
            backend.replace_cases(cases)
            backend.set_status("case-03", CaseStatus.CONFIRMED)
            backend.replace_cases(cases[1:])
        assert sqlite.cases() == memory.cases()
        assert [[_signal_fields(s) for s in c.signals] for c in sqlite.cases()] == [
            [_signal_fields(s) for s in c.signals] for c in memory.cases()]
    finally:
        sqlite.close()


def test_open_store_memory_and_default_sqlite(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(open_store("memory://"), MemoryStore)
    monkeypatch.chdir(tmp_path)
    store = open_store(None)
    try:
        assert isinstance(store, SqlStore)
        assert (tmp_path / ".vigil" / "vigil.db").is_file()
    finally:
        store.close()
    nested = open_store(f"sqlite:///{tmp_path / 'a' / 'b' / 'v.db'}")
    nested.close()
    assert (tmp_path / "a" / "b" / "v.db").is_file()


@pytest.mark.parametrize("url", ["postgresql://u@db.example/vigil",
                                 "postgres://u@db.example/vigil",
                                 "postgresql+psycopg://u:secret@db.example:5433/vigil"])
def test_postgres_urls_use_psycopg3(url: str) -> None:
    engine = create_store_engine(url)
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
    engine.dispose()


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgresql+asyncpg://u@h/db",
                                 "duckdb:///x.db", "no scheme at all", "memory:///x"])
def test_unsupported_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(UnsupportedDatabaseURL, match="unsupported database URL .*sqlite:///"):
        open_store(url)


def test_migrations_build_exactly_the_schema_module(unmigrated_sql_store_url: str) -> None:
    store = open_store(unmigrated_sql_store_url)
    assert isinstance(store, SqlStore)
    try:
        with store.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    finally:
        store.close()
    assert differences == []


@pytest.mark.parametrize(("to_text", "from_text", "value"), [
    (codec.signal_to_json, codec.signal_from_json, _signal(7, MANILA)),
    (codec.case_to_json, codec.case_from_json,
     replace(_case("x", 0.3, _signal(1), _signal(2)), status=CaseStatus.CONFIRMED)),
    (codec.bank_to_dict, codec.bank_from_dict, BankInfo("b", "md5", 0, "src", "desc")),
    (codec.bank_entry_to_dict, codec.bank_entry_from_dict, BankEntry("b", PDQ, "pdq", "l", "s")),
    (codec.bank_to_dict, codec.bank_from_dict,
     BankInfo("n", kind=BankKind.NEGATIVE, labels=("a", "b"), enabled=False, state_reason="r",
              state_by="who")),
    (codec.bank_entry_to_dict, codec.bank_entry_from_dict,
     BankEntry("b", PDQ, "pdq", metadata=NCMEC_META, enabled=False, state_reason="flood",
               state_by="flood-check")),
    (codec.audit_to_dict, codec.audit_from_dict,
     AuditEvent("a", "b", "c", datetime(2024, 1, 1, tzinfo=MANILA), {"k": [1, None]})),
    (codec.audit_to_dict, codec.audit_from_dict,
     AuditEvent("a", "view_case", "case-1", datetime(2024, 1, 1, tzinfo=UTC), role="analyst",
                case_id="case-1", outcome="denied", justification="triage")),
    (codec.quarantine_to_dict, codec.quarantine_from_dict,
     QuarantineEntry(RecordKind.MEDIA, "m.jsonl", 9, "{}", "no hash")),
])
def test_codec_round_trips_through_json_text(to_text: Any, from_text: Any, value: Any) -> None:
    encoded = to_text(value)
    as_text = encoded if isinstance(encoded, str) else codec.dump_json(encoded)
    decoded = from_text(as_text if isinstance(encoded, str) else codec.load_json(as_text))
    assert decoded == value
    if isinstance(value, Signal):
        assert _signal_fields(decoded) == _signal_fields(value)


def test_codec_round_trips_records_with_their_content_hash() -> None:
    for record in _records(1):
        decoded = codec.record_from_json(record.kind, codec.record_to_json(record))
        assert (decoded, decoded.content_hash()) == (record, record.content_hash())


def test_codec_refuses_naive_datetimes_and_malformed_entities() -> None:
    naive = AuditEvent("a", "b", "c", datetime(2024, 1, 1))
    with pytest.raises(ValueError, match="naive"):
        codec.audit_to_dict(naive)
    with pytest.raises(ValueError, match="kind:value"):
        codec.entity_from_text("no-colon")
    assert codec.datetime_from_text("2024-01-01T00:00:00").tzinfo is UTC
