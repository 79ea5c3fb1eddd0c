"""Every partial, rendered over the demo world, holds nothing a strict Content-Security-Policy
(``script-src 'self'; style-src 'self'``) would block: no inline script, style or handler."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import Environment

from tests.casework.conftest import NOW, Demo
from vigil import (
    Case,
    EntityRef,
    Signal,
    SignalKind,
    bank_status,
    case_network,
    case_payments,
    case_trail,
    detector_status,
    outbox_view,
    payment_timeline,
    signal_timeline,
)

PARTIALS = ("network", "timeline", "payment_timeline", "status", "trail", "outbox")


def _context(demo: Demo, name: str) -> dict[str, object]:
    case = demo.cases[0]
    return {
        "network": lambda: {"network": case_network(case)},
        "timeline": lambda: {"timeline": signal_timeline(case)},
        "payment_timeline": lambda: {"payments": payment_timeline(
            case, case_payments(case, demo.store))},
        "status": lambda: {"banks": bank_status(demo.store, demo.store, now=NOW,
                                                stale_after=timedelta(hours=1)),
                           "detectors": detector_status(demo.registry.detectors, demo.store,
                                                        demo.store)},
        "trail": lambda: {"trail": case_trail(demo.store, case.id)},
        "outbox": lambda: {"outbox": outbox_view(demo.store)},
    }[name]()


@pytest.mark.parametrize("name", PARTIALS)
def test_partials_hold_no_inline_script_style_or_handler(demo: Demo, partials: Environment,
                                                         name: str) -> None:
    html = partials.get_template(f"partials/{name}.html").render(**_context(demo, name))
    assert len(html) > 200
    assert not re.search(r"\sstyle\s*=", html, re.I)
    assert not re.search(r"<style", html, re.I)
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)
    assert not re.search(r"javascript:", html, re.I)
    for script in re.findall(r"<script[^>]*>", html, re.I):
        assert 'type="application/json"' in script


@pytest.mark.parametrize("name", PARTIALS)
def test_partials_take_the_heading_level_of_the_page(demo: Demo, partials: Environment,
                                                     name: str) -> None:
    html = partials.get_template(f"partials/{name}.html").render(heading_level=3,
                                                                 **_context(demo, name))
    assert "<h3 " in html and "<h2" not in html


def test_hostile_identifiers_stay_text(partials: Environment) -> None:
    """Identifiers are whatever a partner's export held; none may become markup or end the
    JSON block early."""
    hostile = (EntityRef.parse("account:app:<img/src=x_onerror=alert(1)>"),
               EntityRef.parse('payment_account:bank:</script><b>"x'))
    signal = Signal('det"<b>', SignalKind.PAYMENT, hostile, 0.7,
                    datetime(2026, 3, 1, tzinfo=UTC), {}, "why", "1<i>")
    case = Case("case-<x>", hostile, (signal,), 0.7, ())
    html = (partials.get_template("partials/network.html").render(network=case_network(case))
            + partials.get_template("partials/timeline.html").render(
                timeline=signal_timeline(case)))
    assert "<img" not in html and "<b>" not in html and "<i>" not in html
    assert html.count("</script>") == 1  # the JSON block's own end, and no other
    ET.fromstring(signal_timeline(case)["svg"])  # still well-formed XML
