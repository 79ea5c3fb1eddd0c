"""Who uses which identifier, read from the raw records: the basis of hub suppression.

A carrier NAT address is *used by* dozens of unrelated accounts; a facilitator's own phone is used
by one payment account even though it appears in signals beside many buyers. Counting co-occurrence
in signals cannot tell these apart, so hubs are judged on record-level use where records say it:

- an IP, device, phone or e-mail is used by the account on the same side of a record (the sender of
  a message, the account of a media observation, the reported account, the payer or payee);
- an account or payment account is "used with" its counterparties (chat partners, payment
  counterparties), so a pooled collection account paid by forty unrelated senders is a hub.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from vigil.identifiers import EntityKind
from vigil.model import EntityRef
from vigil.records import ChatMessage, MediaObservation, PanicReport, Payment, Record

Usage = dict[EntityRef, set[EntityRef]]


def _ref(kind: EntityKind, value: str | None) -> EntityRef | None:
    return None if value is None else EntityRef(kind, value)


def _pairs(record: Record) -> list[tuple[EntityRef | None, EntityRef | None]]:
    """(user, used) pairs of one record; counterparties appear in both directions."""
    account, payment = EntityKind.ACCOUNT, EntityKind.PAYMENT_ACCOUNT
    if isinstance(record, MediaObservation):
        owner = _ref(account, record.account)
        return [(owner, _ref(EntityKind.IP, record.ip)),
                (owner, _ref(EntityKind.DEVICE, record.device))]
    if isinstance(record, ChatMessage):
        sender, recipient = _ref(account, record.sender), _ref(account, record.recipient)
        return [(sender, _ref(EntityKind.IP, record.sender_ip)),
                (sender, _ref(EntityKind.DEVICE, record.sender_device)),
                (sender, recipient), (recipient, sender)]
    if isinstance(record, Payment):
        payer, payee = _ref(payment, record.sender), _ref(payment, record.beneficiary)
        return [(payer, _ref(EntityKind.PHONE, record.sender_phone)),
                (payer, _ref(EntityKind.EMAIL, record.sender_email)),
                (payee, _ref(EntityKind.PHONE, record.beneficiary_phone)),
                (payee, _ref(EntityKind.EMAIL, record.beneficiary_email)),
                (payer, payee), (payee, payer)]
    if isinstance(record, PanicReport):
        reported = _ref(account, record.reported)
        return [(reported, _ref(EntityKind.IP, record.reported_ip)),
                (reported, _ref(EntityKind.DEVICE, record.reported_device))]
    return []


def identifier_usage(records: Iterable[Record]) -> Usage:
    """For each identifier in the records, the distinct accounts that used it (or dealt with it)."""
    usage: Usage = defaultdict(set)
    for record in records:
        for user, used in _pairs(record):
            if user is not None and used is not None:
                usage[used].add(user)
    return dict(usage)
