"""Cases as JSON: the machine-readable twin of the ranked table (``vigil demo --json``)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from vigil.model import Case, JSONValue, Reason, Signal
from vigil.plugin import Exporter


def reason_to_json(reason: Reason) -> dict[str, JSONValue]:
    return {"component": reason.component, "value": round(reason.value, 6),
            "weight": round(reason.weight, 6), "contribution": round(reason.contribution, 6),
            "text": reason.text}


def signal_to_json(signal: Signal) -> dict[str, JSONValue]:
    return {"id": signal.id, "source": signal.source, "kind": signal.kind.value,
            "subjects": [str(s) for s in signal.subjects], "score": signal.score,
            "observed_at": signal.observed_at.isoformat(), "evidence": dict(signal.evidence),
            "explanation": signal.explanation, "detector_version": signal.detector_version}


def case_to_json(case: Case) -> dict[str, JSONValue]:
    return {"id": case.id, "priority": case.priority, "status": case.status.value,
            "entities": [str(e) for e in case.entities],
            "signals": [signal_to_json(s) for s in case.signals],
            "reasons": [reason_to_json(r) for r in case.reasons]}


class JsonCasesExporter(Exporter):
    name = "json"
    media_type = "application/json"
    description = "Cases with entities, signals and reasons as a JSON array"

    def export(self, cases: Sequence[Case]) -> str:
        return json.dumps([case_to_json(c) for c in cases], indent=2, ensure_ascii=False)
