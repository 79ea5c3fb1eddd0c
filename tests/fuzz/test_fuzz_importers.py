"""Fuzz every registered importer and every bank format with arbitrary and near-valid input.

For each input: no exception escapes; every non-blank line is stored or quarantined with a
reason (the counts add up); nothing stored holds a long base64/hex run. A separate test per
importer runs the pipeline over a fuzz-generated import, as ``vigil run`` would.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.helpers import (
    FUZZ,
    JSON_VALUES,
    TRIED,
    VALID,
    assert_nothing_encoded_stored,
    csv_bytes,
    expected_outcomes,
    jsonl_bytes,
    maybe_gzip,
    non_blank_lines,
    write,
)
from vigil.ingest import FileSummary, import_file
from vigil.media.banks.files import BankFileError, BankImport, BankSpec
from vigil.media.banks.formats import BANK_FORMATS, read_bank
from vigil.pipeline import PipelineConfig, run_pipeline
from vigil.plugin import Importer
from vigil.records import Record, RecordKind, record_from_dict
from vigil.registry import load_registry
from vigil.settings import Settings
from vigil.store import record_ids
from vigil.store.memory import MemoryStore

REGISTRY = load_registry()
JSONL_IMPORTERS = sorted(n for n in REGISTRY.importers if n.startswith("jsonl."))


def _import(name: str, data: bytes, suffix: str) -> tuple[MemoryStore, FileSummary]:
    importer: type[Importer] = REGISTRY.importers[name]
    store = MemoryStore()
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / f"fuzz{suffix}", data)
        summary = import_file(store, importer.produces, path, {name: importer}, chunk_rows=3)
    assert store.quarantine_count() <= summary.quarantined  # repeats of one line are one entry
    assert sum(len(store.records(k)) for k in RecordKind) == summary.added
    assert_nothing_encoded_stored(store)
    TRIED[name] += 1
    return store, summary


def test_every_importer_is_fuzzed() -> None:
    formats = ("iso20022.payment", "mt103.payment", "p2p-csv.payment")  # their own fuzz file
    assert set(REGISTRY.importers) == {*JSONL_IMPORTERS, "csv.payment", *formats}
    assert len(JSONL_IMPORTERS) == len(RecordKind)


@pytest.mark.parametrize("name", JSONL_IMPORTERS)
@FUZZ
@given(data=st.data())
def test_jsonl_importer_never_loses_a_line(name: str, data: st.DataObject) -> None:
    kind = REGISTRY.importers[name].produces
    plain = data.draw(jsonl_bytes(kind))
    content, suffix = maybe_gzip(data.draw, plain)
    _, summary = _import(name, content, suffix)
    if suffix == ".jsonl":
        assert summary.accepted + summary.quarantined == expected_outcomes(plain)
    else:  # a cut stream adds one file-level entry and loses the lines after the cut
        assert summary.accepted + summary.quarantined <= non_blank_lines(plain) + 1


@pytest.mark.parametrize("name", JSONL_IMPORTERS)
@FUZZ
@given(raw=st.binary(max_size=3000))
def test_jsonl_importer_survives_arbitrary_bytes(name: str, raw: bytes) -> None:
    _, summary = _import(name, raw, ".jsonl")
    assert summary.accepted + summary.quarantined == expected_outcomes(raw)


@FUZZ
@given(content=csv_bytes())
def test_csv_importer_quarantines_what_it_cannot_read(content: bytes) -> None:
    _, summary = _import("csv.payment", content, ".csv")
    data_lines = non_blank_lines(content) - 1
    assert summary.accepted + summary.quarantined <= max(data_lines, 1)
    if data_lines > 0:
        assert summary.accepted + summary.quarantined >= 1


@FUZZ
@given(raw=st.binary(max_size=3000))
def test_csv_importer_survives_arbitrary_bytes(raw: bytes) -> None:
    _, summary = _import("csv.payment", raw, ".csv")
    assert summary.accepted + summary.quarantined <= max(non_blank_lines(raw), 1)


def _bank_text() -> st.SearchStrategy[str]:
    vics = JSON_VALUES.map(lambda v: '{"@odata.context": "x", "value": ' + json.dumps(v) + "}")
    return st.one_of(st.text(max_size=400), vics,
                     st.integers(1, 3000).map(lambda n: '{"value": ' + "[" * n + "]" * n + "}"),
                     st.sampled_from(["pdq " + "f" * 64, "signal_type,signal_str,collab,"
                                      "category,tags\npdq," + "0" * 64 + ",c,POSITIVE_CLASS,t"]))


@pytest.mark.parametrize("fmt", sorted(BANK_FORMATS))
@FUZZ
@given(text=_bank_text())
def test_bank_formats_refuse_bad_files_clearly(fmt: str, text: str) -> None:
    TRIED[f"bank.{fmt}"] += 1
    try:
        result = read_bank(text, BankSpec("fuzz", origin="fuzz-bank"), fmt)
    except BankFileError as exc:
        assert str(exc)
        return
    assert isinstance(result, BankImport)
    for entry in result.entries:
        assert len(entry.hash) <= 64


@pytest.mark.parametrize("name", [*JSONL_IMPORTERS, "csv.payment"])
@settings(FUZZ, max_examples=2)
@given(data=st.data())
def test_pipeline_runs_after_a_fuzzed_import(name: str, data: st.DataObject) -> None:
    importer = REGISTRY.importers[name]
    if name == "csv.payment":
        content, suffix = data.draw(csv_bytes()), ".csv"
    else:
        content, suffix = data.draw(jsonl_bytes(importer.produces)), ".jsonl"
    store, _ = _import(name, content, suffix)
    store.add_records([_valid_record(kind) for kind in RecordKind])
    settings_ = Settings()
    detectors = [d.from_settings(settings_) for _, d in sorted(REGISTRY.detectors.items())]
    result = run_pipeline(store, detectors, PipelineConfig.from_settings(settings_))
    assert set(result.signals_by_detector) == set(REGISTRY.detectors)


def _valid_record(kind: RecordKind) -> Record:
    """A valid record whose id no fuzz row uses, so the pipeline always has one of each kind."""
    return record_from_dict(kind, {**VALID[kind], record_ids.RECORD_ID_FIELDS[kind]: "seed"})
