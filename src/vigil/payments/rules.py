"""The payment typology pack as typed, frozen, validated configuration.

Thresholds live in YAML next to their sources so an analyst can read why a rule fires and a
reviewer can tune it without touching code; pydantic refuses a pack with a missing source, an
unknown field or an out-of-range threshold before any SQL is written from it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
PositiveFloat = Annotated[float, Field(gt=0)]
Text = Annotated[str, Field(min_length=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Corridor(_Frozen):
    """Consumer-side and high-risk beneficiary-side countries; shared by every rule by default."""

    consumer_countries: tuple[Country, ...] = Field(min_length=1)
    high_risk_countries: tuple[Country, ...] = Field(min_length=1)
    individuals_only: bool = True
    source: Text


class LowValueCorridorParams(_Frozen):
    """R1: per (sender, beneficiary) pair, payments at or under ``max_amount_usd``."""

    corridor: Corridor
    max_amount_usd: PositiveFloat
    half_score_count: PositiveFloat


class ProlificSenderParams(_Frozen):
    """R2: more than ``min_payments_exclusive`` small payments at a short median gap."""

    corridor: Corridor
    min_payments_exclusive: int = Field(ge=1)
    max_amount_usd: PositiveFloat
    max_median_gap_days: PositiveFloat


class FanOutParams(_Frozen):
    """R3: one sender, several unrelated beneficiaries inside one window."""

    corridor: Corridor
    min_beneficiaries: int = Field(ge=2)
    window_days: int = Field(ge=1)
    max_amount_usd: PositiveFloat


class FanInParams(_Frozen):
    """R4: one beneficiary, several unrelated senders inside one window."""

    corridor: Corridor
    min_senders: int = Field(ge=2)
    window_days: int = Field(ge=1)
    max_amount_usd: PositiveFloat


class EscalationParams(_Frozen):
    """R5: second-half median amount and gap against the first half's, as ratios."""

    corridor: Corridor
    min_payments: int = Field(ge=4)
    min_amount_ratio: float = Field(ge=1)
    min_gap_shrink: float = Field(ge=1)


class _RuleBase(_Frozen):
    name: Text
    enabled: bool = True
    weight: float = Field(gt=0, le=1)
    source: Text


class LowValueCorridorRule(_RuleBase):
    id: Literal["R1"]
    parameters: LowValueCorridorParams


class ProlificSenderRule(_RuleBase):
    id: Literal["R2"]
    parameters: ProlificSenderParams


class FanOutRule(_RuleBase):
    id: Literal["R3"]
    parameters: FanOutParams


class FanInRule(_RuleBase):
    id: Literal["R4"]
    parameters: FanInParams


class EscalationRule(_RuleBase):
    id: Literal["R5"]
    parameters: EscalationParams


Rule = Annotated[
    LowValueCorridorRule | ProlificSenderRule | FanOutRule | FanInRule | EscalationRule,
    Field(discriminator="id"),
]
RuleParams = (LowValueCorridorParams | ProlificSenderParams | FanOutParams | FanInParams
              | EscalationParams)


class PaymentRules(_Frozen):
    """A versioned rule pack; the version goes into every signal so findings can be traced."""

    version: Text
    corridor: Corridor
    rules: tuple[Rule, ...]

    @model_validator(mode="before")
    @classmethod
    def _share_corridor(cls, data: Any) -> Any:
        """Give each rule the pack's corridor unless the rule names its own."""
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list | tuple):
            return data
        rules = [
            {**rule, "parameters": {"corridor": data.get("corridor"), **rule["parameters"]}}
            if isinstance(rule, dict) and isinstance(rule.get("parameters"), dict) else rule
            for rule in data["rules"]
        ]
        return {**data, "rules": rules}

    @model_validator(mode="after")
    def _unique_ids(self) -> PaymentRules:
        ids = [rule.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError(f"rule ids must be unique, got {ids}")
        return self

    def enabled(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.enabled)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no rule {rule_id!r} in payment rules {self.version}")


def load_rules(path: Path | str | None = None) -> PaymentRules:
    """Read and validate a rule pack; ``None`` means the pack vigil ships.

    Raises ``ValueError`` naming the file for bad YAML or a rule that fails validation.
    """
    if path is None:
        source = files("vigil").joinpath("config", "payment_rules.yaml")
        label, text = "vigil/config/payment_rules.yaml", source.read_text(encoding="utf-8")
    else:
        label, text = str(path), Path(path).read_text(encoding="utf-8")
    try:
        return PaymentRules.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"invalid payment rules in {label}: {exc}") from exc


__all__ = [
    "Corridor", "EscalationParams", "EscalationRule", "FanInParams", "FanInRule", "FanOutParams",
    "FanOutRule", "LowValueCorridorParams", "LowValueCorridorRule", "PaymentRules",
    "ProlificSenderParams", "ProlificSenderRule", "Rule", "RuleParams", "load_rules",
]
