"""Jurisdiction profiles: retention periods and detectors switched off by law, from YAML.

The packaged ``config/jurisdictions.yaml`` names the public source of every period and date.
A profile is chosen by ``VIGIL_JURISDICTION``; none chosen means no retention limit and no
detector switched off (holds still apply).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from vigil.model import Case, Reason
from vigil.settings import Settings

LAW_COMPONENT = "off_by_law"
"""The ``Reason.component`` of a detector switched off by a jurisdiction (contribution 0)."""


class JurisdictionError(ValueError):
    """An unknown profile or a bad profiles file; the message names the file and field."""


@dataclass(frozen=True)
class DetectorSwitch:
    """A detector off from ``off_from`` (00:00 UTC) because its legal basis lapsed."""

    detector: str
    applies_to: str
    legal_basis: str
    off_from: date

    def is_off(self, now: datetime) -> bool:
        return now >= datetime.combine(self.off_from, datetime.min.time(), UTC)

    def sentence(self, jurisdiction: str) -> str:
        return (f"detector {self.detector} is off for {self.applies_to} under jurisdiction "
                f"{jurisdiction} since {self.off_from.isoformat()}: its legal basis lapsed "
                f"({self.legal_basis.strip()})")


@dataclass(frozen=True)
class Jurisdiction:
    """One profile: retention in days per kind (``None``: no limit) and detector switches."""

    code: str
    name: str
    source: str
    retention_days: dict[str, int | None]
    detectors_off: tuple[DetectorSwitch, ...] = ()

    def retention(self, kind: str) -> timedelta | None:
        days = self.retention_days.get(kind)
        return None if days is None else timedelta(days=days)

    def switched_off(self, now: datetime) -> list[DetectorSwitch]:
        """The detectors this profile has off at ``now``."""
        return [s for s in self.detectors_off if s.is_off(now)]


RETAINED_KINDS = ("records", "signals", "cases")


def load_jurisdictions(path: Path | None = None) -> dict[str, Jurisdiction]:
    """Every profile in ``path`` (``None``: the packaged file), by code."""
    where = str(path) if path else "jurisdictions.yaml"
    try:
        text = path.read_text("utf-8") if path else resources.files("vigil.config").joinpath(
            "jurisdictions.yaml").read_text("utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise JurisdictionError(f"{where}: cannot read the profiles: {exc}") from exc
    profiles = data.get("profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, dict):
        raise JurisdictionError(f"{where}: expected 'profiles:' mapping codes to profiles")
    return {str(code): _profile(where, str(code), body) for code, body in profiles.items()}


def jurisdiction(code: str | None, path: Path | None = None) -> Jurisdiction | None:
    """The profile ``code`` names (``None``: no profile); unknown codes list the known ones."""
    if code is None:
        return None
    profiles = load_jurisdictions(path)
    if code not in profiles:
        raise JurisdictionError(f"unknown jurisdiction {code!r}; known: "
                                f"{', '.join(sorted(profiles))}")
    return profiles[code]


def _profile(where: str, code: str, body: Any) -> Jurisdiction:
    at = f"{where}: profile {code}"
    if not isinstance(body, dict):
        raise JurisdictionError(f"{at}: expected a mapping")
    for field in ("name", "source"):
        if not isinstance(body.get(field), str) or not body[field].strip():
            raise JurisdictionError(f"{at}: field {field!r} is required (text)")
    days = body.get("retention_days")
    if not isinstance(days, dict) or set(days) != set(RETAINED_KINDS):
        raise JurisdictionError(f"{at}: 'retention_days' needs records, signals and cases")
    for kind, value in days.items():
        if value is not None and (not isinstance(value, int) or value < 1):
            raise JurisdictionError(f"{at}: retention_days.{kind} must be a whole number of "
                                    "days >= 1, or null")
    switches = body.get("detectors_off") or []
    if not isinstance(switches, list):
        raise JurisdictionError(f"{at}: 'detectors_off' must be a list")
    return Jurisdiction(code, body["name"], body["source"], dict(days),
                        tuple(_switch(f"{at}: detectors_off {i}", s)
                              for i, s in enumerate(switches, start=1)))


def _switch(at: str, item: Any) -> DetectorSwitch:
    if not isinstance(item, dict):
        raise JurisdictionError(f"{at}: expected a mapping")
    for field in ("detector", "applies_to", "legal_basis"):
        if not isinstance(item.get(field), str) or not item[field].strip():
            raise JurisdictionError(f"{at}: field {field!r} is required (text)")
    if not isinstance(item.get("off_from"), date):
        raise JurisdictionError(f"{at}: field 'off_from' must be a date (YYYY-MM-DD)")
    return DetectorSwitch(item["detector"], item["applies_to"], item["legal_basis"],
                          item["off_from"])


def law_reasons(profile: Jurisdiction | None, now: datetime) -> list[Reason]:
    """A zero-contribution :class:`Reason` per detector the profile has off at ``now``."""
    if profile is None:
        return []
    return [Reason(LAW_COMPONENT, 0.0, 0.0, 0.0, s.sentence(profile.code))
            for s in profile.switched_off(now)]


def with_law_reasons(case: Case, reasons: list[Reason]) -> Case:
    """``case`` with ``reasons`` added (once), so a reader knows what was not looked for."""
    kept = tuple(r for r in case.reasons if r.component != LAW_COMPONENT)
    return replace(case, reasons=kept + tuple(reasons))


def profile_for(settings: Settings) -> Jurisdiction | None:
    """The profile ``VIGIL_JURISDICTION`` names, from ``VIGIL_JURISDICTIONS`` or the package."""
    return jurisdiction(settings.jurisdiction, settings.jurisdictions)


def detectors_off_by_law(settings: Settings, now: datetime | None = None) -> dict[str, str]:
    """Detector name to the sentence why the configured profile has it off (``vigil plugins``)."""
    profile = profile_for(settings)
    if profile is None:
        return {}
    return {s.detector: s.sentence(profile.code)
            for s in profile.switched_off(now or datetime.now(UTC))}
