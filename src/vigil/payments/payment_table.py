"""Payments as the ``payments`` table the rule SQL reads, and their KYC identifiers read back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from vigil.engines import DuckDBEngine
from vigil.identifiers import EntityKind
from vigil.model import EntityRef
from vigil.records import Payment


def payment_columns(payments: Sequence[Payment]) -> dict[str, list[Any]]:
    """Payments as the ``payments`` table the rule SQL reads: one column per record field."""
    return {name: [getattr(payment, name) for payment in payments]
            for name in Payment.model_fields}


_KYC_COLUMNS = (("sender_phone", EntityKind.PHONE), ("sender_email", EntityKind.EMAIL),
                ("beneficiary_phone", EntityKind.PHONE), ("beneficiary_email", EntityKind.EMAIL))


def kyc_of(engine: DuckDBEngine, txn_ids: list[str]) -> dict[str, set[EntityRef]]:
    """``txn_id -> KYC phone and e-mail refs`` of ``txn_ids``, read from the ``payments`` view
    (the same fields :func:`~vigil.records.identifiers_of` reads from a payment). One
    :class:`EntityRef` per distinct value: a sender's phone is on each of its payments, and a
    frozen dataclass costs a microsecond to build (about 3.7 of a 1M-payment detection's 26
    CPU-s went here: docs/benchmarks.md, "Payment signals built cheaper")."""
    if not txn_ids:
        return {}
    columns = ", ".join(name for name, _ in _KYC_COLUMNS)
    rows = engine.query(f"SELECT txn_id, {columns} FROM payments "
                        "WHERE txn_id IN (SELECT UNNEST(CAST(? AS VARCHAR[])))", [txn_ids])
    refs: dict[tuple[EntityKind, str], EntityRef] = {}
    kyc: dict[str, set[EntityRef]] = defaultdict(set)
    for row in rows:
        found = kyc[row["txn_id"]]
        for name, kind in _KYC_COLUMNS:
            value = row[name]
            if value is not None:
                ref = refs.get((kind, value))
                if ref is None:
                    ref = refs[(kind, value)] = EntityRef(kind, value)
                found.add(ref)
    return kyc


__all__ = ["kyc_of", "payment_columns"]
