"""JSON forms of vigil's records, so a stored object reads back equal to the one written.

Used by the SQL store and by anything else that writes these objects as text. The rules:

- datetimes are ISO 8601 with their UTC offset and must be tz-aware (a naive one is refused
  rather than guessed, because the hours it would be off by are evidence);
- entity references are their ``kind:value`` text, rebuilt without normalising again (they were
  normalised when first made, and re-normalising must never be able to change a stored identity);
- a signal keeps its stored ``id``, so reading it back never re-derives a different one;
- values must be plain JSON: anything ``json`` cannot write raises ``TypeError`` instead of being
  silently turned into a string.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from vigil.audit import AuditEvent
from vigil.identifiers import EntityKind
from vigil.media.banks.records import BankEntry, BankInfo, BankKind
from vigil.model import Case, CaseStatus, EntityRef, JSONValue, Reason, Signal, SignalKind
from vigil.quarantine import QuarantineEntry
from vigil.records import RECORD_TYPES, Record, RecordKind

JSONDict = dict[str, Any]


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""What ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` builds on every call."""


def dump_json(value: JSONValue) -> str:
    return _ENCODER.encode(value)


def load_json(text: str) -> Any:
    return json.loads(text)


def datetime_to_text(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"refusing to store naive datetime {moment.isoformat()}: give it a tz")
    return moment.isoformat()


def datetime_from_text(text: str) -> datetime:
    """Parse ISO 8601; text without an offset (never written by vigil) is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def entity_to_text(entity: EntityRef) -> str:
    return str(entity)


_ENTITY_KINDS = {kind.value: kind for kind in EntityKind}
"""Kind text -> kind: a dict look-up, where ``EntityKind(text)`` runs Enum's lookup in Python."""


def entity_from_text(text: str) -> EntityRef:
    kind, sep, value = text.partition(":")
    if not sep or not value:
        raise ValueError(f"invalid stored entity reference {text!r}: expected kind:value")
    found = _ENTITY_KINDS.get(kind)
    return EntityRef(EntityKind(kind) if found is None else found, value)


def record_to_json(record: Record) -> str:
    return record.model_dump_json()


def record_from_json(kind: RecordKind | str, text: str) -> Record:
    # "stored": the record's JSON is vigil's own, so its tenant stamp is read back
    return RECORD_TYPES[RecordKind(kind)].model_validate_json(text, context={"stored": True})


def signal_to_dict(signal: Signal) -> JSONDict:
    return {
        "id": signal.id,
        "source": signal.source,
        "kind": signal.kind.value,
        "subjects": [entity_to_text(s) for s in signal.subjects],
        "score": signal.score,
        "observed_at": datetime_to_text(signal.observed_at),
        "evidence": dict(signal.evidence),
        "explanation": signal.explanation,
        "detector_version": signal.detector_version,
    }


def signal_from_dict(data: JSONDict, entities: dict[str, EntityRef] | None = None) -> Signal:
    """``entities``: identifiers already read (text -> reference), shared by a batch of signals
    (:func:`signals_from_json`), so each is parsed and built once, not once per signal naming it."""
    if entities is None:
        subjects = tuple(entity_from_text(s) for s in data["subjects"])
    else:
        subjects = tuple(entities.get(s) or entities.setdefault(s, entity_from_text(s))
                         for s in data["subjects"])
    return Signal(
        source=data["source"],
        kind=SignalKind(data["kind"]),
        subjects=subjects,
        score=float(data["score"]),
        observed_at=datetime_from_text(data["observed_at"]),
        evidence=data["evidence"],
        explanation=data["explanation"],
        detector_version=data["detector_version"],
        id=data["id"],
    )


def signal_to_json(signal: Signal) -> str:
    return dump_json(signal_to_dict(signal))


def signal_from_json(text: str) -> Signal:
    return signal_from_dict(load_json(text))


def signals_from_json(texts: Iterable[str]) -> list[Signal]:
    """Many signals at once (a run's relinked region: 65,000 signals naming 750,000
    identifiers at 1M payments, most of them many times), sharing their identifiers."""
    entities: dict[str, EntityRef] = {}
    return [signal_from_dict(load_json(text), entities) for text in texts]


def reason_to_dict(reason: Reason) -> JSONDict:
    # Spelled out: dataclasses.asdict deep-copies every field, and cases carry many reasons.
    return {"component": reason.component, "value": reason.value, "weight": reason.weight,
            "contribution": reason.contribution, "text": reason.text}


def reason_from_dict(data: JSONDict) -> Reason:
    return Reason(
        component=data["component"],
        value=float(data["value"]),
        weight=float(data["weight"]),
        contribution=float(data["contribution"]),
        text=data["text"],
    )


def reasons_to_json(reasons: Sequence[Reason]) -> str:
    return dump_json([reason_to_dict(r) for r in reasons])


