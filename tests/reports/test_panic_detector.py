import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from vigil.detectors.reports import (
    COMBINED_SCORE,
    DEFAULT_REASON_SCORE,
    PHRASE_SCORE,
    PanicReportDetector,
    combined_score,
    reason_score,
)
from vigil.identifiers import EntityKind
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.media.hashing.pdq import pdq_of_image
from vigil.model import EntityRef, Signal, SignalKind
from vigil.plugin import DetectionContext
from vigil.records import MediaObservation, PanicReport
from vigil.store.memory import MemoryStore
from vigil.testing.pictures import draw_picture, near_duplicate

T0 = datetime(2026, 3, 1, 22, 15, tzinfo=timezone(timedelta(hours=-5)))
ROLES = {"payer", "payee", "suspect", "facilitator", "victim", "reporter"}
BANKED_SEED = 4


def banked_store() -> MemoryStore:
    store = MemoryStore()
    store.add_bank(BankInfo("demo-known", threshold=31))
    store.add_bank_entries([BankEntry("demo-known", pdq_of_image(draw_picture(BANKED_SEED)).hex,
                                      "pdq", "item-4")])
    return store


def frame_of(seed: int) -> str:
    return pdq_of_image(near_duplicate(draw_picture(seed), seed=seed + 100)).hex


def report(ident: str, reason: str = "made me uncomfortable", **fields: Any) -> PanicReport:
    values: dict[str, Any] = {"report_id": ident, "reporter": "vidchat:Viewer_9",
                              "reported": "vidchat:host_3", "session_id": "sess-1",
                              "reported_at": T0, "reason": reason}
    return PanicReport(**(values | fields))


def detect(*reports: PanicReport, store: MemoryStore | None = None) -> list[Signal]:
    context = DetectionContext(banks=store or banked_store())
    return list(PanicReportDetector().detect(reports, context))


def assert_follows_signal_conventions(signal: Signal) -> None:
    assert signal.source == "reports.panic" and signal.kind is SignalKind.REPORT
    assert signal.observed_at.utcoffset() == timedelta(0)
    assert 0.0 <= signal.score <= 1.0 and signal.explanation
    json.dumps(signal.evidence)
    roles = signal.evidence["roles"]
    assert set(roles.values()) <= ROLES
    assert {EntityRef.parse(key) for key in roles} <= set(signal.subjects)


@pytest.mark.parametrize(("reason", "score", "categories"), [
    ("made me uncomfortable", DEFAULT_REASON_SCORE, []),
    # single alarming words are no indicator: their weight must come from corroboration
    ("There was a CHILD in the room", DEFAULT_REASON_SCORE, []),
    ("host said the kids were watching", DEFAULT_REASON_SCORE, []),
    ("asked for payment and threatened me", DEFAULT_REASON_SCORE, []),
    ("this account is a threat", DEFAULT_REASON_SCORE, []),
    ("looked underage", PHRASE_SCORE, ["stated_minor"]),
    ("she said she is 12", PHRASE_SCORE, ["stated_minor"]),
    ("child in danger during call", PHRASE_SCORE, ["minor_at_risk"]),
    ("threatened to share my pictures", PHRASE_SCORE, ["threat_to_share"]),
    ("asked me to pay for a private show", PHRASE_SCORE, ["paid_show"]),
    ("asked my age and to keep it secret", COMBINED_SCORE, ["asked_age", "secrecy"]),
    ("showcase of paintings", DEFAULT_REASON_SCORE, []),
])
def test_reason_phrases_set_the_base_score(reason: str, score: float,
                                            categories: list[str]) -> None:
    assert reason_score(reason) == (score, categories)


