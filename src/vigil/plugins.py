"""The explicit list of built-in plug-ins, published through the ``vigil.plugins`` entry point."""

from __future__ import annotations

from vigil.registry import PluginClass


def builtin_plugins() -> list[PluginClass]:
    """Every plug-in vigil ships, in one list (third parties add theirs the same way)."""
    from vigil.detectors.chat_model import ConversationModelDetector
    from vigil.detectors.conversations import ConversationLexiconDetector
    from vigil.detectors.media import MediaHashDetector
    from vigil.detectors.reports import PanicReportDetector
    from vigil.engines import DuckDBEngine
    from vigil.exporters.csv_cases import CsvCasesExporter
    from vigil.exporters.cybertip import CyberTipExporter
    from vigil.exporters.html_report import HtmlReportExporter
    from vigil.exporters.json_cases import JsonCasesExporter
    from vigil.exporters.misp import MispEventExporter
    from vigil.exporters.stix import StixBundleExporter
    from vigil.exporters.vics_case import VicsCaseExporter
    from vigil.importers.csv_payments import PaymentCsv
    from vigil.importers.iso20022 import Iso20022Payments
    from vigil.importers.jsonl import (
        MediaJsonLines,
        MessageJsonLines,
        PaymentJsonLines,
        ReportJsonLines,
    )
    from vigil.importers.mt103 import Mt103Payments
    from vigil.importers.p2p_csv import P2pWalletCsv
    from vigil.media.banks.formats import BANK_FORMATS
    from vigil.media.index.factory import INDEX_DESCRIPTIONS
    from vigil.payments.detector import PaymentTypologyDetector
    from vigil.payments.rules import PAYMENT_RULES
    from vigil.payments.score_detector import TypologyScoreDetector
    from vigil.plugin import IndexPlugin, ScorerPlugin
    from vigil.signal_types import SIGNAL_TYPES
    from vigil.spark_engine import SparkEngine
    from vigil.triage import SCORERS

    return [
        MediaHashDetector, ConversationLexiconDetector, ConversationModelDetector,
        PaymentTypologyDetector, TypologyScoreDetector,
        PanicReportDetector,
        MediaJsonLines, MessageJsonLines, PaymentJsonLines, ReportJsonLines, PaymentCsv,
        Iso20022Payments, Mt103Payments, P2pWalletCsv,
        JsonCasesExporter, HtmlReportExporter, CyberTipExporter, StixBundleExporter,
        MispEventExporter, VicsCaseExporter, CsvCasesExporter,
        *BANK_FORMATS.values(),
        *(IndexPlugin(name, text) for name, text in INDEX_DESCRIPTIONS.items()),
        DuckDBEngine, SparkEngine,
        *(ScorerPlugin(name, score, _SCORER_TEXT.get(name) or _first_line(score.__doc__))
          for name, score in SCORERS.items()),
        *SIGNAL_TYPES.values(),
        *PAYMENT_RULES.values(),
    ]


_SCORER_TEXT = {
    "corroboration": "distinct kinds of signal in the case (media, conversation, payment, report)",
    "strongest": "the highest single signal score",
    "payers": "distinct accounts in the payer role",
    "victims": "distinct accounts in the victim role",
    "recency": "how recent the latest signal is, relative to the run's as-of time",
}
"""One line per built-in scorer for ``vigil plugins`` (as triage.yaml explains the weights)."""


def _first_line(doc: str | None) -> str:
    return (doc or "").strip().splitlines()[0] if (doc or "").strip() else ""
