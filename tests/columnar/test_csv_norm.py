"""The lane's SQL normalisers give what the Python normalisers give, wherever they answer."""

from __future__ import annotations

import random

import duckdb
import pytest
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

from vigil.columnar import csv_norm
from vigil.columnar.csv_norm import NORMALISERS_SQL, norm_sql, phone_rules, register_python_norm
from vigil.countries import check_country
from vigil.identifiers import normalise


def _python(kind: str, value: str) -> str | None:
    try:
        return check_country(value) if kind == "country" else normalise(kind, value)
    except ValueError:
        return None


def _sql(kind: str, values: list[str]) -> dict[str, str | None]:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t AS SELECT unnest(?) AS v", [values])
    rows = connection.execute(f"SELECT v, {NORMALISERS_SQL[kind]('v')} FROM t").fetchall()
    return dict(rows)


def _random_phones(count: int) -> list[str]:
    rng = random.Random(7)
    codes = [str(code) for code in COUNTRY_CODE_TO_REGION_CODE]
    fast = list(phone_rules())
    return ["+" + rng.choice(codes + fast) + "".join(
        rng.choice("0123456789") for _ in range(rng.randint(1, 16))) for _ in range(count)]


VALUES = {
    "payment_account": ["bank:s1", "Wise: AB-9", "bank:AB-12 34", "x: a b-c", "BANK:Ab",
                        "gcash:0917 123 4567", "wu:x", "Western_Union:Z", "a.b-c_d:1", "a:-",
                        "a:  x  y", "-a:b", "a:b:c", "a: -x", "a:", "maya:+63 917 123 4567",
                        "coinsph:12", "p:x\u00e9", "gcash:b43", "G-Cash: b-4 3", "maya:123456",
                        "maya: (12345678", "coinsph:+1234567", "paymaya:abc", "coins.ph:abc",
                        "g-cash:x", "western_union:z", "bank.x-y:a_b.c", "wu:1234567", "0a:b",
                        "gcash:09171234567", "gcash:1234567", "maya:12345678901234567890",
                        "maya:123456789012345678901", "coins.ph:b.1_2", "gcash:0917.123",
                        "gcash:abc", "wu:abc", "gcash:9171234567"],
    "email": ["a@b.c", "A@B.CO", "a@b", "a b@c.d", "@b.c", "a@@b.c", "x.y+z@EXAMPLE.org"],
    "country": ["us", "PH", "uk", "Gb", "XX", "p h", "ph "],
    "phone": ["+6391712345678", "+639171234567", "+1 202 555 0100", "+12025550100", "+0123",
              "+4420794600", "+44", "+1", "+999123456", "+390612345678", *_random_phones(3000)],
}


@pytest.mark.parametrize("kind", sorted(VALUES))
def test_sql_normalisers_agree_with_python_where_they_answer(kind: str) -> None:
    found = _sql(kind, VALUES[kind])
    answered = {v: n for v, n in found.items() if n is not None}
    assert answered == {v: _python(kind, v) for v in answered}
    assert len(answered) >= len(VALUES[kind]) // 10  # the common shapes are answered in SQL


def test_the_lane_falls_back_to_python_once_per_value(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    python_norm = csv_norm._python_norm
    monkeypatch.setattr(csv_norm, "_python_norm",
                        lambda kind, value: asked.append(value) or python_norm(kind, value))
    connection = duckdb.connect()
    values = ["gcash:0917 123 4567", "bank:x", "p:x\u00e9", "gcash:0917 123 4567", None]
    connection.execute("CREATE TABLE raw AS SELECT unnest(?) AS sender", [values])
    register_python_norm(connection)
    found = connection.execute(
        f"SELECT {norm_sql('payment_account', 'sender')} FROM raw").fetchall()
    # Non-ASCII text is left to the importer's row check (folding, confusables).
    assert [n for n, in found] == ["gcash:+639171234567", "bank:x", None, "gcash:+639171234567",
                                   None]
    assert sorted(asked) == ["gcash:0917 123 4567", "p:x\u00e9"]
