"""Fuzz-test settings: few examples in ``make test``, many in ``make fuzz``.

``VIGIL_FUZZ_EXAMPLES`` sets the examples per test (default 50); ``make fuzz`` sets 5,000 and
this file prints how many inputs were tried and how many tests failed.
"""

from __future__ import annotations

import pytest

from tests.fuzz.helpers import TRIED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TRIED:
        return
    failed = [r for r in terminalreporter.stats.get("failed", []) if "tests/fuzz" in r.nodeid]
    terminalreporter.write_line(
        f"fuzz: {sum(TRIED.values()):,} inputs tried over {len(TRIED)} targets; "
        f"failures: {len(failed)}")
