"""The audit trail's record: who did what to which object, when, in which role, and why.

Every event is appended to the custody log (:mod:`vigil.custody`), which chains and signs it.
The fields follow what CJIS Security Policy AU-3 and OWASP ASVS 5.0 V16.2.1 ask an audit record
to hold (who, in which role, what, on which object, with which outcome, when) plus the
justification that NIST SP 800-92 and the EU Law Enforcement Directive (Art. 25) ask for access
to personal data; the new fields default to empty so older callers stay valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from vigil.model import JSONValue


@dataclass(frozen=True)
class AuditEvent:
    """Who did what to which object, when; appended, never edited.

    ``target`` is the object acted on; ``case_id`` the case it belongs to, if any; ``outcome``
    whether the action took effect (``success``, ``denied``, ``failed``); ``justification`` the
    actor's stated reason.
    """

    actor: str
    action: str
    target: str
    at: datetime
    details: dict[str, JSONValue] = field(default_factory=dict)
    role: str = ""
    case_id: str = ""
    outcome: str = "success"
    justification: str = ""
