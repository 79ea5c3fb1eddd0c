"""Python's ``round`` and the benign profile a column at a time give, bit for bit, what they give
one value at a time (:mod:`vigil.payments.column_math`)."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.payments.column_math import benign_columns, rounded
from vigil.payments.typology_score import benign_profile


def _bits(value: float) -> bytes:
    return struct.pack("<d", value)


def _near_ties(digits: int) -> st.SearchStrategy[float]:
    """Values at and beside the half-way points of ``digits`` places, and beside the
    rounded values themselves."""
    halves = st.integers(-10 ** 6, 10 ** 6).map(lambda n: (n + 0.5) / 10 ** digits)
    exact = st.integers(-10 ** 6, 10 ** 6).map(lambda n: n / 10 ** digits)
    return st.tuples(st.one_of(halves, exact), st.integers(-4, 4)).map(
        lambda pair: _ulps(pair[0], pair[1]))


def _ulps(value: float, steps: int) -> float:
    for _ in range(abs(steps)):
        value = math.nextafter(value, math.inf if steps > 0 else -math.inf)
    return value


VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-2.0, 2.0),
                   _near_ties(4), _near_ties(6), st.sampled_from([0.0, -0.0, 0.5, -0.5, 2.675,
                                                                  1e300, -1e-300, 5e-324]))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(VALUES, max_size=40), digits=st.sampled_from([0, 1, 4, 6, 10]))
def test_rounded_is_pythons_round_bit_for_bit(values: list[float], digits: int) -> None:
    got = rounded(np.asarray(values, dtype=np.float64), digits)
    want = [round(value, digits) for value in values]
    assert [_bits(v) for v in got] == [_bits(v) for v in want]
    assert all(type(v) is float for v in got)


def test_rounded_takes_python_s_way_at_exact_ties_and_refuses_inexact_scales() -> None:
    ties = [0.125, 0.375, -0.125, 2.5e-5, 1.5e-4, 0.00015]
    assert rounded(np.asarray(ties), 2)[:3] == [0.12, 0.38, -0.12]
    assert rounded(np.asarray(ties), 4) == [round(v, 4) for v in ties]
    with pytest.raises(ValueError):
        rounded(np.zeros(1), 23)


SHARES = st.one_of(st.floats(0.0, 1.0), _near_ties(4).map(abs), st.sampled_from([0.0, 1.0]),
                   st.integers(0, 1))
CADENCES = st.one_of(st.none(), st.just(0.0), st.just(-0.0), st.integers(0, 2),
                     st.floats(0.0, 1.0), _near_ties(4).map(abs))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(SHARES, SHARES, CADENCES, SHARES, st.integers(0, 40)),
                     max_size=30))
def test_benign_columns_are_benign_profile_row_by_row(
        rows: list[tuple[float, float, float | None, float, int]]) -> None:
    columns = [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * 5
    got = benign_columns(*columns)
    want = [benign_profile(float(k), float(o), c, float(f), p) for k, o, c, f, p in rows]
    assert got is not None
    assert [{k: (_bits(v) if isinstance(v, float) else v) for k, v in p.items()} for p in got] \
        == [{k: (_bits(v) if isinstance(v, float) else v) for k, v in p.items()} for p in want]
    assert [list(p) for p in got] == [list(p) for p in want]


def test_benign_columns_leave_a_missing_share_to_the_row_path() -> None:
    assert benign_columns([None], [0.5], [None], [1.0], [2]) is None
    assert benign_columns([0.5], [0.5], [None], [1.0], [2]) == [
        benign_profile(0.5, 0.5, None, 1.0, 2)]
