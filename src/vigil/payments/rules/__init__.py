"""The payment typology pack as typed, frozen, validated configuration, and the built-in rules.

Thresholds live in YAML next to their sources so an analyst can read why a rule fires and a
reviewer can tune it without touching code; pydantic refuses a pack with a missing source, an
unknown field, an out-of-range threshold or a rule id no rule is registered under before any SQL
is written from it. Each rule (its parameters, SQL, strength and sentence) is one module here
(:mod:`vigil.payments.rule_base`); :data:`PAYMENT_RULES` is the built-in list.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    Field,
    PrivateAttr,
    SerializeAsAny,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from vigil.payments.rule_base import Corridor, Frozen, PaymentRule, RuleParameters, Text
from vigil.payments.rules.r1_low_value_corridor import LowValueCorridor, LowValueCorridorParams
from vigil.payments.rules.r2_prolific_sender import ProlificSender, ProlificSenderParams
from vigil.payments.rules.r3_fan_out import FanOut, FanOutParams
from vigil.payments.rules.r4_fan_in import FanIn, FanInParams
from vigil.payments.rules.r5_escalation import Escalation, EscalationParams
from vigil.payments.rules.r6_cover_story import CoverStory
from vigil.payments.rules.r7_time_of_day import TimeOfDay
from vigil.payments.rules.r8_even_amounts import EvenAmounts
from vigil.payments.rules.r11_channel_risk import ChannelRisk
from vigil.payments.rules.r12_no_family_ties import NoFamilyTies
from vigil.payments.rules.r14_list_hit import ListHit
from vigil.payments.rules.r15_facilitator_profile import FacilitatorProfile
from vigil.payments.rules.r16_sextortion_victim import SextortionVictim

RuleTypes = Mapping[str, type[PaymentRule[Any]]]
"""Rule classes by id: :data:`PAYMENT_RULES` or the registry's ``payment_rules`` table."""

PAYMENT_RULES: dict[str, type[PaymentRule[Any]]] = {
    cls.name: cls for cls in (LowValueCorridor, ProlificSender, FanOut, FanIn, Escalation,
                              CoverStory, TimeOfDay, EvenAmounts, ChannelRisk, NoFamilyTies,
                              ListHit, FacilitatorProfile, SextortionVictim)}
"""Every built-in payment rule by id; :func:`vigil.plugins.builtin_plugins` registers them."""

_CONTEXT_KEY = "payment_rules"


def _rule_types(info: ValidationInfo) -> RuleTypes:
    context = info.context if isinstance(info.context, Mapping) else {}
    types: RuleTypes = context.get(_CONTEXT_KEY, PAYMENT_RULES)
    return types


def rule_class(rule_id: str, rule_types: RuleTypes = PAYMENT_RULES) -> type[PaymentRule[Any]]:
    """The rule registered under ``rule_id``; ``ValueError`` names the id and the known ones."""
    try:
        return rule_types[rule_id]
    except KeyError:
        known = ", ".join(sorted(rule_types)) or "none registered"
        raise ValueError(f"unknown payment rule id {rule_id!r}; known: {known}") from None


class RuleConfig(Frozen):
    """One rule of a pack: which rule (``id``), its weight, thresholds and their source."""

    id: Text
    name: Text
    enabled: bool = True
    weight: float = Field(gt=0, le=1)
    source: Text
    parameters: SerializeAsAny[RuleParameters]
    _rule_type: type[PaymentRule[Any]] = PrivateAttr()

    @model_validator(mode="before")
    @classmethod
    def _typed_parameters(cls, data: Any, info: ValidationInfo) -> Any:
        """Validate ``parameters`` with the model of the rule the id names."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return data
        rule = rule_class(data["id"], _rule_types(info))
        parameters = data.get("parameters")
        if isinstance(parameters, dict):
            data = {**data, "parameters": rule.parameters_type.model_validate(parameters)}
        return data

    @model_validator(mode="after")
    def _bind(self, info: ValidationInfo) -> RuleConfig:
        rule = rule_class(self.id, _rule_types(info))
        if not isinstance(self.parameters, rule.parameters_type):
            raise ValueError(f"rule {self.id} needs {rule.parameters_type.__name__} parameters")
        self._rule_type = rule
        return self

    @property
    def rule(self) -> PaymentRule[Any]:
        """The (stateless) rule object that writes this rule's SQL, strength and sentence."""
        return self._rule_type()


