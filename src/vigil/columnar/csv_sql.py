"""The SQL of the CSV payment lane: which rows DuckDB may accept alone, and their stored form.

A row is *plain* when every cell is printable ASCII without edge spaces, quote or backslash, the
numbers are short decimals, ``sent_at`` is a UTC ISO 8601 second, and each identifier and
country normalised (by the Python normalisers, once per distinct value) without error. For plain
rows the Payment model's result is a pure function of the text, written here in SQL: the JSON
the model dumps, the content hash over its canonical JSON, the typed columns. Every other row goes
to the Python path (:func:`vigil.importers.rows.parse_row`), which decides it exactly as today.
"""

from __future__ import annotations

from datetime import UTC

from vigil.importers.clock import current_clock
from vigil.records import Payment

FIELDS = tuple(Payment.model_fields)
REQUIRED = ("txn_id", "sender", "beneficiary", "amount", "currency", "amount_usd",
            "sender_country", "beneficiary_country", "sent_at")
DEFAULTS = {"channel": "p2p", "sender_type": "individual", "beneficiary_type": "individual",
            "reference": ""}
MAPPED = {"sender": "payment_account", "beneficiary": "payment_account",
          "sender_phone": "phone", "beneficiary_phone": "phone", "sender_email": "email",
          "beneficiary_email": "email", "sender_country": "country",
          "beneficiary_country": "country"}
"""Fields whose value comes from a Python normaliser applied to each distinct cell."""
FLOATS = ("amount", "amount_usd")

_CELL = r"^[\x21\x23-\x5b\x5d-\x7e]([\x20\x21\x23-\x5b\x5d-\x7e]*[\x21\x23-\x5b\x5d-\x7e])?$"
"""Printable ASCII, no edge space (pydantic strips), no ``"`` or ``\\`` (JSON would escape)."""
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


def _json(name: str) -> str:
    """The field's JSON text: float repr, quoted ASCII string, or null."""
    if name in FLOATS:
        whole = f"coalesce(nullif(ltrim(split_part(r.{name}, '.', 1), '0'), ''), '0')"
        frac = f"coalesce(nullif(rtrim(split_part(r.{name}, '.', 2), '0'), ''), '0')"
        return f"{whole} || '.' || {frac}"
    if name == "kind":
        return "'\"payment\"'"
    if name == "sent_at":
        return "'\"' || left(r.sent_at, 19) || 'Z\"'"
    return f"coalesce('\"' || {_value(name)} || '\"', 'null')"


def _object(names: list[str]) -> str:
    pairs = [f"'\"{name}\":' || {_json(name)}" for name in names]
    return "'{' || " + " || ',' || ".join(pairs) + " || '}'"


def _latest_allowed() -> str:
    """The import clock's latest allowed time as ISO text (``YYYY-MM-DDTHH:MM:SS``, UTC)."""
    latest = current_clock().latest().astimezone(UTC)
    return latest.strftime("%Y-%m-%dT%H:%M:%S")


def _plain() -> str:
    """The predicate of a row DuckDB decides alone."""
    checks = [f"r.{name} IS NOT NULL" for name in REQUIRED]
    checks += [f"(r.{name} IS NULL OR regexp_full_match(r.{name}, '{_CELL}'))" for name in FIELDS]
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
    everything = ", ".join([*(f"r.{n}" for n in FIELDS), *(f"m_{n}.norm" for n in MAPPED)])
    checks.append(f"NOT regexp_matches(concat_ws(' ', {everything}), '{_RUN}')")
    return " AND ".join(f"({check})" for check in checks)


def lane_query() -> str:
    """Every row of table ``raw`` in file order: line, plain flag, raw cells, stored columns."""
    joins = " ".join(f"LEFT JOIN idmap m_{name} ON m_{name}.kind = '{kind}' "
                     f"AND m_{name}.raw = r.{name}" for name, kind in MAPPED.items())
    canonical = _object(sorted([*FIELDS, "kind"]))  # vigil.model.canonical_json: sorted keys
    typed = []
    for name in FIELDS:
        if name in FLOATS:
            typed.append(f"TRY_CAST(r.{name} AS DOUBLE) AS v_{name}")
        elif name == "sent_at":
            typed.append("TRY_CAST(left(r.sent_at, 19) AS TIMESTAMP) AS v_sent_at")
        else:
            typed.append(f"{_value(name)} AS v_{name}")
    raw = ", ".join(f"r.{name} AS c_{name}" for name in FIELDS)
    return (f"SELECT r.rowid + 2 AS line, coalesce({_plain()}, false) AS plain, {raw}, "
            f"r.txn_id AS record_id, sha256({canonical}) AS content_hash, "
            f"{_object(list(FIELDS))} AS data, {', '.join(typed)} "
            f"FROM raw r {joins} ORDER BY r.rowid")


__all__ = ["FIELDS", "MAPPED", "lane_query"]
