"""The signal timeline: an accessible SVG, one lane per kind, a dot per signal, date ticks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from jinja2 import Environment

from tests.casework.conftest import Demo
from vigil import EntityRef, Signal, SignalKind, signal_timeline
from vigil.casework.svg import time_ticks
from vigil.model import Case

NS = {"svg": "http://www.w3.org/2000/svg"}


def test_one_lane_per_kind_and_one_dot_per_signal(demo: Demo) -> None:
    for case in demo.cases[:5]:
        root = ET.fromstring(signal_timeline(case)["svg"])
        lanes = root.findall("svg:g[@class='lane']", NS)
        kinds = [k.value for k in SignalKind if k in case.signal_kinds()]
        assert [lane.get("data-kind") for lane in lanes] == kinds
        for lane in lanes:
            wanted = sum(s.kind.value == lane.get("data-kind") for s in case.signals)
            assert len(lane.findall("svg:circle", NS)) == wanted
            label = lane.find("svg:text", NS)
            assert label is not None and label.text == f"{lane.get('data-kind')} ({wanted})"


def test_the_svg_is_named_and_described_for_screen_readers(demo: Demo) -> None:
    case = demo.cases[0]
    root = ET.fromstring(signal_timeline(case)["svg"])
    assert root.get("role") == "img"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert case.id in (title.text or "")
    assert f"{len(case.signals)} signals" in (desc.text or "")


def test_dots_sit_at_their_time_and_name_their_signal(demo: Demo) -> None:
    case = demo.cases[0]
    timeline = signal_timeline(case)
    root = ET.fromstring(timeline["svg"])
    dots = root.findall(".//svg:g[@class='lane']/svg:circle", NS)
    xs = {float(d.get("cx", "nan")) for d in dots}
    assert min(xs) >= 120 and max(xs) <= 760
    titles = [d.findtext("svg:title", namespaces=NS) or "" for d in dots]
    earliest = min(case.signals, key=lambda s: s.observed_at)
    first_dot = min(dots, key=lambda d: float(d.get("cx", "nan")))
    assert earliest.source in (first_dot.findtext("svg:title", namespaces=NS) or "")
    assert all("score" in t and "UTC" in t for t in titles)


def test_ticks_are_dates_inside_the_case_span(demo: Demo) -> None:
    case = demo.cases[0]
    timeline = signal_timeline(case)
    root = ET.fromstring(timeline["svg"])
    labels = [t.text or "" for t in root.findall(".//svg:g[@class='tick']/svg:text", NS)]
    assert 2 <= len(labels) <= 9
    start = datetime.fromisoformat(timeline["start"])
    end = datetime.fromisoformat(timeline["end"])
    for label in labels:
        moment = datetime.strptime(label, "%Y-%m-%d").replace(tzinfo=UTC)
        assert start <= moment <= end


@pytest.mark.parametrize(("span", "pattern"), [
    (timedelta(hours=5), "%Y-%m-%d %H:%M"),
    (timedelta(days=6), "%Y-%m-%d"),
    (timedelta(days=170), "%Y-%m-%d"),
    (timedelta(days=3000), "%Y-%m-%d"),
])
def test_time_ticks_fit_any_span(span: timedelta, pattern: str) -> None:
    start = datetime(2026, 1, 5, 10, 30, tzinfo=UTC)
    ticks = time_ticks(start, start + span)
    assert 2 <= len(ticks) <= 9
    assert all(start <= at <= start + span for at, _ in ticks)
    assert [label for _, label in ticks] == [at.strftime(pattern) for at, _ in ticks]
    assert [at for at, _ in ticks] == sorted(at for at, _ in ticks)


def test_a_single_signal_gets_a_span_around_it() -> None:
    signal = Signal("test.detector", SignalKind.REPORT, (EntityRef.parse("account:app:al"),),
                    0.9, datetime(2026, 3, 1, 12, tzinfo=UTC), {}, "why", "1")
    case = Case("case-one", signal.subjects, (signal,), 0.9, ())
    root = ET.fromstring(signal_timeline(case)["svg"])
    [dot] = root.findall(".//svg:circle", NS)
    assert 120 < float(dot.get("cx", "nan")) < 760


def test_the_partial_shows_the_svg_and_a_row_per_lane(demo: Demo,
                                                      partials: Environment) -> None:
    case = demo.cases[0]
    timeline = signal_timeline(case)
    html = partials.get_template("partials/timeline.html").render(timeline=timeline)
    assert timeline["svg"] in html
    assert html.count('class="lane-row"') == len(case.signal_kinds())
