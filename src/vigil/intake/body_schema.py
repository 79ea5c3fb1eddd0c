"""The JSON schema of intake bodies, as precise as the record validators: what it allows is taken.

Pydantic's own schema of a record says ``string`` where the validator wants an account, an IP
address or a country, so a client (or a fuzzer such as schemathesis) that trusts the schema
sends bodies that are refused. Here each field gets what its validator accepts, written as JSON
Schema: the ``platform:handle`` shape of accounts, IPv4/IPv6, ISO 3166-1 country codes, a
non-blank text where blanks are stripped, finite numbers, times as RFC 3339 from 1970 to 2099,
and a media observation's pdq or md5.

Where a validator accepts more than a pattern can say (identifiers typed in other scripts, which
are folded; phone numbers of every country), the schema describes the ASCII, common subset. Two
rules of times no pattern says well are in the description only: the date must exist (no 31
April) and must not be later than the server's clock plus ``VIGIL_MAX_FUTURE_SKEW_HOURS`` (JSON
Schema has no clock); such times are refused with 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from vigil.countries import COUNTRY_CODES
from vigil.records import RECORD_TYPES, RecordKind
from vigil.settings import Settings

_PREFIXED = r"^[A-Za-z0-9][A-Za-z0-9_.-]*:[!-~]+$"
"""``prefix:rest``, as accounts, conversations and payment accounts are written (ASCII)."""
_NOT_BLANK = r"\S"
"""Some character that is not white space (the record strips white space, then needs one)."""
_STRING_SCHEMAS: dict[str, dict[str, Any]] = {
    "account": {"pattern": _PREFIXED, "description": "platform:handle"},
    "payment_account": {"pattern": _PREFIXED, "description": "provider:account id"},
    "conversation": {"pattern": _PREFIXED, "description": "platform:conversation id"},
    "phone": {"pattern": r"^\+(1[2-9][0-9]{2}[2-9][0-9]{6}|639[0-9]{9})$",
              "description": "E.164 (+country code); any possible number is accepted"},
    "email": {"pattern": r"^[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+$", "description": "local@domain.tld"},
    "device": {"pattern": r"^[A-Za-z0-9_.:-]{4,128}$"},
    "country": {"enum": sorted(COUNTRY_CODES), "description": "ISO 3166-1 alpha-2"},
    "text": {"pattern": _NOT_BLANK},
}
_FIELDS: dict[str, str] = {
    "account": "account", "reporter": "account", "reported": "account",
    "recipient": "account", "conversation_id": "conversation",
    "beneficiary": "payment_account", "sender_phone": "phone", "beneficiary_phone": "phone",
    "sender_email": "email", "beneficiary_email": "email", "device": "device",
    "reported_device": "device", "sender_device": "device", "sender_country": "country",
    "beneficiary_country": "country", "report_id": "text", "session_id": "text",
    "reason": "text", "message_id": "text", "txn_id": "text", "observation_id": "text",
    "channel": "text",
}
"""Field name -> what it holds, the same in every kind that has the field."""
_IP_FIELDS = ("ip", "reported_ip", "sender_ip")
_TIME_FIELDS = ("observed_at", "sent_at", "reported_at")
_NUMBER_LIMIT = 1e300
"""Larger JSON numbers overflow to infinity when read, and a record refuses infinity."""


TIME_PATTERN = (r"^(19[7-9][0-9]|20[0-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
                r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])$")
"""RFC 3339 with an offset, years 1970-2099 (:data:`vigil.record_fields.LATEST` is 2100-01-01)."""


def _string_branch(prop: dict[str, Any]) -> dict[str, Any]:
    """The schema of the string a property holds (inside ``anyOf`` when it may be null)."""
    for branch in prop.get("anyOf", []):
        if branch.get("type") == "string":
            return dict(branch)
    return prop


def _with(prop: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``prop`` with its string schema narrowed by ``extra`` (a null branch kept)."""
    if "anyOf" not in prop:
        return {**prop, **extra}
    branches = [{**b, **extra} if b.get("type") == "string" else b for b in prop["anyOf"]]
    return {**prop, "anyOf": branches}


def _numbers(prop: dict[str, Any]) -> dict[str, Any]:
    """pydantic writes ``ge``/``le`` inside a nullable number: JSON Schema's words, and a bound."""
    renamed = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum"}

    def fix(branch: dict[str, Any]) -> dict[str, Any]:
        if branch.get("type") not in ("number", "integer"):
            return branch
        fixed = {renamed.get(k, k): v for k, v in branch.items()}
        if branch["type"] == "number":
            fixed.setdefault("maximum", _NUMBER_LIMIT)
        return fixed

    if "anyOf" in prop:
        return {**prop, "anyOf": [fix(b) for b in prop["anyOf"]]}
    return fix(prop)


def record_schema(kind: RecordKind) -> dict[str, Any]:
    """The JSON schema of one record of ``kind``, each field as its validator accepts it."""
    schema = RECORD_TYPES[kind].model_json_schema()
    time = {"pattern": TIME_PATTERN, "format": None,
            "description": "RFC 3339 with an offset, a real calendar date from 1970 to 2099, "
                           "not later than the server's clock plus VIGIL_MAX_FUTURE_SKEW_HOURS "
                           "(a later one is refused, 422)"}
    properties: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        if name in _FIELDS:
            what = _FIELDS[name]
            if kind is RecordKind.PAYMENT and name == "sender":
                what = "payment_account"
            prop = _with(prop, _STRING_SCHEMAS[what])
        elif name == "sender":
            prop = _with(prop, _STRING_SCHEMAS["account"])
        elif name in _IP_FIELDS:
            prop = _with(prop, {"type": None, "anyOf": [
                {"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]})
        elif name in _TIME_FIELDS:
            prop = _with(prop, time)
        properties[name] = _numbers(prop)
    schema["properties"] = {name: _dropped_nones(p) for name, p in properties.items()}
    if kind is RecordKind.MEDIA:
        schema["anyOf"] = [{"required": [name], "properties": {name: _string_branch(
            schema["properties"][name])}} for name in ("pdq", "md5")]
    return schema


def _dropped_nones(prop: Any) -> Any:
    if isinstance(prop, dict):
        return {k: _dropped_nones(v) for k, v in prop.items() if v is not None}
    if isinstance(prop, list):
        return [_dropped_nones(v) for v in prop]
    return prop


def intake_body_schema(kind: RecordKind) -> dict[str, Any]:
    """The JSON schema of an intake body: one record of ``kind``, or an array of them.

    An array holds at most the default ``VIGIL_API_MAX_BATCH`` records (a deployment may set
    another limit; past it the answer is 413).
    """
    record = record_schema(kind)
    limit = Settings.model_fields["api_max_batch"].default
    return {"anyOf": [record, {"type": "array", "items": record, "minItems": 1,
                               "maxItems": limit}]}
