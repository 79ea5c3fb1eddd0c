"""An analyst pauses or resumes a hash bank or one of its hashes, by name, audited.

Moved out of ``vigil bank`` so that the web API pauses a bank exactly as the CLI does. The flood
check pauses entries on its own (:func:`vigil.media.banks.lookup.store_flood_pauses`); only a
named person resumes them, and the same audit actions (``pause_entry``, ``resume_entry``) and
target (``bank/signal_type:hash``) are used for both, so one trail shows who did what.
"""

from __future__ import annotations

from datetime import UTC, datetime

from vigil.audit import AuditEvent
from vigil.media.banks.records import BankInfo
from vigil.review import ANALYST_ROLE, require_actor
from vigil.store.interfaces import AuditStore, BankStore


class UnknownBankError(KeyError):
    """No stored bank (or no such hash in it) has this name (a ``KeyError``, as stores raise)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what

    def __str__(self) -> str:
        return f"no {self.what}"


def find_bank(banks: BankStore, name: str) -> BankInfo:
    """The stored bank called ``name``."""
    found = next((b for b in banks.banks() if b.name == name), None)
    if found is None:
        raise UnknownBankError(f"bank {name!r}")
    return found


def pause_bank(banks: BankStore, audit: AuditStore, name: str, *, actor: str,
               reason: str = "paused by an analyst") -> AuditEvent:
    """Stop a bank from matching until a person resumes it."""
    return _set_bank(banks, audit, name, False, actor, reason)


def resume_bank(banks: BankStore, audit: AuditStore, name: str, *, actor: str,
                reason: str = "resumed by an analyst") -> AuditEvent:
    """Let a paused bank match again."""
    return _set_bank(banks, audit, name, True, actor, reason)


def pause_bank_entry(banks: BankStore, audit: AuditStore, bank: str, signal_type: str,
                     digest: str, *, actor: str, reason: str) -> AuditEvent:
    """Stop one hash of a bank from matching (a known false positive awaiting review)."""
    return _set_entry(banks, audit, (bank, signal_type, digest), False, actor, reason)


def resume_bank_entry(banks: BankStore, audit: AuditStore, bank: str, signal_type: str,
                      digest: str, *, actor: str, reason: str) -> AuditEvent:
    """Let one paused hash match again, e.g. after the flood check paused it.

    A monitor that is running keeps its own flood state; it reads the resumed entry when its
    lookup is next built from the store.
    """
    return _set_entry(banks, audit, (bank, signal_type, digest), True, actor, reason)


def _set_bank(banks: BankStore, audit: AuditStore, name: str, enabled: bool, actor: str,
              reason: str) -> AuditEvent:
    who = require_actor(actor)
    try:
        banks.set_bank_enabled(name, enabled, reason=reason, actor=who)
    except KeyError:
        raise UnknownBankError(f"bank {name!r}") from None
    event = AuditEvent(who, "resume_bank" if enabled else "pause_bank", name, datetime.now(UTC),
                       {"reason": reason}, role=ANALYST_ROLE, justification=reason)
    audit.append_audit(event)
    return event


def _set_entry(banks: BankStore, audit: AuditStore, key: tuple[str, str, str], enabled: bool,
               actor: str, reason: str) -> AuditEvent:
    who = require_actor(actor)
    if not reason.strip():
        raise ValueError("say why; the reason is kept with the bank entry")
    bank, signal_type, digest = key
    try:
        banks.set_bank_entry_enabled(bank, signal_type, digest, enabled, reason=reason,
                                     actor=who)
    except KeyError:
        raise UnknownBankError(f"{signal_type} hash {digest!r} in bank {bank!r}") from None
    event = AuditEvent(who, "resume_entry" if enabled else "pause_entry",
                       f"{bank}/{signal_type}:{digest}", datetime.now(UTC), {"reason": reason},
                       role=ANALYST_ROLE, justification=reason)
    audit.append_audit(event)
    return event


def delete_bank_entry(banks: BankStore, audit: AuditStore, bank: str, signal_type: str,
                      digest: str, *, actor: str, reason: str) -> AuditEvent:
    """Remove one hash from a bank for good (a pause keeps it; this does not), audited."""
    who = require_actor(actor)
    if banks.remove_bank_entries(bank, [(signal_type, digest)]) == 0:
        raise UnknownBankError(f"{signal_type} hash {digest!r} in bank {bank!r}")
    event = AuditEvent(who, "delete_entry", f"{bank}/{signal_type}:{digest}", datetime.now(UTC),
                       {"reason": reason}, role=ANALYST_ROLE, justification=reason)
    audit.append_audit(event)
    return event


def delete_bank(banks: BankStore, audit: AuditStore, name: str, *, actor: str,
                reason: str) -> AuditEvent:
    """Remove a bank and every hash in it, audited with how many hashes went."""
    who = require_actor(actor)
    try:
        removed = banks.remove_bank(name)
    except KeyError:
        raise UnknownBankError(f"bank {name!r}") from None
    event = AuditEvent(who, "delete_bank", name, datetime.now(UTC),
                       {"reason": reason, "entries": removed}, role=ANALYST_ROLE,
                       justification=reason)
    audit.append_audit(event)
    return event
