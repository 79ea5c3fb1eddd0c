"""SWIFT MT103: field mapping, several messages per file, and a quarantine entry per bad one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.importers.payments_formats.fixtures import CREDITOR_IBAN, OTHER_IBAN, mt103
from vigil.importers.mt103 import Mt103Payments
from vigil.plugin import ImportResult
from vigil.records import Payment

UETR = "0a1b2c3d-1111-4222-8333-444455556666"


def _read(tmp_path: Path, text: str) -> ImportResult:
    path = tmp_path / "batch.fin"
    path.write_text(text, encoding="utf-8")
    return Mt103Payments().read(path)


def _payments(result: ImportResult) -> list[Payment]:
    return [p for p in result.records if isinstance(p, Payment)]


def test_fields_map_to_a_payment(tmp_path: Path) -> None:
    result = _read(tmp_path, mt103())
    assert result.quarantined == []
    [payment] = _payments(result)
    assert payment.txn_id == "TESTDEFF/REF0001"  # the sender's BIC and field 20
    assert payment.sender == f"iban:{OTHER_IBAN.lower()}"
    assert payment.beneficiary == f"iban:{CREDITOR_IBAN.lower()}"
    assert (payment.amount, payment.currency, payment.amount_usd) == (250.0, "EUR", 275.0)
    assert payment.sent_at == datetime(2025, 3, 4, tzinfo=UTC)
    assert (payment.sender_country, payment.beneficiary_country) == ("DE", "PH")  # IBAN; 59F
    assert (payment.sender_name, payment.beneficiary_name) == ("MARIA MUSTER", "ROSA EXAMPLE")
    assert payment.reference == "FAMILY SUPPORT" and payment.channel == "swift.mt103"


def test_option_a_parties_and_uetr(tmp_path: Path) -> None:
    text = mt103(ordering=":50A:/12345\nTESTDEFF\n", beneficiary=":59A:/998877\nBANKPHMM\n",
                 uetr=UETR, f70="SCHOOL FEES\nTERM 2")
    [payment] = _payments(_read(tmp_path, text))
    assert payment.txn_id == UETR
    assert payment.sender == "acct.testdeff:12345" and payment.sender_type == "business"
    assert payment.beneficiary == "acct.bankphmm:998877"
    assert (payment.sender_country, payment.beneficiary_country) == ("DE", "PH")  # from BICs
    assert payment.reference == "SCHOOL FEES TERM 2"


def test_an_institution_field_without_a_bic_falls_back_to_the_sender(tmp_path: Path) -> None:
    text = mt103(ordering=":50K:/998877\nMARIA MUSTER\n").replace(":52A:TESTDEFF", ":52A:/12")
    [payment] = _payments(_read(tmp_path, text))
    assert payment.sender == "acct.testdeff:998877" and payment.sender_country == "DE"


def test_several_messages_per_file_even_on_one_line(tmp_path: Path) -> None:
    text = mt103("R1") + mt103("R2").rstrip("\n") + mt103("R3")
    assert [p.txn_id for p in _payments(_read(tmp_path, text))] == [
        "TESTDEFF/R1", "TESTDEFF/R2", "TESTDEFF/R3"]


def test_output_messages_take_the_sender_from_the_input_reference(tmp_path: Path) -> None:
    text = mt103().replace("{1:F01TESTDEFFAXXX0000000000}{2:I103BANKPHMMXXXXN}",
                           "{1:F01BANKPHMMAXXX0000000000}"
                           "{2:O1031200250304TESTDEFFAXXX12345678902503041201N}")
    [payment] = _payments(_read(tmp_path, text))
    assert payment.txn_id == "TESTDEFF/REF0001"


@pytest.mark.parametrize(("text", "fragment"), [
    (mt103("B1", f32a="251399EUR1,00"), "field 32A: '251399' is not a date (YYMMDD)"),
    (mt103("B2", f32a="250304EUR1.00"), "field 32A: '250304EUR1.00' is not YYMMDD"),
    (mt103("B3", f32a="250304EUR0,00"), "field 32A: amount must be positive"),
    (mt103("B4", f32a="250304XQQ10,00"), "unknown currency 'XQQ'"),
    (mt103("B5", beneficiary=""), "field 59a (beneficiary) missing"),
    (mt103("B6", ordering=":50K:MARIA MUSTER\nBERLIN\n"),
     "ordering customer (field 50K) account missing"),
    (mt103("B7", f71a="ALL"), "field 71A: 'ALL' is not BEN, OUR or SHA"),
    (mt103("B8").replace("{2:I103", "{2:I202"), "block 2: message type MT202, not MT103"),
    (mt103("B9").replace(":20:B9\n", ""), "field 20 (sender's reference) missing"),
    (mt103("B10").replace(":32A:", ":33B:"), "field 32A (value date, currency, amount) missing"),
    (mt103("B11").replace(":70:", ":20:"), "field 20 given twice"),
    (mt103("B12").replace("{1:F01TESTDEFFA", "{1:F01TEST"), "block 1 (basic header"),
    (mt103("B13").replace(":57A:BANKPHMM", ":57A:NOT A BIC"),
     "field 57A: 'NOT A BIC' is not a BIC"),
])
def test_a_malformed_message_is_quarantined_with_its_reason(
        tmp_path: Path, text: str, fragment: str) -> None:
    result = _read(tmp_path, mt103("OK1") + text + mt103("OK2"))
    assert [p.txn_id for p in _payments(result)] == ["TESTDEFF/OK1", "TESTDEFF/OK2"]
    [entry] = result.quarantined
    assert entry.reason.startswith("MT103 message 2 (line 17): ")
    assert fragment in entry.reason, entry.reason
    assert entry.line == 17 and entry.line_sha256


def test_a_truncated_last_message_is_quarantined(tmp_path: Path) -> None:
    text = mt103("A") + mt103("B")[:60]
    result = _read(tmp_path, text)
    assert len(result.records) == 1
    [entry] = result.quarantined
    assert "block 4 (text {4: ... -}) missing or not terminated" in entry.reason


def test_text_outside_a_message_is_quarantined(tmp_path: Path) -> None:
    result = _read(tmp_path, "garbage before\n" + mt103())
    assert len(result.records) == 1
    [entry] = result.quarantined
    assert entry.line == 1 and "text outside any message" in entry.reason


def test_detection_by_content(tmp_path: Path) -> None:
    path = tmp_path / "swift.txt"
    path.write_text(mt103(), encoding="utf-8")
    assert Mt103Payments.claims(path)
    path.write_text(mt103().replace("{2:I103", "{2:I202"), encoding="utf-8")
    assert not Mt103Payments.claims(path)
