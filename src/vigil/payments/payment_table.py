"""Payments as the ``payments`` table the rule SQL reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vigil.records import Payment


def payment_columns(payments: Sequence[Payment]) -> dict[str, list[Any]]:
    """Payments as the ``payments`` table the rule SQL reads: one column per record field."""
    return {name: [getattr(payment, name) for payment in payments]
            for name in Payment.model_fields}


__all__ = ["payment_columns"]
