import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from vigil.detectors.media import MediaHashDetector
from vigil.identifiers import EntityKind
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.media.hashing.pdq import hamming_hex, md5_of_bytes, pdq_of_image
from vigil.model import EntityRef, Signal, SignalKind
from vigil.plugin import DetectionContext
from vigil.records import ChatMessage, MediaObservation
from vigil.store.memory import MemoryStore
from vigil.testing.pictures import draw_picture, near_duplicate, png_bytes

MANILA = timezone(timedelta(hours=8))
T0 = datetime(2026, 3, 1, 21, 0, tzinfo=MANILA)
ROLES = {"payer", "payee", "suspect", "facilitator", "victim", "reporter"}
BANKED_PDQ_SEEDS = (1, 2, 3)
BANKED_MD5_SEED = 10


def banked_store() -> MemoryStore:
    """Bank 'demo-known': PDQ of pictures 1-3 and the MD5 of picture 10's PNG bytes."""
    store = MemoryStore()
    store.add_bank(BankInfo("demo-known", threshold=31, source="tests"))
    entries = [BankEntry("demo-known", pdq_of_image(draw_picture(s)).hex, "pdq", f"item-{s}")
               for s in BANKED_PDQ_SEEDS]
    entries.append(BankEntry("demo-known", md5_of_bytes(png_bytes(draw_picture(BANKED_MD5_SEED))),
                             "md5", "item-10"))
    store.add_bank_entries(entries)
    return store


def observation(ident: str, seed: int | None = None, **fields: Any) -> MediaObservation:
    """An observation of a near-duplicate of picture ``seed`` (its PDQ and quality)."""
    values: dict[str, Any] = {"observation_id": ident, "account": "camapp:Streamer_1",
                              "observed_at": T0, "ip": "203.0.113.7", "device": "dev-0001"}
    if seed is not None:
        hashed = pdq_of_image(near_duplicate(draw_picture(seed), seed=seed))
        values |= {"pdq": hashed.hex, "quality": hashed.quality}
    return MediaObservation(**(values | fields))


def detect(*records: MediaObservation, store: MemoryStore | None = None) -> list[Signal]:
    context = DetectionContext(banks=store or banked_store())
    return list(MediaHashDetector().detect(records, context))


def assert_follows_signal_conventions(signal: Signal) -> None:
    assert signal.source == "media.hash_match" and signal.kind is SignalKind.MEDIA
    assert signal.observed_at.utcoffset() == timedelta(0)
    assert 0.0 <= signal.score <= 1.0 and signal.explanation
    json.dumps(signal.evidence)
    roles = signal.evidence["roles"]
    assert roles and set(roles.values()) <= ROLES
    assert {EntityRef.parse(key) for key in roles} <= set(signal.subjects)


def test_a_perturbed_copy_matches_with_full_evidence() -> None:
    stored = pdq_of_image(draw_picture(2)).hex
    seen = observation("obs-1", seed=2, stream_id="live-9", frame_time_s=12.5)
    assert seen.pdq is not None
    [signal] = detect(seen)
    assert_follows_signal_conventions(signal)
    assert signal.evidence["hash"] == stored and len(signal.evidence["matches"]) == 1
    assert signal.evidence["distance"] == hamming_hex(stored, seen.pdq) > 0
    assert signal.evidence["roles"] == {"account:camapp:streamer_1": "suspect"}
    assert set(signal.subjects) == {
        EntityRef(EntityKind.ACCOUNT, "camapp:streamer_1"), EntityRef(EntityKind.IP, "203.0.113.7"),
        EntityRef(EntityKind.DEVICE, "dev-0001"), EntityRef(EntityKind.MEDIA, f"pdq:{stored}")}
    assert {k: signal.evidence[k] for k in ("bank", "label", "signal_type", "observation_id",
                                            "stream_id", "frame_time_s", "threshold")} == {
        "bank": "demo-known", "label": "item-2", "signal_type": "pdq", "observation_id": "obs-1",
        "stream_id": "live-9", "frame_time_s": 12.5, "threshold": 31}
    assert signal.score == pytest.approx(1.0 - 0.4 * signal.evidence["distance"] / 31)
    assert signal.observed_at == T0.astimezone(UTC)
    assert f"{signal.evidence['distance']} bits from a hash in bank 'demo-known'" in (
        signal.explanation)
    assert "stream 'live-9' at 12.5 s" in signal.explanation


