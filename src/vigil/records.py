"""Raw observations as importers read them, before any detector has looked at them.

Pydantic validates every field, so a bad row fails with the field's name, which the importer
turns into a quarantine entry with file and line. Identifiers are normalised on the way in.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from vigil.identifiers import EntityKind, normalise
from vigil.model import EntityRef, content_hash


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
CountryCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$"), AfterValidator(str.upper)]


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

    def content_hash(self) -> str:
        """Identity for idempotent import: the same row imported twice is stored once."""
        return content_hash({"kind": self.kind.value, **self.model_dump(mode="json")})


class MediaObservation(Record):
    """A photo, video frame or stream frame seen on a platform, as hashes only (never bytes)."""

    kind: ClassVar[RecordKind] = RecordKind.MEDIA
    observation_id: str = Field(min_length=1)
    account: Account
    observed_at: AwareDatetime
    pdq: HexPdq | None = None
    quality: int | None = Field(default=None, ge=0, le=100)
    md5: HexMd5 | None = None
    stream_id: str | None = None
    frame_time_s: float | None = Field(default=None, ge=0)
    ip: Ip | None = None
    device: Device | None = None

    def model_post_init(self, context: Any, /) -> None:
        if self.pdq is None and self.md5 is None:
            raise ValueError("media observation needs at least one of pdq, md5")


class ChatMessage(Record):
    """One message of a conversation between two platform accounts."""

    kind: ClassVar[RecordKind] = RecordKind.MESSAGE
    conversation_id: Conversation
    message_id: str = Field(min_length=1)
    sender: Account
    recipient: Account
    sent_at: AwareDatetime
    text: str
    sender_ip: Ip | None = None
    sender_device: Device | None = None


class Payment(Record):
    """One transfer between two payment accounts, with the KYC identifiers the institution holds."""

    kind: ClassVar[RecordKind] = RecordKind.PAYMENT
    txn_id: str = Field(min_length=1)
    sender: PaymentAccount
    beneficiary: PaymentAccount
    amount: float = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Za-z]{3}$")
    amount_usd: float = Field(gt=0)
    sender_country: CountryCode
    beneficiary_country: CountryCode
    sent_at: AwareDatetime
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
    report_id: str = Field(min_length=1)
    reporter: Account
    reported: Account
    session_id: str = Field(min_length=1)
    reported_at: AwareDatetime
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


def record_from_dict(kind: RecordKind, data: dict[str, Any]) -> Record:
    """Validate ``data`` as a record of ``kind`` (pydantic ``ValidationError`` when bad)."""
    return RECORD_TYPES[kind].model_validate(data)


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

__all__ = [
    "ChatMessage", "MediaObservation", "PanicReport", "Payment", "Record", "RecordKind",
    "RECORD_TYPES", "identifiers_of", "record_from_dict",
]
