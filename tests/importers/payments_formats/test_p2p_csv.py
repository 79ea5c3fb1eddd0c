"""The P2P-wallet CSV: default columns, a mapping beside the file, and quarantined rows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.importers.payments_formats.fixtures import P2P_HEADER, p2p_row
from vigil.importers.p2p_csv import P2pWalletCsv
from vigil.importers.p2p_mapping import P2pMapping
from vigil.plugin import ImportResult
from vigil.records import Payment

MAPPED = "From,To,Amount,Date,Message\nalex_r,+63 917 555 0123,500,01/06/2025 23:10,school fees\n"
MAPPING = """columns: {sender: From, receiver: To, amount: Amount, time: Date, note: Message}
provider: gcash
currency: PHP
time_zone: Asia/Manila
time_format: "%d/%m/%Y %H:%M"
sender_country: PH
"""


def _read(tmp_path: Path, text: str, mapping: str | None = None) -> ImportResult:
    path = tmp_path / "wallet.csv"
    path.write_text(text, encoding="utf-8")
    if mapping is not None:
        (tmp_path / "wallet.csv.mapping.yaml").write_text(mapping, encoding="utf-8")
    return P2pWalletCsv().read(path)


def _payments(result: ImportResult) -> list[Payment]:
    return [p for p in result.records if isinstance(p, Payment)]


def test_default_columns_map_to_a_payment(tmp_path: Path) -> None:
    result = _read(tmp_path, P2P_HEADER + p2p_row(1))
    assert result.quarantined == []
    [payment] = _payments(result)
    assert (payment.txn_id, payment.sender, payment.beneficiary) == ("w-1", "p2p:sam_1",
                                                                       "p2p:rosa_1")
    assert (payment.sender_phone, payment.beneficiary_phone) == ("+12025550101", "+639175550101")
    assert (payment.sender_country, payment.beneficiary_country) == ("US", "PH")  # from phones
    assert (payment.amount, payment.currency, payment.amount_usd) == (20.0, "USD", 20.0)
    assert payment.sent_at == datetime(2025, 6, 1, 23, 40, tzinfo=timezone(timedelta(hours=-5)))
    assert payment.reference == "gift" and payment.channel == "p2p"


def test_a_mapping_beside_the_file_names_columns_and_defaults(tmp_path: Path) -> None:
    result = _read(tmp_path, MAPPED, MAPPING)
    assert result.quarantined == []
    [payment] = _payments(result)
    assert payment.sender == "gcash:alex_r"
    assert payment.beneficiary == "gcash:+639175550123"  # a phone as handle, in E.164
    assert payment.beneficiary_phone == "+639175550123" and payment.beneficiary_country == "PH"
    assert payment.sent_at == datetime(2025, 6, 1, 23, 10, tzinfo=timezone(timedelta(hours=8)))
    assert (payment.currency, payment.amount_usd) == ("PHP", 8.75)
    assert payment.txn_id.startswith("p2p:") and payment.reference == "school fees"


def test_a_mapping_can_be_given_in_code(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text(MAPPED.replace("From", "Payer"), encoding="utf-8")
    mapping = P2pMapping.model_validate({
        "columns": {"sender": "Payer", "receiver": "To", "amount": "Amount", "time": "Date"},
        "currency": "PHP", "time_format": "%d/%m/%Y %H:%M", "sender_country": "PH"})
    assert len(P2pWalletCsv(mapping).read(path).records) == 1


@pytest.mark.parametrize(("row", "fragment"), [
    (p2p_row(2, amount="-3"), "line 3: amount: '-3' is not an amount"),
    (p2p_row(2, amount="1e5"), "amount: '1e5' is not an amount"),
    (p2p_row(2, time="yesterday"), "time: 'yesterday' is not an ISO 8601 time"),
    (p2p_row(2, currency="ABC"), "unknown currency 'ABC'"),
    (p2p_row(2).replace("+63 917 555 0102", "").replace("rosa_2", ""),
     "receiver missing (no receiver handle or receiver_phone)"),
    (p2p_row(2).replace("+63 917 555 0102", "0917 555 0102"),
     "'0917 555 0102' is not an international phone number"),
])
def test_a_bad_row_is_quarantined_and_the_others_kept(tmp_path: Path, row: str,
                                                      fragment: str) -> None:
    result = _read(tmp_path, P2P_HEADER + p2p_row(1) + row + p2p_row(3))
    assert [p.txn_id for p in _payments(result)] == ["w-1", "w-3"]
    [entry] = result.quarantined
    assert entry.line == 3 and fragment in entry.reason, entry.reason


def test_a_row_without_any_country_is_quarantined(tmp_path: Path) -> None:
    text = "sender,receiver,amount,currency,time\na,b,5,USD,2025-01-01T00:00:00Z\n"
    [entry] = _read(tmp_path, text).quarantined
    assert "sender country missing" in entry.reason


def test_cell_count_errors_read_as_the_canonical_csv_reads_them(tmp_path: Path) -> None:
    [entry] = _read(tmp_path, P2P_HEADER + "w-9,a,b\n").quarantined
    assert entry.reason == "3 cells, header has 9"


@pytest.mark.parametrize(("text", "mapping", "fragment"), [
    ("a,b,c\n1,2,3\n", None, "header has no column 'sender' or 'sender_phone'; file refused"),
    (MAPPED, "columns: {sender: From}\nbogus: 1\n", "mapping wallet.csv.mapping.yaml: bogus"),
    (MAPPED, "time_zone: Mars/Olympus\n", "unknown IANA time zone"),
    (MAPPED, "columns: [unclosed\n", "is not YAML"),
])
def test_a_file_that_cannot_be_mapped_is_refused(tmp_path: Path, text: str,
                                                 mapping: str | None, fragment: str) -> None:
    result = _read(tmp_path, text, mapping)
    assert result.records == []
    [entry] = result.quarantined
    assert fragment in entry.reason, entry.reason


def test_detection_by_content(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(P2P_HEADER, encoding="utf-8")
    assert P2pWalletCsv.claims(path)
    path.write_text("txn_id,sender,beneficiary,amount\n", encoding="utf-8")
    assert not P2pWalletCsv.claims(path)
    (tmp_path / "export.csv.mapping.yaml").write_text("provider: maya\n", encoding="utf-8")
    assert P2pWalletCsv.claims(path)
