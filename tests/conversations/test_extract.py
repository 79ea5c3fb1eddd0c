"""Identifiers written in chat text become normalised EntityRefs; look-alikes do not."""

from __future__ import annotations

import pytest

from vigil.conversations.extract import MOBILE_WALLETS, PAYMENT_PROVIDERS, extract_identifiers

ETH = "0x52908400098527886E0F7030069857D2E4169EE7"  # the EIP-55 example address
BTC_P2PKH = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # the genesis block address
BTC_P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
BTC_BECH32 = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173 test vector

EXTRACTS: list[tuple[str, set[str]]] = [
    ("call me on +63 917 123 4567 later", {"phone:+639171234567"}),
    ("my uk line is +44 20 7946 0958", {"phone:+442079460958"}),
    ("text 0917-123-4567", {"phone:+639171234567"}),
    ("send it to my gcash 09171234567",
     {"payment_account:gcash:+639171234567", "phone:+639171234567"}),
    ("GCash: 0917 123 4567.", {"payment_account:gcash:+639171234567", "phone:+639171234567"}),
    ("gcash account +639171234567",
     {"payment_account:gcash:+639171234567", "phone:+639171234567"}),
    ("paymaya 09181234567", {"payment_account:maya:+639181234567", "phone:+639181234567"}),
    ("coins.ph: 09171234567", {"payment_account:coins.ph:+639171234567", "phone:+639171234567"}),
    ("write to Jane.Doe@Example.com", {"email:jane.doe@example.com"}),
    ("paypal jane.doe@example.com",
     {"email:jane.doe@example.com", "payment_account:paypal:jane.doe@example.com"}),
    ("paypal: janedoe77", {"payment_account:paypal:janedoe77"}),
    ("wise: abc123", {"payment_account:wise:abc123"}),
    ("western union 1234567890", {"payment_account:westernunion:1234567890"}),
    ("moneygram: 12345678", {"payment_account:moneygram:12345678"}),
    ("remitly: jdoe", {"payment_account:remitly:jdoe"}),
    ("send $40 to $janedoe", {"payment_account:cashapp:janedoe"}),
    ("cash app $Jane_Doe5", {"payment_account:cashapp:jane_doe5"}),
    ("venmo me at @jdoe_22", {"payment_account:venmo:jdoe_22"}),
    (f"eth {ETH}", {f"wallet:eth:{ETH.lower()}"}),
    (f"btc {BTC_P2PKH}", {f"wallet:btc:{BTC_P2PKH}"}),
    (f"or {BTC_P2SH}", {f"wallet:btc:{BTC_P2SH}"}),
    (f"bech32 {BTC_BECH32.upper()}", {f"wallet:btc:{BTC_BECH32}"}),
]

NOTHING: list[str] = [
    "send 500 to gcash tonight",  # an amount and a word, not an account
    "gcash 500 pesos",
    "gcash: jane",  # a mobile wallet's id is a phone number
    "maya is the best",
    "that's a wise move",
    "echo $HOME and $PATH, costs $20",  # shell variables and prices, not cashtags
    "see you at @noon",  # an @handle outside a venmo instruction
    "us number (555) 123-4567",  # local and not Philippine: ambiguous, refused
    "version 10.04.1 built 20100429, order 123456789 on 2024-05-01 at 12:30",
    "ip 192.168.1.100",
    BTC_P2PKH[:-1] + "b",  # one character changed: checksum fails
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
    "0x1234",  # too short for an address
    "mail me at jane@localhost",
]


@pytest.mark.parametrize(("text", "expected"), EXTRACTS)
def test_identifier_is_extracted_and_normalised(text: str, expected: set[str]) -> None:
    assert {str(ref) for ref in extract_identifiers(text)} == expected


@pytest.mark.parametrize("text", NOTHING)
def test_look_alike_is_not_extracted(text: str) -> None:
    assert extract_identifiers(text) == []


def test_both_spellings_of_a_wallet_number_are_one_account() -> None:
    local = extract_identifiers("gcash 0917 123 4567")
    international = extract_identifiers("gcash: +63 917 123 4567")
    assert local == international


def test_result_is_sorted_and_deduplicated() -> None:
    refs = extract_identifiers("a@example.com b@example.com a@example.com +639171234567")
    assert refs == sorted(set(refs)) and len(refs) == 3


def test_every_provider_spelling_maps_to_a_canonical_name() -> None:
    canonical = set(PAYMENT_PROVIDERS.values())
    assert canonical == {"gcash", "maya", "paypal", "wise", "remitly", "westernunion",
                         "moneygram", "cashapp", "venmo", "coins.ph"}
    for spelling, provider in PAYMENT_PROVIDERS.items():
        ident = "09171234567" if provider in MOBILE_WALLETS else "id12345"
        refs = extract_identifiers(f"{spelling}: {ident}")
        assert any(str(ref).startswith(f"payment_account:{provider}:") for ref in refs), spelling
