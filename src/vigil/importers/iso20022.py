"""Payments from ISO 20022 XML: ``pacs.008`` (FIToFICstmrCdtTrf) and ``pain.001``
(CstmrCdtTrfInitn), one payment per credit transfer transaction (``CdtTrfTxInf``).

Element names and their meaning follow the ISO 20022 message definitions published at
iso20022.org (Payments Clearing and Settlement, "FIToFICustomerCreditTransferV08"-"V12"; Payments
Initiation, "CustomerCreditTransferInitiationV03"-"V11"):

- id: ``PmtId/UETR`` when present (unique end-to-end), else ``GrpHdr/MsgId`` joined with
  ``PmtId/TxId``, ``EndToEndId`` (unless ``NOTPROVIDED``) or ``InstrId``;
- amount and currency: ``IntrBkSttlmAmt`` (pacs.008) or ``Amt/InstdAmt`` (pain.001) and its ``Ccy``;
- time: ``AccptncDtTm``, else ``GrpHdr/CreDtTm``, else ``IntrBkSttlmDt`` / ``ReqdExctnDt``;
- parties: ``Dbtr``/``Cdtr`` (``Nm``, ``PstlAdr/Ctry``, ``CtryOfRes``, ``Id/OrgId`` for a
  business), accounts ``DbtrAcct``/``CdtrAcct`` (``Id/IBAN`` or ``Id/Othr/Id``), institutions
  ``DbtrAgt``/``CdtrAgt`` (``FinInstnId/BICFI``, or ``BIC`` as older versions name it). In
  pain.001 the debtor side sits on the enclosing ``PmtInf``;
- reference: the ``RmtInf/Ustrd`` lines joined by a space, then ``purpose:<Purp/Cd>`` if given.

Quarantine entries carry the line the transaction starts on, and their reason names the message,
the transaction's index in the file and the element at fault.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import datetime
from pathlib import Path
from typing import ClassVar
from xml.etree.ElementTree import Element

from vigil.importers.iso20022_stream import Transaction, XmlProblem, message_of, read_transactions
from vigil.importers.payment_parts import (
    FieldError,
    Party,
    Transfer,
    check_bic,
    parse_amount,
    parse_time,
    payment_outcome,
)
from vigil.plugin import Importer, RowOutcome
from vigil.quarantine import QuarantineEntry
from vigil.records import RecordKind

ROLES = {"Dbtr": "debtor (Dbtr)", "Cdtr": "creditor (Cdtr)"}


def _text(element: Element | None, path: str) -> str | None:
    found = element.findtext(path) if element is not None else None
    return found.strip() if found and found.strip() else None


def party(holder: Element, role: str) -> Party:
    """The ``Dbtr`` or ``Cdtr`` side as stated in ``holder`` (a transaction or a ``PmtInf``)."""
    if holder.find(role) is None and holder.find(f"{role}Acct") is None:
        raise FieldError(f"{ROLES[role]} missing ({role} and {role}Acct absent)")
    bic = _text(holder, f"{role}Agt/FinInstnId/BICFI") or _text(holder, f"{role}Agt/FinInstnId/BIC")
    return Party(
        role=ROLES[role], iban=_text(holder, f"{role}Acct/Id/IBAN"),
        other_id=_text(holder, f"{role}Acct/Id/Othr/Id"), name=_text(holder, f"{role}/Nm"),
        country=_text(holder, f"{role}/PstlAdr/Ctry") or _text(holder, f"{role}/CtryOfRes"),
        bic=check_bic(bic, f"{role}Agt/FinInstnId/BICFI"),
        business=holder.find(f"{role}/Id/OrgId") is not None)


def _amount(tx: Element) -> tuple[float, str]:
    path = "IntrBkSttlmAmt" if tx.find("IntrBkSttlmAmt") is not None else "Amt/InstdAmt"
    element = tx.find(path)
    if element is None:
        raise FieldError("amount missing (IntrBkSttlmAmt or Amt/InstdAmt)")
    currency = element.get("Ccy", "")
    if not currency:
        raise FieldError(f"{path}/@Ccy: currency missing")
    return parse_amount(element.text, path), currency


def _time(t: Transaction) -> datetime:
    info = t.payment_info
    for holder, path in ((t.element, "AccptncDtTm"), (t.header, "CreDtTm"),
                         (t.element, "IntrBkSttlmDt"), (t.header, "IntrBkSttlmDt"),
                         (info, "ReqdExctnDt/DtTm"), (info, "ReqdExctnDt/Dt"),
                         (info, "ReqdExctnDt")):
        value = _text(holder, path)
        if value:
            return parse_time(value, path)
    raise FieldError("date missing (AccptncDtTm, GrpHdr/CreDtTm, IntrBkSttlmDt or ReqdExctnDt)")


def _txn_id(t: Transaction) -> str:
    uetr = _text(t.element, "PmtId/UETR")
    if uetr:
        return uetr.lower()
    message = _text(t.header, "MsgId")
    if message is None:
        raise FieldError("GrpHdr/MsgId missing (needed for an id without PmtId/UETR)")
    ids = [_text(t.element, f"PmtId/{name}") for name in ("TxId", "EndToEndId", "InstrId")]
    own = next((i for i in ids if i and i != "NOTPROVIDED"), f"#{t.index}")
    return f"{message}/{own}"


def _reference(tx: Element) -> str:
    lines = [line.text.strip() for line in tx.findall("RmtInf/Ustrd") if line.text]
    purpose = _text(tx, "Purp/Cd")
    return " ".join([*lines, *([f"purpose:{purpose}"] if purpose else [])])


def transfer(t: Transaction, message: str) -> Transfer:
    """The transfer ``t`` states (``message`` is ``pacs.008`` or ``pain.001``)."""
    debtor_holder = t.payment_info if message == "pain.001" and t.payment_info else t.element
    amount, currency = _amount(t.element)
    return Transfer(
        txn_id=_txn_id(t), sender=party(debtor_holder, "Dbtr"),
        beneficiary=party(t.element, "Cdtr"), amount=amount, currency=currency,
        sent_at=_time(t), channel=f"iso20022.{message}", reference=_reference(t.element))


class Iso20022Payments(Importer):
    name = "iso20022.payment"
    produces = RecordKind.PAYMENT
    suffixes: ClassVar[tuple[str, ...]] = (".xml",)
    description = "Payments from ISO 20022 pacs.008 / pain.001 XML (one per CdtTrfTxInf)"

    @classmethod
    def claims(cls, path: Path) -> bool:
        """Whether ``path`` starts like a pacs.008 or pain.001 message (auto-detection)."""
        return message_of(path) is not None

    def rows(self, path: Path) -> Generator[RowOutcome, None, int]:
        source, items = str(path), read_transactions(path)
        while True:
            try:
                item = next(items)
            except StopIteration as done:
                return int(done.value)
            if isinstance(item, XmlProblem):
                yield QuarantineEntry(self.produces, source, item.line, "", item.reason)
                continue
            where = f"{item.message} transaction {item.index} (CdtTrfTxInf at line {item.line})"
            yield payment_outcome(lambda t=item: transfer(t, t.message), source, item.line,
                                  item.raw, where)
