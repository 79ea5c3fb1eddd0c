"""ISO 20022 pacs.008 and pain.001: field mapping, versions, and every way a file goes wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.importers.payments_formats.fixtures import (
    CREDITOR_IBAN,
    DEBTOR_IBAN,
    PACS,
    pacs008,
    pacs_tx,
    pain001,
    pain_tx,
)
from vigil import redact
from vigil.importers.iso20022 import Iso20022Payments
from vigil.importers.payment_parts import iban_is_valid
from vigil.plugin import ImportResult
from vigil.records import Payment


def _read(tmp_path: Path, text: str) -> ImportResult:
    path = tmp_path / "msg.xml"
    path.write_text(text, encoding="utf-8")
    return Iso20022Payments().read(path)


def _reasons(result: ImportResult) -> list[str]:
    return [q.reason for q in result.quarantined]


def test_fixture_ibans_pass_the_iso_13616_check() -> None:
    assert iban_is_valid(DEBTOR_IBAN) and iban_is_valid(CREDITOR_IBAN)
    assert iban_is_valid("GB82 WEST 1234 5698 7654 32")  # the example IBAN of ISO 13616
    assert not iban_is_valid("GB82WEST12345698765433")


def test_pacs008_fields_map_to_a_payment(tmp_path: Path) -> None:
    text = pacs008(pacs_tx(1))
    result = _read(tmp_path, text)
    assert result.quarantined == [] and result.lines == text.count("\n")
    [payment] = result.records
    assert isinstance(payment, Payment)
    assert payment.txn_id == "MSG-0001/TX1"  # TxId, not the NOTPROVIDED end-to-end id
    assert payment.sender == f"iban:{DEBTOR_IBAN.lower()}"
    assert payment.beneficiary == f"iban:{CREDITOR_IBAN.lower()}"
    assert (payment.amount, payment.currency, payment.amount_usd) == (150.0, "GBP", 190.5)
    assert (payment.sender_country, payment.beneficiary_country) == ("GB", "PH")
    assert payment.sent_at == datetime(2025, 3, 4, 21, 15, tzinfo=UTC)  # GrpHdr/CreDtTm
    assert payment.reference == "family support purpose:FAMI"
    assert (payment.sender_name, payment.beneficiary_name) == ("Sam Sample", "Rosa Example")
    assert payment.channel == "iso20022.pacs.008"


def test_uetr_is_the_id_when_present(tmp_path: Path) -> None:
    uetr = "97ED4827-7B6F-4491-A06F-B548D5A7512D"
    [payment] = _read(tmp_path, pacs008(pacs_tx(1, uetr=uetr))).records
    assert isinstance(payment, Payment) and payment.txn_id == uetr.lower()


def test_pain001_takes_the_debtor_from_payment_information(tmp_path: Path) -> None:
    result = _read(tmp_path, pain001(pain_tx(1), pain_tx(2, ustrd="rent")))
    assert result.quarantined == []
    first, second = result.records
    assert isinstance(first, Payment) and isinstance(second, Payment)
    assert first.txn_id == "PAIN-7/E2E-1" and second.reference == "rent"
    assert first.sender == second.sender == "acct.demoau2s:123456789"  # Othr/Id at its BIC
    assert first.beneficiary == "acct.bankphmm:0012341"
    assert (first.sender_country, first.beneficiary_country) == ("AU", "PH")  # CtryOfRes; BIC
    assert first.beneficiary_type == "business" and first.sender_type == "individual"
    assert first.sent_at == datetime(2025, 5, 1, 8, 30, tzinfo=timezone(timedelta(hours=10)))
    assert (first.amount, first.currency, first.amount_usd) == (2500.0, "PHP", 43.75)


@pytest.mark.parametrize("version", ["08", "09", "10", "11", "12"])
def test_every_pacs008_version_reads_alike(tmp_path: Path, version: str) -> None:
    assert len(_read(tmp_path, pacs008(pacs_tx(1), version=version)).records) == 1


@pytest.mark.parametrize("version", ["03", "05", "09", "11"])
def test_pain001_versions_read_alike(tmp_path: Path, version: str) -> None:
    assert len(_read(tmp_path, pain001(pain_tx(1), version=version)).records) == 1


@pytest.mark.parametrize(("tx", "fragment"), [
    (pacs_tx(2, amount="12,5x"), "IntrBkSttlmAmt: '12,5x' is not an amount"),
    (pacs_tx(2, amount="0"), "IntrBkSttlmAmt: amount must be positive"),
    (pacs_tx(2, creditor=False), "creditor (Cdtr) missing"),
    (pacs_tx(2, ccy="XYZ"), "unknown currency 'XYZ'"),
    (pacs_tx(2).replace('Ccy="GBP"', ""), "IntrBkSttlmAmt/@Ccy: currency missing"),
    (pacs_tx(2).replace(CREDITOR_IBAN, CREDITOR_IBAN[:-1] + "0"), "fails the ISO 13616 check"),
    (pacs_tx(2).replace("<BICFI>BANKPHMM", "<BICFI>BANK!"), "is not a BIC"),
])
def test_a_bad_transaction_is_quarantined_and_the_others_kept(
        tmp_path: Path, tx: str, fragment: str) -> None:
    result = _read(tmp_path, pacs008(pacs_tx(1), tx, pacs_tx(3)))
    assert [p.txn_id for p in result.records if isinstance(p, Payment)] == [
        "MSG-0001/TX1", "MSG-0001/TX3"]
    [entry] = result.quarantined
    assert entry.reason.startswith("pacs.008 transaction 2 (CdtTrfTxInf at line 5): ")
    assert fragment in entry.reason
    assert entry.line == 5 and entry.source.endswith("msg.xml")
    assert entry.line_sha256 and "CdtTrfTxInf" in entry.excerpt


def test_a_bad_date_names_the_element(tmp_path: Path) -> None:
    text = pacs008(pacs_tx(1), created="2025-13-45T99:00:00")
    assert _reasons(_read(tmp_path, text)) == [
        "pacs.008 transaction 1 (CdtTrfTxInf at line 4): CreDtTm: '2025-13-45T99:00:00' is "
        "not an ISO 8601 date"]


def test_truncated_xml_keeps_the_transactions_before_the_cut(tmp_path: Path) -> None:
    text = pacs008(pacs_tx(1), pacs_tx(2), pacs_tx(3))
    cut = text[: text.index("<CdtTrfTxInf>", text.index("TX2")) + 40]
    result = _read(tmp_path, cut)
    assert len(result.records) == 2
    [entry] = result.quarantined
    assert entry.reason.startswith("XML not well-formed (unclosed token: line 6")
    assert entry.line == 6  # the third transaction's line, where the file ends


XXE = ('<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
       '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>'
       "<GrpHdr><MsgId>&x;</MsgId></GrpHdr></FIToFICstmrCdtTrf></Document>\n")
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'
                    .replace("&lol0;", "&lol;") for i in range(1, 10))
          + ']>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">&lol9;'
            "</Document>\n")


@pytest.mark.parametrize("text", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtds_are_refused_before_any_entity_is_read(tmp_path: Path, text: str) -> None:
    result = _read(tmp_path, text)
    assert result.records == []
    [entry] = result.quarantined
    assert entry.reason.startswith("DOCTYPE refused")
    assert "passwd" not in entry.excerpt + entry.reason


@pytest.mark.parametrize(("namespace", "fragment"), [
    ("urn:iso:std:iso:20022:tech:xsd:camt.053.001.08", "camt.053.001.08"),
    ("urn:iso:std:iso:20022:tech:xsd:pacs.008.001.02", "pacs.008.001.02"),
    ("urn:example:not-iso", "urn:example:not-iso"),
])
def test_a_wrong_namespace_refuses_the_file(tmp_path: Path, namespace: str,
                                            fragment: str) -> None:
    text = pacs008(pacs_tx(1)).replace(PACS.format(v="08"), namespace)
    result = _read(tmp_path, text)
    assert result.records == []
    [entry] = result.quarantined
    assert fragment in entry.reason and "not a supported ISO 20022 message" in entry.reason


def test_a_file_without_a_document_says_so(tmp_path: Path) -> None:
    [entry] = _read(tmp_path, "<Other/>").quarantined
    assert entry.reason.startswith("no ISO 20022 Document element")


def test_media_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    [entry] = Iso20022Payments().read(path).quarantined
    assert "JPEG" in entry.reason and entry.excerpt == ""


def test_foreign_namespace_elements_are_ignored(tmp_path: Path) -> None:
    tx = pacs_tx(1).replace("<ChrgBr>", '<x:Note xmlns:x="urn:example:x"><Nm>z</Nm></x:Note>'
                            "<ChrgBr>")
    assert len(_read(tmp_path, pacs008(tx)).records) == 1


def test_detection_by_content(tmp_path: Path) -> None:
    path = tmp_path / "export.dat"
    path.write_text(pacs008(pacs_tx(1)), encoding="utf-8")
    assert Iso20022Payments.claims(path)
    path.write_text("<Document/>", encoding="utf-8")
    assert not Iso20022Payments.claims(path)


def test_quarantine_hashes_the_files_own_bytes_across_read_chunks(tmp_path: Path) -> None:
    bad = pacs_tx(900, amount="1.2.3", ustrd="caf\u00e9 " * 50)  # past the first 64 KB read
    text = pacs008(*(pacs_tx(n) for n in range(899)), bad, pacs_tx(901))
    assert text.index(bad) > 64 * 1024
    result = _read(tmp_path, text)
    assert len(result.records) == 900
    [entry] = result.quarantined
    assert entry.line_sha256 == redact.sha256_of(bad.rstrip("\n").encode("utf-8"))
    assert entry.line == text[: text.index(bad)].count("\n") + 1
