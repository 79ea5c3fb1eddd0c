import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.identifiers import EntityKind, normalise
from vigil.model import EntityRef

GOOD = [
    (EntityKind.ACCOUNT, "VidChat:@Alice_01", "vidchat:alice_01"),
    (EntityKind.PAYMENT_ACCOUNT, "GCash:0917-123-4567", "gcash:+639171234567"),
    (EntityKind.PAYMENT_ACCOUNT, "paymaya: +63 917 123 4567", "maya:+639171234567"),
    (EntityKind.PAYMENT_ACCOUNT, "gcash:12", "gcash:12"),
    (EntityKind.PAYMENT_ACCOUNT, "Wise:ABC-1 2", "wise:abc12"),
    (EntityKind.PAYMENT_ACCOUNT, "wu:123", "westernunion:123"),
    (EntityKind.PHONE, "+63 917 123 4567", "+639171234567"),
    (EntityKind.PHONE, "+44 (0)20 7946 0958", "+442079460958"),
    (EntityKind.EMAIL, " Bob@Example.COM ", "bob@example.com"),
    (EntityKind.IP, "::ffff:192.0.2.1", "192.0.2.1"),
    (EntityKind.IP, "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
    (EntityKind.DEVICE, "ABCD-1234-EF", "abcd-1234-ef"),
    (EntityKind.WALLET, "ETH:0xAbCdEf0123456789abcdef0123456789ABCDEF01",
     "eth:0xabcdef0123456789abcdef0123456789abcdef01"),
    (EntityKind.WALLET, "btc:1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
     "btc:1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
    (EntityKind.MEDIA, "MD5:" + "A" * 32, "md5:" + "a" * 32),
    (EntityKind.CONVERSATION, "vidchat:conv-1", "vidchat:conv-1"),
]

BAD = [
    (EntityKind.ACCOUNT, "no-platform"),
    (EntityKind.PHONE, "0917 123 4567"),
    (EntityKind.PHONE, "+1 2"),
    (EntityKind.EMAIL, "not-an-email"),
    (EntityKind.IP, "300.1.1.1"),
    (EntityKind.DEVICE, "x"),
    (EntityKind.MEDIA, "pdq:1234"),
    (EntityKind.MEDIA, "sha1:" + "a" * 40),
    (EntityKind.WALLET, "0xabc"),
]


@pytest.mark.parametrize(("kind", "raw", "expected"), GOOD)
def test_normalises_known_spellings(kind: EntityKind, raw: str, expected: str) -> None:
    assert normalise(kind, raw) == expected


@pytest.mark.parametrize(("kind", "raw"), BAD)
def test_bad_values_name_kind_and_value(kind: EntityKind, raw: str) -> None:
    with pytest.raises(ValueError) as info:
        normalise(kind, raw)
    assert kind.value in str(info.value)
    assert repr(raw) in str(info.value)


def test_unknown_kind_and_empty_value() -> None:
    with pytest.raises(ValueError, match="unknown identifier kind"):
        normalise("planet", "x")
    with pytest.raises(ValueError, match="empty"):
        normalise(EntityKind.EMAIL, "   ")


def test_entity_ref_round_trips_through_text() -> None:
    ref = EntityRef.of("phone", "+61 412 345 678")
    assert str(ref) == "phone:+61412345678"
    assert EntityRef.parse(str(ref)) == ref
    with pytest.raises(ValueError, match="kind:value"):
        EntityRef.parse("nocolon")


handles = st.text(alphabet=string.ascii_letters + string.digits + "_.", min_size=1, max_size=20)


@given(platform=st.sampled_from(["VidChat", "chatapp", "X"]), handle=handles)
def test_account_normalisation_is_idempotent_and_case_blind(platform: str, handle: str) -> None:
    once = normalise(EntityKind.ACCOUNT, f"{platform}:{handle}")
    assert normalise(EntityKind.ACCOUNT, once) == once
    assert normalise(EntityKind.ACCOUNT, f"{platform.upper()}:{handle.swapcase()}") == once


@given(st.ip_addresses())
def test_ip_normalisation_is_idempotent(address: object) -> None:
    once = normalise(EntityKind.IP, str(address))
    assert normalise(EntityKind.IP, once) == once


@given(st.integers(min_value=200_000_000, max_value=999_999_999))
def test_phone_normalisation_is_idempotent(number: int) -> None:
    once = normalise(EntityKind.PHONE, f"+63 9{number}")
    assert once.startswith("+63")
    assert normalise(EntityKind.PHONE, once) == once


@given(local=handles, domain=st.sampled_from(["Example.com", "MAIL.example.org"]))
def test_email_normalisation_is_idempotent(local: str, domain: str) -> None:
    once = normalise(EntityKind.EMAIL, f"{local}@{domain}")
    assert once == once.lower()
    assert normalise(EntityKind.EMAIL, once.upper()) == once


@given(st.binary(min_size=16, max_size=16))
def test_media_hex_is_lowered(digest: bytes) -> None:
    assert normalise(EntityKind.MEDIA, "md5:" + digest.hex().upper()) == "md5:" + digest.hex()
