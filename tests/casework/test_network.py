"""The case network: one node per entity, star edges from each signal's anchor, and the
partial that carries it as JSON and as a text table."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from jinja2 import Environment

from tests.casework.conftest import Demo
from vigil import EntityRef, Signal, SignalKind, case_network
from vigil.casework.network import anchor_of
from vigil.model import Case


def test_every_entity_of_the_top_cases_is_a_node(demo: Demo) -> None:
    for case in demo.cases[:5]:
        network = case_network(case)
        assert sorted(n["id"] for n in network["nodes"]) == sorted(str(e) for e in case.entities)
        assert network["left_out"] == 0
        assert sum(network["entity_kinds"].values()) == len(case.entities)
        assert sum(network["signal_kinds"].values()) == len(case.signals)


def test_each_signal_links_its_anchor_to_every_other_subject(demo: Demo) -> None:
    case = demo.cases[0]
    network = case_network(case)
    links = {(e["source"], e["target"], e["kind"]) for e in network["edges"]}
    for signal in case.signals:
        anchor = anchor_of(signal)
        for subject in signal.subjects:
            if subject != anchor:
                assert (str(anchor), str(subject), signal.kind.value) in links
    per_edge = sum(e["signals"] for e in network["edges"])
    assert per_edge == sum(len(s.subjects) - 1 for s in case.signals)
    ids = {n["id"] for n in network["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in network["edges"])


def _signal(subjects: list[str], score: float, roles: dict[str, str] | None = None) -> Signal:
    return Signal("test.detector", SignalKind.PAYMENT, tuple(EntityRef.parse(s) for s in subjects),
                  score, datetime(2026, 1, 1, tzinfo=UTC), {"roles": roles or {}}, "why", "1")


def test_anchor_is_the_suspect_else_the_first_account() -> None:
    subjects = ["phone:+639171234567", "account:chatapp:bo", "account:chatapp:al"]
    assert str(anchor_of(_signal(subjects, 0.5))) == "account:chatapp:al"
    suspect = _signal(subjects, 0.5, {"account:chatapp:bo": "suspect"})
    assert str(anchor_of(suspect)) == "account:chatapp:bo"


def test_a_payment_signal_is_drawn_from_its_lone_payer_or_payee() -> None:
    payee, payers = "payment_account:gcash:+639171234567", ["payment_account:wise:1",
                                                            "payment_account:wise:2"]
    fan_in = _signal([payee, *payers, "phone:+639171234567"], 0.6,
                     {payee: "payee", payers[0]: "payer", payers[1]: "payer"})
    assert str(anchor_of(fan_in)) == payee
    pair = _signal([payee, payers[1]], 0.6, {payee: "payee", payers[1]: "payer"})
    assert str(anchor_of(pair)) == payers[1]


def test_signals_of_one_kind_on_one_pair_share_an_edge_with_the_highest_score() -> None:
    signals = (_signal(["account:chatapp:al", "phone:+639171234567"], 0.3),
               _signal(["account:chatapp:al", "phone:+639171234567"], 0.8))
    entities = tuple(sorted({s for signal in signals for s in signal.subjects}))
    network = case_network(Case("case-x", entities, signals, 0.5, ()))
    [edge] = network["edges"]
    assert (edge["signals"], edge["score"], edge["label"]) == (2, 0.8, "payment 0.80 ×2")


def test_a_big_case_keeps_its_best_connected_entities_and_says_how_many_it_left(
        demo: Demo) -> None:
    case = demo.cases[0]
    network = case_network(case, max_nodes=10)
    assert len(network["nodes"]) == 10
    assert network["left_out"] == len(case.entities) - 10
    ids = {n["id"] for n in network["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in network["edges"])


def test_the_partial_carries_the_elements_as_json_and_a_table(demo: Demo,
                                                              partials: Environment) -> None:
    case = demo.cases[0]
    network = case_network(case)
    html = partials.get_template("partials/network.html").render(network=network)
    block = re.search(r'<script type="application/json" id="network-[^"]+-data">(.*?)</script>',
                      html, re.S)
    assert block is not None
    assert json.loads(block.group(1)) == network["elements"]
    assert html.count('class="node-row"') == len(case.entities)
    assert html.count('class="edge-row"') == len(network["edges"])
    assert f"{len(case.entities)} entities" in html
    assert html.count('class="legend-entry"') == len(network["entity_kinds"]) + len(
        network["signal_kinds"]) == len(network["legend"])


def test_no_message_text_or_evidence_reaches_the_view(demo: Demo) -> None:
    """Conversation signals carry matched phrases in their evidence; the network never does."""
    case = next(c for c in demo.cases if SignalKind.CONVERSATION in c.signal_kinds())
    phrases = {p for s in case.signals if s.kind is SignalKind.CONVERSATION
               for m in s.evidence.get("matched_messages", [])
               for found in m.get("categories", {}).values() for p in found}
    assert phrases
    text = json.dumps(case_network(case))
    assert not [p for p in phrases if p in text]
