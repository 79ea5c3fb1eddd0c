"""The static HTML report as an exporter: the same page ``vigil demo`` writes, for chosen cases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from vigil.model import Case
from vigil.plugin import Exporter
from vigil.report_html import render_report


def latest_signal_time(cases: Sequence[Case]) -> datetime:
    """The newest signal of ``cases``: the report's as-of time, so that exporting the same cases
    twice gives the same recency text (now, when there are no signals)."""
    times = [signal.observed_at for case in cases for signal in case.signals]
    return max(times) if times else datetime.now(UTC)


class HtmlReportExporter(Exporter):
    name = "html"
    media_type = "text/html"
    description = "The HTML report: ranked cases with reasons, signals and a network picture"

    def export(self, cases: Sequence[Case]) -> str:
        return render_report(cases, latest_signal_time(cases), limit=len(cases))
