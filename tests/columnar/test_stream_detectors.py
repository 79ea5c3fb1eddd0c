"""Detectors reading record streams give the signals they give from lists, on both record stores,
and every store reads a kind in bounded batches that add up to its records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vigil.columnar.split import SplitRecordStore
from vigil.columnar.store import ColumnarRecords
from vigil.demo.files import write_world
from vigil.demo.run import DEMO_BANK, IMPORT_ORDER
from vigil.demo.world import generate_world
from vigil.detectors.conversations import ConversationLexiconDetector
from vigil.ingest import import_file
from vigil.media.banks.files import load_bank_csv
from vigil.model import Signal
from vigil.pipeline import read_records
from vigil.plugin import DetectionContext, Detector
from vigil.record_stream import RecordStream
from vigil.records import Record, RecordKind
from vigil.registry import load_registry
from vigil.runs import build_detectors
from vigil.settings import Settings
from vigil.store.interfaces import RecordStore
from vigil.store.open import open_store
from vigil.store.sql import SqlStore

pytestmark = pytest.mark.heavy(seconds=50)

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def world_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_world(generate_world(seed=5, scale=0.5), tmp_path_factory.mktemp("world"))


@pytest.fixture(params=["sql", "parquet"])
def loaded(request: pytest.FixtureRequest, world_files: dict[str, Path],
           tmp_path: Path) -> Iterator[tuple[SqlStore, RecordStore]]:
    """The demo world imported into a SQLite store (banks, and records unless parquet), and the
    record store records are read from."""
    store = open_store(f"sqlite:///{tmp_path / 'vigil.db'}")
    assert isinstance(store, SqlStore)
    records: RecordStore = store
    if request.param == "parquet":
        records = SplitRecordStore(store, ColumnarRecords(tmp_path / "parts"))
    bank, entries = load_bank_csv(world_files["bank"], DEMO_BANK)
    store.add_bank(bank)
    store.add_bank_entries(entries)
    _import(records, world_files)
    yield store, records
    store.close()


def _import(records: RecordStore, files: dict[str, Path]) -> None:
    importers = load_registry().importers
    for key, kind in IMPORT_ORDER:
        import_file(records, kind, files[key], importers, chunk_rows=500)


def _signals(detector: Detector, records: object, store: SqlStore) -> list[str]:
    context = DetectionContext(banks=store, now=NOW)
    found: list[Signal] = list(detector.detect(records, context))  # type: ignore[arg-type]
    return sorted(s.id for s in found)


def test_every_detector_gives_the_same_signals_from_a_stream_as_from_a_list(
        loaded: tuple[SqlStore, RecordStore]) -> None:
    store, records = loaded
    streams = read_records(records)
    found = 0
    for detector in build_detectors(Settings(), load_registry()):
        listed = records.records(detector.consumes)
        stream = RecordStream(records, detector.consumes, batch_rows=37)
        expected = _signals(detector, listed, store)
        assert _signals(detector, stream, store) == expected, detector.name
        assert _signals(detector, streams[detector.consumes], store) == expected, detector.name
        found += len(expected)
    assert found > 50, "the demo world should give signals of several detectors"


def test_both_record_stores_hold_and_stream_the_same_records(world_files: dict[str, Path],
                                                             tmp_path: Path) -> None:
    sql = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    split = SplitRecordStore(open_store(f"sqlite:///{tmp_path / 'b.db'}"),
                             ColumnarRecords(tmp_path / "parts"))
    for target in (sql, split):
        _import(target, world_files)
    for kind in RecordKind:
        expected = sql.records(kind)
        assert expected and split.records(kind) == expected
        for store in (sql, split):
            batches = list(store.record_batches(kind, 101))
            assert all(0 < len(batch) <= 101 for batch in batches)
            assert [r for batch in batches for r in batch] == expected
    sql.close()
    split.operational.close()  # type: ignore[attr-defined]


def test_the_lexicon_detector_takes_a_one_shot_iterator_too(
        loaded: tuple[SqlStore, RecordStore]) -> None:
    store, records = loaded
    detector = ConversationLexiconDetector()
    messages = records.records(RecordKind.MESSAGE)
    one_shot: Iterator[Record] = iter(messages)
    assert _signals(detector, one_shot, store) == _signals(detector, messages, store) != []
