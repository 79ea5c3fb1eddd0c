"""A live workspace for the browser tests: the demo world served by uvicorn on 127.0.0.1 at a
random port, and Debian's Chromium driven by Playwright (never Playwright's own browsers).

The tests are skipped, with the reason, where Chromium or Playwright is missing
(``scripts/bootstrap.sh`` installs both).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vigil import DemoWorkspace, Settings, demo_workspace, load_registry

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 800}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("VIGIL_SCREENSHOTS_DIR")
                   or Path(tempfile.gettempdir()) / "vigil-screenshots")
"""Where the flow's screenshots go: ``make screenshots`` sets docs/screenshots (the README's);
a plain ``make test`` leaves the tracked pictures alone."""



@dataclass(frozen=True)
class LiveWorkspace:
    url: str
    demo: DemoWorkspace


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveWorkspace]:
    import uvicorn

    from vigil.web.app import create_app

    folder = tmp_path_factory.mktemp("workspace")
    settings = Settings(database_url=None, media_index="brute")
    built = demo_workspace(folder / "demo", settings, load_registry())
    app = create_app(Settings(database_url=built.main_url, media_index="brute"),
                     background=False)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           ws="none", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield LiveWorkspace(f"http://127.0.0.1:{port}", built)
    server.should_exit = True
    thread.join(timeout=30)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright, for one module: the sync API keeps an event loop
    running in this thread while it is open, which later async-using tests would trip on.
    The test is skipped, with the reason, without them
    (each test asks for ``page`` first, so nothing else is built then)."""
    api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).exists():
        if os.environ.get("VIGIL_REQUIRE_BROWSER") == "1":  # CI: .ci/run sets it
            pytest.fail(f"VIGIL_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    with api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM,
                                          args=["--headless", "--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    problems: list[str] = []
    opened.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    opened.on("pageerror", lambda exc: problems.append(str(exc)))
    opened.console_problems = problems
    yield opened
    context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("async () => JSON.stringify((await axe.run(document, "
                          "{resultTypes: ['violations']})).violations)")
    return [v for v in json.loads(found) if v.get("impact") in ("serious", "critical")]
