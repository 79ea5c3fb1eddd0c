"""Docs stay true: every setting documented, every CLI command in the README, public API pinned."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

import vigil
from vigil.cli.main import app
from vigil.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CITED_FILES = ("src", "docs", "benchmarks", "README.md", "Makefile")
SECTION_CITATION = re.compile(
    r"\b([\w-]+)\.md,?\s+(?:#\s*)?(?:§\s?|section\s+|R(?=\d))(\d+(?:\.\d+)*)")
"""'media.md §2.1', 'payments.md section 6', 'payments.md R11', also wrapped onto a comment's next
line: a numbered section of a file named by its file name."""


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"VIGIL_{name.upper()}" in text, f"VIGIL_{name.upper()} missing from docs"


def _cli_commands() -> Iterator[tuple[str, Any]]:
    """Every command of the ``vigil`` app, hidden ones included, as ("vigil bank import", command);
    groups (``vigil cases``) come before their commands. Typer's own click types, so ``Any``."""
    def walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        yield path, command
        if isinstance(command, TyperGroup):
            for name, sub in sorted(command.commands.items()):
                yield from walk(sub, f"{path} {name}")
    yield from walk(typer.main.get_command(app), "vigil")


def _leaf_commands() -> list[str]:
    return [path for path, command in _cli_commands() if not isinstance(command, TyperGroup)]


def test_the_cli_walk_finds_nested_commands() -> None:
    found = _leaf_commands()
    expected = {"vigil run", "vigil cases status", "vigil bank import", "vigil bank resume"}
    assert expected <= set(found)
    assert "vigil cases" not in found


def test_readme_shows_the_two_commands_and_every_cli_command() -> None:
    text = (ROOT / "README.md").read_text()
    assert "make demo" in text and "make test" in text
    missing = [path for path in _leaf_commands()
               if not re.search(rf"(?<![\w-]){re.escape(path)}(?![\w-])", text)]
    assert not missing, f"commands missing from README.md: {missing}"


