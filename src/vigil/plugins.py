"""The explicit list of built-in plug-ins, published through the ``vigil.plugins`` entry point."""

from __future__ import annotations

from vigil.registry import PluginClass


def builtin_plugins() -> list[PluginClass]:
    """Every plug-in vigil ships, in one list (third parties add theirs the same way)."""
    from vigil.detectors.conversations import ConversationLexiconDetector
    from vigil.detectors.media import MediaHashDetector
    from vigil.detectors.reports import PanicReportDetector
    from vigil.exporters.json_cases import JsonCasesExporter
    from vigil.importers.csv_payments import PaymentCsv
    from vigil.importers.jsonl import (
        MediaJsonLines,
        MessageJsonLines,
        PaymentJsonLines,
        ReportJsonLines,
    )
    from vigil.payments.detector import PaymentTypologyDetector

    return [
        MediaHashDetector, ConversationLexiconDetector, PaymentTypologyDetector,
        PanicReportDetector,
        MediaJsonLines, MessageJsonLines, PaymentJsonLines, ReportJsonLines, PaymentCsv,
        JsonCasesExporter,
    ]