def test_a_report_without_frames_is_a_signal_about_the_reported_account() -> None:
    [signal] = detect(report("r-1", "asked me to pay for a show", reported_ip="198.51.100.4",
                             reported_device="phone-abc1"))
    assert_follows_signal_conventions(signal)
    assert signal.score == PHRASE_SCORE
    assert signal.evidence["roles"] == {"account:vidchat:host_3": "suspect",
                                        "account:vidchat:viewer_9": "reporter"}
    assert set(signal.subjects) == {
        EntityRef(EntityKind.ACCOUNT, "vidchat:host_3"),
        EntityRef(EntityKind.ACCOUNT, "vidchat:viewer_9"),
        EntityRef(EntityKind.IP, "198.51.100.4"), EntityRef(EntityKind.DEVICE, "phone-abc1")}
    assert (signal.evidence["frame_matches"], signal.evidence["media_score"]) == ([], None)
    assert signal.observed_at == T0.astimezone(UTC)
    assert "reported account:vidchat:host_3 in session 'sess-1'" in signal.explanation
    assert "(paid show)" in signal.explanation


def test_matching_frames_raise_the_score_and_join_the_bank_hash() -> None:
    frames = (frame_of(90), frame_of(BANKED_SEED), frame_of(91))
    [plain] = detect(report("r-2"))
    [framed] = detect(report("r-2", frame_pdqs=frames))
    assert_follows_signal_conventions(framed)
    [hit] = framed.evidence["frame_matches"]
    assert (hit["frame_index"], hit["bank"], hit["label"], hit["threshold"]) == (
        1, "demo-known", "item-4", 31)
    assert 0 < hit["distance"] <= 31
    assert framed.score > plain.score == DEFAULT_REASON_SCORE
    assert framed.score == pytest.approx(combined_score(DEFAULT_REASON_SCORE,
                                                        framed.evidence["media_score"]))
    assert EntityRef(EntityKind.MEDIA, f"pdq:{hit['hash']}") in framed.subjects
    assert "reported frame 2 of 3 is" in framed.explanation


def test_frames_that_match_nothing_leave_the_score_alone() -> None:
    [signal] = detect(report("r-3", "child in danger", frame_pdqs=(frame_of(60), frame_of(61))))
    assert signal.score == PHRASE_SCORE and signal.evidence["frame_count"] == 2
    assert not any(s.kind is EntityKind.MEDIA for s in signal.subjects)


def test_reports_against_one_account_in_one_session_stay_separate() -> None:
    signals = detect(report("r-4"), report("r-5"), report("r-6", reporter="vidchat:other"))
    assert len({s.id for s in signals}) == 3
    assert {s.evidence["report_id"] for s in signals} == {"r-4", "r-5", "r-6"}


def test_reports_are_signals_even_with_no_banks() -> None:
    [signal] = detect(report("r-7", frame_pdqs=(frame_of(BANKED_SEED),)), store=MemoryStore())
    assert signal.score == DEFAULT_REASON_SCORE and signal.evidence["frame_matches"] == []


def test_long_reasons_are_shortened_in_the_explanation_only() -> None:
    reason = "word " * 40
    [signal] = detect(report("r-8", reason))
    assert signal.evidence["reason"] == reason.strip()
    assert "..." in signal.explanation and len(signal.explanation) < 200


@pytest.mark.parametrize(("base", "media", "expected"), [
    (0.5, None, 0.5), (0.5, 1.0, 1.0), (0.5, 0.6, 0.8), (0.9, 0.6, 0.96),
])
def test_combined_score_is_a_noisy_or(base: float, media: float | None, expected: float) -> None:
    assert combined_score(base, media) == pytest.approx(expected)


def test_other_record_kinds_are_refused() -> None:
    media = MediaObservation(observation_id="o", account="a:b", observed_at=T0, md5="0" * 32)
    with pytest.raises(TypeError, match="panic reports"):
        list(PanicReportDetector().detect([media], DetectionContext(banks=banked_store())))


def test_a_frame_from_a_phone_held_sideways_still_matches() -> None:
    from PIL import Image

    sideways = pdq_of_image(draw_picture(BANKED_SEED).transpose(Image.Transpose.ROTATE_90)).hex
    (signal,) = detect(report("r-side", frame_pdqs=(sideways,)))
    assert signal.evidence["frame_matches"]
    assert_follows_signal_conventions(signal)
