"""Identifiers written in chat text: phone numbers, e-mail addresses, payment handles and wallets.

Why: in live-show negotiation the payment instruction is in the chat ("send to gcash 0917..."),
so an identifier found there, normalised like every other :class:`~vigil.model.EntityRef`, joins
the chat to the payments received by that account (remittance: AUSTRAC; Cash App: Thorn &
NCMEC 2024; GCash: vigil's). Every value goes through ``EntityRef.of``; one that fails
normalisation is dropped, never guessed at.

Spellings chosen so chat and payment records meet: providers are lower-case canonical names
(``paymaya`` -> ``maya``, ``western union``/``wu`` -> ``westernunion``, ``cash app`` ->
``cashapp``); a mobile-wallet id written as a phone number becomes E.164 (``gcash:+639171234567``),
so "0917 123 4567" and "+63 917 123 4567" are one account; a Cash App ``$cashtag`` and a Venmo
``@handle`` lose their sigil, as account handles lose ``@`` in :mod:`vigil.identifiers`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import phonenumbers

from vigil.identifiers import EntityKind
from vigil.model import EntityRef

PAYMENT_PROVIDERS: dict[str, str] = {
    "gcash": "gcash", "g-cash": "gcash", "paymaya": "maya", "maya": "maya", "paypal": "paypal",
    "wise": "wise", "remitly": "remitly", "westernunion": "westernunion", "wu": "westernunion",
    "moneygram": "moneygram", "cashapp": "cashapp", "venmo": "venmo", "coins.ph": "coins.ph",
}
"""Spelling (lower case, spaces removed) -> canonical provider. The channels named by AUSTRAC,
Thorn & NCMEC, Egmont Group (2020) and FATF (2025) (remitters, PayPal and P2P apps, Cash App), plus
the Philippine e-wallets (GCash, Maya, Coins.ph) of the facilitator side (vigil's addition)."""

MOBILE_WALLETS = frozenset({"gcash", "maya", "coins.ph"})
"""Providers whose account id is the holder's Philippine mobile number (unverified, from the
providers' sign-up flows); their ids must parse as a PH mobile number."""

_PROVIDER = r"g-?cash|pay\s?maya|maya|paypal|wise|remitly|western\s?union|wu|money\s?gram|" \
            r"cash\s?app|venmo|coins\.ph"
_FILLER = r"(?:\s+(?:account|acct|acc|number|num|no\.?|id|handle|name|is|to|at|me|via|on))*"
_ID = r"\+?\d(?:[\s-]?\d){7,19}|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@?[A-Za-z][\w.-]{1,39}"
_HANDLE = re.compile(
    rf"\b(?P<provider>{_PROVIDER})(?![\w.]){_FILLER}\s*(?P<sep>[:=#])?\s*(?P<id>{_ID})",
    re.IGNORECASE)
_CASHTAG = re.compile(r"(?<![\w$])\$(?P<tag>[A-Za-z][A-Za-z0-9_]{0,19})\b")
_VENMO = re.compile(r"\bvenmo\b[^@\n]{0,30}?(?<![\w.])@(?P<handle>[A-Za-z0-9_-]{3,30})",
                    re.IGNORECASE)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_ETH = re.compile(r"\b0x[0-9a-fA-F]{40}\b")
_BECH32 = re.compile(r"\bbc1[02-9ac-hj-np-z]{11,71}\b", re.IGNORECASE)
_BASE58 = re.compile(r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b")
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32_CONSTANTS = (1, 0x2BC830A3)  # BIP-173 bech32 and BIP-350 bech32m


def extract_identifiers(text: str) -> list[EntityRef]:
    """Every normalisable identifier written in ``text``, deduplicated and sorted."""
    found: set[EntityRef] = set()
    for kind, raw in _candidates(text):
        try:
            found.add(EntityRef.of(kind, raw))
        except ValueError:
            continue
    return sorted(found)


def _candidates(text: str) -> Iterator[tuple[EntityKind, str]]:
    yield from ((EntityKind.PHONE, phone) for phone in _phones(text))
    yield from ((EntityKind.EMAIL, m.group(0)) for m in _EMAIL.finditer(text))
    yield from ((EntityKind.PAYMENT_ACCOUNT, handle) for handle in _payment_handles(text))
    yield from ((EntityKind.WALLET, wallet) for wallet in _wallets(text))


def _phones(text: str) -> Iterator[str]:
    """International numbers anywhere; local numbers only in the Philippine mobile form ``09xx``.

    Without ``+country`` a number is ambiguous, so region ``None`` finds only international ones.
    The one local form accepted is the Philippine mobile number (11 digits from ``09``, valid and of
    MOBILE type), because the Philippines is the main source country of live-streamed abuse (IJM
    2020; IJM & Rights Lab "Scale of Harm" 2023) and GCash/Maya ids are written that way. Reading
    every local number as Philippine would turn other countries' numbers into wrong ones.
    """
    for match in phonenumbers.PhoneNumberMatcher(text, None):
        yield _e164(match.number)
    for match in phonenumbers.PhoneNumberMatcher(text, "PH"):
        if _is_ph_local_mobile(match.raw_string, match.number):
            yield _e164(match.number)


def _is_ph_local_mobile(raw: str, number: phonenumbers.PhoneNumber) -> bool:
    return (raw.lstrip("( ").startswith("09")
            and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _ph_mobile(raw: str) -> str | None:
    """The E.164 form of a Philippine mobile number written locally or with ``+63``."""
    try:
        number = phonenumbers.parse(raw, "PH")
    except phonenumbers.NumberParseException:
        return None
    if (phonenumbers.region_code_for_number(number) != "PH"
            or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE):
        return None
    return _e164(number)


def _payment_handles(text: str) -> Iterator[str]:
    for match in _HANDLE.finditer(text):
        provider = PAYMENT_PROVIDERS[re.sub(r"\s", "", match["provider"].lower())]
        ident = _payment_id(provider, match["id"].rstrip(".-"), bool(match["sep"]))
        if ident is not None:
            yield f"{provider}:{ident}"
    for match in _CASHTAG.finditer(text):
        if not match["tag"].isupper():  # $HOME, $PATH, $USD: variables and currencies
            yield f"cashapp:{match['tag']}"
    for match in _VENMO.finditer(text):
        yield f"venmo:{match['handle']}"


def _payment_id(provider: str, ident: str, explicit: bool) -> str | None:
    """The account id, or None when the word after the provider is not an id.

    Without a ``:`` only ids that cannot be ordinary words are taken (a number of 8+ digits, an
    e-mail address, an ``@handle``): "send it by gcash tonight" names no account, and "gcash 500" is
    an amount (the AUSTRAC case study's A$10-100 payments are 2-3 digits), not an account.
    """
    digits = re.sub(r"\D", "", ident)
    if re.fullmatch(r"\+?[\d\s-]+", ident):
        if provider in MOBILE_WALLETS:
            return _ph_mobile(ident)
        return ("+" if ident.startswith("+") else "") + digits
    if provider in MOBILE_WALLETS:
        return None
    if "@" in ident[1:]:
        return ident
    if ident.startswith("@"):
        return ident[1:]
    return ident if explicit else None


def _wallets(text: str) -> Iterator[str]:
    """Ethereum (0x + 40 hex) and Bitcoin addresses whose checksum holds (base58check, bech32)."""
    yield from (f"eth:{m.group(0)}" for m in _ETH.finditer(text))
    yield from (f"btc:{m.group(0)}" for m in _BECH32.finditer(text) if _bech32_valid(m.group(0)))
    yield from (f"btc:{m.group(0)}" for m in _BASE58.finditer(text)
                if _base58check_valid(m.group(0)))


def _base58check_valid(address: str) -> bool:
    """Version byte 0x00 (P2PKH) or 0x05 (P2SH) and a double-SHA-256 checksum that matches."""
    number = 0
    for char in address:
        number = number * 58 + _B58_ALPHABET.index(char)
    try:
        raw = number.to_bytes(25, "big")
    except OverflowError:
        return False
    checksum = hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4]
    return raw[0] in (0x00, 0x05) and raw[21:] == checksum


def _bech32_valid(address: str) -> bool:
    """BIP-173/BIP-350 checksum over the ``bc`` prefix; mixed case is invalid by the spec."""
    if address != address.lower() and address != address.upper():
        return False
    hrp, _, data = address.lower().rpartition("1")
    if hrp != "bc" or len(data) < 6:
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    values += [_BECH32_CHARSET.index(c) for c in data]
    return _bech32_polymod(values) in _BECH32_CONSTANTS


def _bech32_polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(_BECH32_GENERATOR):
            if (top >> i) & 1:
                checksum ^= generator
    return checksum
