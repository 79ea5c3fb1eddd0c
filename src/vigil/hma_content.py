"""HMA's per-content curation routes over vigil's bank entries, and bank deletion.

hasher-matcher-actioner's ``curation`` blueprint serves ``GET``, ``PUT`` and ``DELETE`` on
``/c/bank/<bank_name>/content/<content_id>`` and ``DELETE /c/bank/<bank_name>``; these functions
answer them with HMA's JSON shapes. A vigil content id is derived from one entry (bank, signal
type, hash: :func:`vigil.hma.content_id`), so one id names one hash. HMA's
``disable_until_ts`` has two magic values, 0 (disabled) and 1 (enabled), and otherwise a time
until which the content is disabled; vigil pauses an entry until a person resumes it, so it takes
0, 1 and a time already past (enabled), and refuses a time to come rather than pause for ever
without saying so. Every change is audited on the custody log with the API key as the actor.
Finding an entry by id reads the bank's entries (a curation call, not a hot path).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from vigil.bank_review import (
    delete_bank,
    delete_bank_entry,
    pause_bank_entry,
    resume_bank_entry,
)
from vigil.hma import HmaRequestError, content_id, hma_bank, hma_signal_type
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.store.interfaces import AuditStore, BankStore

HMA_DISABLED, HMA_ENABLED = 0, 1
"""``disable_until_ts`` magic values (threatexchange ``BankContentConfig``)."""


def _bank(banks: BankStore, name: str) -> BankInfo:
    """The bank, or HMA's 404 sentence."""
    found = next((b for b in banks.banks() if b.name == name), None)
    if found is None:
        raise HmaRequestError(f"bank '{name}' not found", status=404)
    return found


def _entry(banks: BankStore, bank: str, wanted: int) -> BankEntry:
    for entry in banks.bank_entries(bank):
        if content_id(entry) == wanted:
            return entry
    raise HmaRequestError(f"content '{wanted}' not found", status=404)


def hma_bank_content(banks: BankStore, bank_name: str, wanted: int, *,
                     signal_type: str | None = None,
                     include_signals: bool = False) -> dict[str, Any]:
    """``GET /c/bank/<bank>/content/<id>``: id, bank, enabled; ``signals`` when asked for
    (``signal_type=pdq``, as HMA's Flask blueprint, or ``include_signals=true``)."""
    _bank(banks, bank_name)
    kind = hma_signal_type(signal_type) if signal_type else None
    entry = _entry(banks, bank_name, wanted)
    answer: dict[str, Any] = {"id": wanted, "bank": bank_name, "enabled": entry.enabled,
                              "original_media_uri": None}
    entry_kind = hma_signal_type(entry.signal_type)
    if include_signals or (kind is not None and kind is entry_kind):
        answer["signals"] = {entry_kind.pytx_name: entry.hash}
    return answer


def _enabled_from(body: Mapping[str, Any]) -> bool | None:
    """What ``disable_until_ts`` asks for: True, False, or None (not given)."""
    if "disable_until_ts" not in body:
        return None
    value = body["disable_until_ts"]
    try:
        stamp = int(value) if not isinstance(value, bool) else -1
    except (TypeError, ValueError):
        raise HmaRequestError(f"Invalid int: '{value}'") from None
    if stamp < 0:
        raise HmaRequestError("disable_until_ts must be a non-negative integer")
    if stamp in (HMA_DISABLED, HMA_ENABLED):
        return stamp == HMA_ENABLED
    if stamp <= time.time():
        return True
    raise HmaRequestError("vigil pauses an entry until a person resumes it: send "
                          "disable_until_ts 0 to pause it or 1 to resume it")


def hma_update_bank_content(banks: BankStore, audit: AuditStore, bank_name: str, wanted: int,
                            body: Mapping[str, Any], *, actor: str) -> dict[str, Any]:
    """``PUT /c/bank/<bank>/content/<id>``: pause (0) or resume (1) the entry; HMA's
    ``BankContentConfig`` back (id, disable_until_ts, collab_metadata, original_media_uri,
    bank)."""
    if not isinstance(body, Mapping):
        raise HmaRequestError("this endpoint expects a json object payload")
    bank = _bank(banks, bank_name)
    entry = _entry(banks, bank_name, wanted)
    enabled = _enabled_from(body)
    reason = str(body.get("reason") or "set through the API (disable_until_ts)")
    if enabled is not None and enabled != entry.enabled:
        change = resume_bank_entry if enabled else pause_bank_entry
        change(banks, audit, bank_name, entry.signal_type, entry.hash, actor=actor,
               reason=reason)
    now_enabled = entry.enabled if enabled is None else enabled
    return {"id": wanted, "disable_until_ts": HMA_ENABLED if now_enabled else HMA_DISABLED,
            "collab_metadata": {}, "original_media_uri": None, "bank": hma_bank(bank)}


def hma_delete_bank_content(banks: BankStore, audit: AuditStore, bank_name: str, wanted: int,
                            *, actor: str) -> dict[str, Any]:
    """``DELETE /c/bank/<bank>/content/<id>``: ``{"deleted": n}`` (0 when no such content)."""
    _bank(banks, bank_name)
    try:
        entry = _entry(banks, bank_name, wanted)
    except HmaRequestError:
        return {"deleted": 0}
    delete_bank_entry(banks, audit, bank_name, entry.signal_type, entry.hash, actor=actor,
                      reason="deleted through the API")
    return {"deleted": 1}


def hma_delete_bank(banks: BankStore, audit: AuditStore, bank_name: str, *,
                    actor: str) -> dict[str, Any]:
    """``DELETE /c/bank/<bank>``: the bank and its hashes go; ``{"message": "Done"}``, as HMA
    answers. An unknown bank is a 404 (HMA answers "Done"): in vigil another tenant's bank is
    a 404 on every route, and a delete must not look different."""
    _bank(banks, bank_name)
    delete_bank(banks, audit, bank_name, actor=actor, reason="deleted through the API")
    return {"message": "Done"}
