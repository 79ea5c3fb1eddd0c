"""SQL linking (label propagation on an engine) gives exactly igraph's groups."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.factories import ref, signal
from vigil.engines import DuckDBEngine
from vigil.identifiers import EntityKind
from vigil.incremental.relink import Earlier, hubs_among, link_region
from vigil.linking import LinkedGroup, LinkingConfig, link, load_linking_config
from vigil.linking_sql import changed_labels_sql, link_sql, propagation_round_sql
from vigil.model import EntityRef, Signal

CONFIG = LinkingConfig(default_max_degree=3, max_degree={EntityKind.IP: 2})

accounts = [f"account:vc:u{i}" for i in range(10)]
pool = accounts + [f"ip:10.0.0.{i}" for i in range(4)] \
    + [f"payment_account:gcash:{i}" for i in range(5)] + [f"phone:+6391700000{i}" for i in range(3)]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[Signal], dict[EntityRef, set[EntityRef]]]:
    """Random signals (some with a reporter witness, payers and payees: hubs' counterparties) and
    record-level usage for some entities."""
    signals = []
    for number in range(draw(st.integers(1, 30))):
        subjects = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
        roles = {subject: role for subject in subjects
                 if (role := draw(st.sampled_from(["", "payer", "payee"])))}
        if draw(st.booleans()) and len(subjects) > 1:
            roles[subjects[0]] = draw(st.sampled_from(["reporter", "suspect", "payer"]))
        signals.append(signal(*subjects, tag=str(number), roles=roles))
    used = draw(st.dictionaries(st.sampled_from(pool), st.sets(st.sampled_from(accounts),
                                                                max_size=6), max_size=5))
    return signals, {ref(k): {ref(a) for a in v} for k, v in used.items()}


def _shape(groups: list[LinkedGroup]) -> list[tuple[Any, ...]]:
    return [(tuple(s.id for s in g.signals), g.entities, g.hubs) for g in groups]


# Spark runs each round as jobs of about a second in local mode: a few examples there.
EXAMPLES = {"duckdb": 120, "spark": int(os.environ.get("VIGIL_SPARK_EXAMPLES", "2"))}


def test_sql_linking_matches_igraph(sql_engine: Any) -> None:
    @settings(max_examples=EXAMPLES[sql_engine.name], deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(graphs())
    def check(graph: tuple[list[Signal], dict[EntityRef, set[EntityRef]]]) -> None:
        signals, usage = graph
        assert _shape(link_sql(signals, sql_engine, CONFIG, usage)) \
            == _shape(link(signals, CONFIG, usage)) == _shape(_from_facts(signals, usage))

    check()


def _from_facts(signals: list[Signal], usage: dict[EntityRef, set[EntityRef]]) -> list[LinkedGroup]:
    """The groups an incremental run's union-find finds over the signals' facts
    (:func:`vigil.incremental.relink.link_region`), in igraph's order."""
    facts = {s.id: Earlier.of(s, CONFIG) for s in signals}
    wanted = {text for e in facts.values() for text in e.subjects}
    degrees = {used: len(users - {used}) for used, users in usage.items()}
    hubs = hubs_among(wanted, list(facts.values()), CONFIG, degrees)
    return sorted(link_region(signals, facts, hubs, CONFIG), key=lambda g: g.signals[0].id)


def test_a_hub_beneficiary_joins_none_of_its_senders_on_every_path(sql_engine: Any) -> None:
    """A fan-in signal about a hub (used by four accounts, limit 3) names three senders, each in
    a case of its own: it joins none of them, on igraph, in SQL and from facts alike; one sender
    paying the hub and another beneficiary keeps its own edge (a lone payer)."""
    hub, senders = "payment_account:gcash:0", [f"payment_account:gcash:{i}" for i in (1, 2, 3)]
    own = [signal(sender, f"phone:+6391700000{i}", tag=f"own{i}")
           for i, sender in enumerate(senders)]
    fan_in = signal(hub, *senders, tag="fan-in",
                    roles={hub: "payee", **dict.fromkeys(senders, "payer")})
    lone = signal(senders[0], hub, "payment_account:gcash:4", tag="lone",
                  roles={senders[0]: "payer", hub: "payee", "payment_account:gcash:4": "payee"})
    usage = {ref(hub): {ref(a) for a in accounts[:4]},
             **{ref(sender): {ref(accounts[0])} for sender in senders}}
    signals = [*own, fan_in, lone]
    groups = link(signals, CONFIG, usage)
    assert sorted(len(g.signals) for g in groups) == [1, 1, 1, 2]
    assert [g.hubs[0].entity for g in groups if fan_in in g.signals] == [ref(hub)]
    assert _shape(link_sql(signals, sql_engine, CONFIG, usage)) == _shape(groups) \
        == _shape(_from_facts(signals, usage))
    assert len(link(signals, CONFIG.model_copy(update={"hub_counterparty_roles": ()}),
                    usage)) == 1


def test_a_long_chain_settles_into_one_group() -> None:
    """Signals a-b, b-c, ... over 40 links: one group, as igraph says (DuckDB only: the rounds
    are the same SQL on Spark, where 15 rounds take half a minute)."""
    chain = [signal(f"account:vc:n{i:03d}", f"account:vc:n{i + 1:03d}", tag=str(i))
             for i in range(40)]
    config = LinkingConfig(default_max_degree=100)
    with DuckDBEngine() as engine:
        groups = link_sql(list(reversed(chain)), engine, config)
    assert _shape(groups) == _shape(link(chain, config))
    assert len(groups) == 1


def test_witness_and_household_rules_hold_in_sql() -> None:
    """DuckDB only: the property test draws witnesses and hubs on Spark too."""
    reporters_case = signal("account:vc:witness", "payment_account:wise:w", tag="own")
    report = signal("account:vc:witness", "account:vc:reported", tag="report",
                    roles={"account:vc:witness": "reporter"})
    reported_case = signal("account:vc:reported", "payment_account:gcash:r", tag="theirs")
    with DuckDBEngine() as engine:
        groups = link_sql([reporters_case, report, reported_case], engine,
                          load_linking_config())
    assert sorted(len(g.signals) for g in groups) == [1, 2]


def test_no_signals_no_groups(sql_engine: Any) -> None:
    assert link_sql([], sql_engine, CONFIG) == []


def test_round_sql_names_its_tables() -> None:
    sql = propagation_round_sql("labels_3", edges="edges_x")
    assert "FROM edges_x e JOIN labels_3 l" in sql
    assert "labels_3" in changed_labels_sql("labels_3", "labels_4")


def test_sql_linking_in_a_run_gives_the_igraph_cases() -> None:
    """VIGIL_LINKING=sql through vigil.run: the same cases as the default igraph run."""
    from vigil import Settings, load_registry, open_store, run
    from vigil.demo.world import generate_world

    cases = {}
    world = generate_world(seed=3, scale=0.5)  # records are frozen: both stores take the same
    for method in ("igraph", "sql"):
        store = open_store("memory://")
        store.add_records(world.records())
        settings = Settings(database_url="memory://", linking=method)
        result = run(store, settings, load_registry(), as_of=world.end)
        cases[method] = [(c.id, c.priority, tuple(s.id for s in c.signals)) for c in result.cases]
    assert cases["sql"] == cases["igraph"] and cases["sql"]


def test_spark_engine_module_needs_no_pyspark_to_import() -> None:
    """The default path (DuckDB) and `vigil plugins` must work on a machine without Java."""
    import subprocess
    import sys

    code = "import sys, vigil.plugins, vigil.spark_engine; assert 'pyspark' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
