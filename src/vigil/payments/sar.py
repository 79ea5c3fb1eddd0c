"""SAR/STR/SMR drafts for alerted payment accounts: JSON and readable text, never sent.

A draft carries the filing keywords regulators ask for (:data:`REGULATOR_KEYWORDS`, each with
the public document it comes from), the rules that fired with their values, weights
and sources, and the payments involved. It is a draft only: the human gate
(:func:`vigil.gate.outbound_allowed`) decides whether the case holding the account may leave,
and until a named person has confirmed that case (``vigil cases confirm``) the draft says so on
its first line and in ``gate.may_leave``. vigil itself files nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vigil.confirmation import Confirmation
from vigil.gate import Decision, outbound_allowed
from vigil.model import Case, JSONValue
from vigil.payments.account_score import AccountScore
from vigil.records import Payment


@dataclass(frozen=True)
class RegulatorKeyword:
    """A keyword or term one regulator asks reporters to put in a report, and where."""

    regulator: str
    report: str
    keyword: str
    where: str
    source: str
    verified: bool
    """Read in the regulator's own notice (True), or only named by a secondary source."""

    def to_json(self) -> dict[str, JSONValue]:
        return {"regulator": self.regulator, "report": self.report, "keyword": self.keyword,
                "where": self.where, "source": self.source, "verified": self.verified}


REGULATOR_KEYWORDS: tuple[RegulatorKeyword, ...] = (
    RegulatorKeyword(
        "FinCEN (United States)", "SAR", "OCSE-FIN-2021-NTC3",
        "SAR field 2; and field 38(z) 'Other' with the text 'OCSE'",
        "FinCEN notice FIN-2021-NTC3, 16 Sep 2021", True),
    RegulatorKeyword(
        "FINTRAC (Canada)", "STR", "#ProjectShadow",
        "STR narrative (the Project Shadow keyword)",
        "FINTRAC-2020-OA001 and the Nov 2025 alert; the exact keyword is unverified "
        "(press summaries of the alert)", False),
    RegulatorKeyword(
        "AUSTRAC (Australia)", "SMR", "sexual exploitation of children for financial gain",
        "SMR grounds for suspicion, naming the AUSTRAC guide's indicators that apply",
        "AUSTRAC 2022 guide 'Combating the sexual exploitation of children for financial "
        "gain'; no filing keyword is recorded", False),
    RegulatorKeyword(
        "AMLC (Philippines)", "STR", "OSAEC",
        "STR narrative; 94.47 % of OSAEC STRs were filed under 'child pornography'",
        "AMLC 2023 study (BusinessWorld, 19 Jul 2023); no filing keyword is recorded", False),
)
"""The keywords a draft carries, every one of them: the analyst keeps the regulator's own."""

TYPOLOGY = ("Payments consistent with online sexual exploitation of children (OCSE/OSAEC: "
            "live-streamed abuse) payment typologies")
DRAFT_NOTICE = ("DRAFT - NOT FOR FILING. A named person must confirm the case holding this "
                "account ('vigil cases confirm') before any report leaves vigil.")


@dataclass(frozen=True)
class SarDraft:
    """One account's draft: its JSON and the same content as text."""

    account: str
    data: dict[str, JSONValue]
    text: str


def holding_case(account: str, cases: Iterable[Case]) -> Case | None:
    """The stored case whose entities include ``account`` (an entity reference), if any."""
    for case in cases:
        if any(str(entity) == account for entity in case.entities):
            return case
    return None


def gate_decision(case: Case | None, confirmations: Sequence[Confirmation],
                  signal_ids: Iterable[str] = ()) -> Decision:
    """The human gate's decision on the case holding the account (refused when none does, or
    when a finding of the draft, ``signal_ids``, is not in that case yet: nobody judged it)."""
    if case is None:
        return Decision(False, "no case holds this account yet; 'vigil run' links it and "
                               "'vigil cases confirm CASE' records a named person's confirmation")
    held = {signal.id for signal in case.signals}
    missing = [signal_id for signal_id in signal_ids if signal_id not in held]
    if missing:
        return Decision(False, f"{len(missing)} finding(s) of this draft are not in case "
                               f"{case.id} yet; 'vigil run' links them, then confirm it again")
    return outbound_allowed(case, confirmations)


