"""Python's ``round`` and the benign profile (:func:`~vigil.payments.typology_score.
benign_profile`) a column at a time, value for value the same as one at a time.

``round(x, d)`` is the double nearest to ``N / 10**d``, ``N`` the integer nearest to the exact
``x * 10**d`` (ties to even). NumPy computes ``s = x * 10**d`` rounded once (``10**d`` is exact),
``rint(s)`` and ``rint(s) / 10**d`` (one correctly rounded division of two exact integers:
the same nearest double), so the two agree wherever ``rint(s)`` is ``N``: wherever ``s`` is
further from a half-way point than its rounding error (at most ``2**-52 * |s|``). Values
within ``2**-50 * (|s| + 1)`` of one, past ``2**52`` or not finite are rounded by Python
itself (``tests/payments/test_column_math.py`` holds the two to the same bits).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from vigil.model import JSONValue

Floats = npt.NDArray[np.float64]

_SURE = 2.0 ** -50
_INTEGRAL = 2.0 ** 52


def rounded(values: Floats, digits: int) -> list[float]:
    """``[round(v, digits) for v in values]`` (``0 <= digits <= 22``)."""
    if not 0 <= digits <= 22:
        raise ValueError("digits must be in 0..22 (10**digits exact)")
    scale = float(10 ** digits)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = values * scale
        nearest = np.rint(scaled)
        margin = 0.5 - np.abs(scaled - nearest)
        sure = (margin > _SURE * (np.abs(scaled) + 1.0)) & (np.abs(scaled) < _INTEGRAL)
    result: list[float] = (nearest / scale).tolist()
    for at in np.flatnonzero(~sure).tolist():
        result[at] = round(float(values[at]), digits)
    return result


def benign_columns(kin: Sequence[Any], organisation: Sequence[Any], cadence: Sequence[Any],
                    few_payees: Sequence[Any], payees: Sequence[Any],
                    ) -> list[dict[str, JSONValue]] | None:
    """``benign_profile(float(k), float(o), c, float(f), p)`` of each row of the columns, or
    ``None`` when a share is missing (``float(None)`` fails there: the caller's row-at-a-time
    path raises as it would)."""
    if any(None in column for column in (kin, organisation, few_payees)):
        return None
    kins = np.asarray(kin, dtype=np.float64)
    organisations = np.asarray(organisation, dtype=np.float64)
    cadences = np.asarray([0.0 if value is None else value for value in cadence],
                          dtype=np.float64)
    cadences = np.where(cadences == 0.0, 0.0, cadences)  # ``cadence or 0.0``: -0.0 too
    shaped = cadences * (0.5 + 0.5 * np.asarray(few_payees, dtype=np.float64))
    strongest = np.where(organisations > kins, organisations, kins)  # ``max``: the first
    strongest = np.where(shaped > strongest, shaped, strongest)      # of equals
    return [{"kin_share": k, "organisation_share": o, "cadence": c, "payees": p, "benign": b}
            for k, o, c, p, b in zip(rounded(kins, 4), rounded(organisations, 4),
                                     rounded(shaped, 4), payees, rounded(strongest, 4),
                                     strict=True)]


__all__ = ["benign_columns", "rounded"]
