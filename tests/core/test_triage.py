from datetime import timedelta

import pytest

from tests.core.factories import T0, signal
from vigil.linking import LinkingConfig, link
from vigil.model import SignalKind
from vigil.triage import TriageConfig, load_triage_config, triage, triage_all

CONFIG = load_triage_config()


def test_reasons_add_up_to_priority() -> None:
    signals = [
        signal("account:vc:f", "payment_account:gcash:1", kind=SignalKind.CONVERSATION,
               score=0.8, roles={"account:vc:b": "suspect"}, tag="c"),
        signal("payment_account:gcash:1", "payment_account:wise:b", score=0.6,
               roles={"payment_account:wise:b": "payer"}, tag="p"),
    ]
    (group,) = link(signals, LinkingConfig())
    case = triage(group, CONFIG, as_of=T0)
    scored = [r for r in case.reasons if r.weight > 0]
    assert {r.component for r in scored} == set(CONFIG.weights)
    assert case.priority == pytest.approx(sum(r.contribution for r in scored), abs=1e-6)
    assert 0 <= case.priority <= 1
    assert any("payment_account:wise:b" in r.text for r in scored if r.component == "payers")


def test_corroborated_recent_case_outranks_lone_payment_signal() -> None:
    corroborated = [
        signal("account:vc:f", kind=SignalKind.MEDIA, score=0.9, tag="m"),
        signal("account:vc:f", "account:vc:v", kind=SignalKind.CONVERSATION, score=0.7,
               roles={"account:vc:v": "victim"}, tag="c"),
        signal("account:vc:f", kind=SignalKind.REPORT, score=0.6, tag="r"),
    ]
    lone = [signal("payment_account:wise:x", score=0.9, days=-60, tag="old")]
    cases = triage_all(link(corroborated + lone, LinkingConfig()), CONFIG, as_of=T0)
    assert len(cases[0].signals) == 3
    assert cases[0].priority > cases[1].priority


def test_recency_halves_each_half_life() -> None:
    config = TriageConfig(weights={"recency": 1.0}, recency_half_life_days=10)
    (group,) = link([signal("account:vc:a", tag="r")], LinkingConfig())
    later = triage(group, config, as_of=T0 + timedelta(days=10))
    assert later.priority == pytest.approx(0.5)


def test_hub_suppression_is_in_the_reasons() -> None:
    signals = [signal(f"account:vc:u{i}", "ip:198.51.100.7", tag=str(i)) for i in range(5)]
    cases = triage_all(link(signals, LinkingConfig(default_max_degree=2)), CONFIG, as_of=T0)
    assert len(cases) == 5
    for case in cases:
        hub = [r for r in case.reasons if r.component == "hub_suppressed"]
        assert hub and "ip:198.51.100.7" in hub[0].text and hub[0].contribution == 0


def test_unknown_component_in_config_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "t.yaml"
    path.write_text("weights: {charisma: 1.0}\n")
    with pytest.raises(ValueError, match="charisma"):
        load_triage_config(path)