def _payment_json(payment: Payment) -> dict[str, JSONValue]:
    return {"txn_id": payment.txn_id, "sent_at": payment.sent_at.astimezone(UTC).isoformat(),
            "sender": payment.sender, "beneficiary": payment.beneficiary,
            "amount": payment.amount, "currency": payment.currency,
            "amount_usd": payment.amount_usd, "sender_country": payment.sender_country,
            "beneficiary_country": payment.beneficiary_country, "channel": payment.channel,
            "reference": payment.reference}


def sar_draft(score: AccountScore, payments: Iterable[Payment], case: Case | None,
              confirmations: Sequence[Confirmation], rules_version: str,
              now: datetime | None = None) -> SarDraft:
    """The draft for one alerted account: the payments are those its rules named."""
    wanted = set(score.txn_ids)
    involved = sorted((p for p in payments if p.txn_id in wanted),
                      key=lambda p: (p.sent_at, p.txn_id))
    decision = gate_decision(case, confirmations, [hit.signal_id for hit in score.rules])
    confirmed_by = decision.confirmation
    data: dict[str, JSONValue] = {
        "draft": True, "notice": DRAFT_NOTICE, "typology": TYPOLOGY,
        "account": score.account, "score": score.score, "flagged": score.flagged,
        "rules_version": rules_version,
        "generated_at": (now or datetime.now(UTC)).isoformat(),
        "gate": {"may_leave": decision.allowed, "reason": decision.reason,
                 "case_id": case.id if case else None,
                 "confirmed_by": (f"{confirmed_by.actor} ({confirmed_by.role})"
                                  if confirmed_by else None)},
        "keywords": [k.to_json() for k in REGULATOR_KEYWORDS],
        "rules": [{**hit.to_json(), "explanation": hit.explanation,
                   "txn_ids": list(hit.txn_ids)} for hit in score.rules],
        "payments": [_payment_json(p) for p in involved],
        "totals": {"payments": len(involved),
                   "amount_usd": round(sum(p.amount_usd for p in involved), 2)},
    }
    return SarDraft(score.account, data, draft_text(data))


def draft_text(data: dict[str, JSONValue]) -> str:
    """The draft as plain text: notice, subject, keywords, grounds (rules), payments."""
    gate = data["gate"]
    assert isinstance(gate, dict)
    lines = [str(data["notice"]), "", f"Subject account: {data['account']}",
             f"Typology: {data['typology']}",
             f"Score: {data['score']} (rules pack {data['rules_version']})",
             f"Human gate: {'may leave' if gate['may_leave'] else 'held'} - {gate['reason']}",
             "", "Regulator keywords:"]
    for k in _dicts(data["keywords"]):
        mark = "" if k["verified"] else " [keyword not verified in the regulator's notice]"
        lines.append(f"  {k['regulator']} {k['report']}: {k['keyword']} - {k['where']}{mark}")
    lines += ["", "Grounds for suspicion (rules that fired):"]
    for r in _dicts(data["rules"]):
        lines.append(f"  {r['id']} value {r['value']} weight {r['weight']}: {r['explanation']}")
        lines.append(f"     source: {r['source']}")
    totals = data["totals"]
    assert isinstance(totals, dict)
    lines += ["", f"Payments involved ({totals['payments']}, US${_money(totals['amount_usd'])} in "
                  "all):"]
    for p in _dicts(data["payments"]):
        lines.append(f"  {p['sent_at']}  {p['txn_id']}  {p['sender']} -> {p['beneficiary']} "
                     f"({p['sender_country']}->{p['beneficiary_country']})  {p['amount']} "
                     f"{p['currency']} (US${_money(p['amount_usd'])})  {p['channel']}  "
                     f"ref: {p['reference'] or '-'}")
    return "\n".join(lines) + "\n"


def _money(value: JSONValue) -> str:
    return f"{value:,.2f}" if isinstance(value, int | float) else str(value)


def _dicts(value: JSONValue) -> list[dict[str, JSONValue]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def write_draft(draft: SarDraft, folder: Path) -> tuple[Path, Path]:
    """``<folder>/<account>.sar.json`` and ``.sar.txt`` (the account made safe as a file name)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in draft.account)
    json_path, text_path = folder / f"{stem}.sar.json", folder / f"{stem}.sar.txt"
    json_path.write_text(json.dumps(draft.data, indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    text_path.write_text(draft.text, encoding="utf-8")
    return json_path, text_path


__all__ = ["DRAFT_NOTICE", "REGULATOR_KEYWORDS", "RegulatorKeyword", "SarDraft", "draft_text",
           "gate_decision", "holding_case", "sar_draft", "write_draft"]
