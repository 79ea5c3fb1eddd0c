"""A payment rule is one object in one file: the detector runs any rule a pack names by id."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.payments.helpers import pay
from vigil.engines import DuckDBEngine
from vigil.payments import PaymentTypologyDetector
from vigil.payments.rule_base import PaymentRule, PositiveFloat, RuleParameters
from vigil.payments.rules import PAYMENT_RULES, load_rules, parse_rules
from vigil.payments.sql_parts import FINDING_COLUMNS, number
from vigil.plugin import DetectionContext
from vigil.plugins import builtin_plugins
from vigil.registry import PluginClass, UnknownPluginError, load_registry
from vigil.settings import Settings
from vigil.store.memory import MemoryStore

PACK = Path(__file__).parents[2] / "src" / "vigil" / "config" / "payment_rules.yaml"
CONTEXT = DetectionContext(banks=MemoryStore(), now=datetime(2025, 1, 1, tzinfo=UTC))


class LargeTransferParams(RuleParameters):
    min_amount_usd: PositiveFloat


class LargeTransfer(PaymentRule[LargeTransferParams]):
    """A toy rule for the test: any payment of at least ``min_amount_usd``, per sender."""

    name = "T1"
    parameters_type = LargeTransferParams

    def sql(self, params: LargeTransferParams) -> str:
        return f"""SELECT
    {FINDING_COLUMNS}
FROM payments p
WHERE p.amount_usd >= {number(params.min_amount_usd)}
GROUP BY p.sender
ORDER BY p.sender"""

    def strength(self, params: LargeTransferParams, stats: Mapping[str, Any]) -> float:
        return 1.0 if stats["max_usd"] >= 2 * params.min_amount_usd else 0.5

    def explain(self, params: LargeTransferParams, senders: list[str],
                beneficiaries: list[str], stats: Mapping[str, Any]) -> str:
        return f"{', '.join(senders)} sent up to US${stats['max_usd']:,.0f} at once"


def _pack_with(rule: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(PACK.read_text(encoding="utf-8"))
    data["rules"].append(rule)
    return data


T1 = {"id": "T1", "name": "Large transfer", "weight": 0.5, "source": "test",
      "parameters": {"min_amount_usd": 1000.0}}


def test_a_new_rule_is_one_class_registered_by_id() -> None:
    rules = parse_rules(_pack_with(T1), {**PAYMENT_RULES, "T1": LargeTransfer})
    payments = [pay("t1", 0, usd=2500.0, sender="bank:big"), pay("t2", 1, usd=10.0)]
    signals = list(PaymentTypologyDetector(rules=rules).detect(payments, CONTEXT))
    (found,) = [signal for signal in signals if signal.evidence["rule"] == "T1"]
    assert found.score == 0.5
    assert found.explanation.startswith("bank:big sent up to US$2,500 at once")
    assert found.evidence["parameters"] == {"min_amount_usd": 1000.0}
    assert "Rule T1 (Large transfer) draws on test." in found.explanation


def test_an_unknown_rule_id_names_the_id_the_file_and_the_known_ids(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text(yaml.safe_dump(_pack_with(T1)), encoding="utf-8")
    with pytest.raises(ValueError, match=r"rules\.yaml") as caught:
        load_rules(bad)
    assert "unknown payment rule id 'T1'" in str(caught.value)
    assert "known: R1, R11, R12, R14, R15, R16, R2, R3, R4, R5, R6, R7, R8" in str(caught.value)


def test_parameters_are_checked_against_the_rule_the_id_names() -> None:
    wrong = {**T1, "parameters": {"max_amount_usd": 5.0}}
    with pytest.raises(ValueError, match="min_amount_usd"):
        parse_rules(_pack_with(wrong), {**PAYMENT_RULES, "T1": LargeTransfer})


class _CountingEngine(DuckDBEngine):
    """DuckDB under another name, counting the queries it was given."""

    name = "counting"
    queries: list[str] = []

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        _CountingEngine.queries.append(sql)
        return super().query(sql, params)


def _third_party() -> list[PluginClass]:
    return [_CountingEngine, LargeTransfer]


def _payments_detector(settings: Settings) -> PaymentTypologyDetector:
    registry = load_registry([builtin_plugins, _third_party])
    (detector,) = registry.detectors_for(settings)
    assert isinstance(detector, PaymentTypologyDetector)
    return detector


def test_vigil_engine_picks_the_registered_engine_and_rules_by_name(tmp_path: Path) -> None:
    pack = tmp_path / "rules.yaml"
    pack.write_text(yaml.safe_dump(_pack_with(T1)), encoding="utf-8")
    settings = Settings(engine="counting", detectors="payments.typologies", payment_rules=pack)
    _CountingEngine.queries.clear()
    signals = list(_payments_detector(settings).detect([pay("t1", 0, usd=2500.0)], CONTEXT))
    assert len(_CountingEngine.queries) == 6  # R1-R5 and the third-party T1, all on "counting"
    assert [signal.evidence["rule"] for signal in signals] == ["T1"]


def test_the_default_engine_is_duckdb_and_an_unknown_one_is_refused() -> None:
    _CountingEngine.queries.clear()
    detector = _payments_detector(Settings(detectors="payments.typologies"))
    list(detector.detect([pay("t1", 0)], CONTEXT))
    assert _CountingEngine.queries == []
    known = "known: counting, duckdb, spark"
    with pytest.raises(UnknownPluginError, match=f"unknown engine 'flink'; {known}"):
        PaymentTypologyDetector.from_settings(Settings(engine="flink"),
                                              load_registry([builtin_plugins, _third_party]))
