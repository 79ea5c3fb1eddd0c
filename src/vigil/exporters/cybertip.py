"""Cases as CyberTipline-shaped XML (NCMEC CyberTipline Reporting API documentation), checked
against the schema vigil ships (``schemas/cybertip.xsd``) and for completeness before export.

The fields that make a report actionable downstream (who, IP addresses with times, devices,
whether the provider viewed the file, earlier reports on the same person) are all optional in
the API, and the Stanford Internet Observatory's 2024 study of the CyberTipline ("The Strengths
and Weaknesses of the Online Child Safety Ecosystem") found their absence is why police cannot
prioritise reports. So :func:`cybertip_gaps` names every one a case lacks, and refuses the
export when a required one is missing.

How a case maps (docs/exports.md has the table): a payment signal makes the incident "Child Sex
Trafficking" (paid live-streamed abuse), else a media match "Child Pornography (possession,
manufacture, distribution)", else "Online Enticement of Children for Sexual Acts"; a live-stream
match or a panic report escalates to high priority; a chat threat to share images is the
``sextortion`` annotation; reported persons are the identifiers in a suspect, payer or payee role,
victims those in a victim or target role; each bank hash is a file with its hashes, the
``liveStreaming`` annotation when seen on a stream, and ``fileViewedByEsp`` from the person's
confirmation (never guessed: omitted when they did not say).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from vigil.exporters.context import CaseFileExporter, ExportContext, Gap
from vigil.exporters.cybertip_parts import (
    file_details,
    incident_summary,
    reported_persons,
    victims,
)
from vigil.exporters.facts import first_seen, seen_with
from vigil.exporters.parties import reported_identifiers, victim_identifiers
from vigil.identifiers import EntityKind
from vigil.model import Case

if TYPE_CHECKING:
    import xmlschema

SCHEMA_PATH = Path(__file__).parent / "schemas" / "cybertip.xsd"


@functools.cache
def cybertip_schema() -> xmlschema.XMLSchema:
    import xmlschema  # here: about 0.1 s to import, paid by every registry load before

    return xmlschema.XMLSchema(str(SCHEMA_PATH))


def cybertip_gaps(case: Case, context: ExportContext) -> list[Gap]:
    """Every actionable field the report on ``case`` would lack; required ones stop the export."""
    gaps: list[Gap] = []

    def gap(name: str, required: bool, why: str) -> None:
        gaps.append(Gap(case.id, name, required, why))

    if not (context.reporter_email or "").strip():
        gap("reporter.reportingPerson.email", True, "set VIGIL_REPORTER_EMAIL")
    if first_seen(case) is None:
        gap("incidentSummary.incidentDateTime", True, "the case has no signal with a time")
    reported = reported_identifiers(case)
    if not reported:
        gap("personOrUserReported", True, "no identifier in a suspect, payer or payee role")
    accounts = [e for e in reported if e.kind is EntityKind.ACCOUNT]
    if not any(True for a in accounts for _ in seen_with(case, a, EntityKind.IP)):
        gap("personOrUserReported.ipCaptureEvent", False,
            "no IP address seen with a reported account, with its time")
    if not any(True for a in accounts for _ in seen_with(case, a, EntityKind.DEVICE)):
        gap("personOrUserReported.deviceId", False, "no device seen with a reported account")
    if case.entities_of(EntityKind.MEDIA) and context.viewed_by_provider(case) is None:
        gap("fileDetails.fileViewedByEsp", False, "the confirmation does not say whether a "
            "person viewed the files (vigil cases confirm --viewed-by-provider yes|no)")
    if not victim_identifiers(case):
        gap("victim", False, "no identifier in a victim or target role")
    return gaps


def build_report(case: Case, context: ExportContext) -> Element:
    """One ``<report>`` element, in the schema's order."""
    report = Element("report", vigilReportId=context.report_id(case), vigilCaseId=case.id)
    incident_summary(report, case)
    for platform in sorted({e.value.partition(":")[0] for e in case.entities_of(
            EntityKind.ACCOUNT)}):
        chat = SubElement(SubElement(report, "internetDetails"), "chatIm")
        SubElement(chat, "chatClient").text = platform
    reporting = SubElement(SubElement(report, "reporter"), "reportingPerson")
    SubElement(reporting, "email").text = context.reporter_email or ""
    reported_persons(report, case, context.prior_reports.get(case.id, ()))
    victims(report, case)
    file_details(report, case, context.viewed_by_provider(case))
    decision = context.decisions.get(case.id)
    SubElement(report, "additionalInfo").text = "\n".join([
        f"Prepared by vigil for {context.analyst or 'review'}; gate: "
        f"{decision.reason if decision else 'not through the gate'}.",
        *(str(r) for r in case.reasons)])
    return report


class CyberTipExporter(CaseFileExporter):
    name = "cybertip"
    media_type = "application/xml"
    description = "CyberTipline-shaped XML, schema-checked, refused when required fields miss"

    def gaps(self, cases: Sequence[Case], context: ExportContext) -> list[Gap]:
        return [gap for case in cases for gap in cybertip_gaps(case, context)]

    def render(self, cases: Sequence[Case], context: ExportContext) -> str:
        root = Element("reports")
        root.extend(build_report(case, context) for case in cases)
        indent(root)
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, "unicode") + "\n"
        cybertip_schema().validate(text)
        return text
