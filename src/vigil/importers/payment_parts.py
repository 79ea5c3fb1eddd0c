"""Pieces every payment-message importer shares: parties, IBANs, BICs, amounts, times.

A party of a message (debtor, creditor, ordering customer, beneficiary, wallet user) becomes a
``payment_account`` entity: ``iban:<IBAN>`` for an IBAN, ``acct.<bic8>:<id>`` for another
account number held at a known institution, ``acct:<id>`` otherwise. Its name and country are
kept on the record as evidence. When a message gives no country for a party, the country is
read from the IBAN (its first two letters, ISO 13616) or from the party's institution's BIC
(letters 5-6, ISO 9362); when none of these exists the transaction is quarantined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from vigil.countries import COUNTRY_CODES
from vigil.importers.fx import amount_in_usd
from vigil.importers.rows import parse_row
from vigil.plugin import RowOutcome
from vigil.quarantine import QuarantineEntry
from vigil.records import RecordKind

_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_AMOUNT = re.compile(r"^[0-9]{1,15}([.,][0-9]{0,5})?$")


class FieldError(ValueError):
    """One field of one transaction is wrong; the message names the field."""


def iban_is_valid(iban: str) -> bool:
    """The ISO 13616 check: move the first four characters to the end, letters to 10..35, the
    number modulo 97 must be 1 (ISO 13616-1:2020, "Financial services - IBAN")."""
    compact = iban.replace(" ", "").upper()
    if not _IBAN.match(compact):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def looks_like_iban(value: str) -> bool:
    """Shaped like an IBAN (two letters, two digits, 11-30 letters or digits), valid or not."""
    return bool(_IBAN.match(value.replace(" ", "").upper()))


def bic_country(bic: str | None) -> str | None:
    """The country of an ISO 9362 business identifier code (its letters 5-6), or None."""
    if bic and _BIC.match(bic.upper()) and bic[4:6].upper() in COUNTRY_CODES:
        return bic[4:6].upper()
    return None


def check_bic(bic: str | None, field: str) -> str | None:
    """``bic`` upper-cased when it is shaped as ISO 9362 says; :class:`FieldError` otherwise."""
    if bic is None:
        return None
    if not _BIC.match(bic.strip().upper()):
        raise FieldError(f"{field}: {bic[:20]!r} is not a BIC (ISO 9362: 8 or 11 characters)")
    return bic.strip().upper()


@dataclass(frozen=True)
class Party:
    """One side of a transfer as a message states it."""

    role: str  # "debtor" / "creditor" (or the format's own word), for error messages
    iban: str | None = None
    other_id: str | None = None
    name: str | None = None
    country: str | None = None
    bic: str | None = None
    business: bool = False
    phone: str | None = None
    provider: str | None = None
    """A wallet provider (``gcash``): the account is then ``provider:id``."""

    def account(self) -> str:
        """The ``payment_account`` reference; :class:`FieldError` when there is no account."""
        if self.iban:
            compact = self.iban.replace(" ", "").upper()
            if not iban_is_valid(compact):
                raise FieldError(f"{self.role} IBAN {compact[:34]!r} fails the ISO 13616 check")
            return f"iban:{compact}"
        if self.other_id and self.provider:
            return f"{self.provider}:{self.other_id.strip()}"
        if self.other_id:
            bank = f".{self.bic[:8].lower()}" if self.bic else ""
            return f"acct{bank}:{self.other_id.strip()}"
        raise FieldError(f"{self.role} account missing (neither IBAN nor other identification)")

    def resolved_country(self) -> str:
        """The stated country, else the IBAN's, else the institution's BIC's."""
        for candidate in (self.country, (self.iban or "")[:2], bic_country(self.bic)):
            if candidate and candidate.upper() in COUNTRY_CODES:
                return candidate.upper()
        if self.country:
            raise FieldError(f"{self.role} country {self.country[:8]!r} is not ISO 3166-1")
        raise FieldError(f"{self.role} country missing (none stated, and no IBAN, BIC or "
                         "phone number to read it from)")


def parse_amount(text: str | None, field: str) -> float:
    """A positive decimal amount (``.`` or, as in MT103, ``,`` as the decimal mark)."""
    if text is None or not text.strip():
        raise FieldError(f"{field}: amount missing")
    cleaned = text.strip()
    if not _AMOUNT.match(cleaned):
        raise FieldError(f"{field}: {cleaned[:30]!r} is not an amount")
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        raise FieldError(f"{field}: {cleaned[:30]!r} is not an amount") from None
    if value <= 0:
        raise FieldError(f"{field}: amount must be positive, got {cleaned[:30]}")
    return float(value)


def parse_time(text: str | None, field: str) -> datetime:
    """An ISO 8601 date or date-time; a date is midnight UTC, a time without offset is UTC."""
    if text is None or not text.strip():
        raise FieldError(f"{field}: date missing")
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise FieldError(f"{field}: {text.strip()[:40]!r} is not an ISO 8601 date") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Transfer:
    """What a message says about one transfer, before it becomes a ``Payment``."""

    txn_id: str
    sender: Party
    beneficiary: Party
    amount: float
    currency: str
    sent_at: datetime
    channel: str
    reference: str = ""


def transfer_fields(t: Transfer) -> dict[str, Any]:
    """The ``Payment`` fields of ``t``; :class:`FieldError` when a party cannot be resolved."""
    usd = amount_in_usd(t.amount, t.currency)
    if isinstance(usd, str):
        raise FieldError(usd)
    fields: dict[str, Any] = {
        "txn_id": t.txn_id, "sender": t.sender.account(),
        "beneficiary": t.beneficiary.account(), "amount": t.amount,
        "currency": t.currency.upper(), "amount_usd": usd,
        "sender_country": t.sender.resolved_country(),
        "beneficiary_country": t.beneficiary.resolved_country(),
        "sent_at": t.sent_at, "channel": t.channel, "reference": t.reference,
        "sender_type": "business" if t.sender.business else "individual",
        "beneficiary_type": "business" if t.beneficiary.business else "individual",
        "sender_name": t.sender.name, "beneficiary_name": t.beneficiary.name,
        "sender_phone": t.sender.phone, "beneficiary_phone": t.beneficiary.phone,
    }
    return {key: value for key, value in fields.items() if value is not None}


def payment_outcome(build: Any, source: str, line: int, raw: bytes, where: str) -> RowOutcome:
    """Call ``build()`` for a :class:`Transfer` and validate it as a ``Payment``; a
    :class:`FieldError` becomes a quarantine entry whose reason starts with ``where``."""
    kind = RecordKind.PAYMENT
    try:
        fields = transfer_fields(build())
    except FieldError as exc:
        return QuarantineEntry.of(kind, source, line, raw, f"{where}: {exc}")
    outcome = parse_row(kind, fields, source, line, raw)
    if isinstance(outcome, QuarantineEntry):
        return QuarantineEntry(kind, source, line, outcome.excerpt,
                               f"{where}: {outcome.reason}", outcome.line_sha256)
    return outcome
