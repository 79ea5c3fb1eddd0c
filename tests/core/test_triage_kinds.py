"""Corroboration is out of the kinds of signal a run can produce, not out of every SignalKind."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import pytest

from tests.core.factories import T0, signal
from vigil.linking import LinkingConfig, link
from vigil.model import Signal, SignalKind
from vigil.pipeline import PipelineConfig, run_pipeline
from vigil.plugin import DetectionContext, Detector
from vigil.records import Record, RecordKind
from vigil.store.open import open_store
from vigil.triage import DEFAULT_SIGNAL_KINDS, TriageConfig, load_triage_config, triage_all

CONFIG = load_triage_config()


def _signals() -> list[Signal]:
    return [
        signal("account:vc:f", kind=SignalKind.MEDIA, score=0.9, tag="m"),
        signal("account:vc:f", "account:vc:v", kind=SignalKind.CONVERSATION, score=0.7,
               roles={"account:vc:v": "victim"}, tag="c"),
        signal("payment_account:wise:x", score=0.4, tag="p"),
    ]


def _scores(config: TriageConfig) -> list[tuple[str, float, tuple[float, ...]]]:
    cases = triage_all(link(_signals(), LinkingConfig()), config, as_of=T0)
    return [(case.id, case.priority, tuple(r.value for r in case.reasons)) for case in cases]


def _corroboration(config: TriageConfig) -> list[float]:
    cases = triage_all(link(_signals(), LinkingConfig()), config, as_of=T0)
    return [next(r.value for r in case.reasons if r.component == "corroboration")
            for case in cases]


def test_a_new_signal_kind_changes_no_score_for_a_fixed_configuration(
        monkeypatch: pytest.MonkeyPatch) -> None:
    configs = [CONFIG, CONFIG.with_kinds([SignalKind.MEDIA, SignalKind.CONVERSATION])]
    before = [_scores(config) for config in configs]
    # A fifth member, as a release adding (say) voice-call signals would have.
    monkeypatch.setattr(SignalKind, "_member_names_", [*SignalKind._member_names_, "VOICE"])
    monkeypatch.setitem(SignalKind._member_map_, "VOICE", "voice")
    assert len(SignalKind) == 5
    assert [_scores(config) for config in configs] == before


def test_corroboration_is_out_of_the_kinds_in_use() -> None:
    assert CONFIG.signal_kinds == DEFAULT_SIGNAL_KINDS
    assert _corroboration(CONFIG) == [pytest.approx(1 / 3), 0.0]
    two = CONFIG.with_kinds([SignalKind.CONVERSATION, SignalKind.MEDIA, SignalKind.MEDIA])
    assert two.signal_kinds == (SignalKind.CONVERSATION, SignalKind.MEDIA)
    assert _corroboration(two) == [1.0, 0.0]


def test_a_kind_seen_but_not_configured_still_counts_and_one_kind_is_no_corroboration() -> None:
    only_media = CONFIG.with_kinds([SignalKind.MEDIA])
    assert _corroboration(only_media) == [1.0, 0.0]  # media + conversation seen: 2 of 2
    (lone,) = triage_all(link([_signals()[2]], LinkingConfig()),
                         CONFIG.with_kinds([SignalKind.PAYMENT]), as_of=T0)
    assert next(r.value for r in lone.reasons if r.component == "corroboration") == 0.0


class _Replay(Detector):
    """Yields fixed signals whatever the records: enough to drive a run's triage."""

    consumes = RecordKind.MEDIA
    signals: tuple[Signal, ...] = ()

    def detect(self, records: Iterable[Record], context: DetectionContext) -> Iterator[Signal]:
        return iter(self.signals)


def _replay(kind: SignalKind, signals: Sequence[Signal]) -> _Replay:
    cls = type(f"Replay{kind.value}", (_Replay,),
               {"name": f"replay.{kind.value}", "emits": kind, "signals": tuple(signals)})
    detector: _Replay = cls()
    return detector


@pytest.mark.parametrize("extra_kinds, expected", [((), 1.0), ((SignalKind.REPORT,), 0.5)])
def test_a_run_counts_the_kinds_its_detectors_emit(
        extra_kinds: tuple[SignalKind, ...], expected: float) -> None:
    media, conversation, _ = _signals()
    detectors = [_replay(SignalKind.MEDIA, [media]),
                 _replay(SignalKind.CONVERSATION, [conversation]),
                 *(_replay(kind, []) for kind in extra_kinds)]
    config = PipelineConfig(LinkingConfig(), CONFIG)
    result = run_pipeline(open_store("memory://"), detectors, config, as_of=T0)
    (case,) = result.cases
    assert next(r.value for r in case.reasons if r.component == "corroboration") == expected
