from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.factories import ref, signal
from vigil.identifiers import EntityKind
from vigil.linking import LinkingConfig, find_hubs, link, load_linking_config
from vigil.model import Signal

CONFIG = LinkingConfig(default_max_degree=3, max_degree={EntityKind.IP: 2})


def test_shared_identifier_joins_signals_into_one_group() -> None:
    a = signal("account:vc:a", "payment_account:wise:1", tag="a")
    b = signal("payment_account:wise:1", "payment_account:gcash:9", tag="b")
    c = signal("account:vc:z", tag="c")
    groups = link([a, b, c], CONFIG)
    assert sorted(len(g.signals) for g in groups) == [1, 2]
    joined = next(g for g in groups if len(g.signals) == 2)
    assert ref("payment_account:gcash:9") in joined.entities


def test_hub_ip_does_not_join_unrelated_accounts() -> None:
    shared = "ip:198.51.100.7"
    signals = [signal(f"account:vc:user{i}", shared, tag=str(i)) for i in range(4)]
    groups = link(signals, CONFIG)
    assert len(groups) == 4
    assert all(g.hubs and g.hubs[0].entity == ref(shared) for g in groups)
    assert all(ref(shared) not in g.entities for g in groups)


def test_ip_below_its_limit_links() -> None:
    signals = [signal(f"account:vc:user{i}", "ip:198.51.100.7", tag=str(i)) for i in range(2)]
    assert len(link(signals, CONFIG)) == 1


def test_find_hubs_counts_only_counted_kinds() -> None:
    many_media = [signal("account:vc:a", f"media:md5:{i:032x}", tag=str(i)) for i in range(10)]
    assert find_hubs(many_media, CONFIG) == {}


def test_packaged_linking_config_loads() -> None:
    config = load_linking_config()
    assert config.limit_for(EntityKind.IP) < config.limit_for(EntityKind.ACCOUNT)


def test_signal_with_only_hub_subjects_is_its_own_group() -> None:
    hub_signals = [signal("ip:203.0.113.9", f"account:vc:u{i}", tag=str(i)) for i in range(3)]
    lone = signal("ip:203.0.113.9", tag="lone")
    groups = link([*hub_signals, lone], CONFIG)
    lone_group = next(g for g in groups if lone in g.signals)
    assert lone_group.signals == (lone,)
    assert lone_group.entities == ()


entity_pool = [f"account:vc:u{i}" for i in range(8)] + [f"ip:10.0.0.{i}" for i in range(3)] \
    + [f"payment_account:gcash:{i}" for i in range(4)]
subject_sets = st.lists(st.sampled_from(entity_pool), min_size=1, max_size=4, unique=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(subject_sets, min_size=1, max_size=25))
def test_every_signal_lands_in_exactly_one_group(subjects: list[list[str]]) -> None:
    signals = [signal(*s, tag=str(i)) for i, s in enumerate(subjects)]
    groups = link(signals, CONFIG)
    placed = [s for g in groups for s in g.signals]
    assert sorted(s.id for s in placed) == sorted({s.id for s in signals})
    assert len(placed) == len({s.id for s in placed})


@settings(max_examples=150, deadline=None)
@given(st.lists(subject_sets, min_size=1, max_size=25))
def test_hubs_never_merge_groups_and_groups_are_closed(subjects: list[list[str]]) -> None:
    signals = [signal(*s, tag=str(i)) for i, s in enumerate(subjects)]
    hubs = find_hubs(signals, CONFIG)
    groups = link(signals, CONFIG)
    owner: dict[str, int] = {}
    for number, group in enumerate(groups):
        assert not set(group.entities) & set(hubs)
        for entity in group.entities:
            assert owner.setdefault(str(entity), number) == number
        for sig in group.signals:
            for subject in sig.subjects:
                assert subject in hubs or subject in group.entities
    assert _same_groups(groups, link(list(reversed(signals)), CONFIG))


def _same_groups(first: list, second: list) -> bool:  # type: ignore[type-arg]
    def key(groups: list) -> set[frozenset[str]]:  # type: ignore[type-arg]
        return {frozenset(s.id for s in g.signals) for g in groups}
    return key(first) == key(second)


def test_duplicate_signals_are_linked_once() -> None:
    one: Signal = signal("account:vc:a", tag="x")
    groups = link([one, one], CONFIG)
    assert len(groups) == 1 and groups[0].signals == (one,)


def test_a_reporter_is_a_witness_not_a_member() -> None:
    """A reporter's own case must not merge with the case of the account they reported."""
    reporters_case = signal("account:vc:witness", "payment_account:wise:w", tag="own")
    report = signal("account:vc:witness", "account:vc:reported", "ip:198.51.100.9",
                    tag="report", roles={"account:vc:witness": "reporter",
                                         "account:vc:reported": "suspect"})
    reported_case = signal("account:vc:reported", "payment_account:gcash:r", tag="theirs")
    groups = link([reporters_case, report, reported_case], load_linking_config())
    assert sorted(len(g.signals) for g in groups) == [1, 2]
    joined = next(g for g in groups if report in g.signals)
    assert reported_case in joined.signals
    assert ref("account:vc:witness") not in joined.entities
    assert ref("account:vc:witness") in report.subjects  # still evidence on the signal


def test_an_address_shared_by_more_accounts_than_a_household_does_not_glue() -> None:
    """An internet cafe's IP, used by five unrelated accounts, joins none of their signals."""
    cafe = "ip:203.0.113.50"
    signals = [signal(f"account:vc:guest{i}", cafe, tag=str(i)) for i in range(5)]
    usage = {ref(cafe): {ref(f"account:vc:guest{i}") for i in range(5)}}
    assert len(link(signals, load_linking_config(), usage)) == 5
    household = {ref(cafe): {ref(f"account:vc:guest{i}") for i in range(3)}}
    assert len(link(signals[:3], load_linking_config(), household)) == 1


def test_config_dump_is_the_same_in_every_process() -> None:
    """The dump is hashed into a run's case basis: with sets in hash order, a run in another
    process saw another configuration about one time in three and rebuilt every case."""
    import json
    import os
    import subprocess
    import sys

    code = ("import json; from vigil.linking import LinkingConfig; "
            "print(json.dumps(LinkingConfig().model_dump(mode='json')))")
    dumps = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
             for seed in range(6)}
    assert len(dumps) == 1
    assert json.loads(dumps.pop())["counted_kinds"] == ["account", "payment_account"]
