"""One sealed custody entry: an audit event, the store's UTC clock, and its place in the chain.

Each entry carries the leaf hash of the entry before it (a hash chain, so a reader can name the
first broken link without building the tree) and its own leaf hash, ``SHA-256(0x00 || canonical
JSON)`` as RFC 6962 §2.1 hashes a Merkle leaf. The canonical JSON holds every field as the store
keeps it (the event's ``details`` as their stored JSON text), so a single flipped byte anywhere in
a stored entry changes its hash. The sequence number is not hashed: an entry's position is fixed
by the chain and the tree, and leaving it out lets ``verify`` tell a reordered log (every entry
intact, links crossed) from an edited one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from vigil.audit import AuditEvent
from vigil.custody import merkle
from vigil.store import codec

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry: there is nothing before it."""

HASHED_FIELDS = ("actor", "role", "action", "target", "case_id", "outcome", "at",
                 "justification", "details", "recorded_at", "prev_hash")


@dataclass(frozen=True)
class CustodyEntry:
    """A stored audit event with its sequence number, store time and chain hashes (all text)."""

    seq: int
    actor: str
    role: str
    action: str
    target: str
    case_id: str
    outcome: str
    at: str
    justification: str
    details: str
    recorded_at: str
    prev_hash: str
    leaf_hash: str

    def hashed_content(self) -> bytes:
        """The canonical bytes the leaf hash covers: sorted keys, no spaces, UTF-8."""
        fields = asdict(self)
        content = {name: fields[name] for name in HASHED_FIELDS}
        return json.dumps(content, sort_keys=True, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")

    def computed_hash(self) -> str:
        return merkle.leaf_hash(self.hashed_content()).hex()

    def event(self) -> AuditEvent:
        """The audit event this entry records (``ValueError`` if its stored text is malformed)."""
        data = {name: getattr(self, name) for name in HASHED_FIELDS
                if name not in ("recorded_at", "prev_hash")}
        try:
            data["details"] = codec.load_json(self.details)
        except json.JSONDecodeError as exc:
            raise ValueError(f"custody entry {self.seq}: details are not JSON: {exc}") from exc
        return codec.audit_from_dict(data)


def seal(seq: int, event: AuditEvent, prev_hash: str,
         recorded_at: datetime | None = None) -> CustodyEntry:
    """The entry that appends ``event`` after the entry whose leaf hash is ``prev_hash``."""
    row = codec.audit_to_dict(event)
    clock = (recorded_at or datetime.now(UTC)).astimezone(UTC)
    unsealed = CustodyEntry(
        seq=seq, actor=row["actor"], role=row["role"], action=row["action"],
        target=row["target"], case_id=row["case_id"], outcome=row["outcome"], at=row["at"],
        justification=row["justification"], details=codec.dump_json(row["details"]),
        recorded_at=codec.datetime_to_text(clock), prev_hash=prev_hash, leaf_hash="")
    return CustodyEntry(**{**asdict(unsealed), "leaf_hash": unsealed.computed_hash()})


def leaf_digests(entries: list[CustodyEntry]) -> list[bytes]:
    """The entries' stored leaf hashes as bytes, the leaves of the custody Merkle tree."""
    return [bytes.fromhex(e.leaf_hash) for e in entries]
