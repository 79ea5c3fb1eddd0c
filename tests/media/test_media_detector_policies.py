"""The media detector with dihedral variants, negative banks, flood quarantine and index choice."""

from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from vigil.detectors.media import MediaHashDetector
from vigil.media.banks.flood import FLOOD_ACTOR, FloodConfig
from vigil.media.banks.records import BankEntry, BankInfo, BankKind
from vigil.media.hashing.pdq import pdq_of_image
from vigil.pipeline import PipelineConfig, run_pipeline
from vigil.plugin import DetectionContext
from vigil.records import MediaObservation
from vigil.settings import Settings
from vigil.store.memory import MemoryStore
from vigil.testing.pictures import draw_picture

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def store_with(seed: int, kind: BankKind = BankKind.POSITIVE, name: str = "known") -> MemoryStore:
    store = MemoryStore()
    store.add_bank(BankInfo(name, threshold=31, kind=kind))
    store.add_bank_entries([BankEntry(name, pdq_of_image(draw_picture(seed)).hex, "pdq", "x")])
    return store


def seen(image: Image.Image, ident: str = "o1", minutes: float = 0) -> MediaObservation:
    hashed = pdq_of_image(image)
    return MediaObservation(observation_id=ident, account="vc:streamer",
                            observed_at=T0 + timedelta(minutes=minutes), pdq=hashed.hex,
                            quality=hashed.quality)


def test_a_flipped_copy_matches_through_a_dihedral_variant() -> None:
    store = store_with(21)
    flipped = draw_picture(21).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    plain = list(MediaHashDetector(dihedral=False).detect([seen(flipped)],
                                                          DetectionContext(store)))
    (signal,) = MediaHashDetector().detect([seen(flipped)], DetectionContext(store))
    assert plain == []
    assert signal.evidence["variant"] != "r0"
    assert "variant" in signal.explanation


def test_a_negative_bank_suppresses_the_match_and_says_so() -> None:
    store = store_with(22)
    store.add_bank(BankInfo("fps", threshold=31, kind=BankKind.NEGATIVE))
    store.add_bank_entries([BankEntry("fps", pdq_of_image(draw_picture(22)).hex, "pdq", "fp")])
    assert list(MediaHashDetector().detect([seen(draw_picture(22))], DetectionContext(store))) == []


def test_a_flood_is_proposed_not_written_by_detection() -> None:
    store = store_with(23)
    flood = FloodConfig()
    burst = [seen(draw_picture(23), f"o{i}", minutes=i / 10) for i in range(60)]
    context = DetectionContext(store)
    signals = list(MediaHashDetector(flood=flood).detect(burst, context))
    assert 0 < len(signals) < len(burst)
    (entry,) = store.bank_entries("known")
    assert entry.enabled is True and store.audit_events() == []
    (pause,) = context.take_flood_pauses()
    assert (pause.bank, pause.hash) == ("known", entry.hash)


def test_the_pipeline_stores_a_flood_pause_with_an_audit_event() -> None:
    store = store_with(23)
    store.add_records([seen(draw_picture(23), f"o{i}", minutes=i / 10) for i in range(60)])
    run_pipeline(store, [MediaHashDetector()], PipelineConfig.from_settings(Settings()))
    (entry,) = store.bank_entries("known")
    assert entry.enabled is False and "flood" in entry.state_reason.lower()
    assert entry.state_by == FLOOD_ACTOR
    (event,) = [e for e in store.audit_events() if e.action == "pause_entry"]
    assert event.actor == FLOOD_ACTOR and event.target == f"known/pdq:{entry.hash}"


@pytest.mark.parametrize("index", ["brute", "mih", "gpu", "auto"])
def test_every_index_gives_the_same_signals(index: str) -> None:
    store = store_with(24)
    observations = [seen(draw_picture(24)), seen(draw_picture(25), "o2")]
    reference = list(MediaHashDetector(pdq_index="brute").detect(observations,
                                                                DetectionContext(store)))
    detector = MediaHashDetector.from_settings(Settings(media_index=index))
    assert [s.id for s in detector.detect(observations, DetectionContext(store))] == \
        [s.id for s in reference]
