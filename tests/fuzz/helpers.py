"""Strategies for fuzzing importers: arbitrary bytes, arbitrary JSON and near-valid rows."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from vigil.importers.lines import media_signature
from vigil.records import RecordKind
from vigil.store.interfaces import Store

TRIED: Counter[str] = Counter()
"""Inputs tried per target, printed at the end of the run (see conftest)."""

FUZZ = settings(max_examples=int(os.environ.get("VIGIL_FUZZ_EXAMPLES", "50")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                database=None)

LONG_RUN = re.compile(r"[A-Za-z0-9+/=_\-]{65,}")

VALID: dict[RecordKind, dict[str, Any]] = {
    RecordKind.MEDIA: {"observation_id": "o1", "account": "vc:seller", "pdq": "f" * 64,
                       "observed_at": "2026-01-01T00:00:00Z", "quality": 90},
    RecordKind.MESSAGE: {"conversation_id": "vc:c1", "message_id": "m1", "sender": "vc:a",
                         "recipient": "vc:b", "sent_at": "2026-01-01T00:00:00Z",
                         "text": "which app? move there"},
    RecordKind.PAYMENT: {"txn_id": "t1", "sender": "wise:111", "beneficiary": "gcash:0917",
                         "amount": 40, "currency": "AUD", "amount_usd": 26.5,
                         "sender_country": "AU", "beneficiary_country": "PH",
                         "sent_at": "2026-03-01T10:00:00+00:00"},
    RecordKind.REPORT: {"report_id": "r1", "reporter": "vc:a", "reported": "vc:b",
                        "session_id": "s", "reported_at": "2026-01-01T00:00:00Z",
                        "reason": "asked my age", "frame_pdqs": ["0" * 64]},
}

SPECIAL_TEXT = st.sampled_from(["", " ", "\x00", "\ud800", "Infinity", "NaN", "-1", "1e999",
                                "2026-13-01T00:00:00Z", '"', ",", "\n", "[" * 80, "\ufeff"])
ENCODED = st.text(alphabet="ABCDEFabcdef0123456789+/=", min_size=60, max_size=300)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40)
    | SPECIAL_TEXT | ENCODED,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8)


@st.composite
def near_valid_row(draw: st.DrawFn, kind: RecordKind) -> dict[str, Any]:
    """A valid row with a few fields dropped, replaced or added; ids drawn from a small set so
    that repeated ids with different content occur."""
    row = dict(VALID[kind])
    id_field = next(iter(row)) if kind is not RecordKind.MESSAGE else "message_id"
    row[id_field] = draw(st.sampled_from(["a", "b", "c"]))
    for key in draw(st.lists(st.sampled_from(sorted(row)), max_size=3, unique=True)):
        if draw(st.booleans()):
            del row[key]
        else:
            row[key] = draw(JSON_VALUES)
    row.update(draw(st.dictionaries(st.text(max_size=12), JSON_VALUES, max_size=2)))
    return row


def json_line(kind: RecordKind) -> st.SearchStrategy[bytes]:
    return st.one_of(
        near_valid_row(kind).map(lambda r: json.dumps(r).encode()),
        JSON_VALUES.map(lambda v: json.dumps(v).encode()),
        st.binary(max_size=120),
        st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n),
        st.sampled_from([b"", b"  ", b"\xef\xbb\xbf{}", b"\x00\x00", b"{\"a\": \"\\u0000\"}"]),
    )


def csv_cell() -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=20), SPECIAL_TEXT, ENCODED,
                     st.sampled_from(["AUD", "PH", "40", "2026-03-01T10:00:00+00:00"]))


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    """A payments CSV: a header that may be damaged, then rows near-valid, short, long,
    quoted oddly or raw bytes."""
    header = list(VALID[RecordKind.PAYMENT])
    if draw(st.booleans()):
        header = draw(st.permutations(header))[: draw(st.integers(1, len(header)))]
    if draw(st.integers(0, 9)) == 0:
        header.append(header[0])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    parts = [out.getvalue().encode(errors="surrogatepass")]
    for _ in range(draw(st.integers(0, 6))):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            row = draw(near_valid_row(RecordKind.PAYMENT))
            cells = [json.dumps(row.get(h)) if isinstance(row.get(h), (dict, list)) else
                     str(row.get(h, "")) for h in header]
        else:
            cells = draw(st.lists(csv_cell(), max_size=len(header) + 2))
        line = io.StringIO()
        csv.writer(line).writerow(cells)
        text = line.getvalue().encode(errors="surrogatepass")
        parts.append(text if choice < 3 else draw(st.binary(max_size=80)))
    return b"".join(parts)


@st.composite
def jsonl_bytes(draw: st.DrawFn, kind: RecordKind) -> bytes:
    lines = draw(st.lists(json_line(kind), max_size=8))
    return b"\n".join(lines) + draw(st.sampled_from([b"", b"\n", b"\r\n"]))


def maybe_gzip(draw: st.DrawFn, data: bytes) -> tuple[bytes, str]:
    """``(content, suffix)``: plain, gzip, or gzip cut short."""
    how = draw(st.sampled_from(["plain", "plain", "gzip", "cut"]))
    if how == "plain":
        return data, ".jsonl"
    packed = gzip.compress(data)
    if how == "cut":
        packed = packed[: draw(st.integers(0, max(len(packed) - 1, 0)))]
    return packed, ".jsonl.gz"


def expected_outcomes(data: bytes) -> int:
    """Rows an import of ``data`` must account for: one per non-blank line, or a single entry
    for a file that starts like media (refused whole)."""
    return 1 if media_signature(data[:16]) else non_blank_lines(data)


def non_blank_lines(data: bytes) -> int:
    lines = data.split(b"\n")
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    return sum(1 for line in lines if line.strip())


def assert_nothing_encoded_stored(store: Store) -> None:
    """No stored record or quarantine entry holds a run of > 64 base64/hex characters (the
    quarantine's ``source`` is the file's path and ``line_sha256`` a hash: both legitimate)."""
    for kind in RecordKind:
        for record in store.records(kind):
            text = record.model_dump_json()
            assert not LONG_RUN.search(text), text[:300]
    for entry in store.quarantine():
        assert entry.reason, entry
        for text in (entry.excerpt, entry.reason):
            assert not LONG_RUN.search(text), text


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
