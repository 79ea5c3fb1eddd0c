"""The error ledger: each standing decision counts once per contributing detector version."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.core.test_gate import make_case
from vigil.cli.main import app
from vigil.confirmation import confirm_case, dismiss_case
from vigil.ledger import LedgerRow, error_ledger
from vigil.store.memory import MemoryStore
from vigil.store.open import open_store


def test_confirmations_are_true_and_dismissals_false_positives_per_detector_version() -> None:
    store = MemoryStore()
    store.replace_cases([make_case("c1", ["conversation", "hash"]),
                         make_case("c2", ["conversation", "payment"]),
                         make_case("c3", ["payment"]), make_case("c4", ["report"])])
    confirm_case(store, store, "c1", actor="A", role="r", note="n")
    dismiss_case(store, store, "c2", actor="A", note="n")
    confirm_case(store, store, "c3", actor="A", role="r", note="n")
    dismiss_case(store, store, "c3", actor="B", note="on a second look, a refund")
    assert error_ledger(store) == [
        LedgerRow("conversation.lexicon", "1", 1, 1),
        LedgerRow("media.hash_match", "1", 1, 0),
        LedgerRow("payments.typology", "1", 0, 2),
    ]
    assert error_ledger(store)[0].precision == 0.5


def test_vigil_ledger_prints_the_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    monkeypatch.setenv("VIGIL_DATABASE_URL", url)
    store = open_store(url)
    store.replace_cases([make_case("c1", ["payment"])])
    store.close()
    runner = CliRunner()
    result = runner.invoke(app, ["cases", "dismiss", "c1", "--analyst", "A", "--note", "refund"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["ledger", "--json"])
    assert result.exit_code == 0, result.output
    assert '"false_positives": 1' in result.stdout and "payments.typology" in result.stdout
