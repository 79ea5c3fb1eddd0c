"""The record boundary refuses what later crashed or skewed a run (probe findings 1-5)."""

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from vigil.countries import COUNTRY_CODES, check_country
from vigil.demo.actors import CONSUMER_COUNTRIES, PHILIPPINES
from vigil.demo.clock import DAYS, START
from vigil.importers.csv_payments import PaymentCsv
from vigil.importers.jsonl import PaymentJsonLines
from vigil.records import (
    ChatMessage,
    MediaObservation,
    PanicReport,
    Payment,
    RecordKind,
    check_not_future,
    record_from_dict,
)
from vigil.settings import Settings
from vigil.store.codec import record_from_json, record_to_json

PDQ = "f" * 64
PAYMENT: dict[str, Any] = {
    "txn_id": "t1", "sender": "wise:111", "beneficiary": "gcash:09170000001", "amount": 40,
    "currency": "AUD", "amount_usd": 26.5, "sender_country": "AU", "beneficiary_country": "PH",
    "sent_at": "2026-03-01T10:00:00+00:00",
}
MEDIA: dict[str, Any] = {"observation_id": "m1", "account": "vidchat:a1", "pdq": PDQ,
                         "quality": 90, "observed_at": "2026-03-01T10:00:00+00:00"}
MESSAGE: dict[str, Any] = {"conversation_id": "vidchat:c1", "message_id": "1",
                           "sender": "vidchat:a", "recipient": "vidchat:b", "text": "hi",
                           "sent_at": "2026-03-01T10:00:00+00:00"}
REPORT: dict[str, Any] = {"report_id": "r1", "reporter": "vidchat:a", "reported": "vidchat:b",
                          "session_id": "s1", "reason": "asked age",
                          "reported_at": "2026-03-01T10:00:00+00:00"}
BASE = {RecordKind.PAYMENT: PAYMENT, RecordKind.MEDIA: MEDIA, RecordKind.MESSAGE: MESSAGE,
        RecordKind.REPORT: REPORT}
TIME_FIELD = {RecordKind.PAYMENT: "sent_at", RecordKind.MEDIA: "observed_at",
              RecordKind.MESSAGE: "sent_at", RecordKind.REPORT: "reported_at"}
FLOAT_FIELDS = [(RecordKind.PAYMENT, "amount"), (RecordKind.PAYMENT, "amount_usd"),
                (RecordKind.MEDIA, "frame_time_s")]


def refusal(kind: RecordKind, **changes: Any) -> tuple[str, str]:
    """``(field, message)`` of the first error validating ``BASE[kind]`` with ``changes``."""
    with pytest.raises(ValidationError) as info:
        record_from_dict(kind, {**BASE[kind], **changes})
    error = info.value.errors(include_url=False)[0]
    return ".".join(str(p) for p in error["loc"]), error["msg"]


@pytest.mark.parametrize(("kind", "field"), FLOAT_FIELDS)
@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, "Infinity", "inf", "-inf",
                                   "1e999", "NaN"])
def test_non_finite_numbers_are_refused_naming_the_field(kind: RecordKind, field: str,
                                                         value: object) -> None:
    name, message = refusal(kind, **{field: value})
    assert name == field
    assert "finite" in message or "greater than" in message  # -inf also fails gt/ge 0


@pytest.mark.parametrize(("kind", "field"), [*FLOAT_FIELDS, (RecordKind.MEDIA, "quality")])
@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_not_numbers(kind: RecordKind, field: str, value: bool) -> None:
    name, message = refusal(kind, **{field: value})
    assert name == field
    assert "boolean" in message


def test_numeric_text_is_still_a_number() -> None:
    payment = record_from_dict(RecordKind.PAYMENT, {**PAYMENT, "amount": "12.50",
                                                    "amount_usd": " 8.1 "})
    assert isinstance(payment, Payment)
    assert (payment.amount, payment.amount_usd) == (12.5, 8.1)


@settings(max_examples=150, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True) | st.booleans())
def test_every_accepted_amount_reads_back_from_the_store(value: float) -> None:
    """Infinity used to be accepted, written as null, and then every run failed to read it."""
    try:
        record = record_from_dict(RecordKind.PAYMENT, {**PAYMENT, "amount": value})
    except ValidationError:
        assert isinstance(value, bool) or not math.isfinite(value) or value <= 0
        return
    assert record_from_json(RecordKind.PAYMENT, record_to_json(record)) == record


def test_importers_quarantine_infinite_amounts(tmp_path: Path) -> None:
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text(json.dumps(PAYMENT).replace('"amount": 40', '"amount": Infinity') + "\n"
                     + json.dumps({**PAYMENT, "txn_id": "t2", "amount": "1e999"}) + "\n",
                     encoding="utf-8")
    csv_path = tmp_path / "p.csv"
    header, row = ",".join(PAYMENT), ",".join(str(v) for v in PAYMENT.values())
    csv_path.write_text(f"{header}\n{row.replace(',40,', ',inf,')}\n"
                        f"{row.replace(',40,', ',12.50,')}\n", encoding="utf-8")
    from_jsonl, from_csv = PaymentJsonLines().read(jsonl), PaymentCsv().read(csv_path)
    assert not from_jsonl.records and len(from_jsonl.quarantined) == 2
    assert all(q.reason.startswith("amount:") for q in from_jsonl.quarantined)
    assert [q.reason.split(":")[0] for q in from_csv.quarantined] == ["amount"]
    assert [r.amount for r in from_csv.records if isinstance(r, Payment)] == [12.5]


@pytest.mark.parametrize("code", ["QQ", "XX", "ZZ", "UK", "EU", "AN", "YU", "A1"])
def test_unknown_country_codes_are_refused(code: str) -> None:
    name, message = refusal(RecordKind.PAYMENT, beneficiary_country=code)
    assert name == "beneficiary_country"
    assert "ISO 3166-1" in message


