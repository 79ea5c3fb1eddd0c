"""Normalisation of identifiers: one function per entity kind.

Linking depends on two spellings of one identifier becoming one string, so every identifier that
enters vigil goes through :func:`normalise`. Each function raises ``ValueError`` naming the kind and
the offending value, which importers turn into a quarantine reason.

Before the per-kind rules, :func:`normalise` folds Unicode (:mod:`vigil.homoglyphs`: NFKC, invisible
characters dropped, look-alike letters from other scripts mapped to one representative), so a handle
typed with a zero-width joiner, a Cyrillic ``а`` or full-width digits links with the plain one.
Phones and IP addresses get NFKC and invisible characters only: their parsers read digits by value,
and a confusables map would turn a Bengali four into an eight. ASCII input is never changed by
this step. The folded text is what links; records keep what was typed (see ``vigil.records``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from enum import StrEnum

import phonenumbers

from vigil.homoglyphs import fold
from vigil.signal_types import SIGNAL_TYPES


class EntityKind(StrEnum):
    """The kinds of identifier that can join signals into one case."""

    ACCOUNT = "account"
    PAYMENT_ACCOUNT = "payment_account"
    PHONE = "phone"
    EMAIL = "email"
    IP = "ip"
    DEVICE = "device"
    WALLET = "wallet"
    MEDIA = "media"
    CONVERSATION = "conversation"

    # The string's own hash (in C), not Enum's (``hash(self._name_)`` in Python): every
    # identifier hashes its kind, millions of times in a run's linking. Both are per-process
    # string hashes, so no order that was fixed before changes.
    __hash__ = str.__hash__


_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z0-9][A-Za-z0-9_.-]*):(?P<rest>\S+)$")
_PREFIXED_SPACED = re.compile(r"^(?P<prefix>[A-Za-z0-9][A-Za-z0-9_.-]*):\s*(?P<rest>\S(?:.*\S)?)$")
_SPACES_AND_DASHES = re.compile(r"[\s-]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DEVICE = re.compile(r"^[A-Za-z0-9_.:-]{4,128}$")
_CASELESS_ADDRESS_PREFIXES = ("0x", "bc1", "ltc1", "tb1")


def _bad(kind: EntityKind, value: str, why: str) -> ValueError:
    return ValueError(f"invalid {kind.value} identifier {value!r}: {why}")


def _split_prefixed(kind: EntityKind, value: str, what: str) -> tuple[str, str]:
    pattern = _PREFIXED_SPACED if kind is EntityKind.PAYMENT_ACCOUNT else _PREFIXED
    match = pattern.match(value.strip())
    if match is None:
        raise _bad(kind, value, f"expected '{what}'")
    return match["prefix"].lower(), match["rest"]


def normalise_account(value: str) -> str:
    """``platform:handle``; both parts are case-insensitive on every platform we know of."""
    platform, handle = _split_prefixed(EntityKind.ACCOUNT, value, "platform:handle")
    return f"{platform}:{handle.lstrip('@').lower()}"


PROVIDER_ALIASES = {"g-cash": "gcash", "paymaya": "maya", "wu": "westernunion",
                    "western_union": "westernunion", "coinsph": "coins.ph"}
"""Spellings of one payment provider; the canonical name is what chat extraction writes too."""

MOBILE_WALLET_REGIONS = {"gcash": "PH", "maya": "PH", "coins.ph": "PH"}
"""E-wallets whose account id is the holder's mobile number; written locally (``0917...``) or in
E.164, it is one account, so it is stored in E.164."""


def normalise_payment_account(value: str) -> str:
    """``provider:id``; spaces and dashes inside account numbers are formatting, not identity."""
    provider, ident = _split_prefixed(EntityKind.PAYMENT_ACCOUNT, value, "provider:id")
    provider = PROVIDER_ALIASES.get(provider, provider)
    region = MOBILE_WALLET_REGIONS.get(provider)
    phone = _mobile_number(ident, region) if region else None
    return f"{provider}:{phone or _SPACES_AND_DASHES.sub('', ident).lower()}"


def _mobile_number(ident: str, region: str) -> str | None:
    if not re.fullmatch(r"\+?[0-9 ()-]{7,20}", ident):
        return None
    try:
        number = phonenumbers.parse(ident, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalise_phone(value: str) -> str:
    """E.164 via Google's libphonenumber; a number without ``+country`` is ambiguous and refused."""
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise _bad(EntityKind.PHONE, value, f"{exc} (use +<country code>...)") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise _bad(EntityKind.PHONE, value, "not a possible phone number")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def normalise_email(value: str) -> str:
    text = value.strip().lower()
    if not _EMAIL.match(text):
        raise _bad(EntityKind.EMAIL, value, "expected local@domain.tld")
    return text


