"""Triage: a priority for each linked group, from weighted components that keep their reasons.

The engine is a plain loop over scorer functions (presidio-style): each returns a value in [0, 1]
and a sentence; the weight comes from ``triage.yaml``. Nothing is hidden in the number - every
component's value, weight and contribution are kept on the case as a :class:`~vigil.model.Reason`.

Why most weight sits on *indicators*, not on how many kinds of signal a case has: benign users
trip several kinds at once (a tutor paid by parents abroad who moves a class to Skype and is
reported in anger), so the count of kinds says little. What real data carries that ordinary life
seldom does is specific: known material seen again and again, a paid "show" negotiated, secrecy
or a threat to share, a minor's stated age, payments that escalate, a report that says what
happened. Counts (payers, victims) use saturating curves, ``n / (n + half)``, so a handful never
earns full weight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from vigil.linking import LinkedGroup
from vigil.model import Case, Reason, Signal, SignalKind, case_id_for
from vigil.triage_payments import (
    combined_in_score,
    flagged_buyers,
    payment_indicators,
    typology_scores,
)

DEFAULT_SIGNAL_KINDS: tuple[SignalKind, ...] = (
    SignalKind.CONVERSATION, SignalKind.MEDIA, SignalKind.PAYMENT, SignalKind.REPORT)
"""The kinds vigil's four built-in detectors produce: corroboration's denominator when a config
is used outside a run. Spelled out, not ``tuple(SignalKind)``, so it never grows on its own."""


class TriageConfig(BaseModel):
    """Weights, half-value counts, known-media repeat and recency half-life (triage.yaml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    version: int = 1
    weights: Mapping[str, float]
    half_value: Mapping[str, float] = {"payers": 10.0, "victims": 2.0, "indicators": 2.0}
    """The count at which a counting component reaches half its value (``n / (n + half)``)."""
    known_media_repeat: int = 3
    """Bank matches on this many observations make "known material seen repeatedly"."""
    recency_half_life_days: float = 30.0
    signal_kinds: tuple[SignalKind, ...] = DEFAULT_SIGNAL_KINDS
    """The kinds of signal the run can produce; corroboration is out of these, so a run without
    payment data is not marked down for its missing payments, and a new :class:`SignalKind`
    changes no score until a run uses it. :func:`vigil.pipeline.run_pipeline` sets it from the
    enabled detectors."""

    def with_kinds(self, kinds: Iterable[SignalKind]) -> TriageConfig:
        """This config with ``signal_kinds`` set to ``kinds`` (deduplicated, in a fixed order)."""
        return self.model_copy(update={"signal_kinds": tuple(sorted(set(kinds)))})


def load_triage_config(path: Path | None = None,
                       scorers: Mapping[str, object] | None = None) -> TriageConfig:
    """Read triage weights from ``path``, or the packaged defaults.

    Every weight must name a scorer in ``scorers`` (the registry's table; the built-in
    :data:`SCORERS` when ``None``), so a weight for a third-party scorer is accepted once that
    scorer is registered and a typo is an error listing the known names.
    """
    if path is None:
        text = resources.files("vigil.config").joinpath("triage.yaml").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    config = TriageConfig.model_validate(yaml.safe_load(text))
    known = SCORERS if scorers is None else scorers
    unknown = set(config.weights) - set(known)
    if unknown:
        raise ValueError(f"triage config names unknown components: {sorted(unknown)}; "
                         f"known: {', '.join(sorted(known))}")
    return config


@dataclass(frozen=True)
class Component:
    """A scorer's verdict on one group: value in [0, 1] and the sentence that explains it."""

    value: float
    text: str


Scorer = Callable[[LinkedGroup, TriageConfig, datetime], Component]


def entities_in_role(signals: Sequence[Signal], role: str) -> set[str]:
    """Entities that some signal's evidence puts in ``role`` (payer, victim, ...)."""
    found: set[str] = set()
    for signal in signals:
        roles = signal.evidence.get("roles", {})
        found.update(entity for entity, r in roles.items() if r == role)
    return found


def score_corroboration(group: LinkedGroup, config: TriageConfig, as_of: datetime) -> Component:
    kinds = sorted({s.kind.value for s in group.signals})
    possible = len(set(config.signal_kinds) | {s.kind for s in group.signals})
    value = (len(kinds) - 1) / (possible - 1) if possible > 1 else 0.0
    return Component(value, f"{len(kinds)} kind(s) of signal agree: {', '.join(kinds)}")


def score_strongest(group: LinkedGroup, config: TriageConfig, as_of: datetime) -> Component:
    """The highest signal score; a payment rule finding that an account's typology score
    combines (benign structure discounted) counts through that score, not alone."""
    scores = typology_scores(group.signals)
    counted = [s for s in group.signals if not combined_in_score(s, scores)] if scores else []
    best = max(counted or group.signals, key=lambda s: (s.score, s.id))
    return Component(best.score, f"strongest signal {best.score:.2f} from {best.source}: "
                                 f"{best.explanation}")


def saturating(count: float, half: float) -> float:
    """``count / (count + half)``: 0 at none, 0.5 at ``half``, approaching 1, never reaching it."""
    return count / (count + half) if count > 0 else 0.0


def _count_role(group: LinkedGroup, config: TriageConfig, role: str, plural: str) -> Component:
    found = entities_in_role(group.signals, role)
    half = config.half_value.get(plural, 3.0)
    shown = ", ".join(sorted(found)[:5]) + (" ..." if len(found) > 5 else "")
    return Component(saturating(len(found), half),
                     f"{len(found)} distinct {plural} (half weight at {half:g})"
                     + (f": {shown}" if found else ""))


CONVERSATION_INDICATORS = {"show_negotiation": "a paid show negotiated in chat",
                           "secrecy": "secrecy asked in chat",
                           "threat_to_share": "a threat to share in chat"}
"""Lexicon categories specific enough to count as indicators on their own (lexicon.yaml
weights them highest after threats); price, apps and age questions are everyday talk."""
REPORT_INDICATORS = {"asked_age", "secrecy", "threat_to_share", "paid_show"}
"""Report phrases that say what happened to the reporter (vigil.detectors.reports)."""
MINOR_PHRASES = {"minor_at_risk", "stated_minor"}


def _categories(signal: Signal, key: str) -> set[str]:
    found = signal.evidence.get(key, {})
    return set(found) if isinstance(found, dict | list) else set()


def indicators(signals: Sequence[Signal], config: TriageConfig) -> dict[str, str]:
    """The specific indicators among a case's signals: name -> what was seen."""
    found: dict[str, str] = {}
    sightings = sum(1 for s in signals if s.kind is SignalKind.MEDIA)
    sightings += sum(1 for s in signals if s.kind is SignalKind.REPORT
                     and s.evidence.get("frame_matches"))
    if sightings >= config.known_media_repeat:
        found["known_media"] = f"known material matched on {sightings} observations"
    for name, text in _signal_indicators(signals):
        found.setdefault(name, text)
    return dict(sorted(found.items()))


def entities_in_role_values(signal: Signal) -> set[str]:
    roles = signal.evidence.get("roles", {})
    return {str(role) for role in roles.values()} if isinstance(roles, dict) else set()


def _signal_indicators(signals: Sequence[Signal]) -> Iterator[tuple[str, str]]:
    flagged = flagged_buyers(signals)
    for signal in sorted(signals, key=lambda s: s.id):
        if signal.kind is SignalKind.CONVERSATION:
            for name in sorted(_categories(signal, "categories") & set(CONVERSATION_INDICATORS)):
                yield name, CONVERSATION_INDICATORS[name]
            if "victim" in entities_in_role_values(signal):
                yield "minor", "a minor (stated age) received grooming indicators in chat"
        elif signal.kind is SignalKind.PAYMENT:
            yield from payment_indicators(signal, flagged)
        elif signal.kind is SignalKind.REPORT:
            phrases = _categories(signal, "reason_categories")
            if phrases & MINOR_PHRASES:
                yield "minor", "a report names a minor"
            if phrases & REPORT_INDICATORS:
                yield "victim_report", "a report says what happened (" + \
                    ", ".join(sorted(phrases & REPORT_INDICATORS)) + ")"


def score_indicators(group: LinkedGroup, config: TriageConfig, as_of: datetime) -> Component:
    found = indicators(group.signals, config)
    half = config.half_value.get("indicators", 2.0)
    listed = "; ".join(found.values())
    return Component(saturating(len(found), half),
                     f"{len(found)} specific indicator(s) (half weight at {half:g})"
                     + (f": {listed}" if found else ""))


def score_payers(group: LinkedGroup, config: TriageConfig, as_of: datetime) -> Component:
    return _count_role(group, config, "payer", "payers")


def score_victims(group: LinkedGroup, config: TriageConfig, as_of: datetime) -> Component:
    return _count_role(group, config, "victim", "victims")


def score_recency(group: LinkedGroup, config: TriageConfig, as_of: datetime) -> Component:
    return recency(max(s.observed_at for s in group.signals), config, as_of)


def recency(latest: datetime, config: TriageConfig, as_of: datetime) -> Component:
    """The recency component of a group whose newest signal is from ``latest``."""
    age_days = max(0.0, (as_of - latest).total_seconds() / 86400)
    value = 0.5 ** (age_days / config.recency_half_life_days)
    return Component(value, f"latest signal {age_days:.1f} days before {as_of:%Y-%m-%d} "
                            f"(half-life {config.recency_half_life_days:g} days)")


SCORERS: dict[str, Scorer] = {
    "corroboration": score_corroboration,
    "strongest": score_strongest,
    "payers": score_payers,
    "victims": score_victims,
    "recency": score_recency,
    "indicators": score_indicators,
}
MOMENT_FREE: frozenset[Scorer] = frozenset(
    {score_corroboration, score_strongest, score_payers, score_victims, score_indicators})
"""The built-in scorers that do not read ``as_of``: a case's component from one of them stays
while the moment moves (only :func:`score_recency` of the built-ins reads it)."""


def triage(group: LinkedGroup, config: TriageConfig, as_of: datetime,
           scorers: Mapping[str, Scorer] = SCORERS) -> Case:
    """Score one linked group into a :class:`Case` whose reasons add up to its priority.

    ``scorers`` is the table the weights' names are looked up in: the registry's, so a
    registered third-party scorer with a weight in triage.yaml is run; the built-ins by default.
    """
    total_weight = sum(config.weights.values()) or 1.0
    reasons: list[Reason] = []
    for name, weight in config.weights.items():
        component = scorers[name](group, config, as_of)
        share = weight / total_weight
        reasons.append(Reason(name, component.value, share, component.value * share,
                              component.text))
    priority = round(sum(r.contribution for r in reasons), 6)
    reasons.extend(hub_reasons(group))
    signals = tuple(sorted(group.signals, key=lambda s: (-s.score, s.id)))
    return Case(case_id_for(group.entities, group.signals), group.entities, signals,
                priority, tuple(reasons))


HUB_COMPONENT = "hub_suppressed"
"""The zero-weight reason naming a hub the case's linking left out (after the weighted ones)."""


def hub_reasons(group: LinkedGroup) -> list[Reason]:
    """One reason per hub the group's signals skipped, weightless (it explains, it does not
    rank); :mod:`vigil.incremental.hub_degrees` restates it when only the degree changed."""
    return [
        Reason(HUB_COMPONENT, float(hub.degree), 0.0, 0.0,
               f"{hub.entity} not used for linking: seen with {hub.degree} distinct entities "
               f"(limit {hub.limit} for {hub.entity.kind.value})")
        for hub in group.hubs
    ]


def triage_all(groups: Sequence[LinkedGroup], config: TriageConfig,
               as_of: datetime, scorers: Mapping[str, Scorer] = SCORERS) -> list[Case]:
    """Cases for all groups, highest priority first (ties broken by id)."""
    cases = [triage(group, config, as_of, scorers) for group in groups]
    return sorted(cases, key=lambda c: (-c.priority, c.id))
