"""Answers shaped like Meta's Hasher-Matcher-Actioner (HMA) API, over vigil's banks and lookup.

A platform already wired to HMA (facebook/ThreatExchange, hasher-matcher-actioner, its
OpenMediaMatch blueprints ``matching``, ``hashing`` and ``curation``) can point at vigil unchanged:
the same paths, query parameters and JSON shapes. The differences are vigil's, on purpose: every
match goes through :class:`~vigil.media.banks.lookup.MediaLookup`, so paused entries, negative
banks and per-bank thresholds apply (HMA's raw index does not know them); a bank is paused or
resumed, never ``matching_enabled_ratio`` in between; and content ids are derived from the
entry (bank, signal type, hash), since vigil stores no integer id for an entry.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from vigil.bank_review import find_bank, pause_bank, resume_bank
from vigil.media.banks.lookup import MediaLookup
from vigil.media.banks.query import IDENTITY
from vigil.media.banks.records import BankEntry, BankInfo
from vigil.media.index.base import Match
from vigil.media.paths import HashedItem
from vigil.signal_types import SIGNAL_TYPES, SignalType, signal_type
from vigil.store.interfaces import AuditStore, BankStore

HMA_BANK_NAME = r"^[A-Za-z0-9_]{1,100}$"
"""Bank names the curation routes accept (HMA asks for upper case; vigil allows lower case)."""


class HmaRequestError(ValueError):
    """A request HMA refuses: 400 (unknown signal type, bad hash, missing field) or ``status``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def hma_signal_type(name: str) -> type[SignalType]:
    """vigil's signal type for an HMA name (``pdq``, ``video_md5``) or a vigil one (``md5``)."""
    for kind in SIGNAL_TYPES.values():
        if name in (kind.name, kind.pytx_name):
            return kind
    try:
        return signal_type(name)
    except ValueError:
        raise HmaRequestError(f"No such SignalType '{name}'") from None


def _normalised(kind: type[SignalType], signal: str) -> str:
    try:
        return kind.normalise(signal)
    except ValueError as exc:
        raise HmaRequestError(f"invalid signal type: {exc}") from None


def content_id(entry: BankEntry) -> int:
    """A stable integer id for a bank entry: 52 bits of a SHA-256 of (bank, type, hash).

    52 bits, so that JavaScript clients read it exactly (IEEE 754 doubles hold 53-bit integers).
    """
    digest = hashlib.sha256(f"{entry.bank}\0{entry.signal_type}\0{entry.hash}".encode()).digest()
    return int.from_bytes(digest[:7], "big") >> 4


def _judged(lookup: MediaLookup, signal_type_name: str, signal: str) -> list[Match]:
    kind = hma_signal_type(signal_type_name)
    value = _normalised(kind, signal)
    now = datetime.now(UTC)
    if kind.name == "pdq":
        outcome = lookup.judge([(IDENTITY, value)], now=now)
    elif kind.name == "md5":
        outcome = lookup.judge(md5=value, now=now)
    else:
        raise HmaRequestError(f"SignalType '{signal_type_name}' is not enabled")
    return [found.match for found in outcome.kept]


def _bank_names(banks: str | None) -> frozenset[str] | None:
    """HMA's ``banks`` query parameter (comma-separated names) as a set; ``None`` when absent."""
    if not banks:
        return None
    return frozenset(name.strip() for name in banks.split(",") if name.strip())


def _in(matches: list[Match], banks: str | None) -> list[Match]:
    names = _bank_names(banks)
    return matches if names is None else [m for m in matches if m.entry.bank in names]


def _with_distance(match: Match) -> dict[str, Any]:
    """HMA's ``MatchWithDistance``: the content id and the distance as a string."""
    return {"bank_content_id": content_id(match.entry), "distance": str(match.distance)}


def hma_raw_lookup(lookup: MediaLookup, signal_type_name: str, signal: str,
                   include_distance: bool = False,
                   banks: str | None = None) -> dict[str, Any]:
    """``GET /m/raw_lookup``: content ids of the matches (with distances when asked)."""
    matches = _in(_judged(lookup, signal_type_name, signal), banks)
    if include_distance:
        return {"matches": [_with_distance(m) for m in matches]}
    return {"matches": [content_id(m.entry) for m in matches]}


