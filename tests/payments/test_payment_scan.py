"""`vigil payments scan` and `explain` and the SAR drafts, in-process over a SQLite store."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.payments.helpers import pay
from vigil.cli.main import app
from vigil.engines import DuckDBEngine
from vigil.payments.detector import PaymentTypologyDetector
from vigil.payments.payment_table import payment_columns
from vigil.payments.rules import R1_R5_PACK, load_rules
from vigil.payments.typology import TypologyConfig, score_accounts
from vigil.plugin import DetectionContext
from vigil.records import Payment
from vigil.store.memory import MemoryStore

BUYER = "payment_account:bank:buyer"
FAMILY = "payment_account:bank:family"


def _buyer(steady: bool = False) -> list[Payment]:
    """30 small payments at irregular gaps of 1-5 days to 4 beneficiaries with other surnames,
    growing larger (a steady cadence would read as a household's rhythm: benign_sql)."""
    jitter = [0.0 if steady else (i * i % 5) * 0.5 + 0.6 for i in range(30)]
    return [pay(f"b{i:03d}", i * 3 + jitter[i], sender="bank:buyer", usd=15.0 + i,
                beneficiary=f"gcash:f{i % 4}", sender_name="Sam Smith",
                beneficiary_name=f"Ana Cruz{i % 4}", reference="gift")
            for i in range(30)]


def _family() -> list[Payment]:
    """A monthly remittance to one relative with the same surname."""
    return [pay(f"k{i:03d}", i * 30, sender="bank:family", usd=150.0, beneficiary="gcash:mum",
                sender_name="Jo Reyes", beneficiary_name="Maria Reyes", reference="family")
            for i in range(8)]


def _write_csv(path: Path, payments: list[Payment]) -> Path:
    fields = list(Payment.model_fields)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        for payment in payments:
            row = payment.model_dump(mode="json")
            writer.writerow({k: "" if row[k] is None else row[k] for k in fields})
    return path


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VIGIL_DATABASE_URL", f"sqlite:///{tmp_path / 'scan.db'}")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _scan_json(env: Path, *extra: str) -> list[dict[str, Any]]:
    path = _write_csv(env / "payments.csv", _buyer() + _family())
    result = CliRunner().invoke(app, ["payments", "scan", str(path), "--json", *extra])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_scan_ranks_the_buyer_first_and_flags_only_him(env: Path) -> None:
    rows = _scan_json(env)
    assert [r["account"] for r in rows][:1] == [BUYER]
    buyer = rows[0]
    assert buyer["flagged"] is True and 0 < float(buyer["score"]) <= 1
    fired = {r["id"] for r in buyer["rules"]}
    assert {"R1", "R2", "R3"} <= fired
    for rule in buyer["rules"]:
        assert set(rule) == {"id", "value", "weight", "source"} and rule["source"]
    family = {r["account"]: r for r in rows}[FAMILY]
    assert family["flagged"] is False and "R1" in {r["id"] for r in family["rules"]}
    assert float(family["score"]) < 0.1  # kin with one surname, paid monthly: discounted
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_scan_stores_the_findings_as_signals_once(env: Path) -> None:
    _scan_json(env)
    again = CliRunner().invoke(app, ["payments", "scan", str(env / "payments.csv")])
    assert again.exit_code == 0, again.output
    assert "0 new signals stored" in again.output.replace("\n", " ")
    assert "bank:buyer" in again.output


def test_scan_writes_a_gated_sar_draft_for_each_flagged_account(env: Path) -> None:
    _scan_json(env, "--drafts", str(env / "drafts"))
    written = sorted(p.name for p in (env / "drafts").iterdir())
    assert written == ["payment_account_bank_buyer.sar.json", "payment_account_bank_buyer.sar.txt"]
    draft = json.loads((env / "drafts" / written[0]).read_text())
    assert draft["draft"] is True and draft["gate"]["may_leave"] is False
    assert "OCSE-FIN-2021-NTC3" in {k["keyword"] for k in draft["keywords"]}
    assert {r["id"] for r in draft["rules"]} >= {"R1", "R2", "R3"}
    assert draft["totals"]["payments"] == 30 and draft["payments"][0]["txn_id"] == "b000"
    text = (env / "drafts" / written[1]).read_text()
    assert text.startswith("DRAFT - NOT FOR FILING") and "OCSE-FIN-2021-NTC3" in text


def test_scan_refuses_an_unknown_engine_before_storing_anything(env: Path) -> None:
    path = _write_csv(env / "payments.csv", _family())
    result = CliRunner().invoke(app, ["payments", "scan", str(path), "--engine", "nope"])
    assert result.exit_code == 2 and "unknown engine 'nope'" in result.output


def test_explain_shows_the_timeline_and_writes_both_plots(env: Path) -> None:
    path = _write_csv(env / "steady.csv", _buyer(steady=True) + _family())  # 3 days apart
    assert CliRunner().invoke(app, ["payments", "scan", str(path)]).exit_code == 0
    result = CliRunner().invoke(app, ["payments", "explain", "bank:buyer", "--json",
                                      "--plot", str(env / "plots" / "buyer")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [r["txn_id"] for r in rows] == [f"b{i:03d}" for i in range(30)]
    assert rows[0]["gap_days"] is None and rows[1]["gap_days"] == 3.0
    assert rows[5]["count_7d"] == 3 and rows[29]["count_30d"] == 10
    assert rows[29]["usd_30d"] == pytest.approx(sum(15.0 + i for i in range(20, 30)))
    assert (env / "plots" / "buyer.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (env / "plots" / "buyer.svg").read_text()
    table = CliRunner().invoke(app, ["payments", "explain", FAMILY, "--plot",
                                     str(env / "family")])
    assert table.exit_code == 0 and "gcash:mum" in table.output


def test_explain_names_an_account_with_no_payments(env: Path) -> None:
    result = CliRunner().invoke(app, ["payments", "explain", "bank:nobody"])
    assert result.exit_code == 1 and "no stored payment" in result.output


def test_one_rule_alone_never_flags_however_strong() -> None:
    # The R1-R5 pack, where the family fires R1 alone (the default adds R8 and R11); with the
    # lowest alert threshold the rule count alone keeps it unflagged.
    detector = PaymentTypologyDetector(load_rules(R1_R5_PACK))
    signals = list(detector.detect(_family(), DetectionContext(banks=MemoryStore())))
    assert {s.evidence["rule"] for s in signals} == {"R1"}
    engine = DuckDBEngine()
    try:
        engine.register_table("payments", payment_columns(_family()))
        scored = score_accounts(engine, detector.rules, TypologyConfig(alert_threshold=1e-9))
    finally:
        engine.close()
    assert [(s.account, s.score > 0, s.flagged) for s in scored] == [("bank:family", True, False)]


def test_a_draft_may_leave_once_a_named_person_confirmed_the_case(env: Path) -> None:
    from contextlib import closing

    from vigil.payments.sar import holding_case
    from vigil.store.open import open_store

    _scan_json(env)
    assert CliRunner().invoke(app, ["run"]).exit_code == 0
    with closing(open_store(f"sqlite:///{env / 'scan.db'}")) as store:
        case = holding_case(BUYER, store.cases())
    assert case is not None
    confirmed = CliRunner().invoke(app, ["cases", "confirm", case.id, "--analyst", "A. Analyst",
                                         "--role", "analyst", "--note", "checked the payments"])
    assert confirmed.exit_code == 0, confirmed.output
    _scan_json(env, "--drafts", str(env / "drafts"))
    draft = json.loads((env / "drafts" / "payment_account_bank_buyer.sar.json").read_text())
    assert draft["gate"] == {"may_leave": True, "reason": "confirmed by A. Analyst (analyst)",
                             "case_id": case.id, "confirmed_by": "A. Analyst (analyst)"}
    assert draft["draft"] is True


def test_a_draft_is_held_while_its_findings_are_not_in_the_case() -> None:
    from vigil.model import Case
    from vigil.payments.account_score import AccountScore, RuleHit
    from vigil.payments.sar import gate_decision

    hit = RuleHit("R1", 0.5, 0.3, "AMLC", "why", "sig-new", ())
    score = AccountScore(BUYER, 0.15, True, (hit,))
    case = Case(id="case-1", entities=(), signals=(), priority=0.0, reasons=())
    decision = gate_decision(case, [], [h.signal_id for h in score.rules])
    assert not decision.allowed and "1 finding(s) of this draft are not in case case-1" in (
        decision.reason)
