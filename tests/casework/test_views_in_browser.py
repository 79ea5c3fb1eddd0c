"""The case views in Debian's Chromium, under the strict Content-Security-Policy the workspace
serves: network.js draws every network from its JSON block, a click names what it hit, and
nothing is blocked or thrown on the way. Skipped where Chromium or Playwright is missing."""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.casework.conftest import Demo
from vigil import case_network

CHROMIUM = "/usr/bin/chromium"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "render_case_views.py"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists() and os.environ.get("VIGIL_REQUIRE_BROWSER") != "1":
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)


def _render_script() -> Any:
    spec = importlib.util.spec_from_file_location("render_case_views", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        return


@pytest.fixture(scope="module")
def views_url(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    script = _render_script()
    folder = tmp_path_factory.mktemp("views")
    html = script.render(demo.store, demo.registry, 2, demo.world.seed, reader=None)
    (folder / "case-views.html").write_text(html, encoding="utf-8")
    shutil.copytree(script.STATIC, folder / "static")
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/case-views.html"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def test_networks_are_drawn_under_a_strict_policy(demo: Demo, views_url: str) -> None:
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM,
                                         args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in (
            "error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(views_url)
        page.wait_for_function("() => Array.from(document.querySelectorAll('.network-canvas'))"
                               ".every(c => c.vigilNetwork)")
        drawn = page.evaluate("() => Array.from(document.querySelectorAll('.network-canvas'))"
                              ".map(c => [c.vigilNetwork.nodes().length,"
                              " c.vigilNetwork.edges().length])")
        wanted = [[len(n["nodes"]), len(n["edges"])]
                  for n in (case_network(c) for c in demo.cases[:2])]
        assert drawn == wanted
        node = page.evaluate("() => { const n = document.querySelector('.network-canvas')"
                             ".vigilNetwork.nodes()[0]; return [n.id(), n.renderedPosition()]; }")
        box = page.locator(".network-canvas").first.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + node[1]["x"], box["y"] + node[1]["y"])
        selection = page.locator(".network-selection").first
        sync_api.expect(selection).to_contain_text(node[0])
        browser.close()
    assert problems == []
