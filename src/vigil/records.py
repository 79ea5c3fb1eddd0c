"""Raw observations as importers read them, before any detector has looked at them.

Pydantic validates every field, so a bad row fails with the field's name, which the importer
turns into a quarantine entry with file and line. The field types (:mod:`vigil.record_fields`)
normalise identifiers, refuse non-finite or boolean numbers, times outside 1970-2100 UTC and
unknown countries. :func:`check_not_future` is the one check that needs a clock, so importers
apply it with theirs.

Identifiers typed with characters outside ASCII are folded for linking (NFKC, invisible characters
dropped, look-alikes from other scripts mapped: :mod:`vigil.homoglyphs`). The record's field holds
the folded value, because every detector, the payment SQL and linking read the fields and must
all see the same identity; the text as typed is kept beside it in ``original_identifiers`` (a
field name -> typed text mapping written into the record's JSON), so an analyst can still see
that ``vidchat:alice`` arrived as ``vidchat:\u0430lice``. It is not a model field: ASCII records,
which fold to themselves, serialise and hash exactly as before, and the payment table, built from
the model fields, is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    model_serializer,
    model_validator,
)

from vigil.identifiers import EntityKind
from vigil.model import EntityRef, content_hash
from vigil.record_fields import (
    Account,
    Conversation,
    CountryCode,
    Device,
    Email,
    FiniteFloat,
    HexMd5,
    HexPdq,
    Ip,
    PaymentAccount,
    Phone,
    RecordTime,
    WholeNumber,
)

ORIGINALS_KEY = "original_identifiers"
"""Key of the typed-text mapping in a record's JSON (present only when some identifier had one)."""
TENANT_KEY = "tenant"
"""Key of the tenant stamp in a record's JSON (only on records taken in through the API); read
back only from vigil's own store (context ``{"stored": True}``): a file row or request body that
names a tenant is refused like any unknown field (docs/decisions/0006-tenant-on-records.md)."""


class RecordKind(StrEnum):
    """The four kinds of raw input, one importer format each."""

    MEDIA = "media"
    MESSAGE = "message"
    PAYMENT = "payment"
    REPORT = "report"


