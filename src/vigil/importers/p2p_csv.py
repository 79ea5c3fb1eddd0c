"""Payments from a generic P2P-wallet CSV export: sender and receiver handles or phone numbers,
amount, currency, time and note, under whatever column names the wallet uses
(:mod:`vigil.importers.p2p_mapping`).

CSV structure is read exactly as the canonical payments CSV reads it (bounded lines, quoting,
cell counts; :class:`~vigil.importers.csv_payments.PaymentCsv`); only the mapping of a row to a
``Payment`` differs:

- accounts: ``<provider>:<handle>``, or ``<provider>:<phone>`` when the row has no handle (the
  provider comes from a ``provider`` column, else the mapping's default); phone numbers are also
  kept as ``sender_phone``/``beneficiary_phone`` (E.164, so they link across sources);
- country: the row's column, else the mapping's default, else the phone number's country
  (ITU-T E.164 country code, via ``phonenumbers``); none of these quarantines the row;
- time: ISO 8601 (or the mapping's ``time_format``); a time without an offset is in the
  mapping's ``time_zone``;
- id: the ``txn_id`` column, else ``p2p:`` and a hash of the row's bytes, so that importing the
  same file again adds nothing (two byte-identical rows count once).
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

import phonenumbers

from vigil import redact
from vigil.importers.csv_payments import PaymentCsv, _cells
from vigil.importers.p2p_mapping import P2pMapping, load_mapping, sidecar
from vigil.importers.payment_parts import (
    FieldError,
    Party,
    Transfer,
    parse_amount,
    payment_outcome,
)
from vigil.plugin import RowOutcome
from vigil.quarantine import QuarantineEntry


@lru_cache(maxsize=65536)  # wallet exports repeat their users' numbers on every row
def _phone(value: str | None) -> tuple[str | None, str | None]:
    """The number in E.164 and its country, when ``value`` is an international number."""
    if not value:
        return None, None
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise FieldError(f"{value[:24]!r} is not an international phone number") from None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return str(e164), phonenumbers.region_code_for_number(number)


class P2pWalletCsv(PaymentCsv):
    name = "p2p-csv.payment"
    suffixes: ClassVar[tuple[str, ...]] = (".p2p.csv",)
    description = "Payments from a P2P-wallet CSV export, columns named by a mapping"

    def __init__(self, mapping: P2pMapping | None = None) -> None:
        self.mapping = mapping
        self.active = mapping or P2pMapping()
        self._positions: dict[str, int] = {}

    @classmethod
    def claims(cls, path: Path) -> bool:
        """A CSV with a mapping beside it, or whose header has ``receiver`` but no
        ``beneficiary`` column (auto-detection)."""
        if not path.name.lower().endswith(".csv"):
            return False
        if sidecar(path).exists():
            return True
        with path.open("rb") as handle:
            header = handle.readline(4096).decode("utf-8", "replace").lower()
        names = {cell.strip().strip('"') for cell in header.split(",")}
        return bool(names & {"receiver", "receiver_phone"}) and "beneficiary" not in names

    def rows(self, path: Path) -> Generator[RowOutcome, None, int]:
        mapping = self.mapping or load_mapping(path)
        if isinstance(mapping, str):
            yield QuarantineEntry(self.produces, str(path), 0, "", f"{mapping}; file refused")
            return 0
        self.active = mapping
        return (yield from super().rows(path))

    def _header(self, source: str, number: int, raw: bytes) -> list[str] | QuarantineEntry:
        header = super()._header(source, number, raw)
        if isinstance(header, QuarantineEntry):
            return header
        positions = self.active.positions(header)
        if isinstance(positions, str):
            return QuarantineEntry.of(self.produces, source, number, raw,
                                      f"{positions}; file refused")
        self._positions = positions
        return header

    def _row(self, source: str, number: int, raw: bytes, header: list[str]) -> RowOutcome:
        cells = _cells(raw)
        if isinstance(cells, str) or len(cells) != len(header):
            return super()._row(source, number, raw, header)  # the same structural reasons
        row = {name: cells[i].strip() for name, i in self._positions.items() if cells[i].strip()}
        return payment_outcome(lambda: self._transfer(row, raw), source, number, raw,
                               f"line {number}")

    def _transfer(self, row: dict[str, str], raw: bytes) -> Transfer:
        m = self.active
        provider = (row.get("provider") or m.provider).lower()
        return Transfer(
            txn_id=row.get("txn_id") or f"p2p:{redact.sha256_of(raw)[:24]}",
            sender=self._party(row, "sender", "sender", provider, m.sender_country),
            beneficiary=self._party(row, "receiver", "receiver", provider, m.receiver_country),
            amount=parse_amount(row.get("amount"), m.header_of("amount")),
            currency=row.get("currency") or m.currency or "",
            sent_at=self._time(row.get("time")), channel=provider,
            reference=row.get("note", ""))

    def _party(self, row: dict[str, str], key: str, role: str, provider: str,
               default_country: str | None) -> Party:
        handle = row.get(key)
        given = row.get(f"{key}_phone") or (handle if handle and handle[0] == "+" else None)
        phone, phone_country = _phone(given)
        handle = handle or phone
        if not handle:
            raise FieldError(f"{role} missing (no {key} handle or {key}_phone)")
        country = row.get(f"{key}_country") or default_country or phone_country
        return Party(role=role, other_id=handle, country=country, phone=phone,
                     provider=provider)

    def _time(self, text: str | None) -> datetime:
        """The row's time; one without an offset is in the mapping's time zone."""
        m = self.active
        name = m.header_of("time")
        if not text:
            raise FieldError(f"{name}: time missing")
        try:
            value = (datetime.strptime(text, m.time_format) if m.time_format
                     else datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            wanted = (f"a time in the format {m.time_format!r}" if m.time_format
                      else "an ISO 8601 time")
            raise FieldError(f"{name}: {text[:40]!r} is not {wanted}") from None
        return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(m.time_zone))