def hma_lookup(lookup: MediaLookup, signal_type_name: str, signal: str,
               banks: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """``GET /m/lookup``: per bank with an enabled matching entry, its matches and distances."""
    answer: dict[str, list[dict[str, Any]]] = {}
    for match in _in(_judged(lookup, signal_type_name, signal), banks):
        answer.setdefault(match.entry.bank, []).append(_with_distance(match))
    return answer


def hma_lookup_hashes(lookup: MediaLookup, hashes: Mapping[str, str],
                      banks: str | None = None) -> dict[str, Any]:
    """``POST /m/lookup`` after hashing an upload: :func:`hma_lookup` per signal type."""
    return {name: hma_lookup(lookup, name, value, banks) for name, value in hashes.items()}


def hma_compare(pairs: Any) -> dict[str, Any]:
    """``POST /m/compare``: ``{signal_type: [left, right]}`` to ``[match, {"distance": n}]``.

    HMA answers each type with its comparison result, a (match, similarity info) pair that
    JSON writes as a two-item array; its own match debugger reads ``[isMatch, details]``.
    """
    if not isinstance(pairs, Mapping):
        raise HmaRequestError("Request input was not a dict")
    answer: dict[str, Any] = {}
    for name, pair in pairs.items():
        kind = hma_signal_type(name)
        if not isinstance(pair, list) or len(pair) != 2 or not all(
                isinstance(p, str) for p in pair):
            raise HmaRequestError(f"Comparison hash list for {name} must be exactly 2 hashes")
        left, right = (_normalised(kind, p) for p in pair)
        distance = kind.distance(left, right)
        answer[name] = [distance <= kind.default_threshold, {"distance": distance}]
    return answer


def hma_index_status(size: int, built_at: datetime | None,
                     signal_type_name: str | None = None) -> dict[str, Any]:
    """``GET /m/index/status``: per signal type, whether the index is present, built to, size."""
    built_to = int(built_at.timestamp()) if built_at is not None else -1
    names: tuple[str, ...] = ("pdq", "video_md5")
    if signal_type_name is not None:
        if signal_type_name not in names:
            raise HmaRequestError(f"No such signal type '{signal_type_name}'")
        names = (signal_type_name,)
    return {name: {"present": built_at is not None, "built_to": built_to, "size": size}
            for name in names}


HMA_UPLOAD_FIELDS = {"photo": ("pdq",), "video": ("video_md5",)}
"""HMA names the upload's form field after its content type, which picks the signal types."""


def hma_hashes(items: Iterable[HashedItem], field: str | None = None) -> dict[str, str]:
    """``/h/hash``: signal type name -> hash, as HMA answers (the first frame of a video).

    A file sent as ``photo`` gets its PDQ, as ``video`` its MD5 (what HMA computes for each);
    under any other field name (vigil's own clients) both.
    """
    first = next(iter(items), None)
    if first is None:
        raise HmaRequestError("nothing to hash")
    hashes = {"pdq": first.pdq, "video_md5": first.md5}
    wanted = HMA_UPLOAD_FIELDS.get(field or "", tuple(hashes))
    return {name: hashes[name] for name in wanted}


def hma_bank(bank: BankInfo) -> dict[str, Any]:
    """A bank as HMA's ``BankConfig`` (name, matching_enabled_ratio) plus vigil's own fields."""
    return {"name": bank.name, "matching_enabled_ratio": 1.0 if bank.enabled else 0.0,
            "signal_type": bank.signal_type, "threshold": bank.threshold,
            "kind": bank.kind.value, "description": bank.description}


def hma_add_signals(banks: BankStore, bank: BankInfo,
                     body: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /c/bank/<name>/signal``: add ``{signal_type: hash}`` to a bank.

    An optional ``note`` (HMA's bank page sends one, at most 255 characters) is the entry's
    label; every other key names a signal type.
    """
    signals = {name: value for name, value in body.items() if name != "note"}
    note = body.get("note") or ""
    if not isinstance(note, str) or len(note) > 255:
        raise HmaRequestError("note should be a string of at most 255 characters")
    if not signals:
        raise HmaRequestError("No signals given")
    entries: list[BankEntry] = []
    for name, value in signals.items():
        kind = hma_signal_type(name)
        if not isinstance(value, str):
            raise HmaRequestError(f"Invalid {name} signal: expected a string")
        entries.append(BankEntry(bank.name, _normalised(kind, value), kind.name, label=note,
                                 source="api"))
    banks.add_bank_entries(entries)
    return {"id": content_id(entries[0]),
            "signals": {hma_signal_type(n).pytx_name: e.hash
                        for n, e in zip(signals, entries, strict=True)}}


def _check_switches(body: Mapping[str, Any]) -> None:
    """400 for a switch of the wrong type, as HMA's ``BankCreateRequest`` refuses it."""
    enabled, ratio = body.get("enabled"), body.get("enabled_ratio")
    if enabled is not None and not isinstance(enabled, bool):
        raise HmaRequestError("Field `enabled` must be true or false")
    if ratio is not None and (isinstance(ratio, bool) or not isinstance(ratio, int | float)
                              or not 0 <= ratio <= 1):
        raise HmaRequestError("Field `enabled_ratio` must be a number from 0 to 1")
    for text in ("description", "reason"):
        if not isinstance(body.get(text, ""), str):
            raise HmaRequestError(f"Field `{text}` must be a string")


def hma_create_bank(banks: BankStore, audit: AuditStore, body: Mapping[str, Any], *,
                    actor: str) -> dict[str, Any]:
    """``POST /c/banks``: ``{"name": ..., "enabled": bool}``; 403 when the bank exists (as HMA)."""
    _check_switches(body)
    name = body.get("name")
    if not isinstance(name, str) or re.fullmatch(HMA_BANK_NAME, name) is None:
        raise HmaRequestError(f"Field `name` must match {HMA_BANK_NAME}")
    if any(bank.name == name for bank in banks.banks()):
        raise HmaRequestError("Bank already exists", status=403)
    banks.add_bank(BankInfo(name, source="api", description=str(body.get("description", ""))))
    if body.get("enabled") is False or body.get("enabled_ratio") == 0:
        pause_bank(banks, audit, name, actor=actor, reason="created paused")
    return hma_bank(find_bank(banks, name))


def hma_update_bank(banks: BankStore, audit: AuditStore, name: str, body: Mapping[str, Any], *,
                    actor: str) -> dict[str, Any]:
    """``PUT /c/bank/<name>``: ``enabled`` (or ``enabled_ratio`` 0/1) pauses or resumes it.

    Renaming is refused: a bank's name is the key its matches, audit events and cases cite.
    """
    _check_switches(body)
    find_bank(banks, name)
    if "name" in body and body["name"] != name:
        raise HmaRequestError("vigil does not rename banks (their name is cited by matches)")
    enabled = body.get("enabled")
    if "enabled_ratio" in body:
        enabled = bool(body["enabled_ratio"])
    reason = str(body.get("reason", "set through the API"))
    if enabled is True:
        resume_bank(banks, audit, name, actor=actor, reason=reason)
    elif enabled is False:
        pause_bank(banks, audit, name, actor=actor, reason=reason)
    return hma_bank(find_bank(banks, name))