class Record(BaseModel):
    """Base of all raw records: frozen, strict about unknown fields, content-addressed."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    kind: ClassVar[RecordKind]
    typed_fields: ClassVar[tuple[str, ...]] = ()
    """Identifier fields whose text as typed is kept when it had characters outside ASCII."""
    _originals: dict[str, str] = PrivateAttr(default_factory=dict)
    _tenant: str | None = PrivateAttr(default=None)

    @property
    def original_identifiers(self) -> Mapping[str, str]:
        """Field name -> identifier as typed, for fields typed with characters outside ASCII."""
        return MappingProxyType(self._originals)

    @property
    def tenant(self) -> str | None:
        """The tenant whose API key took this record in; ``None`` for a file import."""
        return self._tenant

    @model_validator(mode="wrap")
    @classmethod
    def _keep_typed_identifiers(cls, data: Any, handler: ModelWrapValidatorHandler[Self],
                                info: ValidationInfo) -> Self:
        originals: dict[str, str] = {}
        context = info.context if isinstance(info.context, dict) else {}
        tenant = context.get(TENANT_KEY)
        if isinstance(data, dict):
            if ORIGINALS_KEY in data or (TENANT_KEY in data and context.get("stored")):
                data = dict(data)
                originals = _given_originals(cls, data.pop(ORIGINALS_KEY, {}))
                tenant = data.pop(TENANT_KEY, tenant) if context.get("stored") else tenant
            for name in cls.typed_fields:
                value = data.get(name)
                if isinstance(value, str) and not value.isascii():
                    originals.setdefault(name, value.strip())
        record = handler(data)
        if originals:
            record._originals = originals
        if tenant is not None:
            record._tenant = str(tenant)
        return record

    @model_serializer(mode="wrap")
    def _write_typed_identifiers(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if self._originals and isinstance(data, dict):
            data[ORIGINALS_KEY] = dict(sorted(self._originals.items()))
        if self._tenant is not None and isinstance(data, dict):
            data[TENANT_KEY] = self._tenant
        return data

    def content_hash(self) -> str:
        """Identity for idempotent import: the same row imported twice is stored once.

        The tenant stamp is not part of it: a row is the same evidence whichever way it came in.
        """
        data = self.model_dump(mode="json")
        data.pop(TENANT_KEY, None)
        return content_hash({"kind": self.kind.value, **data})


def _given_originals(cls: type[Record], given: Any) -> dict[str, str]:
    """``original_identifiers`` as read back from the store (or given in a file), checked."""
    if not isinstance(given, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in given.items()):
        raise ValueError(f"{ORIGINALS_KEY}: expected an object of field name -> text")
    unknown = sorted(set(given) - set(cls.typed_fields))
    if unknown:
        raise ValueError(f"{ORIGINALS_KEY}: {', '.join(unknown)} is not an identifier field")
    return dict(given)


class MediaObservation(Record):
    """A photo, video frame or stream frame seen on a platform, as hashes only (never bytes)."""

    kind: ClassVar[RecordKind] = RecordKind.MEDIA
    typed_fields: ClassVar[tuple[str, ...]] = ("account", "ip", "device")
    observation_id: str = Field(min_length=1)
    account: Account
    observed_at: RecordTime
    pdq: HexPdq | None = None
    quality: WholeNumber | None = Field(default=None, ge=0, le=100)
    md5: HexMd5 | None = None
    stream_id: str | None = None
    frame_time_s: FiniteFloat | None = Field(default=None, ge=0)
    ip: Ip | None = None
    device: Device | None = None

    def model_post_init(self, context: Any, /) -> None:
        if self.pdq is None and self.md5 is None:
            raise ValueError("media observation needs at least one of pdq, md5")


class ChatMessage(Record):
    """One message of a conversation between two platform accounts."""

    kind: ClassVar[RecordKind] = RecordKind.MESSAGE
    typed_fields: ClassVar[tuple[str, ...]] = (
        "conversation_id", "sender", "recipient", "sender_ip", "sender_device")
    conversation_id: Conversation
    message_id: str = Field(min_length=1)
    sender: Account
    recipient: Account
    sent_at: RecordTime
    text: str
    sender_ip: Ip | None = None
    sender_device: Device | None = None


class Payment(Record):
    """One transfer between two payment accounts, with the KYC identifiers the institution holds."""

    kind: ClassVar[RecordKind] = RecordKind.PAYMENT
    typed_fields: ClassVar[tuple[str, ...]] = (
        "sender", "beneficiary", "sender_phone", "sender_email", "beneficiary_phone",
        "beneficiary_email")
    txn_id: str = Field(min_length=1)
    sender: PaymentAccount
    beneficiary: PaymentAccount
    amount: FiniteFloat = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Za-z]{3}$")
    amount_usd: FiniteFloat = Field(gt=0)
    sender_country: CountryCode
    beneficiary_country: CountryCode
    sent_at: RecordTime
    channel: str = Field(default="p2p", min_length=1)
    sender_type: str = Field(default="individual", pattern=r"^(individual|business)$")
    beneficiary_type: str = Field(default="individual", pattern=r"^(individual|business)$")
    reference: str = ""
    sender_name: str | None = None
    beneficiary_name: str | None = None
    sender_phone: Phone | None = None
    sender_email: Email | None = None
    beneficiary_phone: Phone | None = None
    beneficiary_email: Email | None = None


class PanicReport(Record):
    """What a user sent with the panic/flag button in a video call, with optional frame hashes."""

    kind: ClassVar[RecordKind] = RecordKind.REPORT
    typed_fields: ClassVar[tuple[str, ...]] = (
        "reporter", "reported", "reported_ip", "reported_device")
    report_id: str = Field(min_length=1)
    reporter: Account
    reported: Account
    session_id: str = Field(min_length=1)
    reported_at: RecordTime
    reason: str = Field(min_length=1)
    frame_pdqs: tuple[HexPdq, ...] = ()
    reported_ip: Ip | None = None
    reported_device: Device | None = None


RECORD_TYPES: dict[RecordKind, type[Record]] = {
    RecordKind.MEDIA: MediaObservation,
    RecordKind.MESSAGE: ChatMessage,
    RecordKind.PAYMENT: Payment,
    RecordKind.REPORT: PanicReport,
}


def record_from_dict(kind: RecordKind, data: dict[str, Any], *,
                     tenant: str | None = None) -> Record:
    """Validate ``data`` as a record of ``kind`` (``ValidationError`` when bad); ``tenant``
    stamps it (the API passes its key's tenant: ``data`` itself may not name one)."""
    context = {TENANT_KEY: tenant} if tenant is not None else None
    return RECORD_TYPES[kind].model_validate(data, context=context)


def identifiers_of(record: Record) -> list[EntityRef]:
    """The entity references a record carries, in field order (already normalised)."""
    refs: list[EntityRef] = []
    for name, kind in _IDENTIFIER_FIELDS.get(type(record), ()):
        value = getattr(record, name)
        if value is not None:
            refs.append(EntityRef(kind, value))
    return refs


_IDENTIFIER_FIELDS: dict[type[Record], tuple[tuple[str, EntityKind], ...]] = {
    MediaObservation: (("account", EntityKind.ACCOUNT), ("ip", EntityKind.IP),
                       ("device", EntityKind.DEVICE)),
    ChatMessage: (("sender", EntityKind.ACCOUNT), ("recipient", EntityKind.ACCOUNT),
                  ("sender_ip", EntityKind.IP), ("sender_device", EntityKind.DEVICE)),
    PanicReport: (("reporter", EntityKind.ACCOUNT), ("reported", EntityKind.ACCOUNT),
                  ("reported_ip", EntityKind.IP), ("reported_device", EntityKind.DEVICE)),
    Payment: (("sender", EntityKind.PAYMENT_ACCOUNT), ("beneficiary", EntityKind.PAYMENT_ACCOUNT),
              ("sender_phone", EntityKind.PHONE), ("sender_email", EntityKind.EMAIL),
              ("beneficiary_phone", EntityKind.PHONE), ("beneficiary_email", EntityKind.EMAIL)),
}


def record_times(record: Record) -> list[tuple[str, datetime]]:
    """``(field name, value)`` of every datetime field the record has set."""
    return [(name, value) for name in type(record).model_fields
            if isinstance(value := getattr(record, name), datetime)]


def check_not_future(record: Record, now: datetime, max_skew: timedelta) -> str | None:
    """Why ``record`` is dated too far after ``now`` to be trusted, or ``None`` when it is not.

    A report dated 2999 would make every other case look old (recency is measured from the newest
    record), so a time more than ``max_skew`` after the importer's clock is quarantined, with this
    reason naming the field. ``now`` must be time zone-aware; ``max_skew`` comes from
    ``Settings.max_future_skew_hours``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"check_not_future needs an aware clock, got {now.isoformat()}")
    limit = now + max_skew
    for name, moment in record_times(record):
        if moment > limit:
            # No clock reading in the text: the same row gets the same reason on every import.
            return (f"{name}: {moment.isoformat()} is in the future, more than "
                    f"{max_skew.total_seconds() / 3600:g} h after the import clock "
                    "(VIGIL_MAX_FUTURE_SKEW_HOURS)")
    return None


__all__ = [
    "ChatMessage", "MediaObservation", "ORIGINALS_KEY", "PanicReport", "Payment", "Record",
    "RecordKind", "RECORD_TYPES", "TENANT_KEY", "check_not_future", "identifiers_of",
    "record_from_dict", "record_times",
]