def reasons_from_json(text: str) -> tuple[Reason, ...]:
    return tuple(reason_from_dict(r) for r in load_json(text))


def case_to_dict(case: Case) -> JSONDict:
    return {
        "id": case.id,
        "entities": [entity_to_text(e) for e in case.entities],
        "signals": [signal_to_dict(s) for s in case.signals],
        "priority": case.priority,
        "reasons": [reason_to_dict(r) for r in case.reasons],
        "status": case.status.value,
    }


def case_from_dict(data: JSONDict) -> Case:
    return Case(
        id=data["id"],
        entities=tuple(entity_from_text(e) for e in data["entities"]),
        signals=tuple(signal_from_dict(s) for s in data["signals"]),
        priority=float(data["priority"]),
        reasons=tuple(reason_from_dict(r) for r in data["reasons"]),
        status=CaseStatus(data["status"]),
    )


def case_to_json(case: Case) -> str:
    """``dump_json(case_to_dict(case))``, byte for byte, written a signal at a time: a case
    holding most signals (a giant component: 119,025 of 170,197 signals at 1M payments, 192 MB
    of JSON) is never a tree of dicts as well as its text."""
    signals = ",".join(dump_json(signal_to_dict(s)) for s in case.signals)
    return (f'{{"id":{dump_json(case.id)},'
            f'"entities":{dump_json([entity_to_text(e) for e in case.entities])},'
            f'"signals":[{signals}],"priority":{dump_json(case.priority)},'
            f'"reasons":{reasons_to_json(case.reasons)},"status":{dump_json(case.status.value)}}}')


def case_from_json(text: str) -> Case:
    return case_from_dict(load_json(text))


def bank_to_dict(bank: BankInfo) -> JSONDict:
    return {
        "name": bank.name,
        "signal_type": bank.signal_type,
        "threshold": bank.threshold,
        "source": bank.source,
        "description": bank.description,
        "kind": bank.kind.value,
        "labels": list(bank.labels),
        "enabled": bank.enabled,
        "state_reason": bank.state_reason,
        "state_by": bank.state_by,
    }


def bank_from_dict(data: JSONDict) -> BankInfo:
    """Fields added after the first release may be absent; they take their defaults."""
    return BankInfo(
        name=data["name"],
        signal_type=data["signal_type"],
        threshold=int(data["threshold"]),
        source=data["source"],
        description=data["description"],
        kind=BankKind(data.get("kind", BankKind.POSITIVE.value)),
        labels=tuple(data.get("labels", ())),
        enabled=bool(data.get("enabled", True)),
        state_reason=data.get("state_reason", ""),
        state_by=data.get("state_by", ""),
    )


def bank_entry_to_dict(entry: BankEntry) -> JSONDict:
    return {
        "bank": entry.bank,
        "hash": entry.hash,
        "signal_type": entry.signal_type,
        "label": entry.label,
        "source": entry.source,
        "metadata": dict(entry.metadata),
        "enabled": entry.enabled,
        "state_reason": entry.state_reason,
        "state_by": entry.state_by,
    }


def bank_entry_from_dict(data: JSONDict) -> BankEntry:
    """Fields added after the first release may be absent; they take their defaults."""
    return BankEntry(
        bank=data["bank"],
        hash=data["hash"],
        signal_type=data["signal_type"],
        label=data["label"],
        source=data["source"],
        metadata=dict(data.get("metadata") or {}),
        enabled=bool(data.get("enabled", True)),
        state_reason=data.get("state_reason", ""),
        state_by=data.get("state_by", ""),
    )


def audit_to_dict(event: AuditEvent) -> JSONDict:
    return {
        "actor": event.actor,
        "action": event.action,
        "target": event.target,
        "at": datetime_to_text(event.at),
        "details": dict(event.details),
        "role": event.role,
        "case_id": event.case_id,
        "outcome": event.outcome,
        "justification": event.justification,
    }


def audit_from_dict(data: JSONDict) -> AuditEvent:
    return AuditEvent(
        actor=data["actor"],
        action=data["action"],
        target=data["target"],
        at=datetime_from_text(data["at"]),
        details=dict(data["details"]),
        role=data.get("role", ""),
        case_id=data.get("case_id", ""),
        outcome=data.get("outcome", "success"),
        justification=data.get("justification", ""),
    )


def quarantine_to_dict(entry: QuarantineEntry) -> JSONDict:
    return {
        "kind": entry.kind.value,
        "source": entry.source,
        "line": entry.line,
        "excerpt": entry.excerpt,
        "line_sha256": entry.line_sha256,
        "reason": entry.reason,
    }


def quarantine_from_dict(data: JSONDict) -> QuarantineEntry:
    return QuarantineEntry(
        kind=RecordKind(data["kind"]),
        source=data["source"],
        line=int(data["line"]),
        excerpt=data["excerpt"],
        reason=data["reason"],
        line_sha256=data.get("line_sha256", ""),
    )
