from datetime import timedelta

import pytest

from tests.core.factories import T0, signal
from vigil.linking import LinkingConfig, link
from vigil.model import SignalKind
from vigil.triage import TriageConfig, indicators, load_triage_config, triage, triage_all

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


def _component(case, name: str):  # type: ignore[no-untyped-def]
    return next(r for r in case.reasons if r.component == name)


def test_payers_saturate_slowly_rather_than_at_a_handful() -> None:
    payers = {f"payment_account:wise:{i}": "payer" for i in range(5)}
    (group,) = link([signal("payment_account:gcash:1", *payers, roles=payers, tag="p")],
                    LinkingConfig())
    value = _component(triage(group, CONFIG, as_of=T0), "payers").value
    half = CONFIG.half_value["payers"]
    assert value == pytest.approx(5 / (5 + half)) and value < 0.5


def test_known_media_seen_once_is_no_indicator_but_seen_repeatedly_is() -> None:
    once = [signal("account:vc:f", kind=SignalKind.MEDIA, score=0.95, tag="m0")]
    again = once + [signal("account:vc:f", kind=SignalKind.MEDIA, score=0.95, tag=f"m{i}")
                    for i in (1, 2)]
    assert "known_media" not in indicators(once, CONFIG)
    assert "known_media" in indicators(again, CONFIG)


def test_a_report_of_keywords_alone_is_no_indicator() -> None:
    keywords = signal("account:vc:x", kind=SignalKind.REPORT, score=0.3, tag="r1",
                      reason_categories=[])
    phrases = signal("account:vc:x", kind=SignalKind.REPORT, score=0.8, tag="r2",
                     reason_categories=["asked_age", "secrecy"])
    assert indicators([keywords], CONFIG) == {}
    assert set(indicators([phrases], CONFIG)) == {"victim_report"}


def test_specific_indicators_outrank_a_case_with_more_kinds_of_signal() -> None:
    """A look-alike with four kinds of weak signal ranks below a ring with three specific ones."""
    lookalike = [
        signal("account:vc:tutor", kind=SignalKind.CONVERSATION, score=0.6, tag="c",
               categories={"price_payment": 2, "moves_platform": 1}),
        signal("account:vc:tutor", "payment_account:gcash:t", score=0.6, tag="p",
               roles={"payment_account:wise:a": "payer", "payment_account:wise:b": "payer"}),
        signal("account:vc:tutor", kind=SignalKind.REPORT, score=0.3, tag="r",
               reason_categories=[]),
        signal("account:vc:tutor", kind=SignalKind.MEDIA, score=0.95, tag="m"),
    ]
    ring = [
        signal("account:vc:fac", kind=SignalKind.CONVERSATION, score=0.8, tag="c2",
               categories={"show_negotiation": 2, "secrecy": 1, "price_payment": 1}),
        signal("account:vc:fac", "payment_account:gcash:f", score=0.5, tag="p2",
               rule="R5", roles={"payment_account:wise:z": "payer"}),
    ]
    cases = triage_all(link(lookalike + ring, LinkingConfig()), CONFIG, as_of=T0)
    assert len(cases[0].signal_kinds()) == 2 and len(cases[1].signal_kinds()) == 4
    assert _component(cases[0], "indicators").value > _component(cases[1], "indicators").value
    for case in cases:
        scored = [r for r in case.reasons if r.weight > 0]
        assert case.priority == pytest.approx(sum(r.contribution for r in scored), abs=1e-6)
