"""Bank file formats: round trips on synthetic hashes, sniffing, and each format's own rules.

The pytx and VICS texts below are written in the shapes those tools produce (pytx
``threatexchange dataset -P --csv`` and local-file lines; VICS 2.0 OData hash sets and case
exports), with made-up hashes only.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from vigil.media.banks.files import BankFileError, BankSpec
from vigil.media.banks.formats import (
    BANK_FORMATS,
    PYTX_SIGNAL_TYPES,
    export_bank,
    load_bank,
    read_bank,
    sniff_bank_format,
    validate_pytx_signal,
)
from vigil.media.banks.records import BankEntry, BankInfo, BankKind

WIDTH = {"pdq": 64, "md5": 32, "sha256": 64}


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


def _entries(seed: int = 7, n: int = 12) -> list[BankEntry]:
    rng = random.Random(seed)
    types = ["pdq", "md5", "sha256"]
    return [BankEntry("b", _hex(rng, WIDTH[types[i % 3]]), types[i % 3], label=str(i % 4 + 1),
                      source="partner-x") for i in range(n)]


def _core(entries: list[BankEntry], *fields: str) -> set[tuple[Any, ...]]:
    return {tuple(getattr(e, f) for f in ("signal_type", "hash", *fields)) for e in entries}


@pytest.mark.parametrize(("fmt", "fields"), [
    ("csv", ("label", "source")),
    ("pytx", ("label", "source")),
    ("pytx-text", ()),
    ("vics", ("label",)),
])
def test_every_format_round_trips_synthetic_hashes(fmt: str, fields: tuple[str, ...]) -> None:
    entries = _entries()
    info = BankInfo("b", signal_type="mixed")
    text = BANK_FORMATS[fmt].write(info, entries)
    first = read_bank(text, BankSpec("b"), fmt)
    assert _core(first.entries, *fields) == _core(entries, *fields)
    assert (first.info.signal_type, first.skipped) == ("mixed", {})
    again = read_bank(BANK_FORMATS[fmt].write(first.info, first.entries), BankSpec("b"), fmt)
    assert again.entries == first.entries  # lossless once read: metadata and all
    assert BANK_FORMATS[fmt].write(info, reversed(entries)) == text  # order-free output


@pytest.mark.parametrize(("text", "filename", "expected"), [
    ("hash,signal_type,label,source\n", "x.dat", "csv"),
    ("\ufefflabel,source,signal_type,hash\n", "", "csv"),
    ("signal_type,signal_str,collab,category,tags\n", "dump.csv", "pytx"),
    ("pdq " + "a" * 64 + "\n", "", "pytx"),
    ("\nROTATE90 pdq " + "a" * 64 + "\n", "", "pytx"),
    ("video_md5 " + "a" * 32 + " 'collab' meta\n", "x.csv", "pytx"),
    ('{"@odata.context": "http://x/$metadata#Media", "value": []}', "a.txt", "vics"),
    ('{\n "value": [{"CaseID": "c", "Media": []}]}', "", "vics"),
    ("", "empty.json", "vics"),
    ("", "empty.txt", "pytx-text"),
])
def test_formats_are_sniffed_by_content_then_extension(text: str, filename: str,
                                                       expected: str) -> None:
    assert sniff_bank_format(text, filename).name == expected


@pytest.mark.parametrize(("text", "filename"), [("", "x.csv"), ("just words\n", "x.bin"),
                                                ("a;b;c\n", "")])
def test_unknown_format_is_refused_naming_the_choices(text: str, filename: str) -> None:
    with pytest.raises(BankFileError, match="cannot tell the bank format.*csv, pytx"):
        sniff_bank_format(text, filename)


def test_unknown_format_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown bank format 'stix'"):
        read_bank("", BankSpec("b"), "stix")


PDQ_1, PDQ_2, MD5_1, SHA_1 = "1" * 64, "2a" * 32, "3b" * 16, "4c" * 32
PYTX_CSV = f"""signal_type,signal_str,collab,category,tags
pdq,{PDQ_1},Collab A,POSITIVE_CLASS,tag1 tag2
video_md5,{MD5_1.upper()},Collab A,INVESTIGATION_SEED,
video_sha256,{SHA_1},Collab B,DISPUTED,disputed-tag
pdq,{PDQ_2},Collab B,NEGATIVE_CLASS,meme
url,https://example.invalid/x,Collab A,POSITIVE_CLASS,
raw_text,some neutral text,Collab A,POSITIVE_CLASS,
pdq,{PDQ_1},Collab B,POSITIVE_CLASS,other
"""


def test_pytx_csv_keeps_collab_tags_and_category_and_counts_what_it_leaves_out() -> None:
    parsed = read_bank(PYTX_CSV, BankSpec("tx", origin="dump.csv"))
    assert [(e.signal_type, e.hash, e.label, e.source) for e in parsed.entries] == [
        ("pdq", PDQ_1, "tag1 tag2", "Collab A"), ("md5", MD5_1, "", "Collab A"),
        ("sha256", SHA_1, "disputed-tag", "Collab B")]
    assert parsed.entries[0].metadata == {"pytx": {"category": "POSITIVE_CLASS",
                                                   "tags": ["tag1", "tag2"]}}
    assert parsed.entries[2].metadata["pytx"]["category"] == "DISPUTED"
    assert parsed.skipped == {
        "NEGATIVE_CLASS rows (known false positives: import them into a negative bank)": 1,
        "pytx signal type 'url' (vigil matches pdq, video_md5, video_sha256)": 1,
        "pytx signal type 'raw_text' (vigil matches pdq, video_md5, video_sha256)": 1,
        "repeated hash (the first row is kept)": 1}
    assert parsed.notes()[0].startswith("1 left out: ")
    assert (parsed.info.kind, parsed.info.source) == (BankKind.POSITIVE, "dump.csv")


def test_pytx_negative_class_rows_go_only_into_a_negative_bank() -> None:
    parsed = read_bank(PYTX_CSV, BankSpec("fp", kind=BankKind.NEGATIVE))
    assert [(e.hash, e.label) for e in parsed.entries] == [(PDQ_2, "meme")]
    assert parsed.info.kind is BankKind.NEGATIVE
    assert parsed.skipped["rows other than NEGATIVE_CLASS (a negative bank holds known false "
                          "positives only)"] == 4
    written = BANK_FORMATS["pytx"].write(parsed.info, parsed.entries)
    assert written.splitlines()[1] == f"pdq,{PDQ_2},Collab B,NEGATIVE_CLASS,meme"


def test_pytx_text_lines_with_rotations_and_trailing_metadata() -> None:
    text = (f"ROTATE90 pdq {PDQ_1}\n pdq {PDQ_2}\n\nvideo_md5 {MD5_1.upper()} 'Sample' "
            f"INVESTIGATION_SEED\nvpdq 0,{PDQ_1},100,0.0\n")
    parsed = read_bank(text, BankSpec("tx", source="hash cmd"), "pytx-text")
    assert [(e.signal_type, e.hash, e.source, e.metadata) for e in parsed.entries] == [
        ("pdq", PDQ_1, "hash cmd", {"pytx": {"rotation": "ROTATE90"}}),
        ("pdq", PDQ_2, "hash cmd", {}),
        ("md5", MD5_1, "hash cmd", {"pytx": {"extra": "'Sample' INVESTIGATION_SEED"}})]
    assert sum(parsed.skipped.values()) == 1


@pytest.mark.parametrize(("fmt", "text", "complaint"), [
    ("pytx-text", f"pdq {PDQ_1}\npdq\n", "x.txt: line 2: expected '<signal_type> <hash>'"),
    ("pytx-text", f"pdq {PDQ_1[:-1]}\n", "x.txt: line 1: pdq hash needs 64 hex digits"),
    ("pytx", f"{PYTX_CSV}pdq,{PDQ_1},c,MAYBE,\n", "x.txt: line 9: unknown category 'MAYBE'"),
    ("pytx", f"{PYTX_CSV}video_md5,zz,c,POSITIVE_CLASS,\n", "line 9: md5 hash needs 32 hex"),
    ("pytx", f"{PYTX_CSV},{PDQ_1},c,POSITIVE_CLASS,\n", "line 9: no signal type"),
    ("pytx", "signal_type,signal_str,collab\n", "x.txt: line 1: header must be"),
])
def test_pytx_bad_rows_refuse_the_file_naming_the_line(fmt: str, text: str,
                                                       complaint: str) -> None:
    with pytest.raises(BankFileError, match=complaint):
        read_bank(text, BankSpec("b", origin="x.txt"), fmt)


def _vics(media: list[Any], cases: bool = False) -> str:
    value: list[Any] = [{"CaseID": "c-1", "Media": media}] if cases else media
    context = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#"
    return json.dumps({"@odata.context": context + ("Cases" if cases else "Media"),
                       "value": value})


VICS_MEDIA: list[dict[str, Any]] = [
    {"MediaID": 1, "Category": 1, "MD5": MD5_1.upper(), "SHA1": "5d" * 20, "PhotoDNA": "QUJD" * 48,
     "VictimIdentified": True, "MediaFiles": [{"FileName": "x.jpg", "FilePath": "dcim"}]},
    {"MediaID": 2, "Category": 0, "MD5": "6e" * 16, "SHA256": SHA_1, "PDQ": PDQ_1},
    {"MediaID": 3, "Category": 2, "SHA1": "7f" * 20, "PhotoDNA": "QUJD" * 48},
    {"MediaID": 4, "Category": None, "Tags": "series-x", "MD5": MD5_1},
]


@pytest.mark.parametrize("cases", [False, True])
def test_vics_imports_md5_and_extension_hashes_and_counts_photodna(cases: bool) -> None:
    parsed = read_bank(_vics(VICS_MEDIA, cases), BankSpec("vic", source="Project VIC"))
    assert [(e.signal_type, e.hash, e.label) for e in parsed.entries] == [
        ("md5", MD5_1, "1"), ("md5", "6e" * 16, "0"), ("sha256", SHA_1, "0"),
        ("pdq", PDQ_1, "0")]
    assert parsed.entries[0].metadata == {"vics": {"MediaID": 1, "Category": 1,
                                                   "SHA1": "5d" * 20, "VictimIdentified": True}}
    assert parsed.entries[0].source == "Project VIC"
    assert parsed.skipped == {"PhotoDNA hash (vigil has no PhotoDNA licence)": 2,
                              "media item with no MD5, SHA256 or PDQ (SHA1 or PhotoDNA only)": 1,
                              "repeated hash (the first row is kept)": 1}


def test_vics_only_categories_keeps_the_chosen_ones() -> None:
    spec = BankSpec("vic", only_categories=frozenset({"1", "2"}))
    parsed = read_bank(_vics(VICS_MEDIA), spec)
    assert [e.hash for e in parsed.entries] == [MD5_1]
    assert parsed.skipped["VICS Category 0 (not among those chosen)"] == 1
    assert parsed.skipped["VICS Category series-x (not among those chosen)"] == 1


def test_vics_written_merges_one_items_hashes_and_upper_cases_md5() -> None:
    parsed = read_bank(_vics(VICS_MEDIA), BankSpec("vic"))
    document = json.loads(BANK_FORMATS["vics"].write(parsed.info, parsed.entries))
    assert document["@odata.context"].endswith("/2.0.xml/Default/$metadata#Media")
    by_id = {item["MediaID"]: item for item in document["value"]}
    assert by_id[2] == {"MediaID": 2, "Category": 0, "MD5": "6E" * 16, "SHA256": SHA_1,
                        "PDQ": PDQ_1}
    assert by_id[1]["MD5"] == MD5_1.upper() and "PhotoDNA" not in by_id[1]


@pytest.mark.parametrize(("text", "complaint"), [
    ("{not json", r"v.json: line 1: not JSON"),
    ('{"value": 3}', "not a VICS file: no top-level 'value' list"),
    ('["a"]', "not a VICS file"),
    (_vics([{"MD5": "abc"}]), r"v.json: value\[0\]: md5 hash needs 32 hex digits"),
    (_vics([{"MD5": 12}]), r"value\[0\]: md5 hash needs 32 hex digits, got '12'"),
    (_vics([{"MD5": MD5_1}, "x"]), r"value\[1\]: a media item must be a JSON object"),
    (_vics([{"PDQ": "g" * 64}], cases=True), r"value\[0\]\.Media\[0\]: pdq hash needs"),
])
def test_vics_bad_items_refuse_the_file(text: str, complaint: str) -> None:
    with pytest.raises(BankFileError, match=complaint):
        read_bank(text, BankSpec("b", origin="v.json"), "vics")


@pytest.mark.parametrize(("suffix", "fmt"), [(".json", "vics"), (".txt", "pytx-text"),
                                             (".csv", "csv"), (".tsv", "csv")])
def test_export_then_load_picks_the_format_from_the_path(tmp_path: Path, suffix: str,
                                                         fmt: str) -> None:
    entries = _entries(seed=3, n=6)
    path = tmp_path / f"bank{suffix}"
    export_bank(BankInfo("b"), entries, path)
    assert path.read_text(encoding="utf-8") == BANK_FORMATS[fmt].write(BankInfo("b"), entries)
    loaded = load_bank(path, BankSpec("b", threshold=12))
    assert _core(loaded.entries) == _core(entries)
    assert (loaded.info.threshold, loaded.info.source) == (12, str(path))


def test_load_bank_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(f"pdq {PDQ_1}\npdq nothex\n", encoding="utf-8")
    with pytest.raises(BankFileError, match=f"^{path}: line 2: pdq hash needs"):
        load_bank(path, BankSpec("b"))


@pytest.mark.parametrize(("pytx_type", "signal", "expected"), [
    ("pdq", PDQ_2.upper(), ("pdq", PDQ_2)),
    ("video_md5", f" {MD5_1} ", ("md5", MD5_1)),
    ("md5", MD5_1, ("md5", MD5_1)),
    ("VIDEO_SHA256", SHA_1, ("sha256", SHA_1)),
])
def test_pytx_signals_are_normalised(pytx_type: str, signal: str,
                                     expected: tuple[str, str]) -> None:
    assert validate_pytx_signal(pytx_type, signal) == expected


@pytest.mark.parametrize(("pytx_type", "signal"), [("pdq", "x" * 64), ("pdq", MD5_1),
                                                   ("video_md5", PDQ_1), ("url", "x")])
def test_pytx_signals_pytx_would_refuse_are_refused(pytx_type: str, signal: str) -> None:
    with pytest.raises(ValueError):
        validate_pytx_signal(pytx_type, signal)


def test_names_and_file_reading_agree_with_python_threatexchange(tmp_path: Path) -> None:
    """Checked against the real package where it is installed (it is optional for vigil)."""
    signal_base = pytest.importorskip("threatexchange.signal_type.signal_base")
    from threatexchange.exchanges.impl.file_api import (
        FileCollaborationConfig,
        LocalFileSignalExchangeAPI,
    )
    from threatexchange.signal_type.md5 import VideoMD5Signal
    from threatexchange.signal_type.pdq.signal import PdqSignal
    from threatexchange.signal_type.sha256 import VideoSHA256Signal

    classes = {"pdq": PdqSignal, "md5": VideoMD5Signal, "sha256": VideoSHA256Signal}
    assert {k: c.get_name() for k, c in classes.items()} == PYTX_SIGNAL_TYPES
    assert all(issubclass(c, signal_base.SignalType) for c in classes.values())
    entries = _entries(seed=11, n=9)
    path = tmp_path / "bank.txt"
    export_bank(BankInfo("b"), entries, path, "pytx-text")
    api = LocalFileSignalExchangeAPI(FileCollaborationConfig(name="t", filename=str(path)))
    (delta,) = list(api.fetch_iter([], None))
    assert set(delta.updates) == {(PYTX_SIGNAL_TYPES[e.signal_type], e.hash) for e in entries}
