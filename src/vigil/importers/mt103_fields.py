"""One SWIFT MT103 message taken apart: its blocks and the block 4 fields the importer maps.

Layout as SWIFT's public descriptions of the FIN message format and of the MT103 "Single
Customer Credit Transfer" give it: block 1 (basic header, the sender's logical terminal for an
input message), block 2 (application header: ``I103`` + receiver, or ``O103`` + time, date and the
message input reference carrying the sender), block 3 (user header; tag 121 is the UETR) and
block 4 (text: ``:tag:value`` fields, ending with ``-}``). Field formats, from the MT103 field
specifications:

- 20: sender's reference, up to 16 characters;
- 32A: value date ``YYMMDD``, ISO 4217 currency, amount with ``,`` as the decimal mark;
- 50A/F/K ordering customer and 59/59A/59F beneficiary: an optional ``/account`` line, then a
  BIC (option A), numbered lines ``1/name``, ``2/address``, ``3/CC/town`` (option F), or name and
  address lines (K, and 59 without a letter);
- 52A ordering institution and 57A account-with institution: optional ``/party`` line, then a BIC;
- 70: remittance information, up to 4 lines of 35;
- 71A: details of charges, ``BEN``, ``OUR`` or ``SHA``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vigil.importers.payment_parts import FieldError, Party, check_bic, looks_like_iban

_BLOCK1 = re.compile(r"\{1:F01(?P<lt>[A-Z0-9]{12})[0-9]{10}\}")
_BLOCK2 = re.compile(r"\{2:(?P<io>[IO])(?P<type>[0-9]{3})(?P<rest>[A-Z0-9]*)\}")
_UETR = re.compile(r"\{121:(?P<uetr>[0-9a-fA-F-]{36})\}")
_TAG = re.compile(r"^:(?P<tag>[0-9]{2}[A-Z]?):(?P<value>.*)$")
_32A = re.compile(r"^(?P<date>[0-9]{6})(?P<ccy>[A-Z]{3})(?P<amount>[0-9]{1,15},[0-9]{0,5})$")
CHARGES = ("BEN", "OUR", "SHA")


@dataclass
class Mt103:
    """The parts of one message the importer maps (``fields``: block 4 tag to its lines)."""

    sender_bic: str
    receiver_bic: str | None
    uetr: str | None
    fields: dict[str, list[str]] = field(default_factory=dict)

    def one(self, *tags: str) -> tuple[str, list[str]] | None:
        """The first of ``tags`` present, with its lines."""
        return next(((t, self.fields[t]) for t in tags if t in self.fields), None)


def _headers(text: str) -> tuple[str, str | None, str | None]:
    block1, block2 = _BLOCK1.search(text), _BLOCK2.search(text)
    if block1 is None:
        raise FieldError("block 1 (basic header {1:F01...}) missing or malformed")
    if block2 is None:
        raise FieldError("block 2 (application header {2:...}) missing or malformed")
    if block2["type"] != "103":
        raise FieldError(f"block 2: message type MT{block2['type']}, not MT103")
    uetr = _UETR.search(text)
    rest = block2["rest"]
    if block2["io"] == "I":
        sender, receiver = block1["lt"], rest[:12] or None
    else:  # output: the input time HHMM, then the input reference (YYMMDD + the sender's LT)
        sender, receiver = rest[10:22], block1["lt"]
        if len(sender) != 12:
            raise FieldError("block 2: output header without the sender's input reference")
    return (_bic_of(sender), _bic_of(receiver) if receiver else None,
            uetr["uetr"] if uetr else None)


def _bic_of(terminal: str) -> str:
    """The BIC in a logical terminal address: BIC8, the terminal letter, then the branch."""
    return terminal[:8] + (terminal[9:12] if terminal[9:12] != "XXX" else "")


def parse_message(text: str) -> Mt103:
    """The blocks and block 4 fields of ``text``; :class:`FieldError` names what is wrong."""
    sender, receiver, uetr = _headers(text)
    start, end = text.find("{4:"), text.rfind("-}")
    if start < 0 or end < start:
        raise FieldError("block 4 (text {4: ... -}) missing or not terminated (truncated?)")
    message = Mt103(sender, receiver, uetr)
    current: list[str] | None = None
    for line in text[start + 3:end].splitlines():
        tag = _TAG.match(line.strip())
        if tag:
            current = message.fields.setdefault(tag["tag"], [])
            if current:
                raise FieldError(f"field {tag['tag']} given twice")
            current.append(tag["value"].strip())
        elif line.strip() and current is not None:
            current.append(line.strip())
        elif line.strip():
            raise FieldError(f"block 4: text before the first field ({line.strip()[:20]!r})")
    return message


def value_date(message: Mt103) -> tuple[datetime, str, str]:
    """Field 32A: the value date (midnight UTC), currency and amount text."""
    lines = message.fields.get("32A")
    if not lines:
        raise FieldError("field 32A (value date, currency, amount) missing")
    match = _32A.match(lines[0].replace(" ", ""))
    if match is None:
        raise FieldError(f"field 32A: {lines[0][:30]!r} is not YYMMDD + currency + amount")
    try:
        date = datetime.strptime(match["date"], "%y%m%d").replace(tzinfo=UTC)
    except ValueError:
        raise FieldError(f"field 32A: {match['date']!r} is not a date (YYMMDD)") from None
    return date, match["ccy"], match["amount"]


def _account(lines: list[str]) -> tuple[str | None, list[str]]:
    if lines and lines[0].startswith("/") and not lines[0].startswith("//"):
        return lines[0][1:].strip() or None, lines[1:]
    return None, lines


def customer(message: Mt103, tags: tuple[str, ...], role: str, bank_tag: str,
             fallback_bic: str | None) -> Party:
    """The ordering customer (50a) or beneficiary (59a) as a :class:`Party`."""
    found = message.one(*tags)
    if found is None:
        raise FieldError(f"field {tags[0][:2]}a ({role}) missing")
    tag, lines = found
    account, rest = _account(lines)
    name, country, business = _name_and_country(tag, rest)
    bank_lines = _account(message.fields.get(bank_tag, []))[1]
    bank_bic = check_bic(bank_lines[0], f"field {bank_tag}") if bank_lines else None
    bic = (check_bic(rest[0], f"field {tag}") if tag.endswith("A") and rest else None)
    iban = account if account and looks_like_iban(account) else None
    return Party(role=f"{role} (field {tag})", iban=iban, other_id=None if iban else account,
                 name=name, country=country, bic=bic or bank_bic or fallback_bic,
                 business=business or tag.endswith("A"))


def _name_and_country(tag: str, lines: list[str]) -> tuple[str | None, str | None, bool]:
    if tag.endswith("A"):
        return None, None, True
    if tag.endswith("F"):
        numbered = {line[:2]: line[2:] for line in lines if re.match(r"^[1-8]/", line)}
        place = numbered.get("3/", "")
        country = place.split("/")[0] if "/" in place else None
        return numbered.get("1/"), country, False
    return (lines[0] if lines else None), None, False


def charges(message: Mt103) -> str | None:
    """Field 71A checked (``BEN``/``OUR``/``SHA``); the Payment record has no place for it."""
    lines = message.fields.get("71A")
    if lines and lines[0] not in CHARGES:
        raise FieldError(f"field 71A: {lines[0][:10]!r} is not BEN, OUR or SHA")
    return lines[0] if lines else None
