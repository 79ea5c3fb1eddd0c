from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from vigil.payments.rules import R1_R5_PACK, FanOutParams, PaymentRules, load_rules

CONFIG = Path(__file__).parents[2] / "src" / "vigil" / "config"
DEFAULT_YAML = CONFIG / "payment_rules.yaml"
TYPOLOGY_YAML = CONFIG / "payment_typology.yaml"


def _pack() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_YAML.read_text(encoding="utf-8"))
    return data


def test_default_pack_is_r1_to_r16_each_with_a_source() -> None:
    rules = load_rules()
    assert rules == load_rules(TYPOLOGY_YAML)
    assert [rule.id for rule in rules.rules] == [
        "R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R11", "R12", "R14", "R15", "R16"]
    for rule in rules.rules:
        assert rule.source.strip() and rule.name.strip() and 0 < rule.weight <= 1
        assert rule.parameters.corridor == rules.corridor


def test_the_r1_to_r5_pack_is_named_by_its_file_name() -> None:
    rules = load_rules(R1_R5_PACK)
    assert rules == load_rules(DEFAULT_YAML)
    assert [rule.id for rule in rules.rules] == ["R1", "R2", "R3", "R4", "R5"]
    # R1-R5 are the same rules with the same thresholds in both packs.
    assert rules.rules == load_rules().rules[:5]


def test_a_file_of_a_packaged_name_in_the_working_folder_wins(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _pack()
    data["version"] = "local"
    (tmp_path / R1_R5_PACK).write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_rules(R1_R5_PACK).version == "local"


def test_default_pack_thresholds_match_the_sources() -> None:
    rules = load_rules()
    assert rules.rule("R2").parameters.model_dump(exclude={"corridor"}) == {
        "min_payments_exclusive": 20, "max_amount_usd": 36.0, "max_median_gap_days": 20.0}
    fan_out = rules.rule("R3").parameters
    assert isinstance(fan_out, FanOutParams)
    assert (fan_out.min_beneficiaries, fan_out.window_days) == (3, 30)
    assert rules.corridor.high_risk_countries[0] == "PH"


def test_norway_survives_yaml() -> None:
    # A bare NO in YAML 1.1 is false; the pack quotes its codes.
    assert {"NO", "GB", "SE", "NZ"} <= set(load_rules().corridor.consumer_countries)


def test_loading_from_a_path_matches_the_packaged_pack(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(DEFAULT_YAML.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_rules(path) == load_rules(R1_R5_PACK)


def test_rules_are_frozen() -> None:
    rule = load_rules().rule("R1")
    with pytest.raises(ValidationError):
        rule.weight = 0.9


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is _DELETE:
        del node[leaf]
    else:
        node[leaf] = value


_DELETE = object()


@pytest.mark.parametrize("path, value", [
    ("rules.0.source", _DELETE),
    ("rules.0.source", ""),
    ("rules.1.weight", 1.5),
    ("rules.1.weight", 0),
    ("rules.2.parameters.window_days", 0),
    ("rules.2.parameters.surprise", 1),
    ("rules.3.id", "R9"),
    ("rules.4.id", "R1"),
    ("rules.4.parameters.min_payments", 3),
    ("corridor.consumer_countries", ["australia"]),
    ("version", ""),
])
def test_invalid_packs_are_refused_naming_the_file(tmp_path: Path, path: str, value: Any) -> None:
    data = _pack()
    _set(data, path, value)
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ValueError, match="bad.yaml"):
        load_rules(bad)


def test_unparseable_yaml_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("version: [unclosed", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.yaml"):
        load_rules(bad)


def test_a_rule_may_name_its_own_corridor() -> None:
    data = _pack()
    own = {**data["corridor"], "high_risk_countries": ["PH"]}
    data["rules"][0]["parameters"]["corridor"] = own
    rules = PaymentRules.model_validate(data)
    assert rules.rule("R1").parameters.corridor.high_risk_countries == ("PH",)
    assert rules.rule("R2").parameters.corridor == rules.corridor


def test_disabled_rules_are_not_enabled_and_unknown_ids_raise() -> None:
    data = _pack()
    data["rules"][1]["enabled"] = False
    rules = PaymentRules.model_validate(data)
    assert [rule.id for rule in rules.enabled()] == ["R1", "R3", "R4", "R5"]
    with pytest.raises(KeyError, match="R42"):
        rules.rule("R42")