Rule = RuleConfig
"""The name rule packs used before rules became plug-ins."""


class PaymentRules(Frozen):
    """A versioned rule pack; the version goes into every signal so findings can be traced."""

    version: Text
    corridor: Corridor
    rules: tuple[RuleConfig, ...]

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

    def enabled(self) -> tuple[RuleConfig, ...]:
        return tuple(rule for rule in self.rules if rule.enabled)

    def rule(self, rule_id: str) -> RuleConfig:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"no rule {rule_id!r} in payment rules {self.version}")


def parse_rules(data: Any, rule_types: RuleTypes = PAYMENT_RULES) -> PaymentRules:
    """A pack from already-parsed YAML, its ids looked up in ``rule_types``."""
    return PaymentRules.model_validate(data, context={_CONTEXT_KEY: rule_types})


DEFAULT_PACK = "payment_typology.yaml"
"""The pack ``vigil run`` and ``vigil payments scan`` use when ``VIGIL_PAYMENT_RULES`` is unset:
R1-R16, the rules the typology score (:mod:`vigil.payments.typology`) combines."""
R1_R5_PACK = "payment_rules.yaml"
"""The earlier default, R1-R5 only; ``VIGIL_PAYMENT_RULES=payment_rules.yaml`` names it."""
PACKAGED_PACKS = (DEFAULT_PACK, R1_R5_PACK)
"""Packs vigil ships in ``vigil/config``; a bare file name among them names the packaged one."""


def _pack_text(path: Path | str | None) -> tuple[str, str]:
    """``(label, YAML text)`` of the pack ``path`` names: ``None`` is :data:`DEFAULT_PACK`; a
    bare name of :data:`PACKAGED_PACKS` that is no file here is the packaged pack of that name."""
    name = DEFAULT_PACK if path is None else str(path)
    if name in PACKAGED_PACKS and (path is None or not Path(name).is_file()):
        source = files("vigil").joinpath("config", name)
        return f"vigil/config/{name}", source.read_text(encoding="utf-8")
    return name, Path(name).read_text(encoding="utf-8")


def load_rules(path: Path | str | None = None,
               rule_types: RuleTypes = PAYMENT_RULES) -> PaymentRules:
    """Read and validate a rule pack; ``None`` means the default pack vigil ships (R1-R16,
    :data:`DEFAULT_PACK`), and ``"payment_rules.yaml"`` the packaged R1-R5 pack.

    ``rule_types`` is where rule ids are looked up (the registry's ``payment_rules`` table, so a
    third-party rule registered through the entry point can be named in a pack). Raises
    ``ValueError`` naming the file for bad YAML, an unknown rule id (with the known ones) or a
    rule that fails validation.
    """
    label, text = _pack_text(path)
    try:
        return parse_rules(yaml.safe_load(text), rule_types)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ValueError(f"invalid payment rules in {label}: {exc}") from exc


__all__ = [
    "DEFAULT_PACK", "PACKAGED_PACKS", "PAYMENT_RULES", "R1_R5_PACK", "Corridor", "Escalation",
    "EscalationParams", "FanIn", "FanInParams",
    "FanOut", "FanOutParams", "LowValueCorridor", "LowValueCorridorParams", "PaymentRule",
    "PaymentRules", "ProlificSender", "ProlificSenderParams", "Rule", "RuleConfig",
    "RuleParameters", "RuleTypes", "load_rules", "parse_rules", "rule_class",
]
