"""A monitor's match event as the one record every detector emits: a :class:`Signal`."""

from __future__ import annotations

from datetime import UTC

from vigil.identifiers import EntityKind
from vigil.model import EntityRef, Signal, SignalKind
from vigil.monitor.events import MatchEvent

MONITOR_SOURCE = "monitor.stream"
MONITOR_VERSION = "1"


def signal_from_event(event: MatchEvent, account: str | None = None) -> Signal:
    """Subjects: the streaming account when known, and every matched bank hash.

    The score is that of the media detector for the nearest hit (1.0 at distance 0 down to 0.6 at
    the threshold of 31), so a live match and a batch match of the same frame rank alike.
    """
    from vigil.media.index.base import PDQ_MATCH_THRESHOLD, match_score

    subjects = [EntityRef.of(EntityKind.MEDIA, f"pdq:{hit.hash}") for hit in event.hits]
    roles = {}
    if account is not None:
        streamer = EntityRef.of(EntityKind.ACCOUNT, account)
        subjects.append(streamer)
        roles[str(streamer)] = "suspect"
    return Signal(
        source=MONITOR_SOURCE, kind=SignalKind.MEDIA, subjects=tuple(subjects),
        score=match_score(event.distance, PDQ_MATCH_THRESHOLD),
        observed_at=event.decoded_at.astimezone(UTC),
        evidence={"roles": roles, **event.evidence()}, explanation=event.describe(),
        detector_version=MONITOR_VERSION)
