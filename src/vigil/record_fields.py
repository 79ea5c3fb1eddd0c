"""The checked field types records are made of: identifiers, numbers, times, countries, hashes.

Each type refuses at the record boundary what would otherwise break something downstream: a
non-finite amount that the store writes as ``null`` and can then never read back, a boolean that
pydantic would take as ``1``, a time so close to the ends of the calendar that converting it to
UTC overflows in a detector, two letters that are no country.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

from vigil.countries import check_country
from vigil.identifiers import EntityKind, normalise

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
"""Records before the Unix epoch are almost surely a zero or mis-parsed timestamp, not evidence."""
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""Far beyond any clock skew yet far from ``datetime.max``: converting any offset stays in range.

Dates that are merely in the future (a wrong device clock) are a policy of the importer's clock,
see :func:`vigil.records.check_not_future`; this bound is what the code itself can handle.
"""
_WALL_LOW = EARLIEST.replace(tzinfo=None) - timedelta(days=1)
_WALL_HIGH = LATEST.replace(tzinfo=None) + timedelta(days=1)
"""UTC offsets are less than a day, so a wall time within a day of the range converts safely."""
_SAFE_YEARS = (EARLIEST.year + 1, LATEST.year - 2)


def _normaliser(kind: EntityKind) -> AfterValidator:
    return AfterValidator(lambda value: normalise(kind, value))


Account = Annotated[str, _normaliser(EntityKind.ACCOUNT)]
PaymentAccount = Annotated[str, _normaliser(EntityKind.PAYMENT_ACCOUNT)]
Phone = Annotated[str, _normaliser(EntityKind.PHONE)]
Email = Annotated[str, _normaliser(EntityKind.EMAIL)]
Ip = Annotated[str, _normaliser(EntityKind.IP)]
Device = Annotated[str, _normaliser(EntityKind.DEVICE)]
Conversation = Annotated[str, _normaliser(EntityKind.CONVERSATION)]
HexPdq = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$"), AfterValidator(str.lower)]
HexMd5 = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{32}$"), AfterValidator(str.lower)]
CountryCode = Annotated[str, AfterValidator(check_country)]


def _not_a_boolean(value: Any) -> Any:
    """Pydantic reads ``true`` as ``1`` in a number field; in evidence that is a broken export."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    return value


FiniteFloat = Annotated[float, BeforeValidator(_not_a_boolean), Field(allow_inf_nan=False)]
"""A real number: no infinity or NaN (JSON ``Infinity``, ``1e999``, CSV ``inf``), no boolean.

Numeric strings are still read ("12.50"): the CSV importer passes every cell as text.
"""
WholeNumber = Annotated[int, BeforeValidator(_not_a_boolean)]


def check_record_time(moment: datetime) -> datetime:
    """``moment`` when it lies within [EARLIEST, LATEST) in UTC; checking it never overflows.

    The wall time is checked first, with a day to spare for the offset, so ``astimezone`` only ever
    sees times far from ``datetime.min`` and ``datetime.max``.
    """
    if _SAFE_YEARS[0] <= moment.year <= _SAFE_YEARS[1]:
        return moment  # an offset under a day cannot carry these years out of range
    wall = moment.replace(tzinfo=None)
    if _WALL_LOW <= wall <= _WALL_HIGH and EARLIEST <= moment.astimezone(UTC) < LATEST:
        return moment
    raise ValueError(f"{moment.isoformat()} is outside the range vigil accepts "
                     f"({EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} UTC)")


_DATE_START = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")


def _a_written_time(value: Any) -> Any:
    """Times come as ISO 8601 / RFC 3339 text (or a ``datetime`` in code), never as a number.

    Pydantic would read ``0``, ``1700000000`` or ``"1700000000"`` as Unix seconds; in a report
    or an export that is ambiguous (seconds or milliseconds?) and usually a broken field.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE_START.match(value):
        return value
    raise ValueError("expected an ISO 8601 time with an offset, e.g. 2026-01-31T08:00:00Z")


RecordTime = Annotated[AwareDatetime, BeforeValidator(_a_written_time),
                       AfterValidator(check_record_time)]
"""A time zone-aware datetime between 1970 and 2100 UTC (see :data:`EARLIEST`, :data:`LATEST`)."""
