"""Panic-button reports from video calls: every accepted report becomes a signal.

A report is a person raising an alarm, so none is dropped or merged: two reports against one
account in one session are two signals (their ids differ by ``report_id``), and the case they
join counts both. The score starts from what the reason says and rises when frames the client
captured at the moment of the report match a hash bank.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC
from typing import ClassVar, Self

from vigil.identifiers import EntityKind
from vigil.media.banks.evidence import best_match, describe_match, match_evidence, media_ref
from vigil.media.banks.lookup import MediaLookup
from vigil.media.index.base import Match
from vigil.model import EntityRef, JSONValue, Signal, SignalKind
from vigil.plugin import DetectionContext, Detector, IndexPlugin, PluginTables
from vigil.records import PanicReport, Record, RecordKind, identifiers_of
from vigil.settings import Settings

DEFAULT_REASON_SCORE = 0.3
"""A report whose reason states no indicator phrase. It stays a signal (a human raised an alarm),
but its weight must come from corroboration - the reported account's own signals, frames that
match a bank, a stated minor age - not from its words: reports filed in anger or by mistake are
full of alarming single words ("threat", "payment", "kids") with nothing behind them."""
PHRASE_SCORE = 0.6
"""One indicator phrase: the reporter says *what* happened (asked my age, threatened to share)."""
COMBINED_SCORE = 0.8
"""Two or more kinds of indicator phrase, e.g. "asked my age and to keep it secret": the same
rule as the conversation lexicon, where a combination of kinds counts for more than one kind."""

_YOUNG = r"(?:1[0-7]|[5-9])"
REASON_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # NCMEC "Priority 1 = child believed to be in imminent danger"; CyberTipline
    # escalateToHighPriority, e.g. "immediate risk to child" (CyberTipline Reporting API docs).
    ("minor_at_risk", re.compile(
        r"\b(?:child(?:ren)?|minors?|kids?|girl|boy)\s+(?:is\s+|was\s+|were\s+)?"
        r"(?:in\s+danger|at\s+risk|being\s+(?:abused|exploited|hurt|harmed))"
        r"|\b(?:possible|child|suspected)\s+exploitation\b"
        r"|\bexploit\w*\s+(?:a\s+|the\s+)?(?:child|minor|kid)", re.I)),
    # A stated age under 18 or "underage": the report names a minor, not just a word for one.
    ("stated_minor", re.compile(
        r"\bunder[- ]?age\b|\bunder\s*18\b"
        rf"|\b(?:is|was|looks?|looked|seems?|i'?m|i\s+am)\s+(?:only\s+|about\s+|like\s+)?{_YOUNG}\b"
        rf"(?!\s*(?:min|minutes?|hours?|pm|am))|\b{_YOUNG}\s*(?:years?|yrs?)\s*old\b", re.I)),
    # ChatCoder2 "personal information" asked of a victim (McGhee et al. 2011).
    ("asked_age", re.compile(
        r"\basked\s+(?:me\s+)?(?:for\s+)?(?:my|her|his)\s+age\b|\basked\s+how\s+old\b", re.I)),
    # Secrecy: "Our Little Secret" (ChatCoder2 coding of Perverted-Justice chats).
    ("secrecy", re.compile(
        r"\bkeep\s+(?:it|this|us)\s+(?:a\s+)?secret\b|\bour\s+secret\b|\bnot\s+to\s+tell\b"
        r"|\bdon'?t\s+tell\b|\bdelete\s+the\s+chat\b", re.I)),
    # CyberTipline reportAnnotations "sextortion" (CyberTipline Reporting API docs); Thorn & NCMEC
    # 2024.
    ("threat_to_share", re.compile(
        r"\bthreaten\w*\s+to\s+(?:share|post|send|leak|show)\b"
        r"|\b(?:share|post|send|leak)\w*\s+my\s+(?:photos?|pictures?|pics?|videos?)\b"
        r"|\bsextort\w*|\bblackmail\w*", re.I)),
    # A paid show is the pattern of cybersex trafficking itself: abuse streamed to paying buyers.
    ("paid_show", re.compile(
        r"\bpa(?:y|id|ying)\s+(?:for\s+)?(?:a\s+)?(?:private\s+)?(?:shows?|sessions?)\b"
        r"|\bprivate\s+shows?\b|\bpay-?per-?view\b|\b(?:show|session)\s+for\s+money\b", re.I)),
)
"""Indicator phrases of a report's free text. Single words ("kids", "threat", "payment") are in
none of them on purpose. The scores are vigil's defaults; no source gives numbers."""

_QUOTED_REASON_CHARS = 80


