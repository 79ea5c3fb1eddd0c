import statistics
from collections import defaultdict

import pytest

from vigil.demo import World, generate_world
from vigil.demo.actors import CARRIER_NAT_IP, COMMON_SURNAMES
from vigil.demo.money import POOL
from vigil.model import EntityRef
from vigil.records import Payment, identifiers_of

CONSUMER = {"US", "GB", "AU", "CA", "SE", "NZ"}


def _surname(name: str | None) -> str:
    return (name or "").split()[-1].lower()


def _ring_payments(world: World) -> dict[str, list[Payment]]:
    rings: dict[str, list[Payment]] = defaultdict(list)
    for ring in world.truth.rings:
        for payment in world.payments:
            if f"payment_account:{payment.beneficiary}" in ring.entities:
                rings[ring.ring_id].append(payment)
    return rings


def test_default_scale_plants_eight_rings_among_hundreds_of_benign_users(world: World) -> None:
    assert world.truth.planted == 8
    accounts = {ref for record in world.records() for ref in identifiers_of(record)
                if ref.kind.value == "account"}
    benign = {str(a) for a in accounts} - world.truth.ring_entities()
    assert len(benign) >= 200
    assert len(world.payments) >= 1000
    times = [*(m.observed_at for m in world.media), *(m.sent_at for m in world.messages),
             *(p.sent_at for p in world.payments), *(r.reported_at for r in world.reports)]
    assert world.start <= min(times) and max(times) <= world.end
    assert (world.end - world.start).days >= 180


def test_scale_changes_the_number_of_rings() -> None:
    assert generate_world(seed=1, scale=0.25).truth.planted == 2
    with pytest.raises(ValueError, match="scale"):
        generate_world(scale=0)


def test_truth_entities_are_normalised_and_rings_disjoint(world: World) -> None:
    seen: set[str] = set()
    for ring in world.truth.rings:
        assert ring.entities
        for entity in ring.entities:
            assert str(EntityRef.parse(entity)) == entity
        assert not ring.entities & seen, ring.ring_id
        seen |= ring.entities
        kinds = {entity.partition(":")[0] for entity in ring.entities}
        assert {"account", "payment_account", "phone", "email", "ip", "device",
                "conversation"} <= kinds, ring.ring_id


def test_buyers_pay_small_sums_often_from_consumer_countries(world: World) -> None:
    for ring_id, payments in _ring_payments(world).items():
        senders = {p.sender for p in payments}
        assert 3 <= len(senders) <= 6, ring_id
        assert all(p.sender_country in CONSUMER and p.beneficiary_country == "PH"
                   for p in payments)
        # AUSTRAC A$10-100 per session; a little slack for even amounts in local currency
        assert all(10 <= p.amount_usd <= 95 for p in payments), ring_id
        # unrelated people may share a common surname; otherwise buyers' names differ
        assert all(_surname(p.sender_name) != _surname(p.beneficiary_name)
                   or _surname(p.sender_name).capitalize() in COMMON_SURNAMES for p in payments)
        for sender in senders:
            times = sorted(p.sent_at for p in payments if p.sender == sender)
            gaps = [(b - a).days for a, b in zip(times, times[1:], strict=False)]
            if gaps:
                assert statistics.median(gaps) < 20, (ring_id, sender)  # AIC T&I 634


def test_family_remittances_share_surnames_and_look_like_buyers(world: World) -> None:
    ring_wallets = {e.partition(":")[2] for e in world.truth.ring_entities()
                    if e.startswith("payment_account:")}
    family = [p for p in world.payments
              if p.beneficiary_country == "PH" and p.sender_country in CONSUMER
              and p.beneficiary_type == "individual" and p.beneficiary not in ring_wallets
              and _surname(p.sender_name) == _surname(p.beneficiary_name)]
    assert len(family) >= 300
    assert sum(15 <= p.amount_usd <= 90 for p in family) / len(family) > 0.8
    beneficiaries = defaultdict(set)
    for payment in family:
        beneficiaries[payment.sender].add(payment.beneficiary)
    assert max(len(b) for b in beneficiaries.values()) <= 2


def test_pooled_account_is_a_hub_of_unrelated_senders(world: World) -> None:
    expected = "payment_account:" + POOL.payment_account.replace("-", "")
    assert world.truth.hubs["pooled_collection_account"] == expected
    pooled = [p for p in world.payments if f"payment_account:{p.beneficiary}" == expected]
    assert len({p.sender for p in pooled}) >= 30
    assert len({_surname(p.sender_name) for p in pooled}) >= 30
    assert all(p.beneficiary_type == "business" for p in pooled)


def test_carrier_nat_is_shared_by_many_benign_accounts_and_one_ring(world: World) -> None:
    nat = f"ip:{CARRIER_NAT_IP}"
    assert world.truth.hubs["carrier_nat_ip"] == nat
    behind: set[str] = set()
    for record in world.records():
        refs = {str(ref) for ref in identifiers_of(record)}
        if nat in refs:
            behind |= {r for r in refs if r.startswith("account:")}
    rings_behind = {ring.ring_id for ring in world.truth.rings if behind & ring.entities}
    assert len(rings_behind) == 1
    assert len(behind - world.truth.ring_entities()) >= 20
    assert all(nat not in ring.entities for ring in world.truth.rings)


def test_weak_benign_users_are_not_in_any_ring(world: World) -> None:
    assert len(world.truth.weak_benign) >= 2
    assert not set(world.truth.weak_benign) & world.truth.ring_entities()
