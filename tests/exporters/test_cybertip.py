"""CyberTipline-shaped XML: schema-valid, complete where the case allows, refused when not."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from xml.etree.ElementTree import Element, fromstring

import pytest

from tests.core.factories import T0
from tests.exporters.cases import DEVICE, IP, MD5, PDQ, full_case, thin_case
from vigil.confirmation import confirm_case
from vigil.exporters.context import IncompleteReportError
from vigil.exporters.cybertip import CyberTipExporter, cybertip_schema
from vigil.exporters.export import export_cases
from vigil.model import Case
from vigil.store.memory import MemoryStore

EMAIL = "reports@platform.example"


def confirmed_store(*cases: Case, viewed: bool | None = False) -> MemoryStore:
    store = MemoryStore()
    store.replace_cases(list(cases))
    for case in cases:
        confirm_case(store, store, case.id, actor="B. Lead", role="lead", note="checked chat",
                     viewed_by_provider=viewed)
    return store


def texts(root: Element, path: str) -> list[str]:
    return [e.text or "" for e in root.iterfind(path)]


def test_a_confirmed_case_becomes_a_schema_valid_actionable_report() -> None:
    case = full_case()
    store = confirmed_store(case)
    exported = export_cases(store, store, [case.id], CyberTipExporter, "A. Analyst",
                            reporter_email=EMAIL, now=T0)
    assert exported.gaps == []
    assert cybertip_schema().is_valid(exported.text)
    report = fromstring(exported.text.split("\n", 1)[1]).find("report")
    assert report is not None
    assert texts(report, "incidentSummary/incidentType") == ["Child Sex Trafficking"]
    assert "live stream" in texts(report, "incidentSummary/escalateToHighPriority")[0]
    assert report.find("incidentSummary/reportAnnotations/sextortion") is not None
    assert texts(report, "internetDetails/chatIm/chatClient") == ["vidchat"]
    assert texts(report, "reporter/reportingPerson/email") == [EMAIL]
    assert texts(report, "personOrUserReported/screenName") == ["streamer"]
    assert texts(report, "personOrUserReported/ipCaptureEvent/ipAddress") == [IP[3:]]
    assert texts(report, "personOrUserReported/ipCaptureEvent/dateTime") == [
        (T0 + timedelta(minutes=20)).isoformat()]
    assert texts(report, "personOrUserReported/deviceId/idValue") == [DEVICE[7:]]
    assert texts(report, "personOrUserReported/groupIdentifier") == [case.id, case.id]
    assert "payment_account:wise:buyer1" in texts(report, "personOrUserReported/additionalInfo")[0]
    assert texts(report, "victim/screenName") == ["kid"]
    files = {f.findtext("fileName"): f for f in report.iterfind("fileDetails")}
    assert set(files) == {f"pdq-{PDQ}", f"md5-{MD5}"}
    assert all(f.findtext("fileViewedByEsp") == "false" for f in files.values())
    assert files[f"pdq-{PDQ}"].find("fileAnnotations/liveStreaming") is not None
    assert files[f"md5-{MD5}"].find("fileAnnotations") is None
    assert texts(files[f"md5-{MD5}"], "originalFileHash") == [MD5]
    event = store.audit_events()[-1]
    assert event.details["sha256"] == hashlib.sha256(exported.data()).hexdigest()
    assert event.details["report_ids"] == {case.id: report.get("vigilReportId")}


def test_follow_up_reports_on_the_same_person_carry_the_earlier_report_ids() -> None:
    case = full_case()
    store = confirmed_store(case)
    first = export_cases(store, store, [case.id], CyberTipExporter, "A", reporter_email=EMAIL,
                         now=T0)
    later = thin_case()  # a new case, after re-linking, about the same streamer
    store.replace_cases([later])
    confirm_case(store, store, later.id, actor="B", role="lead", note="again",
                 viewed_by_provider=True)
    second = export_cases(store, store, [later.id], CyberTipExporter, "A", reporter_email=EMAIL,
                          now=T0 + timedelta(days=3))
    report = fromstring(second.text.split("\n", 1)[1]).find("report")
    assert report is not None
    assert texts(report, "personOrUserReported/priorCTReports") == [first.report_ids[case.id]]


def test_the_completeness_check_names_every_missing_field_and_refuses_required_ones() -> None:
    case = thin_case()
    store = confirmed_store(case, viewed=None)
    with pytest.raises(IncompleteReportError) as refused:
        export_cases(store, store, [case.id], CyberTipExporter, "A. Analyst")
    named = {(g.field, g.required) for g in refused.value.gaps}
    assert named == {
        ("reporter.reportingPerson.email", True),
        ("personOrUserReported.ipCaptureEvent", False),
        ("personOrUserReported.deviceId", False),
        ("fileDetails.fileViewedByEsp", False),
        ("victim", False),
    }
    assert "VIGIL_REPORTER_EMAIL" in str(refused.value)
    assert [e.action for e in store.audit_events()] == ["confirm"]  # nothing exported
    exported = export_cases(store, store, [case.id], CyberTipExporter, "A", reporter_email=EMAIL)
    assert {g.field for g in exported.gaps} == {f for f, required in named if not required}
    assert cybertip_schema().is_valid(exported.text)


def test_a_case_naming_nobody_in_a_reported_role_is_refused() -> None:
    from tests.exporters.cases import as_case, media

    bare = as_case([media(f"md5:{MD5}", 0, roles={})])
    store = MemoryStore()
    store.replace_cases([bare])  # known-hash only: the gate lets it out, the check does not
    with pytest.raises(IncompleteReportError, match="required personOrUserReported"):
        export_cases(store, store, [bare.id], CyberTipExporter, "A", reporter_email=EMAIL)
