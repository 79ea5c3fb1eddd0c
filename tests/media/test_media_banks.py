from pathlib import Path

import pytest

from vigil.media.banks.files import (
    BankFileError,
    bank_csv_text,
    export_bank_csv,
    load_bank_csv,
    parse_bank_csv,
)
from vigil.media.banks.records import BankEntry

PDQ_A = "F" * 64
PDQ_B = "0123456789abcdef" * 4
MD5_A = "d41d8cd98f00b204e9800998ecf8427e"


def test_load_lower_cases_hashes_and_keeps_labels(tmp_path: Path) -> None:
    path = tmp_path / "known.csv"
    path.write_text(
        "hash,signal_type,label,source\n"
        f"{PDQ_A},PDQ,series-1,partner-x\n"
        f"{MD5_A.upper()},md5,series-2,\n",
        encoding="utf-8",
    )
    info, entries = load_bank_csv(path, "demo-known", threshold=20)
    assert (info.name, info.threshold, info.signal_type, info.source) == (
        "demo-known", 20, "mixed", str(path))
    assert entries == [
        BankEntry("demo-known", PDQ_A.lower(), "pdq", "series-1", "partner-x"),
        BankEntry("demo-known", MD5_A, "md5", "series-2", ""),
    ]


@pytest.mark.parametrize(("rows", "expected_type"), [
    ([f"{PDQ_A},pdq,,"], "pdq"),
    ([f"{MD5_A},md5,,"], "md5"),
    ([], "pdq"),
])
def test_bank_signal_type_follows_its_entries(rows: list[str], expected_type: str) -> None:
    text = "\n".join(["hash,signal_type,label,source", *rows]) + "\n"
    info, _ = parse_bank_csv(text, "b")
    assert info.signal_type == expected_type
    assert info.threshold == 31


def test_columns_in_any_order_and_bom_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "reordered.csv"
    path.write_text(f"label,source,signal_type,hash\nx,y,pdq,{PDQ_B}\n", encoding="utf-8-sig")
    _, entries = load_bank_csv(path, "b")
    assert entries == [BankEntry("b", PDQ_B, "pdq", "x", "y")]


def test_repeated_hash_is_kept_once() -> None:
    text = f"hash,signal_type,label,source\n{PDQ_B},pdq,first,\n{PDQ_B.upper()},pdq,second,\n"
    _, entries = parse_bank_csv(text, "b")
    assert [e.label for e in entries] == ["first"]


@pytest.mark.parametrize(("row", "complaint"), [
    (f"{PDQ_A[:-1]},pdq,,", "pdq hash needs 64 hex digits"),
    (f"{'g' * 64},pdq,,", "pdq hash needs 64 hex digits"),
    (f"{MD5_A},pdq,,", "pdq hash needs 64 hex digits"),
    (f"{PDQ_A},md5,,", "md5 hash needs 32 hex digits"),
    (f"{MD5_A},sha1,,", "unknown signal_type 'sha1'"),
    (f"{MD5_A},md5,,,extra", "more fields than the header"),
    (f"{MD5_A}", "unknown signal_type ''"),
])
def test_bad_row_is_named_by_file_and_line(tmp_path: Path, row: str, complaint: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"hash,signal_type,label,source\n{PDQ_B},pdq,,\n{row}\n", encoding="utf-8")
    with pytest.raises(BankFileError) as caught:
        load_bank_csv(path, "b")
    assert str(caught.value).startswith(f"{path}: line 3: ")
    assert complaint in str(caught.value)


def test_every_bad_row_is_reported_at_once() -> None:
    text = f"hash,signal_type,label,source\nzz,pdq,,\n{PDQ_B},pdq,,\n{MD5_A},nope,,\n"
    with pytest.raises(BankFileError) as caught:
        parse_bank_csv(text, "b", origin="upload.csv")
    lines = str(caught.value).splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["line 2", "line 4"]


@pytest.mark.parametrize("header", [
    "hash,signal_type,label", "hash,type,label,source", "hash,signal_type,label,source,extra", "",
])
def test_bad_header_is_refused(header: str) -> None:
    with pytest.raises(BankFileError, match=r"^up\.csv: line 1: header must be"):
        parse_bank_csv(f"{header}\n", "b", origin="up.csv")


@pytest.mark.parametrize(("name", "threshold"), [("", 31), ("b", -1), ("b", 256), ("b", True)])
def test_bad_name_or_threshold_is_refused(name: str, threshold: int) -> None:
    with pytest.raises(ValueError):
        parse_bank_csv("hash,signal_type,label,source\n", name, threshold)


def test_export_then_load_round_trips(tmp_path: Path) -> None:
    entries = [
        BankEntry("b", PDQ_B, "pdq", 'label with "quotes", commas', "partner"),
        BankEntry("b", MD5_A, "md5", "", "ncmec-sample"),
        BankEntry("b", PDQ_A.lower(), "pdq", "ünïcode", ""),
    ]
    path = tmp_path / "out.csv"
    export_bank_csv(entries, path)
    info, loaded = load_bank_csv(path, "b", threshold=12)
    assert sorted(loaded, key=repr) == sorted(entries, key=repr)
    assert info.threshold == 12
    assert path.read_text(encoding="utf-8") == bank_csv_text(reversed(entries))
