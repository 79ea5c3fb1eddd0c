"""Exclusive claims: two analysts never work one case at the same time.

A claim is one row per case (``case_claims``, primary key ``case_id``) in the tenant's store, so
claiming is a single atomic insert: of two analysts claiming the same case at once, the
database lets exactly one insert succeed and the other is told who holds it (ROOST's Coop review
queues work the same way, with an exclusive lock per job). Assigning a case moves its claim to
the assignee. Every claim, release and refused claim is a custody-log event.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from vigil.audit import AuditEvent
from vigil.review import UnknownCaseError, require_actor
from vigil.store import schema
from vigil.store.interfaces import AuditStore, CaseStore
from vigil.store.retry import RetryPolicy, write_transaction


class CaseClaimedError(RuntimeError):
    """The case is held by someone else."""

    def __init__(self, case_id: str, holder: str) -> None:
        super().__init__(f"case {case_id} is claimed by {holder}")
        self.case_id = case_id
        self.holder = holder


@dataclass(frozen=True)
class Claim:
    case_id: str
    holder: str
    claimed_at: datetime


class ClaimStore(Protocol):
    def try_claim(self, claim: Claim) -> Claim:
        """Insert ``claim`` if the case is free; the claim that holds the case either way."""

    def hand_over(self, claim: Claim) -> None:
        """Set the case's holder whoever held it (assignment)."""

    def release(self, case_id: str, holder: str) -> bool:
        """Drop ``holder``'s claim on the case; ``False`` if they did not hold it."""

    def holders(self) -> dict[str, str]:
        """case id -> holder, for every claimed case."""


class MemoryClaimStore:
    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}
        self._lock = threading.Lock()

    def try_claim(self, claim: Claim) -> Claim:
        with self._lock:
            return self._claims.setdefault(claim.case_id, claim)

    def hand_over(self, claim: Claim) -> None:
        with self._lock:
            self._claims[claim.case_id] = claim

    def release(self, case_id: str, holder: str) -> bool:
        with self._lock:
            found = self._claims.get(case_id)
            if found is None or found.holder != holder:
                return False
            del self._claims[case_id]
            return True

    def holders(self) -> dict[str, str]:
        with self._lock:
            return {case_id: c.holder for case_id, c in self._claims.items()}


class SqlClaimStore:
    """Claims in the ``case_claims`` table of a SQL store (whose engine it does not own)."""

    def __init__(self, engine: Engine, retry: RetryPolicy | None = None) -> None:
        self._engine = engine
        self._retry = retry or RetryPolicy()

    def try_claim(self, claim: Claim) -> Claim:
        table = schema.case_claims
        row = {"case_id": claim.case_id, "holder": claim.holder,
               "claimed_at": claim.claimed_at.isoformat()}
        try:
            with write_transaction(self._engine, self._retry) as conn:
                conn.execute(insert(table), [row])
            return claim
        except IntegrityError:
            pass
        with self._engine.connect() as conn:
            found = conn.execute(select(table).where(table.c.case_id == claim.case_id)
                                 ).mappings().one()
        return Claim(found["case_id"], found["holder"],
                     datetime.fromisoformat(found["claimed_at"]))

    def hand_over(self, claim: Claim) -> None:
        table = schema.case_claims
        values = {"holder": claim.holder, "claimed_at": claim.claimed_at.isoformat()}
        with write_transaction(self._engine, self._retry) as conn:
            moved = conn.execute(update(table).where(table.c.case_id == claim.case_id)
                                 .values(**values)).rowcount
            if moved == 0:
                conn.execute(insert(table), [{"case_id": claim.case_id, **values}])

    def release(self, case_id: str, holder: str) -> bool:
        table = schema.case_claims
        with write_transaction(self._engine, self._retry) as conn:
            gone = conn.execute(delete(table).where(table.c.case_id == case_id,
                                                    table.c.holder == holder)).rowcount
        return bool(gone == 1)

    def holders(self) -> dict[str, str]:
        table = schema.case_claims
        with self._engine.connect() as conn:
            return {row.case_id: row.holder
                    for row in conn.execute(select(table.c.case_id, table.c.holder))}


_MEMORY: weakref.WeakKeyDictionary[object, MemoryClaimStore] = weakref.WeakKeyDictionary()


def claim_store(store: object) -> ClaimStore:
    """The claims kept with an opened (tenant) store: its database, or memory for memory stores."""
    from vigil.store.sql import SqlStore

    if isinstance(store, SqlStore):
        return SqlClaimStore(store.engine)
    found = _MEMORY.get(store)
    if found is None:
        found = _MEMORY[store] = MemoryClaimStore()
    return found


def claim_case(claims: ClaimStore, cases: CaseStore, audit: AuditStore, case_id: str, *,
               actor: str, role: str, justification: str = "",
               now: datetime | None = None) -> Claim:
    """Claim ``case_id`` for ``actor``; :class:`CaseClaimedError` if someone else holds it.
    Claiming a case one already holds is a no-op that succeeds."""
    name = require_actor(actor)
    if cases.case(case_id) is None:
        raise UnknownCaseError(case_id)
    at = now or datetime.now(UTC)
    held = claims.try_claim(Claim(case_id, name, at))
    outcome = "success" if held.holder == name else "denied"
    audit.append_audit(AuditEvent(name, "claim", case_id, at, {"holder": held.holder},
                                  role=role, outcome=outcome, case_id=case_id,
                                  justification=justification.strip()))
    if held.holder != name:
        raise CaseClaimedError(case_id, held.holder)
    return held


def release_case(claims: ClaimStore, audit: AuditStore, case_id: str, *, actor: str,
                 role: str) -> bool:
    """Give up ``actor``'s claim on ``case_id``; audited when there was one."""
    name = require_actor(actor)
    released = claims.release(case_id, name)
    if released:
        audit.append_audit(AuditEvent(name, "release", case_id, datetime.now(UTC), {},
                                      role=role, case_id=case_id))
    return released
