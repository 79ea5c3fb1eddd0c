from datetime import UTC, datetime

from tests.core.factories import ref, signal
from vigil.linking import LinkingConfig, find_hubs, link
from vigil.model import SignalKind
from vigil.records import ChatMessage, MediaObservation, Payment
from vigil.usage import identifier_usage

AT = datetime(2026, 1, 1, tzinfo=UTC)
CONFIG = LinkingConfig(default_max_degree=3)


def message(sender: str, recipient: str, device: str, n: int) -> ChatMessage:
    return ChatMessage(conversation_id=f"vc:c{n}", message_id=str(n), sender=sender,
                       recipient=recipient, sent_at=AT, text="hi", sender_device=device)


def test_usage_reads_owners_and_counterparties() -> None:
    pay = Payment(txn_id="t", sender="wise:1", beneficiary="gcash:09171234567", amount=10,
                  currency="USD", amount_usd=10, sender_country="US", beneficiary_country="PH",
                  sent_at=AT, sender_phone="+14155550100")
    seen = MediaObservation(observation_id="o", account="vc:a", observed_at=AT, md5="a" * 32,
                            ip="100.64.0.1")
    usage = identifier_usage([pay, seen, message("vc:a", "vc:b", "dev-0001", 1)])
    assert usage[ref("phone:+14155550100")] == {ref("payment_account:wise:1")}
    assert usage[ref("payment_account:gcash:+639171234567")] == {ref("payment_account:wise:1")}
    assert usage[ref("ip:100.64.0.1")] == {ref("account:vc:a")}
    assert usage[ref("account:vc:b")] == {ref("account:vc:a")}
    assert usage[ref("device:dev-0001")] == {ref("account:vc:a")}


def test_a_central_actors_own_device_is_not_a_hub_but_a_shared_one_is() -> None:
    buyers = [f"vc:buyer{i}" for i in range(6)]
    records = [message("vc:facilitator", b, "dev-facil", i) for i, b in enumerate(buyers)]
    records += [message(f"vc:user{i}", "vc:x", "dev-shared", 10 + i) for i in range(6)]
    usage = identifier_usage(records)
    signals = [signal("account:vc:facilitator", f"account:{b}", "device:dev-facil",
                      kind=SignalKind.CONVERSATION, tag=b) for b in buyers]
    signals += [signal(f"account:vc:user{i}", "device:dev-shared", tag=f"u{i}")
                for i in range(6)]
    hubs = find_hubs(signals, CONFIG, usage)
    assert ref("device:dev-shared") in hubs and ref("device:dev-facil") not in hubs
    assert ref("device:dev-facil") in find_hubs(signals, CONFIG)  # co-occurrence alone over-links
    groups = link(signals, CONFIG, usage)
    assert len(groups) == 1 + 6
