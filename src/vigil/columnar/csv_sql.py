"""The SQL of the CSV payment lane: which rows DuckDB may accept alone, and their stored form.

A row is *plain* when every cell is printable ASCII without edge spaces, quote or backslash, the
numbers are short decimals, ``sent_at`` is a UTC ISO 8601 second, and each identifier and
country has a shape :mod:`vigil.columnar.csv_norm` normalises in SQL. For plain rows the Payment
model's result is a pure function of the text, written here in SQL: the typed columns and the
content key over them (:mod:`vigil.columnar.content_key`; the JSON is built from the typed
columns when read). Every other row goes to the Python path
(:func:`vigil.importers.rows.parse_row`), which decides it exactly as today.

:func:`lane_query` reads the file's cells (:func:`read_query`) and decides every row in one
streaming DuckDB query, each identifier normalised inline
(:func:`vigil.columnar.csv_norm.norm_sql`); its rows arrive in file order (DuckDB keeps a
plain scan's order through a projection), so the lane numbers the lines as the batches arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from vigil.columnar.content_key import NULL_TEXT, payment_key_sql
from vigil.columnar.csv_norm import norm_sql
from vigil.columnar.tables import part_schema
from vigil.importers.clock import current_clock
from vigil.records import Payment, RecordKind

FIELDS = tuple(Payment.model_fields)
REQUIRED = ("txn_id", "sender", "beneficiary", "amount", "currency", "amount_usd",
            "sender_country", "beneficiary_country", "sent_at")
DEFAULTS = {"channel": "p2p", "sender_type": "individual", "beneficiary_type": "individual",
            "reference": ""}
MAPPED = {"sender": "payment_account", "beneficiary": "payment_account",
          "sender_phone": "phone", "beneficiary_phone": "phone", "sender_email": "email",
          "beneficiary_email": "email", "sender_country": "country",
          "beneficiary_country": "country"}
"""Fields whose value is an identifier or country, normalised by :mod:`vigil.columnar.csv_norm`."""
FLOATS = ("amount", "amount_usd")



@dataclass(frozen=True)
class FileFacts:
    """What the lane learnt of a file's bytes in one pass: ``printable``, every byte of its rows
    is printable ASCII or a newline, with no ``\\``; ``spaces``, some byte is a space."""

    printable: bool = False
    spaces: bool = True


_CHAR = r"\x21\x23-\x2b\x2d-\x5b\x5d-\x7e"
_CELL = rf"[{_CHAR}]([\x20{_CHAR}]*[{_CHAR}])?"
_CELLS = rf"{_CELL}(\x01{_CELL})*"
"""Non-empty cells joined by U+0001: printable ASCII, no edge space (pydantic strips), no ``"``
or ``\\`` (JSON and the content key would escape them); a cell holding U+0001 itself is not
printable, so fails."""
_DECIMAL = r"^[0-9]{1,9}(\.[0-9]{1,6})?$"
"""At most 15 significant digits (DBL_DIG): the float's repr is the trimmed decimal itself."""
_UTC_SECOND = (r"^(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
               r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|\+00:00)$")
_RUN = r"[A-Za-z0-9+/=_\-]{65,}"
"""vigil.importers.rows: a longer base64/hex run could be encoded media; Python decides those."""


def _value(name: str) -> str:
    """The field's validated value as SQL text (NULL when absent)."""
    if name in MAPPED:
        return f"r.{name}_norm"
    if name in DEFAULTS:
        return f"coalesce(r.{name}, '{DEFAULTS[name]}')"
    return f"r.{name}"


_REPR_DECIMAL = r"^(0|[1-9][0-9]*)\.[0-9]*[1-9]$"
"""A decimal already in the form Python's ``repr`` gives its float (no leading or trailing zero,
a fraction): for a plain row's amount (_DECIMAL, at most 15 significant digits) the repr is this
text itself."""


def float_text(v: str) -> str:
    """A plain row's decimal cell ``v`` as the float's ``repr``: the cell itself when already in
    that form (99% of the benchmark's amounts; 0.26 to 0.17 CPU-s for both amounts of a million
    rows, docs/benchmarks.md, CSV lane, fifth and sixth rounds), else DuckDB's DOUBLE-to-text
    cast. DuckDB writes a DOUBLE as the shortest text that reads back the same, in decimal
    between 1e-4 and 1e16, as Python's repr does (the plain row's _DECIMAL is in that range;
    tests/columnar/test_content_key.py compares both). Trimming the cell's text with
    split_part, ltrim and rtrim cost 1.4 CPU-s more per million rows."""
    return (f"CASE WHEN regexp_matches({v}, '{_REPR_DECIMAL}') THEN {v} "
            f"ELSE CAST(TRY_CAST({v} AS DOUBLE) AS VARCHAR) END")


def _key_text(name: str, header: list[str]) -> list[str]:
    """The field's text in the content key's string (:mod:`vigil.columnar.content_key`) as
    pieces of one ``concat``: a plain row's text has no ``\\`` and no U+001F to escape. A field
    the file lacks is a constant (its default, or null), written as a literal."""
    if name not in header and name not in REQUIRED:  # a row lacking a required field is not plain
        return [f"'{DEFAULTS.get(name, NULL_TEXT)}'"]
    if name in FLOATS:
        return [float_text(f"r.{name}")]
    if name == "sent_at":
        return ["left(r.sent_at, 19)", "'Z'"]
    value = _value(name)
    if name in REQUIRED or name in DEFAULTS:
        return [value]
    return [f"coalesce({value}, '{NULL_TEXT}')"]


