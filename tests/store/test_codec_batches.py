"""The codec's batch and streamed forms write and read exactly what the one-at-a-time forms do:
a stored case's JSON must not change by a byte (the incremental run's results are compared with
a full run's, and earlier rows with new ones), and signals decoded together must equal signals
decoded alone."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from vigil.identifiers import EntityKind
from vigil.model import Case, CaseStatus, EntityRef, Reason, Signal, SignalKind
from vigil.store import codec

MANILA = timezone(timedelta(hours=8))


def _signal(n: int, shared: EntityRef) -> Signal:
    own = EntityRef.of(EntityKind.ACCOUNT, f"chat:user{n}")
    return Signal(
        source="test-detector", kind=SignalKind.PAYMENT, subjects=(own, shared),
        score=0.5 if n % 2 else 1, observed_at=datetime(2024, 3, 1, 12, n, tzinfo=MANILA),
        evidence={"roles": {str(own): "payer"}, "note": "naïve ✓ \"quoted\"", "n": [n, None]},
        explanation=f"Zahlung {n} — überwiesen", detector_version="2.1")


def _case(signals: tuple[Signal, ...], reasons: tuple[Reason, ...]) -> Case:
    entities = tuple(sorted({e for s in signals for e in s.subjects}))
    return Case("case-ü", entities, signals, 0.123456, reasons, CaseStatus.IN_REVIEW)


def test_case_json_is_the_dict_form_dumped_byte_for_byte() -> None:
    phone = EntityRef.of(EntityKind.PHONE, "+63 917 123 4567")
    signals = tuple(_signal(n, phone) for n in range(5))
    reasons = (Reason("payers", 2.0, 0.3, 0.6, "two payers — «quoted»"),
               Reason("hub_suppressed", 40.0, 0.0, 0.0, "phone not used"))
    for case in (_case(signals, reasons), _case(signals[:1], ())):
        expected = json.dumps(codec.case_to_dict(case), ensure_ascii=False,
                              separators=(",", ":"))
        assert codec.case_to_json(case) == expected
        assert codec.case_from_json(expected) == case
    assert codec.dump_json({"a": [1.5, None, "é"]}) == '{"a":[1.5,null,"é"]}'


def test_signals_decoded_together_equal_signals_decoded_alone() -> None:
    phone = EntityRef.of(EntityKind.PHONE, "+63 917 123 4567")
    texts = [codec.signal_to_json(_signal(n, phone)) for n in range(6)]
    alone = [codec.signal_from_json(text) for text in texts]
    together = codec.signals_from_json(texts)
    assert [codec.signal_to_dict(s) for s in together] == [codec.signal_to_dict(s) for s in alone]
    assert together[0].subjects[1] is together[1].subjects[1]  # one reference, shared
    assert codec.signals_from_json([]) == []
