"""A monitor's match event as the one record every detector emits: a :class:`Signal`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING

from vigil.identifiers import EntityKind
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.monitor.events import MatchEvent
from vigil.signal_types import PdqSignal

if TYPE_CHECKING:
    from vigil.media.banks.flood import FloodAlert
    from vigil.store.interfaces import Store

MONITOR_SOURCE = "monitor.stream"
MONITOR_VERSION = "2"
"""2: the evidence names the stored observation (``observation_id``) when there is one."""


def signal_from_event(event: MatchEvent, account: str | None = None) -> Signal:
    """Subjects: the streaming account when known, and every matched bank hash.

    The score is that of the media detector for the nearest hit (1.0 at distance 0 down to 0.6 at
    the threshold of 31), so a live match and a batch match of the same frame rank alike. With an
    account, the frame can be stored as a record; the evidence then names that observation, and
    ``vigil run`` leaves the signal to the media detector instead of counting the frame twice.
    """
    from vigil.media.index.base import PDQ_MATCH_THRESHOLD, match_score

    subjects = [EntityRef.of(EntityKind.MEDIA, f"{PdqSignal.name}:{hit.hash}")
                for hit in event.hits]
    roles = {}
    recorded: dict[str, JSONValue] = {}
    if account is not None:
        streamer = EntityRef.of(EntityKind.ACCOUNT, account)
        subjects.append(streamer)
        roles[str(streamer)] = "suspect"
        recorded["observation_id"] = event.observation(account).observation_id
    return Signal(
        source=MONITOR_SOURCE, kind=SignalKind.MEDIA, subjects=tuple(subjects),
        score=match_score(event.distance, PDQ_MATCH_THRESHOLD),
        observed_at=event.decoded_at.astimezone(UTC),
        evidence={"roles": roles, **event.evidence(), **recorded}, explanation=event.describe(),
        detector_version=MONITOR_VERSION)


def keep_findings(store: Store, events: Sequence[MatchEvent], pauses: Sequence[FloodAlert],
                  account: str | None = None) -> None:
    """Store what a monitor found: its matches as signals, and its flood pauses, audited.

    With an account, each matched frame is kept as a media record too (its hashes, never its
    bytes), so a later run links it like an imported one (docs/decisions/0002).
    """
    from vigil.media.banks.lookup import store_flood_pauses

    if account is not None:
        store.add_records([e.observation(account) for e in events])
    store.add_signals([signal_from_event(e, account) for e in events])
    store_flood_pauses(store, store, pauses)
