"""Who uses which identifier (:mod:`vigil.usage`), read where each kind's records lie.

Hub suppression asks only about the identifiers that signals name, so payments kept as Parquet
parts are asked in SQL for those identifiers alone (the same pairs :func:`vigil.usage.
identifier_usage` reads from a payment), and never become Python objects; the other kinds are
read as records, as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from vigil.engines import DuckDBEngine
from vigil.identifiers import EntityKind
from vigil.incremental.arrivals import Mark, RunRecords
from vigil.model import EntityRef, Signal
from vigil.records import Payment, RecordKind
from vigil.usage import Usage, identifier_usage

_PAYMENT_PAIRS = (
    # (used column, used kind, user column): vigil.usage._pairs of a payment
    ("sender_phone", EntityKind.PHONE, "sender"),
    ("sender_email", EntityKind.EMAIL, "sender"),
    ("beneficiary_phone", EntityKind.PHONE, "beneficiary"),
    ("beneficiary_email", EntityKind.EMAIL, "beneficiary"),
    ("beneficiary", EntityKind.PAYMENT_ACCOUNT, "sender"),
    ("sender", EntityKind.PAYMENT_ACCOUNT, "beneficiary"),
)


def run_usage(records: RunRecords, signals: Iterable[Signal]) -> Usage:
    """Usage of every identifier the ``signals`` name, from every kind of stored record."""
    return usage_of(records, {subject for signal in signals for subject in signal.subjects})


def usage_of(records: RunRecords, wanted: set[EntityRef]) -> Usage:
    """Usage of the ``wanted`` identifiers, from every kind of stored record."""
    usage: Usage = defaultdict(set)
    for kind in RecordKind:
        parts = records.parts(kind) if kind is RecordKind.PAYMENT else None
        found = (_payment_usage(parts, wanted, records.filesystem()) if parts is not None
                 else identifier_usage(records.all(kind)))
        for used, users in found.items():
            if used in wanted:
                usage[used].update(users)
    return dict(usage)


def usage_degrees(records: RunRecords, wanted: set[EntityRef]) -> dict[EntityRef, int]:
    """For each ``wanted`` identifier that stored records use, how many distinct users other
    than itself (the degree :func:`vigil.linking.find_hubs_of` reads from :func:`usage_of`).
    Payments kept as parts are counted in SQL (no set of users built in Python), unless
    another kind of record uses the identifier too: then its payment users are read as in
    :func:`usage_of`, so a user of both is counted once (no built-in kind does: payments use
    phones, e-mails and payment accounts, the others accounts, IPs and devices)."""
    parts = records.parts(RecordKind.PAYMENT)
    others: Usage = defaultdict(set)
    for kind in RecordKind:
        if kind is RecordKind.PAYMENT and parts is not None:
            continue
        for used, users in identifier_usage(records.all(kind)).items():
            if used in wanted:
                others[used].update(users)
    degrees: dict[EntityRef, int] = {}
    if parts is not None:
        fs = records.filesystem()
        degrees = _payment_degrees(parts, wanted - others.keys(), fs)
        for used, users in _payment_usage(parts, wanted & others.keys(), fs).items():
            others[used].update(users)
    degrees.update((used, len(users - {used})) for used, users in others.items())
    return degrees


class KnownDegrees:
    """:func:`usage_degrees` asked once per identifier in a run: an incremental run asks first
    which subjects of the changed signals records use, then the hubs among some identifiers,
    then those among the relinked signals' subjects (:mod:`vigil.incremental.region`), and
    each is one pass over the stored payments; records do not change during a run."""

    def __init__(self, records: RunRecords) -> None:
        self._records = records
        self._known: dict[EntityRef, int | None] = {}

    def __call__(self, wanted: set[EntityRef]) -> dict[EntityRef, int]:
        """The degree of each ``wanted`` identifier that records use (one none uses left
        out)."""
        missing = wanted.difference(self._known)
        if missing:
            found = usage_degrees(self._records, missing)
            self._known.update((ref, found.get(ref)) for ref in missing)
        return {ref: degree for ref in wanted if (degree := self._known[ref]) is not None}


def arrived_identifiers(records: RunRecords,
                        marks: Mapping[str, Mark]) -> set[str] | None:
    """Identifiers (``str(EntityRef)``) whose use the records stored since ``marks`` add to:
    the used side of each of their pairs, the only identifiers whose usage they can change.
    ``None`` when what arrived is not known (a kind with records but no mark, or a stale
    mark): then the run relinks everything."""
    found: set[str] = set()
    for kind in RecordKind:
        mark = marks.get(kind.value)
        parts = records.parts(kind) if kind is RecordKind.PAYMENT else None
        if parts is not None:
            arrived_parts = records.arrived_parts(kind, mark)
            if arrived_parts is None:
                return None
            found |= _payment_used(arrived_parts, records.filesystem())
            continue
        if mark is None:
            if records.all(kind):
                return None
            continue
        arrived = records.arrived(kind, mark)
        if arrived is None:
            return None
        found |= {str(used) for used in identifier_usage(arrived)}
    return found


def _payment_used(parts: list[str], fs: Any) -> set[str]:
    """The identifiers on the used side of the payment pairs in ``parts``."""
    if not parts:
        return set()
    engine = DuckDBEngine()
    try:
        engine.register_parquet("arrived", parts, list(Payment.model_fields), fs)
        return {str(EntityRef(kind, row["used"]))
                for used_column, kind, _ in _PAYMENT_PAIRS
                for row in engine.query(f'SELECT DISTINCT "{used_column}" AS used FROM arrived '
                                        f'WHERE "{used_column}" IS NOT NULL')}
    finally:
        engine.close()


def _payment_usage(parts: list[str], wanted: set[EntityRef], fs: Any) -> Usage:
    """Payment usage of the ``wanted`` identifiers, asked of the parts in SQL."""
    usage: Usage = defaultdict(set)
    if not parts:
        return usage
    engine = DuckDBEngine()
    try:
        engine.register_parquet("payments", parts, list(Payment.model_fields), fs)
        for used_column, kind, user_column in _PAYMENT_PAIRS:
            values = sorted(ref.value for ref in wanted if ref.kind is kind)
            if not values:
                continue
            engine.register_table("wanted", {"value": values})
            rows = engine.query(
                f'SELECT DISTINCT "{used_column}" AS used, "{user_column}" AS user '
                f'FROM payments WHERE "{used_column}" IN (SELECT value FROM wanted) '
                f'AND "{user_column}" IS NOT NULL')
            for row in rows:
                usage[EntityRef(kind, row["used"])].add(
                    EntityRef(EntityKind.PAYMENT_ACCOUNT, row["user"]))
    finally:
        engine.close()
    return usage


def _payment_degrees(parts: list[str], wanted: set[EntityRef], fs: Any) -> dict[EntityRef, int]:
    """:func:`usage_degrees` of the ``wanted`` identifiers over payment ``parts`` alone: the
    pairs :func:`_payment_usage` reads, their distinct users (payment accounts) counted in SQL,
    an account not counted as its own user."""
    if not parts or not wanted:
        return {}
    engine = DuckDBEngine()
    try:
        engine.register_parquet("payments", parts, list(Payment.model_fields), fs)
        engine.register_table("wanted", {"kind": [ref.kind.value for ref in wanted],
                                         "value": [ref.value for ref in wanted]})
        pairs = " UNION ALL ".join(
            f"SELECT '{kind.value}' AS kind, \"{used}\" AS used, \"{user}\" AS who "
            f"FROM payments WHERE \"{used}\" IN (SELECT value FROM wanted "
            f"WHERE kind = '{kind.value}') AND \"{user}\" IS NOT NULL"
            for used, kind, user in _PAYMENT_PAIRS)
        rows = engine.query(
            f"SELECT kind, used, COUNT(DISTINCT who) FILTER (WHERE kind <> "
            f"'{EntityKind.PAYMENT_ACCOUNT.value}' OR who <> used) AS degree "
            f"FROM ({pairs}) GROUP BY kind, used")
    finally:
        engine.close()
    return {EntityRef(EntityKind(row["kind"]), row["used"]): int(row["degree"]) for row in rows}


__all__ = ["KnownDegrees", "arrived_identifiers", "run_usage", "usage_degrees", "usage_of"]
