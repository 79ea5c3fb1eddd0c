"""The column mapping of a P2P-wallet CSV export: which header holds the sender, the amount...

Wallet apps export their own column names. A mapping names, for each field vigil reads, the
header that holds it (matched without regard to case or surrounding spaces), plus defaults the
export leaves out. It is read from ``<file>.mapping.yaml`` beside the CSV (or passed in code);
without one, the headers must be vigil's own field names. Example::

    columns: {sender: From, receiver: To, amount: Amount, time: Date, note: Message}
    provider: gcash          # account references become gcash:<handle or phone>
    currency: PHP            # when the export has no currency column
    time_zone: Asia/Manila   # for times written without an offset
    time_format: "%d/%m/%Y %H:%M"   # when the times are not ISO 8601
    sender_country: US       # when neither a column nor the phone number says it
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vigil.importers.rows import describe_validation_error

P2pField = Literal["txn_id", "sender", "sender_phone", "receiver", "receiver_phone", "amount",
                   "currency", "time", "note", "sender_country", "receiver_country", "provider"]
FIELDS: tuple[str, ...] = P2pField.__args__  # type: ignore[attr-defined]
REQUIRED: tuple[tuple[str, ...], ...] = (("sender", "sender_phone"),
                                         ("receiver", "receiver_phone"), ("amount",), ("time",))
"""Fields the header must provide (one of each tuple)."""


class P2pMapping(BaseModel):
    """Column names and defaults of one wallet's export (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[P2pField, str] = Field(default_factory=dict)
    provider: str = Field(default="p2p", pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    time_zone: str = "UTC"
    time_format: str | None = None
    sender_country: str | None = None
    receiver_country: str | None = None

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone {value!r}") from None
        return value

    def header_of(self, name: str) -> str:
        """The header expected for field ``name`` (lower-cased)."""
        columns: dict[str, str] = {str(key): value for key, value in self.columns.items()}
        return columns.get(name, name).strip().lower()

    def positions(self, header: list[str]) -> dict[str, int] | str:
        """Field name to column position, or why the header cannot be read."""
        lowered = [cell.strip().lower() for cell in header]
        found = {name: lowered.index(self.header_of(name)) for name in FIELDS
                 if self.header_of(name) in lowered}
        for options in REQUIRED:
            if not any(name in found for name in options):
                wanted = " or ".join(repr(self.header_of(name)) for name in options)
                return f"header has no column {wanted}"
        if "currency" not in found and self.currency is None:
            return f"header has no column {self.header_of('currency')!r} and no default currency"
        return found


def sidecar(path: Path) -> Path:
    """Where the mapping of ``path`` is looked for."""
    return path.with_name(path.name + ".mapping.yaml")


def load_mapping(path: Path) -> P2pMapping | str:
    """The mapping for CSV ``path`` (the default when it has no sidecar), or why it is bad."""
    file = sidecar(path)
    if not file.exists():
        return P2pMapping()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        return P2pMapping.model_validate(data or {})
    except ValidationError as exc:
        return f"mapping {file.name}: {describe_validation_error(exc)}"
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return f"mapping {file.name} is not YAML: {str(exc)[:120]}"
