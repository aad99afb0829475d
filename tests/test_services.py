"""The service layer: ids checked, defaults, and subgraphs that answer like the whole graph.

The subgraph checks compare each analysis on the subgraph a service loads with the same
analysis on the whole graph, on the default demo.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

from kamgraph import maps, profile, services
from kamgraph.analysis import coverage, paths, power, tender
from kamgraph.analysis.config import AnalysisConfig
from kamgraph.demo import demo_records
from kamgraph.errors import NotFound
from kamgraph.io.importer import RawRecord, import_records
from kamgraph.model import Where
from kamgraph.store.sqlite import SqliteStore

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    store = SqliteStore(Path(tmp_path_factory.mktemp("services")) / "demo.db")
    records = demo_records(seed=42, today=TODAY)
    import_records(store, (RawRecord("node" if "label" in r else "relationship", r,
                                     Where("demo", "generated")) for r in records))
    yield store
    store.close()


@pytest.fixture(scope="module")
def whole(demo: SqliteStore) -> nx.MultiDiGraph:
    return demo.whole_graph()


def tenders(store: SqliteStore) -> list[str]:
    return [node.id for node in store.list_nodes("Tender", limit=1000)]


def test_tender_subgraph_answers_like_the_whole_graph(demo: SqliteStore,
                                                      whole: nx.MultiDiGraph) -> None:
    quiet = tender.quiet_role_holders(whole, as_of=TODAY)
    for tender_id in tenders(demo):
        graph = demo.tender_subgraph(tender_id, hops=services.TENDER_HOPS)
        suggested = paths.next_best(graph, tender_id, as_of=TODAY)["items"]
        assert not {item["id"] for item in suggested} & quiet, tender_id
        near, far = (tender.tender_influence(g, tender_id, as_of=TODAY) for g in (graph, whole))
        assert near["coverage"] == pytest.approx(far["coverage"], abs=0.005)
        scores = {item["id"]: item["score"] for item in near["items"]}
        for item in far["items"][:10]:
            assert scores.get(item["id"], 0.0) == pytest.approx(item["score"], abs=0.002)


def test_the_region_subgraph_answers_like_the_whole_graph(demo: SqliteStore,
                                                          whole: nx.MultiDiGraph) -> None:
    region = demo.list_nodes("Territory", where={"level": "region"})[0].id
    graph = demo.territory_subgraph(region)
    near, far = (coverage.coverage_report(g, region, as_of=TODAY) for g in (graph, whole))
    assert [gap["id"] for gap in near["gaps"][:10]] == [gap["id"] for gap in far["gaps"][:10]]
    assert power.factions(graph, as_of=TODAY) == power.factions(whole, as_of=TODAY)


def test_tender_services_leave_out_every_quiet_period(demo: SqliteStore,
                                                      whole: nx.MultiDiGraph) -> None:
    quiet = tender.quiet_role_holders(whole, as_of=TODAY)
    for tender_id in tenders(demo):
        items = services.next_best(demo, tender_id, k=10, as_of=TODAY)["items"]
        assert not {item["id"] for item in items} & quiet, tender_id
        on_paths = {node for item in items if item["path"] for node in item["path"]["nodes"]}
        assert not on_paths & quiet, tender_id


def test_warm_paths_subgraph_gives_the_whole_graph_answer(demo: SqliteStore,
                                                           whole: nx.MultiDiGraph) -> None:
    people = [node.id for node in demo.list_nodes("Stakeholder", limit=5000)][::3]
    found = 0
    for n, person in enumerate(people):
        hop_choices = (4,) if n % 8 else (1, 2, 3, 4, 5)
        for hops in hop_choices:
            config = AnalysisConfig(path_hops=hops)
            quiet = n % 2 == 0
            near = services.warm_paths(demo, person, k=5, as_of=TODAY, include_quiet=quiet,
                                       config=config)
            assert near == paths.warm_paths(whole, person, k=5, as_of=TODAY, max_hops=hops,
                                            include_quiet=quiet, config=config), (person, hops)
            found += len(near["paths"])
    assert len(people) > 150 and found > 400  # the comparison is not between empty answers


def test_warm_paths_subgraph_is_smaller_than_the_neighbourhood(demo: SqliteStore) -> None:
    person = max((node.id for node in demo.list_nodes("Stakeholder", limit=500)),
                 key=lambda p: len(demo.relationships_of(p)))
    near, around = demo.paths_subgraph(person, hops=4), demo.neighbourhood(person, hops=4)
    assert set(near) < set(around)


def test_a_persons_subgraph_gives_the_neighbourhoods_profile_and_map(demo: SqliteStore) -> None:
    """A person's subgraph leaves other people's interactions out of their 2-step neighbourhood:
    nothing of the profile or the ego map comes from those (every 5th demo person)."""
    people = [node.id for node in demo.list_nodes("Stakeholder", limit=500)][::5]
    smaller = 0
    for person in people:
        near, around = demo.person_subgraph(person), demo.neighbourhood(person, hops=2)
        assert set(near) <= set(around)
        smaller += len(near) < len(around)
        assert profile.person_profile(near, person, as_of=TODAY) == profile.person_profile(
            around, person, as_of=TODAY), person
        assert maps.ego_map(near, person, as_of=TODAY) == maps.ego_map(around, person, as_of=TODAY)
    assert smaller > len(people) // 2  # the comparison is not between equal graphs


def test_as_of_defaults_to_today(demo: SqliteStore) -> None:
    assert services.rank(demo, metric="decision", top=1)["as_of"] == date.today().isoformat()


def test_rank_in_an_organization_lists_its_staff_only(demo: SqliteStore) -> None:
    hospital = demo.list_nodes("Organization", where={"type": "hospital"})[0]
    ranked = services.rank(demo, organization_id=hospital.id, metric="decision", as_of=TODAY)
    staff = {rel.start for rel in demo.relationships_of(hospital.id, rel_type="WORKS_AT")
             if rel.props.get("until", "9999") >= TODAY.isoformat()}
    assert ranked["items"] and {item["id"] for item in ranked["items"]} <= staff
    assert len(services.rank(demo, organization_id=hospital.id, top=2, as_of=TODAY)["items"]) == 2


def test_what_if_someone_outside_the_territory_leaves(demo: SqliteStore) -> None:
    outsider = "s-000001"  # the minister: works at the ministry, in the capital
    district = next(t.id for t in demo.list_nodes("Territory", where={"level": "district"})
                    if outsider not in demo.territory_subgraph(t.id))
    result = services.what_if(demo, outsider, territory_id=district, as_of=TODAY)
    assert result["coverage_before"] == pytest.approx(result["coverage_after"], abs=1e-9)
    assert all(change["delta"] == pytest.approx(0, abs=1e-9) for change in result["changes"])


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: services.tender_influence(s, "s-000001"),
     "no tender with id 's-000001' (it is a stakeholder)"),
    (lambda s: services.coverage_report(s, "t-000001"),
     "no territory with id 't-000001' (it is a tender)"),
    (lambda s: services.warm_paths(s, "s-000001", source_id="s-000002"),
     "no account manager with id 's-000002' (it is a stakeholder)"),
    (lambda s: services.what_if(s, "am-000001", tender_id="t-000001"),
     "no stakeholder with id 'am-000001' (it is an account manager)"),
    (lambda s: services.rank(s, organization_id="nowhere"), "no organization with id 'nowhere'"),
])
def test_ids_of_the_wrong_label_are_not_found(demo: SqliteStore, call, message: str) -> None:
    with pytest.raises(NotFound) as raised:
        call(demo)
    assert str(raised.value) == message


def test_scopes_are_exclusive(demo: SqliteStore) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        services.what_if(demo, "s-000001")
    with pytest.raises(ValueError, match="at most one"):
        services.rank(demo, territory_id="tr-000001", organization_id="o-000001")
