"""The parts of a CyberTipline-shaped report (see :mod:`vigil.exporters.cybertip`)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree.ElementTree import Element, SubElement

from vigil.exporters.facts import (
    first_seen,
    has_panic_report,
    has_sextortion,
    live_media,
    seen_with,
)
from vigil.exporters.parties import reported_identifiers, victim_identifiers
from vigil.identifiers import EntityKind
from vigil.model import Case, EntityRef, SignalKind

INCIDENT_TRAFFICKING = "Child Sex Trafficking"
INCIDENT_MATERIAL = "Child Pornography (possession, manufacture, distribution)"
INCIDENT_ENTICEMENT = "Online Enticement of Children for Sexual Acts"
HASH_NAMES = {"md5": "MD5", "sha256": "SHA256", "pdq": "PDQ"}


def incident_type(case: Case) -> str:
    kinds = case.signal_kinds()
    if SignalKind.PAYMENT in kinds:
        return INCIDENT_TRAFFICKING
    return INCIDENT_MATERIAL if SignalKind.MEDIA in kinds else INCIDENT_ENTICEMENT


def escalation(case: Case) -> str | None:
    """The ``escalateToHighPriority`` reason, when a child may be at risk now."""
    reasons = []
    if live_media(case):
        reasons.append("known material matched on a live stream")
    if has_panic_report(case):
        reasons.append("a panic-button report")
    return "; ".join(reasons) + ": a child may be at immediate risk" if reasons else None


def incident_summary(report: Element, case: Case) -> None:
    summary = SubElement(report, "incidentSummary")
    SubElement(summary, "incidentType").text = incident_type(case)
    escalate = escalation(case)
    if escalate:
        SubElement(summary, "escalateToHighPriority").text = escalate
    if has_sextortion(case):
        SubElement(SubElement(summary, "reportAnnotations"), "sextortion")
    first = first_seen(case)
    SubElement(summary, "incidentDateTime").text = first.isoformat() if first else ""
    last = max(s.observed_at for s in case.signals) if case.signals else None
    SubElement(summary, "incidentDateTimeDescription").text = (
        f"first of {len(case.signals)} signal(s); last at {last.isoformat() if last else '-'}")


def _events(parent: Element, case: Case, account: EntityRef) -> None:
    seen: set[tuple[str, str]] = set()
    for ip, signal in seen_with(case, account, EntityKind.IP):
        if (ip.value, signal.observed_at.isoformat()) in seen:
            continue
        seen.add((ip.value, signal.observed_at.isoformat()))
        event = SubElement(parent, "ipCaptureEvent")
        SubElement(event, "ipAddress").text = ip.value
        SubElement(event, "eventName").text = "Other"
        SubElement(event, "dateTime").text = signal.observed_at.isoformat()
    for device, signal in seen_with(case, account, EntityKind.DEVICE):
        event = SubElement(parent, "deviceId")
        SubElement(event, "idType").text = "vigil device id"
        SubElement(event, "idValue").text = device.value
        SubElement(event, "dateTime").text = signal.observed_at.isoformat()


def reported_persons(report: Element, case: Case, prior: Sequence[str]) -> None:
    """One ``personOrUserReported`` per reported account; other reported identifiers (phones,
    emails, payment accounts, wallets) on one more, so none is lost."""
    reported = reported_identifiers(case)
    accounts = [e for e in reported if e.kind is EntityKind.ACCOUNT]
    others = [e for e in reported if e.kind is not EntityKind.ACCOUNT]
    for account in accounts:
        person = SubElement(report, "personOrUserReported")
        platform, _, handle = account.value.partition(":")
        SubElement(person, "espService").text = platform
        SubElement(person, "screenName").text = handle
        _events(person, case, account)
        _linkage(person, case, prior)
    if others:
        person = SubElement(report, "personOrUserReported")
        details = SubElement(person, "personOrUserReportedPerson")
        for kind, tag in ((EntityKind.PHONE, "phone"), (EntityKind.EMAIL, "email")):
            for entity in (e for e in others if e.kind is kind):
                SubElement(details, tag).text = entity.value
        _linkage(person, case, prior)
        money = [str(e) for e in others if e.kind in (EntityKind.PAYMENT_ACCOUNT,
                                                      EntityKind.WALLET)]
        if money:
            SubElement(person, "additionalInfo").text = "payment identifiers: " + ", ".join(money)


def _linkage(person: Element, case: Case, prior: Sequence[str]) -> None:
    for report_id in prior:
        SubElement(person, "priorCTReports").text = report_id
    SubElement(person, "groupIdentifier").text = case.id


def victims(report: Element, case: Case) -> None:
    for entity in victim_identifiers(case):
        victim = SubElement(report, "victim")
        if entity.kind is EntityKind.ACCOUNT:
            platform, _, handle = entity.value.partition(":")
            SubElement(victim, "espService").text = platform
            SubElement(victim, "screenName").text = handle
        else:
            SubElement(victim, "espIdentifier").text = str(entity)


def file_details(report: Element, case: Case, viewed: bool | None) -> None:
    live = live_media(case)
    for media in case.entities_of(EntityKind.MEDIA):
        signal_type, _, digest = media.value.partition(":")
        details = SubElement(report, "fileDetails")
        SubElement(details, "fileName").text = f"{signal_type}-{digest}"
        if viewed is not None:
            SubElement(details, "fileViewedByEsp").text = "true" if viewed else "false"
        SubElement(details, "fileRelevance").text = "Reported"
        if media in live:
            SubElement(SubElement(details, "fileAnnotations"), "liveStreaming")
        if signal_type == "md5":
            SubElement(details, "originalFileHash", hashType="MD5").text = digest
        hashes = SubElement(details, "details", type="HASH")
        pair = SubElement(hashes, "nameValuePair")
        SubElement(pair, "name").text = HASH_NAMES.get(signal_type, signal_type.upper())
        SubElement(pair, "value").text = digest