@pytest.mark.parametrize("path", [path for path, _ in _cli_commands()])
def test_every_cli_command_has_help(path: str) -> None:
    command = dict(_cli_commands())[path]
    assert (command.help or "").strip(), f"{path} has no help text"
    result = CliRunner().invoke(app, [*path.split()[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and (command.help or "").split()[0] in result.output


def _dangling_citations(text: str, docs: Path) -> list[str]:
    """Citations of a numbered section of a .md file that ``docs`` has no heading for."""
    dangling = []
    for match in SECTION_CITATION.finditer(text):
        name, number = match.groups()
        page = docs / f"{name}.md"
        headings = [line for line in page.read_text().splitlines()
                    if line.startswith("#")] if page.is_file() else []
        section = re.compile(rf"(?<![\w.]){re.escape(number)}(?!\d|\.\d)")
        if not any(section.search(heading) for heading in headings):
            dangling.append(match.group(0))
    return dangling


def test_the_citation_check_tells_real_sections_from_missing_ones(tmp_path: Path) -> None:
    (tmp_path / "guide.md").write_text("# Guide\n\n## 2. Banks\n\n### 2.1 Thresholds\n")
    text = ("see guide.md §2.1 and guide.md §2; not guide.md §2.2, guide.md §12, "
            "guide.md §1, media.md §2.1, payments.md section 6 or payments.md R11; (see\n"
            "conversations.md\n# §1.3)")
    assert _dangling_citations(text, tmp_path) == [
        "guide.md §2.2", "guide.md §12", "guide.md §1", "media.md §2.1",
        "payments.md section 6", "payments.md R11", "conversations.md\n# §1.3"]


def test_no_citation_of_a_section_outside_the_repository() -> None:
    """A reader can only follow a section cited in a doc the repository has (``docs/*.md``);
    the shared reference files are outside it, so code cites their public sources instead."""
    found = []
    for top in CITED_FILES:
        root = ROOT / top
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ""}:
                found += [f"{path.relative_to(ROOT)}: {citation}" for citation in
                          _dangling_citations(path.read_text(errors="replace"), ROOT / "docs")]
    assert not found, "\n".join(found)


def test_docs_link_only_to_files_that_exist() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for target in _relative_links(page.read_text()):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def _relative_links(text: str) -> list[str]:
    import re

    return [m for m in re.findall(r"\]\(([^)#]+)\)", text) if "://" not in m]


def test_public_api_is_pinned() -> None:
    assert sorted(vigil.__all__) == sorted([
        # records
        "signal_type",
        "Case", "CaseStatus", "EntityKind", "EntityRef", "Reason", "RecordKind", "Signal",
        "SignalKind", "__version__", "normalise",
        # settings, store, registry
        "AuditStore", "BankStore", "CaseStore", "Registry", "Settings", "Store",
        "UnsupportedDatabaseURL", "load_registry", "open_store", "StoreError", "StoreLocation",
        "hide_password", "locate_store", "open_located_store", "store_failure_text",
        "store_summary", "AnonymousExportError", "UnknownCasesError", "export_cases",
        "UnknownPluginError",
        # import and run
        "DemoResult", "FileSummary", "NoImporterError", "RunResult", "StepCallback",
        "build_detectors", "case_to_json", "import_files", "run", "run_demo",
        # the columnar record store
        "RecordStore", "RecordsLocationError", "columnar_records", "migrate_records",
        "record_store_for", "MoveError", "move_records",
        # review, audited
        "AnonymousActorError", "UnknownBankError", "UnknownCaseError", "add_case_note",
        "assign_case", "case_history", "current_assignee", "find_bank", "pause_bank",
        "pause_bank_entry", "resume_bank", "resume_bank_entry", "set_case_status",
        "require_actor",
        # the custody log
        "HeadSigner", "SignedHead", "VerifyReport", "custody_signer", "sign_custody_head",
        "verify_custody_log", "open_case",
        # the human gate and filing
        "Confirmation", "confirm_case", "decisions", "dismiss_case", "IncompleteReportError",
        "Decision", "OutboundRefusedError", "outbound_allowed", "LedgerRow", "error_ledger",
        "share_export", "share_import", "PartnerKeyError", "load_partner_keys", "partner_key",
        "ShareFileError",
        # the delivery outbox
        "DeliveryStatus", "Destination", "DestinationError", "OutboxPolicy", "enqueue_export",
        "load_destinations", "load_secrets", "outbox_summary", "retry_dead", "run_outbox",
        # retention, holds and jurisdictions
        "Hold", "HoldRefusedError", "Jurisdiction", "JurisdictionError", "RetentionPlan",
        "detectors_off_by_law", "lift_hold", "load_jurisdictions", "preservation_holds",
        "profile_for", "run_retention", "set_hold_until",
        # banks and media
        "BANK_FORMATS", "BankEntry", "BankFileError", "BankInfo", "BankKind", "BankSpec",
        "FloodConfig", "MatchEvent", "MediaLookup", "Sampling", "StreamMonitor", "StreamStats",
        "export_bank", "format_vpdq", "hash_path", "keep_findings", "load_bank", "match_path",
        "signal_from_event",
        # files that cannot be read; the index cache
        "MediaFileError", "cached_lookup", "file_error", "index_cache_dir",
        # workspace accounts, sessions, authorisation, reviewer wellness
        "Account", "AccountError", "AccountService", "AccountStore", "Enrolment",
        "LoginRefused", "NewSession", "Reveal", "RevealRefused", "Role", "SessionInvalid",
        "SessionRules", "Target", "UnknownAccountError", "account_store", "can", "csrf_token",
        "reveal_message",
        # logon through an organisation's identity provider (OIDC)
        "IdentityProvider", "OidcConfig", "OidcError", "OidcProvider", "PendingLogons",
        "UnmappedIdentity", "account_for_claims", "provider_from_settings",
        # the admins' account page
        "AccountAdmin", "AccountChangeRefused", "NewAccount",
        # the analyst workspace: claims, queue, masked messages, demo accounts
        "BulkOutcome", "CaseClaimedError", "Claim", "ClaimStore", "DemoWorkspace",
        "MaskedMessage", "NotInCaseError", "QueueFilter", "QueueRow", "assign_and_hand_over",
        "case_jurisdictions", "case_messages", "claim_case", "claim_store", "demo_workspace",
        "dismiss_cases", "message_text", "queue_jurisdictions", "queue_rows", "release_case",
        # conversations
        "ChatEvalResult", "ChatFileError", "ChatScan", "build_chat_model", "format_chat_eval",
        "run_chat_eval", "scan_chat_files",
        # the web service: intake, keys and tenants, HMA-shaped answers, uploads
        "ApiKey", "KeySpecError", "KeyStore", "Scope", "create_key", "key_store_for",
        "verify_key", "Tenant", "TenantStores", "UnknownTenantError", "readiness",
        "tenant_store_url", "HmaRequestError", "hma_add_signals", "hma_bank", "hma_compare",
        "hma_hashes", "hma_index_status", "hma_lookup", "hma_lookup_hashes", "hma_raw_lookup",
        "IdempotencyConflict", "BatchTooLarge", "FieldProblem", "IntakeRejected", "parse_body",
        "Intake", "Receipt", "UploadTooLarge", "hashed_upload", "HashedItem",
        "hma_create_bank", "hma_update_bank", "intake_body_schema",
        "hma_bank_content", "hma_delete_bank", "hma_delete_bank_content", "hma_update_bank_content",
        # the workspace's case views
        "BankStatus", "CaseNetwork", "CaseTrail", "DetectorStatus", "OutboxView",
        "PaymentTimeline", "SignalTimeline", "bank_status", "case_network", "case_payments",
        "case_trail", "detector_status", "outbox_view", "payment_timeline", "signal_timeline",
        # payments: scan, account scores, explain, SAR drafts
        "AccountScore", "AccountTimeline", "AlertPolicy", "PaymentScan", "RuleHit",
        "UnknownAccountPayments", "account_timeline", "plot_timeline", "scan_payment_files",
        "write_scan_drafts", "InlineResult", "InlineScorer",
    ])
