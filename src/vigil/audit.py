"""The audit trail's record: who did what to which object, and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from vigil.model import JSONValue


@dataclass(frozen=True)
class AuditEvent:
    """Who did what to which object, when; appended, never edited."""

    actor: str
    action: str
    target: str
    at: datetime
    details: dict[str, JSONValue] = field(default_factory=dict)
