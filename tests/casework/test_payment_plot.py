"""The payment timeline: a dot per payment, a series per sender→beneficiary, log scale when the
amounts span a wide range, nothing at all for a case without payments."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from jinja2 import Environment

from tests.casework.conftest import Demo
from vigil import EntityRef, Signal, SignalKind, case_payments, payment_timeline
from vigil.casework.payment_plot import MAX_SERIES, OTHER
from vigil.model import Case
from vigil.records import Payment

NS = {"svg": "http://www.w3.org/2000/svg"}
START = datetime(2026, 2, 1, tzinfo=UTC)


def _payment(n: int, amount: float, sender: str = "wise:1",
             beneficiary: str = "gcash:+639170000001") -> Payment:
    return Payment(txn_id=f"t{n:03d}", sender=sender, beneficiary=beneficiary, amount=amount,
                   currency="USD", amount_usd=amount, sender_country="US",
                   beneficiary_country="PH", sent_at=START + timedelta(days=3 * n))


def _case() -> Case:
    signal = Signal("payments.typologies", SignalKind.PAYMENT,
                    (EntityRef.parse("payment_account:wise:1"),), 0.5, START, {}, "why", "1")
    return Case("case-p", signal.subjects, (signal,), 0.5, ())


def test_the_top_case_plots_each_of_its_payments(demo: Demo) -> None:
    case = demo.cases[0]
    payments = case_payments(case, demo.store)
    plot = payment_timeline(case, payments)
    assert plot is not None and plot["payments"] == len(payments) > 0
    root = ET.fromstring(plot["svg"])
    series = root.findall("svg:g[@class='series']", NS)
    assert len(series) == len(plot["series"])
    assert len(root.findall(".//svg:g[@class='series']/svg:circle", NS)) == len(payments)
    assert sum(row["payments"] for row in plot["series"]) == len(payments)
    named = {str(t) for s in case.signals if s.kind is SignalKind.PAYMENT
             for t in s.evidence.get("txn_ids", [])}
    assert named <= {p.txn_id for p in payments}


def test_each_dot_names_its_payment_and_larger_amounts_sit_higher() -> None:
    payments = [_payment(0, 10.0), _payment(1, 40.0), _payment(2, 25.0)]
    plot = payment_timeline(_case(), payments)
    assert plot is not None and not plot["log_scale"]
    dots = ET.fromstring(plot["svg"]).findall(".//svg:circle", NS)
    heights = [float(d.get("cy", "nan")) for d in dots]
    assert heights[1] < heights[2] < heights[0]  # SVG y grows downwards
    titles = [d.findtext("svg:title", namespaces=NS) or "" for d in dots]
    assert "USD 40.00" in titles[1] and "t001" in titles[1]
    assert "wise:1 → gcash:+639170000001" in titles[0]


def test_a_wide_range_of_amounts_turns_the_axis_logarithmic() -> None:
    plot = payment_timeline(_case(), [_payment(0, 5.0), _payment(1, 30.0), _payment(2, 900.0)])
    assert plot is not None and plot["log_scale"]
    root = ET.fromstring(plot["svg"])
    labels = [t.text for t in root.findall(".//svg:g[@class='axis']//svg:text", NS)]
    assert {"10", "100"} <= set(labels)
    assert "USD (log scale)" in labels


def test_pairs_beyond_the_limit_are_drawn_together() -> None:
    payments = [_payment(i, 20.0 + i, sender=f"wise:{i}") for i in range(MAX_SERIES + 3)]
    plot = payment_timeline(_case(), payments)
    assert plot is not None
    assert len(plot["series"]) == MAX_SERIES
    assert plot["series"][-1]["sender"] == OTHER
    assert plot["series"][-1]["payments"] == 4


def test_no_payments_no_plot_and_the_partial_renders_nothing(partials: Environment) -> None:
    assert payment_timeline(_case(), []) is None
    html = partials.get_template("partials/payment_timeline.html").render(payments=None)
    assert html.strip() == ""


def test_the_partial_lists_each_series(demo: Demo, partials: Environment) -> None:
    case = demo.cases[0]
    plot = payment_timeline(case, case_payments(case, demo.store))
    html = partials.get_template("partials/payment_timeline.html").render(payments=plot)
    assert plot is not None and plot["svg"] in html
    assert html.count('class="series-row"') == len(plot["series"])
