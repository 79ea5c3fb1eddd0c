"""A confirmed trafficking case with every actionable field, and one built to lack them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.core.factories import T0
from vigil.linking import LinkingConfig, link
from vigil.model import Case, EntityRef, Signal, SignalKind
from vigil.triage import load_triage_config, triage

PDQ = "f" * 16 + "0" * 48
MD5 = "0123456789abcdef0123456789abcdef"
STREAMER, KID, WITNESS = "account:vidchat:streamer", "account:vidchat:kid", "account:vidchat:w1"
PAYEE, PAYER = "payment_account:gcash:+639171234567", "payment_account:wise:buyer1"
IP, DEVICE = "ip:203.0.113.7", "device:imei-356938035643809"


def sig(source: str, kind: SignalKind, subjects: list[str], minutes: int, explanation: str = "",
        **evidence: Any) -> Signal:
    return Signal(source, kind, tuple(EntityRef.parse(s) for s in subjects), 0.9,
                  T0 + timedelta(minutes=minutes), evidence,
                  explanation or f"{source} finding {minutes}", "2")


def media(hash_ref: str, minutes: int, **more: Any) -> Signal:
    signal_type, _, digest = hash_ref.partition(":")
    match = {"bank": "known", "hash": digest, "label": "1", "signal_type": signal_type}
    evidence = {"roles": {STREAMER: "suspect"}, "bank": "known", "label": "1",
                "matches": [match], **more}
    return sig("media.hash_match", SignalKind.MEDIA, [STREAMER, f"media:{hash_ref}"], minutes,
               **evidence)


def full_signals() -> list[Signal]:
    return [
        media(f"pdq:{PDQ}", 0, stream_id="room-7"),
        media(f"md5:{MD5}", 5),
        sig("conversation.lexicon", SignalKind.CONVERSATION, [STREAMER, KID, PAYEE], 10,
            roles={STREAMER: "suspect", KID: "victim", PAYEE: "payee"},
            categories={"threat_to_share": 1, "price_payment": 2}),
        sig("reports.panic", SignalKind.REPORT, [STREAMER, WITNESS, IP, DEVICE], 20,
            f"{WITNESS} reported {STREAMER} in session 's1'", roles={STREAMER: "suspect",
                                                                     WITNESS: "reporter"}),
        sig("payments.typology", SignalKind.PAYMENT, [PAYER, PAYEE], 30,
            roles={PAYER: "payer", PAYEE: "payee"}, rule="R1"),
    ]


def as_case(signals: list[Signal]) -> Case:
    (group,) = link(signals, LinkingConfig())
    return triage(group, load_triage_config(), as_of=T0 + timedelta(days=1))


def full_case() -> Case:
    return as_case(full_signals())


def thin_case() -> Case:
    """A chat suspect and a known file: no IP, no device, no victim, no viewing answer."""
    return as_case([
        media(f"md5:{MD5}", 0),
        sig("conversation.lexicon", SignalKind.CONVERSATION, [STREAMER, "account:vidchat:x"], 3,
            roles={STREAMER: "suspect"}, categories={"price_payment": 1}),
    ])
