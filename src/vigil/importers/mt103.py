"""Payments from SWIFT MT103 (Single Customer Credit Transfer) files, several messages per file.

A message starts at ``{1:`` (several may share a line, as FIN dumps often write them); each
becomes one payment or one quarantine entry naming the line the message starts on, its index in
the file and the field at fault (see :mod:`vigil.importers.mt103_fields` for the field formats).
The mapping:

- id: the UETR of block 3 tag 121 when present, else the sender's BIC and field 20;
- amount, currency and date: field 32A (the value date, at midnight UTC);
- sender: field 50A/50F/50K (account, name; country from 50F ``3/CC``, else the IBAN, else the
  BIC of 52A or of the sending institution); beneficiary: field 59/59A/59F (likewise with 57A
  and the receiving institution);
- reference: field 70, its lines joined by a space. Field 71A is checked but not kept (a
  ``Payment`` has no charges field).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import ClassVar

from vigil.importers.jsonl import file_problem, too_long
from vigil.importers.lines import FileProblem, RawLine, read_lines
from vigil.importers.mt103_fields import charges, customer, parse_message, value_date
from vigil.importers.payment_parts import FieldError, Transfer, parse_amount, payment_outcome
from vigil.plugin import Importer, RowOutcome
from vigil.quarantine import QuarantineEntry
from vigil.records import RecordKind

_START = re.compile(r"(?=\{1:)")
MAX_MESSAGE_LINES = 200
"""Most lines one message may span; a real MT103 has well under 60."""


def transfer(text: str) -> Transfer:
    """The transfer one MT103 message states (:class:`FieldError` names the field at fault)."""
    message = parse_message(text)
    date, currency, amount = value_date(message)
    reference = message.fields.get("20")
    if not reference or not reference[0]:
        raise FieldError("field 20 (sender's reference) missing")
    charges(message)
    return Transfer(
        txn_id=message.uetr.lower() if message.uetr else f"{message.sender_bic}/{reference[0]}",
        sender=customer(message, ("50K", "50F", "50A"), "ordering customer", "52A",
                        message.sender_bic),
        beneficiary=customer(message, ("59", "59F", "59A"), "beneficiary", "57A",
                             message.receiver_bic),
        amount=parse_amount(amount, "field 32A"), currency=currency, sent_at=date,
        channel="swift.mt103", reference=" ".join(message.fields.get("70", [])))


def split_messages(lines: Iterator[RawLine | FileProblem]) -> Iterator[
        tuple[int, str] | RawLine | FileProblem]:
    """``(first line, text)`` per message; over-long lines and file damage as they come."""
    start, buffer = 0, ""
    for item in lines:
        if isinstance(item, FileProblem) or item.too_long:
            yield item
            continue
        for i, piece in enumerate(_START.split(item.data.decode("utf-8", "replace"))):
            if i == 0:
                start = start if buffer else item.number
                buffer += piece
                continue
            if buffer.strip():
                yield start, buffer
            start, buffer = item.number, piece
    if buffer.strip():
        yield start, buffer


class Mt103Payments(Importer):
    name = "mt103.payment"
    produces = RecordKind.PAYMENT
    suffixes: ClassVar[tuple[str, ...]] = (".mt103", ".fin", ".mt")
    description = "Payments from SWIFT MT103 messages (several per file)"

    @classmethod
    def claims(cls, path: Path) -> bool:
        """Whether ``path`` starts like an MT103 (auto-detection)."""
        with path.open("rb") as handle:
            head = handle.read(512).lstrip()
        return head.startswith(b"{1:F01") and (b"{2:I103" in head or b"{2:O103" in head)

    def rows(self, path: Path) -> Generator[RowOutcome, None, int]:
        source, last, index = str(path), 0, 0
        for item in split_messages(read_lines(path)):
            if isinstance(item, FileProblem):
                yield file_problem(self.produces, source, item)
            elif isinstance(item, RawLine):
                yield too_long(self.produces, source, item)
            else:
                index += 1
                line, text = item
                last = max(last, line + text.count("\n"))
                yield self._message(source, line, index, text)
        return last

    def _message(self, source: str, line: int, index: int, text: str) -> RowOutcome:
        where = f"MT103 message {index} (line {line})"
        raw = text.encode("utf-8", "replace")
        if text.count("\n") > MAX_MESSAGE_LINES:
            return QuarantineEntry.of(self.produces, source, line, raw,
                                      f"{where}: more than {MAX_MESSAGE_LINES} lines")
        if not text.lstrip().startswith("{1:"):
            return QuarantineEntry.of(self.produces, source, line, raw,
                                      f"{where}: text outside any message (no {{1: header)")
        return payment_outcome(lambda: transfer(text), source, line, raw, where)