def _latest_allowed() -> str:
    """The import clock's latest allowed time as ISO text (``YYYY-MM-DDTHH:MM:SS``, UTC)."""
    latest = current_clock().latest().astimezone(UTC)
    return latest.strftime("%Y-%m-%dT%H:%M:%S")


def _no_long_run(header: list[str]) -> str:
    """No 65-character base64/hex run in any cell or normalised value (only the payment
    accounts' normalised text can differ from the cell's in a way that joins a run). Rows whose
    cells are all shorter (nearly all) skip the regular expression."""
    values = [*(f"r.{name}" for name in header), "r.sender_norm", "r.beneficiary_norm"]
    longest = f"greatest({', '.join(f'strlen({value})' for value in values)})"
    return (f"CASE WHEN {longest} < 65 THEN true "
            f"ELSE NOT regexp_matches(concat_ws(' ', {', '.join(values)}), '{_RUN}') END")


def _cells_check(header: list[str], facts: FileFacts) -> list[str]:
    """The cells are printable ASCII without edge spaces, ``"`` or ``\\``: asked of each row
    only for what the file's bytes as a whole (:class:`FileFacts`) do not already settle."""
    if not facts.printable:
        cells = ", ".join(f"r.{name}" for name in header)
        return [f"regexp_matches(concat_ws(chr(1), {cells}), '^(?:{_CELLS})$')"]
    if not facts.spaces:
        return []
    return [f"(r.{name} IS NULL OR NOT (starts_with(r.{name}, ' ') OR ends_with(r.{name}, ' ')))"
            for name in header]


def _plain(header: list[str], facts: FileFacts) -> str:
    """The predicate of a row DuckDB decides alone. (``regexp_matches`` with ``^...$``: the same
    test as ``regexp_full_match``, about three times cheaper in DuckDB 2.0.)"""
    checks = [f"r.{name} IS NOT NULL" for name in REQUIRED]
    checks += _cells_check(header, facts)
    checks += [f"(r.{name} IS NULL) = (r.{name}_norm IS NULL)" for name in MAPPED]
    checks += [f"regexp_matches(r.{name}, '{_DECIMAL}') "
               f"AND TRY_CAST(r.{name} AS DOUBLE) >= 0.0001" for name in FLOATS]
    checks += ["regexp_matches(r.currency, '^[A-Za-z]{3}$')",
               f"regexp_matches(r.sent_at, '{_UTC_SECOND}')",
               "TRY_CAST(left(r.sent_at, 19) AS TIMESTAMP) IS NOT NULL",
               "substr(r.sent_at, 1, 4) BETWEEN '1971' AND '2098'",
               # Later than the import clock allows: the Python check names the field.
               f"left(r.sent_at, 19) <= '{_latest_allowed()}'"]
    checks += [f"(r.{name} IS NULL OR r.{name} IN ('individual', 'business'))"
               for name in ("sender_type", "beneficiary_type")]
    checks.append(_no_long_run(header))
    return " AND ".join(f"({check})" for check in checks)


def _typed(name: str) -> str:
    if name in FLOATS:
        return f"TRY_CAST(r.{name} AS DOUBLE)"
    if name == "sent_at":
        return "TRY_CAST(left(r.sent_at, 19) AS TIMESTAMP)"
    return _value(name)


def read_query(source: str, header: list[str]) -> str:
    """The cells of every row of the CSV file ``source`` (every Payment field, absent ones NULL)
    in file order. (The lane checks the rows' lengths on the file's bytes.)"""
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in header)
    cells = ", ".join(name if name in header else f"NULL::VARCHAR AS {name}" for name in FIELDS)
    quoted = source.replace("'", "''")
    return (f"SELECT {cells} FROM read_csv('{quoted}', header = true, "
            f"auto_detect = false, columns = {{{columns}}}, delim = ',', quote = '', "
            f"escape = '', new_line = '\\n', strict_mode = true)")


def lane_query(source: str, header: list[str], facts: FileFacts = FileFacts()) -> str:
    """Every row of the CSV file ``source`` in file order: ``plain``, the part schema's columns
    (garbage unless plain) and the cells as read (``c_<name>`` for each header name, for the
    rows Python decides and the lines a conflict quarantines).

    Reading and deciding are one query: the cells are not handed to Python and back (0.5 CPU-s
    per million rows less than a query over each batch read). Each identifier is normalised
    inline, row by row (:func:`norm_sql`): a map of each distinct value joined eight times cost
    more (most accounts are distinct)."""
    norms = ", ".join(f"{norm_sql(kind, name)} AS {name}_norm" for name, kind in MAPPED.items())
    stored = {"record_id": "r.txn_id",
              "content_hash": payment_key_sql({name: _key_text(name, header) for name in FIELDS}),
              # Part schema 2: a plain row's JSON is its typed columns' (built when read).
              "data": "NULL::VARCHAR", **{name: _typed(name) for name in FIELDS}}
    schema = part_schema(RecordKind.PAYMENT).names
    outputs = ", ".join(f"{stored[name]} AS {name}" for name in schema)
    cells = ", ".join(f"r.{name} AS c_{name}" for name in header)
    return (f"SELECT coalesce({_plain(header, facts)}, false) AS plain, {outputs}, {cells} "
            f"FROM (SELECT *, {norms} FROM ({read_query(source, header)})) r")


__all__ = ["FIELDS", "FileFacts", "MAPPED", "lane_query", "read_query"]