def test_unrelated_picture_does_not_match() -> None:
    assert detect(observation("obs-2", seed=77)) == []


def test_low_quality_pdq_is_skipped_even_when_identical() -> None:
    exact = pdq_of_image(draw_picture(1)).hex
    assert detect(observation("obs-3", pdq=exact, quality=49)) == []
    [signal] = detect(observation("obs-3", pdq=exact, quality=50))
    assert signal.evidence["distance"] == 0 and signal.score == 1.0


def test_pdq_without_reported_quality_is_matched() -> None:
    [signal] = detect(observation("obs-4", pdq=pdq_of_image(draw_picture(3)).hex))
    assert signal.evidence["pdq_quality"] is None


def test_md5_matches_exactly_even_when_pdq_quality_is_low() -> None:
    md5 = md5_of_bytes(png_bytes(draw_picture(BANKED_MD5_SEED))).upper()
    [signal] = detect(observation("obs-5", pdq=pdq_of_image(draw_picture(1)).hex, quality=10,
                                  md5=md5))
    assert_follows_signal_conventions(signal)
    assert (signal.evidence["signal_type"], signal.evidence["distance"], signal.score) == (
        "md5", 0, 1.0)
    assert signal.evidence["pdq_skipped_low_quality"] is True
    assert EntityRef(EntityKind.MEDIA, f"md5:{md5.lower()}") in signal.subjects
    assert "equals a hash in bank 'demo-known' (label 'item-10')" in signal.explanation


def test_md5_one_digit_off_does_not_match() -> None:
    md5 = md5_of_bytes(png_bytes(draw_picture(BANKED_MD5_SEED)))
    wrong = md5[:-1] + ("0" if md5[-1] != "0" else "1")
    assert detect(observation("obs-6", md5=wrong)) == []


def test_one_signal_per_observation_with_every_match_in_evidence() -> None:
    store = banked_store()
    store.add_bank(BankInfo("partner", threshold=31))
    pdq = pdq_of_image(draw_picture(1)).hex
    store.add_bank_entries([BankEntry("partner", pdq, "pdq", "p-1")])
    [signal] = detect(observation("obs-7", seed=1), store=store)
    assert [(m["bank"], m["label"]) for m in signal.evidence["matches"]] == [
        ("demo-known", "item-1"), ("partner", "p-1")]
    assert "1 more bank hash(es) matched" in signal.explanation
    assert sum(s.kind is EntityKind.MEDIA for s in signal.subjects) == 1  # same hash, one entity


def test_bank_threshold_is_respected() -> None:
    store = MemoryStore()
    store.add_bank(BankInfo("exact-only", threshold=0))
    store.add_bank_entries([BankEntry("exact-only", pdq_of_image(draw_picture(2)).hex, "pdq")])
    near = observation("obs-8", seed=2)
    assert near.pdq != pdq_of_image(draw_picture(2)).hex
    assert detect(near, store=store) == []
    [signal] = detect(observation("obs-9", pdq=pdq_of_image(draw_picture(2)).hex, quality=90),
                      store=store)
    assert signal.score == 1.0 and signal.evidence["threshold"] == 0


def test_several_observations_give_distinct_signals_and_empty_banks_give_none() -> None:
    signals = detect(*(observation(f"obs-{s}", seed=s) for s in (1, 2, 3, 50, 51)))
    assert sorted(s.evidence["label"] for s in signals) == ["item-1", "item-2", "item-3"]
    assert len({s.id for s in signals}) == 3
    assert detect(observation("obs-1", seed=1), store=MemoryStore()) == []


def test_other_record_kinds_are_refused() -> None:
    message = ChatMessage(conversation_id="camapp:c1", message_id="m1", sender="camapp:a",
                          recipient="camapp:b", sent_at=T0, text="hello")
    with pytest.raises(TypeError, match="media observations"):
        list(MediaHashDetector().detect([message], DetectionContext(banks=banked_store())))
