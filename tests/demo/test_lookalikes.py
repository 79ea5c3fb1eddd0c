"""The benign look-alikes: each trips several kinds of signal, and none is a ring's member."""

from collections import defaultdict

from vigil.demo import World
from vigil.demo.actors import COMMON_SURNAMES
from vigil.demo.lookalikes import FALSE_REASONS
from vigil.detectors.reports import DEFAULT_REASON_SCORE, reason_score
from vigil.records import identifiers_of

HOUSEHOLD = 4


def test_workers_are_paid_by_several_unrelated_payers_and_quote_rates(world: World) -> None:
    tutoring = [p for p in world.payments if p.reference in ("tutoring fees", "english lessons")]
    payers = defaultdict(set)
    for payment in tutoring:
        payers[payment.beneficiary].add(payment.sender)
    assert sum(len(s) >= 3 for s in payers.values()) >= 3
    assert any("my rate is" in m.text for m in world.messages)
    assert any("add me on skype" in m.text for m in world.messages)


def test_cafes_put_more_accounts_than_a_household_behind_one_address(world: World) -> None:
    cafes = [v for k, v in world.truth.hubs.items() if k.startswith("internet_cafe_")]
    assert len(cafes) == 2
    for cafe in cafes:
        users = {str(ref) for record in world.records()
                 if cafe in {str(r) for r in identifiers_of(record)}
                 for ref in identifiers_of(record) if ref.kind.value == "account"}
        assert len(users) > HOUSEHOLD
        assert cafe not in world.truth.ring_entities()


def test_common_surnames_are_shared_by_unrelated_payers(world: World) -> None:
    names = {p.sender_name for p in world.payments} | {p.beneficiary_name for p in world.payments}
    common = [n for n in names if n and n.split()[-1] in COMMON_SURNAMES]
    assert len(common) >= 20


def test_false_reports_are_keywords_without_indicator_phrases(world: World) -> None:
    false = [r for r in world.reports if r.reason in FALSE_REASONS]
    assert len(false) >= 10
    assert not {f"account:{r.reported}" for r in false} & world.truth.ring_entities()
    assert all(reason_score(r.reason) == (DEFAULT_REASON_SCORE, []) for r in false)
