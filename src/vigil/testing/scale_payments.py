"""Synthetic payments in bulk, for the scale benchmark and the columnar tests.

Columns are drawn with NumPy a batch at a time, so ten million rows take seconds, not an hour of
Python objects. The shape is made for the typologies to have work: a fifth of the transfers are
small person-to-person payments from consumer countries to the Philippines, from a pool of
senders small enough that many pairs repeat (R1, R2), some beneficiaries collect from many
senders (R4) and amounts drift up over time for some pairs (R5). About one payment in ten
carries a KYC phone or e-mail. Nothing here is a real person, account or transfer.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from vigil.records import Payment

START_SECONDS = 1_704_067_200  # 2024-01-01T00:00:00Z
SPAN_SECONDS = 180 * 86_400
CONSUMERS = np.array(["AU", "US", "GB", "CA", "NZ", "DE", "SE"])
OTHERS = np.array(["PH", "FR", "JP", "SG", "AU", "US", "BR", "IN"])


def _pick(rng: np.random.Generator, prefix: str, pool: int, size: int) -> np.ndarray:
    return np.char.add(prefix, rng.integers(0, max(pool, 1), size).astype(str))


def _maybe(rng: np.random.Generator, values: np.ndarray, share: float) -> pa.Array:
    return pa.array(values, mask=rng.random(len(values)) >= share)


def payment_batch(rng: np.random.Generator, first: int, rows: int, total: int,
                  start: int = START_SECONDS, span: int = SPAN_SECONDS) -> pa.Table:
    """Payments ``first`` to ``first + rows`` of a set of ``total``, as CSV-ready text columns,
    sent within ``span`` seconds from ``start`` (epoch seconds)."""
    corridor = rng.random(rows) < 0.2
    senders = np.where(corridor, _pick(rng, "bank:c", total // 40, rows),
                       _pick(rng, "bank:s", total // 4, rows))
    beneficiaries = np.where(corridor, _pick(rng, "gcash:b", total // 200, rows),
                             _pick(rng, "bank:r", total // 4, rows))
    usd = np.where(corridor, rng.uniform(10, 150, rows), rng.lognormal(6, 1.2, rows))
    usd = np.round(np.maximum(usd, 1.0), 2).astype(str)
    seconds = start + rng.integers(0, span, rows)
    sent_at = np.char.add(np.datetime_as_string(seconds.astype("datetime64[s]")), "Z")
    columns: dict[str, pa.Array | np.ndarray] = {
        "txn_id": np.char.add("t", np.arange(first, first + rows).astype(str)),
        "sender": senders, "beneficiary": beneficiaries,
        "amount": usd, "currency": np.full(rows, "USD"), "amount_usd": usd,
        "sender_country": np.where(corridor, rng.choice(CONSUMERS, rows),
                                   rng.choice(OTHERS, rows)),
        "beneficiary_country": np.where(corridor, "PH", rng.choice(OTHERS, rows)),
        "sent_at": sent_at,
        "sender_phone": _maybe(rng, np.char.add("+6391", rng.integers(
            10_000_000, 99_999_999, rows).astype(str)), 0.1),
        "beneficiary_email": _maybe(rng, np.char.add(np.char.add("u", rng.integers(
            0, total // 10 + 1, rows).astype(str)), "@example.org"), 0.05),
    }
    return pa.table({name: pa.array(values) if isinstance(values, np.ndarray) else values
                     for name, values in columns.items()})


def payment_batches(total: int, seed: int = 1, batch_rows: int = 500_000) -> Iterator[pa.Table]:
    """``total`` synthetic payments in batches of ``batch_rows`` (the same for the same seed)."""
    rng = np.random.default_rng(seed)
    for first in range(0, total, batch_rows):
        yield payment_batch(rng, first, min(batch_rows, total - first), total)


def payments_of(table: pa.Table) -> list[Payment]:
    """A batch as :class:`Payment` objects, for tests that compare with the object path."""
    return [Payment.model_validate({k: v for k, v in row.items() if v is not None})
            for row in table.to_pylist()]


__all__ = ["SPAN_SECONDS", "START_SECONDS", "payment_batch", "payment_batches", "payments_of"]
