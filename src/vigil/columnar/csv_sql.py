"""The SQL of the CSV payment lane: which rows DuckDB may accept alone, and their stored form.

A row is *plain* when every cell is printable ASCII without edge spaces, quote or backslash, the
numbers are short decimals, ``sent_at`` is a UTC ISO 8601 second, and each identifier and
country has a shape :mod:`vigil.columnar.csv_norm` normalises in SQL. For plain rows the Payment
model's result is a pure function of the text, written here in SQL: the JSON the model dumps,
the content hash over its canonical JSON, the typed columns. Every other row goes to the Python
path (:func:`vigil.importers.rows.parse_row`), which decides it exactly as today.

:func:`read_query` streams the file's cells in file order (DuckDB keeps a plain scan's order),
so the lane numbers the lines as the batches arrive; :func:`lane_query` then decides one batch
(table ``raw``, with its row number ``idx``) against the identifier map ``idmap``
(:func:`vigil.columnar.csv_norm.update_idmap`).
"""

from __future__ import annotations

from datetime import UTC

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

_CHAR = r"\x21\x23-\x2b\x2d-\x5b\x5d-\x7e"
_CELL = rf"[{_CHAR}]([\x20{_CHAR}]*[{_CHAR}])?"
_CELLS = rf"{_CELL}(\x01{_CELL})*"
"""Non-empty cells joined by U+0001: printable ASCII, no edge space (pydantic strips), no ``"``
or ``\\`` (JSON would escape them); a cell holding U+0001 itself is not printable, so fails."""
_DECIMAL = r"^[0-9]{1,9}(\.[0-9]{1,6})?$"
"""At most 15 significant digits (DBL_DIG): the float's repr is the trimmed decimal itself."""
_UTC_SECOND = (r"^(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
               r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](Z|\+00:00)$")
_RUN = r"[A-Za-z0-9+/=_\-]{65,}"
"""vigil.importers.rows: a longer base64/hex run could be encoded media; Python decides those."""


def _value(name: str) -> str:
    """The field's validated value as SQL text (NULL when absent)."""
    if name in MAPPED:
        return f"m_{name}.norm"
    if name in DEFAULTS:
        return f"coalesce(r.{name}, '{DEFAULTS[name]}')"
    return f"r.{name}"


def _pieces(name: str) -> list[str]:
    """The field's JSON text (float repr, quoted ASCII string, or null) as pieces of one
    ``concat``: a single string built per row, where ``||`` would build one per operator."""
    if name in FLOATS:
        whole = f"coalesce(nullif(ltrim(split_part(r.{name}, '.', 1), '0'), ''), '0')"
        frac = f"coalesce(nullif(rtrim(split_part(r.{name}, '.', 2), '0'), ''), '0')"
        return [whole, "'.'", frac]
    if name == "kind":
        return ["'\"payment\"'"]
    if name == "sent_at":
        return ["'\"'", "left(r.sent_at, 19)", "'Z\"'"]
    value = _value(name)
    if name in REQUIRED or name in DEFAULTS:
        return ["'\"'", value, "'\"'"]
    # concat reads NULL as '': null, or the quoted text.
    return [f"CASE WHEN {value} IS NULL THEN 'null' ELSE '\"' END", value,
            f"CASE WHEN {value} IS NULL THEN '' ELSE '\"' END"]


def _object(names: list[str]) -> str:
    pieces = ["'{'"]
    for number, name in enumerate(names):
        pieces += [f"'{',' if number else ''}\"{name}\":'", *_pieces(name)]
    return f"concat({', '.join([*pieces, chr(39) + '}' + chr(39)])})"


def _latest_allowed() -> str:
    """The import clock's latest allowed time as ISO text (``YYYY-MM-DDTHH:MM:SS``, UTC)."""
    latest = current_clock().latest().astimezone(UTC)
    return latest.strftime("%Y-%m-%dT%H:%M:%S")


def _no_long_run(header: list[str]) -> str:
    """No 65-character base64/hex run in any cell or normalised value (only the payment
    accounts' normalised text can differ from the cell's in a way that joins a run)."""
    values = ", ".join([*(f"r.{name}" for name in header), "m_sender.norm", "m_beneficiary.norm"])
    return f"NOT regexp_matches(concat_ws(' ', {values}), '{_RUN}')"


def _plain(header: list[str]) -> str:
    """The predicate of a row DuckDB decides alone."""
    checks = [f"r.{name} IS NOT NULL" for name in REQUIRED]
    cells = ", ".join(f"r.{name}" for name in header)
    checks.append(f"regexp_full_match(concat_ws(chr(1), {cells}), '{_CELLS}')")
    checks += [f"(r.{name} IS NULL) = (m_{name}.norm IS NULL)" for name in MAPPED]
    checks += [f"regexp_full_match(r.{name}, '{_DECIMAL}') "
               f"AND TRY_CAST(r.{name} AS DOUBLE) >= 0.0001" for name in FLOATS]
    checks += ["regexp_full_match(r.currency, '^[A-Za-z]{3}$')",
               f"regexp_full_match(r.sent_at, '{_UTC_SECOND}')",
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
    in file order, and ``width``: the line's bytes."""
    columns = ", ".join(f"'{name}': 'VARCHAR'" for name in header)
    cells = ", ".join(name if name in header else f"NULL::VARCHAR AS {name}" for name in FIELDS)
    width = " + ".join(f"coalesce(strlen({name}), 0)" for name in header) + f" + {len(header)}"
    quoted = source.replace("'", "''")
    return (f"SELECT {cells}, {width} AS width FROM read_csv('{quoted}', header = true, "
            f"auto_detect = false, columns = {{{columns}}}, delim = ',', quote = '', "
            f"escape = '', new_line = '\\n', strict_mode = true)")


def lane_query(header: list[str]) -> str:
    """Every row of batch ``raw`` in file order: ``plain``, the part schema's columns (garbage
    unless plain) and the cells ``c_*``."""
    joins = " ".join(f"LEFT JOIN idmap m_{name} ON m_{name}.kind = '{kind}' "
                     f"AND m_{name}.raw = r.{name}" for name, kind in MAPPED.items())
    stored = {"record_id": "r.txn_id",
              "content_hash": f"sha256({_object(sorted([*FIELDS, 'kind']))})",
              "data": _object(list(FIELDS)), **{name: _typed(name) for name in FIELDS}}
    schema = part_schema(RecordKind.PAYMENT).names
    outputs = ", ".join(f"{stored[name]} AS {name}" for name in schema)
    raw = ", ".join(f"r.{name} AS c_{name}" for name in header)
    return (f"SELECT coalesce({_plain(header)}, false) AS plain, {outputs}, {raw} "
            f"FROM raw r {joins} ORDER BY r.idx")


__all__ = ["FIELDS", "MAPPED", "lane_query", "read_query"]