def test_known_country_codes_in_any_case() -> None:
    payment = record_from_dict(RecordKind.PAYMENT, {**PAYMENT, "sender_country": "gb",
                                                    "beneficiary_country": "XK"})
    assert isinstance(payment, Payment)
    assert (payment.sender_country, payment.beneficiary_country) == ("GB", "XK")
    assert len(COUNTRY_CODES) == 250
    with pytest.raises(ValueError, match="GB"):
        check_country("UK")


def test_demo_world_and_payment_rules_use_real_countries() -> None:
    rules = yaml.safe_load((Path(__file__).parents[2] / "src/vigil/config/payment_rules.yaml")
                           .read_text(encoding="utf-8"))
    corridor = rules["corridor"]
    codes = {c.code for c in (*CONSUMER_COUNTRIES, PHILIPPINES)}
    codes |= set(corridor["consumer_countries"]) | set(corridor["high_risk_countries"])
    assert codes <= COUNTRY_CODES


EXTREME_TIMES = ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00",
                 "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00",
                 "1969-12-31T23:59:59+00:00", "1970-01-01T00:30:00+01:00",
                 "2100-01-01T00:00:00+00:00", "2099-12-31T23:00:00-01:00",
                 "2999-01-01T00:00:00+00:00"]


@pytest.mark.parametrize("kind", list(BASE))
@pytest.mark.parametrize("text", EXTREME_TIMES)
def test_times_outside_1970_to_2100_utc_are_refused(kind: RecordKind, text: str) -> None:
    """9999-12-31T23:59:59-23:59 used to be accepted and crash detectors converting to UTC."""
    name, message = refusal(kind, **{TIME_FIELD[kind]: text})
    assert name == TIME_FIELD[kind]
    assert "outside" in message


@pytest.mark.parametrize("text", ["1970-01-01T00:00:00+00:00", "1969-12-31T23:30:00-01:00",
                                  "2099-12-31T23:59:59+00:00", "2100-01-01T13:00:00+14:00"])
def test_times_just_inside_the_range_are_kept(text: str) -> None:
    record = record_from_dict(RecordKind.REPORT, {**REPORT, "reported_at": text})
    assert isinstance(record, PanicReport)
    assert record.reported_at == datetime.fromisoformat(text)


@pytest.mark.parametrize("kind", list(BASE))
@pytest.mark.parametrize("value", [0, 1_700_000_000, 1.7e9, "1700000000", True])
def test_times_given_as_numbers_are_refused(kind: RecordKind, value: object) -> None:
    """Pydantic reads 0 or "1700000000" as Unix seconds; an API client sending them is broken."""
    name, message = refusal(kind, **{TIME_FIELD[kind]: value})
    assert name == TIME_FIELD[kind]
    assert "ISO 8601" in message


def test_naive_times_are_refused() -> None:
    name, message = refusal(RecordKind.MESSAGE, sent_at="2026-03-01T10:00:00")
    assert name == "sent_at"
    assert "timezone" in message


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.integers(min_value=-1439, max_value=1439))
def test_any_accepted_time_converts_to_utc(wall: datetime, offset_minutes: int) -> None:
    moment = wall.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    try:
        record = record_from_dict(RecordKind.MEDIA, {**MEDIA, "observed_at": moment})
    except ValidationError:
        return
    assert isinstance(record, MediaObservation)
    assert datetime(1970, 1, 1, tzinfo=UTC) <= record.observed_at.astimezone(UTC)
    assert record.observed_at.astimezone(UTC) < datetime(2100, 1, 1, tzinfo=UTC)


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("kind", "at", "refused"), [
    (RecordKind.REPORT, "2099-06-01T00:00:00+00:00", True),
    (RecordKind.REPORT, "2026-03-02T13:00:00+00:00", True),
    (RecordKind.REPORT, "2026-03-02T11:00:00+00:00", False),
    (RecordKind.PAYMENT, "2026-03-02T11:00:00-02:00", True),
    (RecordKind.MEDIA, "2026-03-01T12:00:00+00:00", False),
    (RecordKind.MESSAGE, "2020-01-01T00:00:00+00:00", False),
])
def test_check_not_future_names_the_field(kind: RecordKind, at: str, refused: bool) -> None:
    record = record_from_dict(kind, {**BASE[kind], TIME_FIELD[kind]: at})
    reason = check_not_future(record, NOW, timedelta(hours=24))
    assert (reason is not None) is refused
    if reason is not None:
        assert reason.startswith(f"{TIME_FIELD[kind]}: ")
        assert "VIGIL_MAX_FUTURE_SKEW_HOURS" in reason


def test_check_not_future_needs_an_aware_clock_and_honours_zero_skew() -> None:
    message = ChatMessage.model_validate({**MESSAGE, "sent_at": NOW + timedelta(seconds=1)})
    assert check_not_future(message, NOW, timedelta(0)) is not None
    assert check_not_future(message, NOW + timedelta(seconds=1), timedelta(0)) is None
    with pytest.raises(ValueError, match="aware"):
        check_not_future(message, NOW.replace(tzinfo=None), timedelta(hours=1))


def test_future_skew_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().max_future_skew == timedelta(hours=24)
    monkeypatch.setenv("VIGIL_MAX_FUTURE_SKEW_HOURS", "1.5")
    assert Settings().max_future_skew == timedelta(minutes=90)
    with pytest.raises(ValidationError):
        Settings(max_future_skew_hours=-1)


def test_demo_world_is_dated_in_the_past() -> None:
    """The demo must survive importers that apply check_not_future with the real clock."""
    assert START + timedelta(days=DAYS) < datetime.now(UTC)