def reason_score(reason: str) -> tuple[float, list[str]]:
    """The base score for a report's reason, and the indicator phrases it states."""
    hits = [name for name, pattern in REASON_PHRASES if pattern.search(reason)]
    if not hits:
        return DEFAULT_REASON_SCORE, []
    return (PHRASE_SCORE if len(hits) == 1 else COMBINED_SCORE), hits


def combined_score(base: float, media: float | None) -> float:
    """Noisy-OR of the reason and the frame match: either alone keeps its score, both raise it.

    Noisy-OR treats the two as independent pieces of evidence, never exceeds 1 and never lowers
    the base, which is what "raised when frames match" asks of it.
    """
    if media is None:
        return base
    return round(1.0 - (1.0 - base) * (1.0 - media), 6)


def frame_matches(report: PanicReport, lookup: MediaLookup) -> list[tuple[int, Match]]:
    """(frame index, match) for every reported frame's match that bank policy keeps.

    Frames carry no quality score, so they are matched as the media detector matches a bare hash:
    with the 8 dihedral variants of the hash (a phone held sideways still matches), and judged
    by the same lookup, so a frame of a known false positive or of a paused entry counts for
    nothing here either.
    """
    return [(index, found.match) for index, frame in enumerate(report.frame_pdqs)
            for found in lookup.judge_pdq(frame, now=report.reported_at).kept]


def _reports(records: Iterable[Record]) -> Iterator[PanicReport]:
    for record in records:
        if not isinstance(record, PanicReport):
            raise TypeError(f"reports.panic takes panic reports, got {type(record)}")
        yield record


def _quoted(reason: str) -> str:
    if len(reason) <= _QUOTED_REASON_CHARS:
        return reason
    return reason[: _QUOTED_REASON_CHARS - 3].rstrip() + "..."


class PanicReportDetector(Detector):
    """Turns each panic report into a signal about the reported account."""

    name: ClassVar[str] = "reports.panic"
    version: ClassVar[str] = "3"
    description: ClassVar[str] = "Panic-button reports, scored by reason and by reported frames"
    consumes: ClassVar[RecordKind] = RecordKind.REPORT
    emits: ClassVar[SignalKind] = SignalKind.REPORT

    def __init__(self, pdq_index: str | IndexPlugin = "brute") -> None:
        self.pdq_index = pdq_index

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(pdq_index=settings.media_index)

    @classmethod
    def from_registry(cls, settings: Settings, registry: PluginTables) -> Self:
        """The registered index, the same object the media detector gets, so both share a lookup."""
        return cls(pdq_index=registry.index(settings.media_index))

    def detect(self, records: Iterable[Record], context: DetectionContext) -> Iterator[Signal]:
        lookup = context.media_lookup(self.pdq_index)
        for report in _reports(records):
            yield self._signal(report, lookup)

    def _signal(self, report: PanicReport, lookup: MediaLookup) -> Signal:
        base, categories = reason_score(report.reason)
        hits = frame_matches(report, lookup)
        media_score = best_match([m for _, m in hits], lookup)[1] if hits else None
        reported = EntityRef(EntityKind.ACCOUNT, report.reported)
        reporter = EntityRef(EntityKind.ACCOUNT, report.reporter)
        evidence: dict[str, JSONValue] = {
            # reported last, so a self-report (reporter == reported) is still a suspect
            "roles": {str(reporter): "reporter", str(reported): "suspect"},
            "report_id": report.report_id,
            "session_id": report.session_id,
            "reason": report.reason,
            "reason_categories": categories,
            "reason_score": base,
            "frame_count": len(report.frame_pdqs),
            "frame_matches": [{"frame_index": i, **match_evidence(m, lookup)} for i, m in hits],
            "media_score": media_score,
        }
        return Signal(
            source=self.name, kind=SignalKind.REPORT,
            subjects=(*identifiers_of(report), *(media_ref(m) for _, m in hits)),
            score=combined_score(base, media_score),
            observed_at=report.reported_at.astimezone(UTC),
            evidence=evidence, explanation=self._explain(report, categories, hits, lookup),
            detector_version=self.version,
        )

    @staticmethod
    def _explain(report: PanicReport, categories: list[str], hits: list[tuple[int, Match]],
                 lookup: MediaLookup) -> str:
        flagged = f" ({', '.join(c.replace('_', ' ') for c in categories)})" if categories else ""
        text = (f"account:{report.reporter} reported account:{report.reported} in session "
                f"'{report.session_id}': \"{_quoted(report.reason)}\"{flagged}.")
        if not hits:
            return text
        best, _ = best_match([m for _, m in hits], lookup)
        frame = next(index for index, m in hits if m is best)
        what = f"reported frame {frame + 1} of {len(report.frame_pdqs)}"
        others = len({index for index, _ in hits}) - 1
        more = f" {others} other frame(s) matched too." if others else ""
        return f"{text} {describe_match(best, lookup, what)}{more}"
