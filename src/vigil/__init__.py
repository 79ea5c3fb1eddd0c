"""vigil: fuse media, chat, payment and report signals into linked, explained, prioritised cases."""

from vigil.identifiers import EntityKind, normalise
from vigil.model import Case, CaseStatus, EntityRef, Reason, Signal, SignalKind

__version__ = "0.1.0"

__all__ = [
    "Case",
    "CaseStatus",
    "EntityKind",
    "EntityRef",
    "Reason",
    "Signal",
    "SignalKind",
    "__version__",
    "normalise",
]