def normalise_ip(value: str) -> str:
    """Canonical text of the address; IPv4-mapped IPv6 collapses to the IPv4 it carries."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError as exc:
        raise _bad(EntityKind.IP, value, "not an IPv4 or IPv6 address") from exc
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.compressed


def normalise_device(value: str) -> str:
    text = value.strip().lower()
    if not _DEVICE.match(text):
        raise _bad(EntityKind.DEVICE, value, "expected 4-128 characters of [A-Za-z0-9_.:-]")
    return text


def normalise_wallet(value: str) -> str:
    """``chain:address``; hex (0x) and bech32 addresses ignore case, base58 ones do not."""
    chain, address = _split_prefixed(EntityKind.WALLET, value, "chain:address")
    lowered = address.lower()
    if lowered.startswith(_CASELESS_ADDRESS_PREFIXES):
        return f"{chain}:{lowered}"
    return f"{chain}:{address}"


def normalise_media(value: str) -> str:
    """``algorithm:hexdigest`` for pdq, md5 or sha256, lower-case hex of the right length."""
    algorithm, digest = _split_prefixed(EntityKind.MEDIA, value, "pdq|md5|sha256:hex")
    kind = SIGNAL_TYPES.get(algorithm)
    digest = digest.lower()
    if kind is None:
        raise _bad(EntityKind.MEDIA, value, f"unknown hash algorithm {algorithm!r}")
    if len(digest) != kind.hex_digits or any(c not in "0123456789abcdef" for c in digest):
        raise _bad(EntityKind.MEDIA, value, f"{algorithm} needs {kind.hex_digits} hex digits")
    return f"{algorithm}:{digest}"


def normalise_conversation(value: str) -> str:
    platform, ident = _split_prefixed(EntityKind.CONVERSATION, value, "platform:id")
    return f"{platform}:{ident}"


NORMALISERS: dict[EntityKind, Callable[[str], str]] = {
    EntityKind.ACCOUNT: normalise_account,
    EntityKind.PAYMENT_ACCOUNT: normalise_payment_account,
    EntityKind.PHONE: normalise_phone,
    EntityKind.EMAIL: normalise_email,
    EntityKind.IP: normalise_ip,
    EntityKind.DEVICE: normalise_device,
    EntityKind.WALLET: normalise_wallet,
    EntityKind.MEDIA: normalise_media,
    EntityKind.CONVERSATION: normalise_conversation,
}


_CASE_SENSITIVE = frozenset({EntityKind.WALLET, EntityKind.CONVERSATION})
"""Kinds whose text keeps its case (base58 wallet addresses, platform conversation ids)."""
_READ_BY_VALUE = frozenset({EntityKind.PHONE, EntityKind.IP})
"""Kinds whose parsers read any script's digits by value: no confusables map for them."""


def fold_for_linking(kind: EntityKind, value: str) -> str:
    """The Unicode fold :func:`normalise` applies to ``value`` before the rules of ``kind``."""
    return fold(value, caseless=kind not in _CASE_SENSITIVE,
                confusables=kind not in _READ_BY_VALUE)


def normalise(kind: EntityKind | str, value: str) -> str:
    """Normalise ``value`` as an identifier of ``kind``; raise ``ValueError`` naming both if bad."""
    try:
        entity_kind = EntityKind(kind)
    except ValueError as exc:
        raise ValueError(f"unknown identifier kind {kind!r}") from exc
    if not isinstance(value, str) or not value.strip():
        raise _bad(entity_kind, str(value), "empty")
    if value.isascii():  # the fast path of nearly every row: folding leaves ASCII unchanged
        return NORMALISERS[entity_kind](value)
    folded = fold_for_linking(entity_kind, value)
    if not folded.strip():
        raise _bad(entity_kind, value, "only invisible characters")
    try:
        return NORMALISERS[entity_kind](folded)
    except ValueError as exc:
        if folded == value:
            raise
        raise ValueError(f"{exc} (as typed: {value!r})") from exc
