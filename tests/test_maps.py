"""Maps: what a page draws, how it encodes it, and that it is safe and self-contained.

The pages are read back through the node and edge lists they hand to vis-network; the
browser half (tests/browser/test_maps_browser.py) checks what Chromium actually draws.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kamgraph.analysis.coverage import coverage_report
from kamgraph.analysis.paths import warm_paths
from kamgraph.analysis.tender import tender_influence
from kamgraph.demo import demo_records
from kamgraph.io.importer import RawRecord, Where, import_records
from kamgraph.maps import (
    EDGE_STYLES,
    LABEL_SHAPES,
    STANCE_COLOURS,
    _around,
    ego_map,
    map_html,
    path_map,
    tender_map,
    territory_map,
)
from kamgraph.services import TENDER_HOPS
from kamgraph.store.sqlite import SqliteStore

TODAY = date(2025, 6, 1)
HOSTILE = '</script><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
CYRILLIC = "Мария Ивановна Петрова"
ARABIC = "د. فاطمة الزهراء"


# --- reading a page back ------------------------------------------------------------------


def page_data(html: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The (nodes, edges, options) a map page hands to vis-network."""
    found = {}
    for name in ("NODES", "EDGES", "OPTIONS"):
        match = re.search(rf"^  var {name} = (.*);$", html, re.MULTILINE)
        assert match is not None, name
        found[name] = json.loads(match.group(1))
    return found["NODES"], found["EDGES"], found["OPTIONS"]


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


# A URL the browser would fetch by itself: script/img/iframe src, link href, srcset, CSS
# url() and @import. Links in the inlined library's comments are text, not requests.
FETCHED = re.compile(r"""(?:\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?\s*|url\(\s*["']?|"""
                     r"""@import\s+["']?)((?:https?:)?//[^"')\s>]*)""", re.IGNORECASE)


def fetched_urls(html: str) -> list[str]:
    return FETCHED.findall(html)


# --- a small graph with one of everything -------------------------------------------------


def small_graph() -> nx.MultiDiGraph:
    """Tender t, five people (one per stance but unknown), a hospital, a competitor, a KAM."""
    g = nx.MultiDiGraph()
    g.add_node("t", label="Tender", name="Insulin 2026", status="published")
    g.add_node("h", label="Organization", name="City Hospital", type="hospital")
    g.add_node("rival", label="Organization", name="Rivalpharm", type="competitor")
    g.add_node("old", label="Organization", name="Old Clinic", type="clinic")
    g.add_node("kam", label="AccountManager", name="Anna KAM", role="kam")
    g.add_node("i1", label="Interaction", name="Visit", date="2025-05-01")
    people = {"a": "champion", "b": "supporter", "c": "neutral", "d": "skeptic", "e": "opponent"}
    for person, stance in people.items():
        g.add_node(person, label="Stakeholder", name=f"Dr. {person.upper()}", stance=stance,
                   title="Head of cardiology", email=f"{person}@secret.example", phone="+7 999 000",
                   notes="private note")
        g.add_edge(person, "h", key="WORKS_AT", type="WORKS_AT", seniority="head", position="head")
    g.add_edge("a", "t", key="ROLE_IN:approver", type="ROLE_IN", role="approver")
    g.add_edge("a", "t", key="ROLE_IN:evaluator", type="ROLE_IN", role="evaluator")
    g.add_edge("b", "a", key="INFLUENCES", type="INFLUENCES", weight=0.8, kind="scientific")
    g.add_edge("b", "a", key="KNOWS", type="KNOWS", weight=0.5, context="colleague")
    g.add_edge("c", "d", key="KNOWS", type="KNOWS", weight=0.25, context="alumni")
    g.add_edge("d", "a", key="INFLUENCES", type="INFLUENCES", weight=0.5, kind="formal")
    g.add_edge("e", "rival", key="ALIGNED_WITH", type="ALIGNED_WITH", strength=0.9, kind="speaker")
    g.add_edge("kam", "a", key="RELATES_TO", type="RELATES_TO", stage="trusted")
    g.add_edge("kam", "i1", key="HAD", type="HAD")
    g.add_edge("i1", "a", key="WITH", type="WITH")
    g.add_edge("c", "old", key="WORKS_AT", type="WORKS_AT", until="2020-01-01")  # a past job
    g.add_edge("t", "h", key="ISSUED_BY", type="ISSUED_BY")
    return g


SCORES = {"a": 0.4, "b": 0.25, "c": 0.15, "d": 0.12, "e": 0.08}


def small_map(**changes: Any) -> str:
    arguments: dict[str, Any] = {"scores": SCORES, "title": "Insulin 2026", "focus": "t",
                                 "covered": {"a"}, "kind": "tender", "as_of": TODAY}
    return map_html(small_graph(), **{**arguments, **changes})


# --- what is drawn ------------------------------------------------------------------------


def test_the_scored_people_and_their_context_are_drawn() -> None:
    nodes, edges, _ = page_data(small_map())
    assert sorted(by_id(nodes)) == ["a", "b", "c", "d", "e", "h", "kam", "rival", "t"]
    # past job (old), the interaction and its edges are not drawn; b->a is one line
    pairs = sorted((edge["from"], edge["to"]) for edge in edges)
    assert pairs == [("a", "h"), ("a", "t"), ("b", "a"), ("b", "h"), ("c", "d"), ("c", "h"),
                     ("d", "a"), ("d", "h"), ("e", "h"), ("e", "rival"), ("kam", "a"), ("t", "h")]
    assert len({edge["id"] for edge in edges}) == len(edges)


def test_a_path_map_draws_only_the_subjects() -> None:
    nodes, edges, _ = page_data(small_map(scores={"kam": 0.75, "a": 0.75}, focus="a", kind="path"))
    assert sorted(by_id(nodes)) == ["a", "kam"]
    assert [(edge["from"], edge["to"]) for edge in edges] == [("kam", "a")]


def test_large_scopes_keep_the_top_people_and_say_what_was_left_out() -> None:
    g = nx.MultiDiGraph()
    scores = {}
    for index in range(1234):
        g.add_node(f"p{index:04d}", label="Stakeholder", name=f"Person {index}")
        scores[f"p{index:04d}"] = index / 1234
    html = map_html(g, scores=scores, title="Big", kind="territory", top=300, focus="p0000")
    nodes, _, _ = page_data(html)
    assert '<p id="kg-note">showing 300 of 1,234 people; 934 left out (lowest score)</p>' in html
    kept = set(by_id(nodes))
    assert len(kept) == 300 and "p0000" in kept  # the focus stays, whatever its score
    assert kept - {"p0000"} == {f"p{index:04d}" for index in range(1234 - 299, 1234)}


def test_a_small_scope_shows_everyone() -> None:
    assert '<p id="kg-note">showing all 5 people</p>' in small_map()
    assert '<p id="kg-note">no people in scope</p>' in small_map(scores={})


def test_nodes_carry_what_the_filters_use() -> None:
    nodes = by_id(page_data(small_map())[0])
    assert nodes["a"]["score"] == 0.4 and nodes["a"]["covered"] and nodes["a"]["subject"]
    assert nodes["e"]["competitor_aligned"] and not nodes["a"]["competitor_aligned"]
    assert nodes["kam"]["node_label"] == "AccountManager" and not nodes["kam"]["subject"]
    assert nodes["h"]["score"] == 0 and not nodes["h"]["covered"]


# --- encoding -----------------------------------------------------------------------------


def test_people_are_coloured_by_stance_and_ringed_when_covered() -> None:
    g = small_graph()
    g.add_node("u", label="Stakeholder", name="Dr. U")  # no stance recorded
    html = map_html(g, scores={**SCORES, "u": 0.01}, title="t", covered={"a"}, kind="ego",
                    as_of=TODAY)
    nodes = by_id(page_data(html)[0])
    stances = {"a": "champion", "b": "supporter", "c": "neutral", "d": "skeptic", "e": "opponent",
               "u": "unknown"}
    for person, stance in stances.items():
        assert nodes[person]["color"]["background"] == STANCE_COLOURS[stance]
    assert nodes["a"]["borderWidth"] > nodes["b"]["borderWidth"]
    assert nodes["a"]["color"]["border"] != nodes["b"]["color"]["border"]
    assert nodes["rival"]["color"]["background"] != nodes["h"]["color"]["background"]


def test_shapes_follow_labels() -> None:
    nodes = by_id(page_data(small_map())[0])
    assert {node["node_label"]: node["shape"] for node in nodes.values()} == {
        label: LABEL_SHAPES[label] for label in ("Stakeholder", "Organization", "AccountManager", "Tender")}
    assert len(set(LABEL_SHAPES.values())) == len(LABEL_SHAPES)


def test_size_grows_with_score_and_the_focus_is_largest() -> None:
    nodes = by_id(page_data(small_map())[0])
    sizes = [nodes[person]["size"] for person in sorted(SCORES, key=SCORES.__getitem__)]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    assert nodes["t"]["size"] > max(sizes) and nodes["h"]["size"] < max(sizes)


def test_lines_are_styled_by_kind_of_tie_and_sized_by_weight() -> None:
    edges = {(edge["from"], edge["to"]): edge for edge in page_data(small_map())[1]}
    categories = {pair: edge["category"] for pair, edge in edges.items()}
    assert categories[("kam", "a")] == "ours"
    assert categories[("e", "rival")] == "competitor"
    assert categories[("d", "a")] == "formal"  # formal influence
    assert categories[("a", "h")] == "formal"
    assert categories[("c", "d")] == "informal"
    assert categories[("b", "a")] == "informal"  # scientific influence and knowing each other
    for edge in edges.values():
        _, colour, dashes = EDGE_STYLES[edge["category"]]
        assert edge["color"]["color"] == colour and edge["dashes"] == dashes
    assert edges[("b", "a")]["width"] == pytest.approx(1 + 4 * 0.8)  # the stronger of the two
    assert edges[("kam", "a")]["width"] == pytest.approx(1 + 4 * 0.75)  # trusted by default
    assert edges[("a", "h")]["width"] == 1
    assert edges[("c", "d")]["arrows"] == "" and edges[("d", "a")]["arrows"] == "to"
    assert edges[("b", "a")]["types"] == ["INFLUENCES", "KNOWS"]
    assert edges[("b", "a")]["title"].splitlines() == [
        "Dr. B \u2192 Dr. A", "influences \u00b7 scientific \u00b7 0.80",
        "knows \u00b7 colleague \u00b7 0.50"]


def test_tooltips_name_title_organisation_role_stage_and_kam() -> None:
    nodes = by_id(page_data(small_map())[0])
    assert nodes["a"]["title"].splitlines() == [
        "Dr. A", "Title: Head of cardiology", "Organisation: City Hospital",
        "Role: approver, evaluator", "Stage: trusted", "KAM: Anna KAM", "Stance: champion",
        "Covered: yes", "Tender influence: 0.4"]
    assert nodes["e"]["details"][-2:] == [["Competitor", "Rivalpharm"], ["Tender influence", "0.08"]]
    assert nodes["t"]["details"] == [["Status", "published"]]


def test_long_names_are_cut_on_the_map_but_whole_elsewhere() -> None:
    g = small_graph()
    long_name = "Tender No. 2025-010015: meropenem, tiotropium bromide for the Regional Hospital"
    g.nodes["t"]["name"] = long_name
    tender = by_id(page_data(map_html(g, scores=SCORES, title="t", focus="t", kind="tender"))[0])["t"]
    assert tender["label"] == "Tender No. 2025-010015: meropen\u2026"
    assert tender["name"] == long_name and tender["title"].startswith(long_name + "\n")


def test_sensitive_properties_stay_off_the_page() -> None:
    html = small_map()
    for secret in ("secret.example", "+7 999 000", "private note"):
        assert secret not in html


# --- the page -----------------------------------------------------------------------------


def test_the_page_is_complete_with_legend_filters_and_settling() -> None:
    html = small_map()
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    for part in ('id="kg-legend"', 'id="kg-min-score"', 'id="kg-hide-covered"',
                 'id="kg-only-competitor"', 'id="kg-hide-team"', 'id="kg-details"',
                 "champion", "covered by our team", "competitor alignment", "our relationship"):
        assert part in html
    assert 'network.once("stabilizationIterationsDone", settle)' in html
    assert "network.setOptions({physics: false})" in html
    assert "window.kamgraphMap = map" in html
    options = page_data(html)[2]
    assert options["physics"]["enabled"] and options["physics"]["stabilization"]["enabled"]
    assert options["layout"]["randomSeed"] == 42


def test_the_page_fetches_nothing_from_anywhere() -> None:
    html = small_map()
    assert fetched_urls(html) == []
    assert "<link" not in html and "cdnjs" not in html and "jsdelivr" not in html
    assert "vis.Network" in html  # the library is inlined
    # the check itself sees what pyvis's own template would fetch
    assert fetched_urls('<link href="https://cdn.jsdelivr.net/x.css"> <script src="//a.b/c.js">'
                        '</script> <style>a { background: url(http://x.y/z.png) }</style>') == [
        "https://cdn.jsdelivr.net/x.css", "//a.b/c.js", "http://x.y/z.png"]


def test_hostile_names_are_text_not_markup() -> None:
    g = small_graph()
    g.nodes["a"]["name"] = HOSTILE
    g.nodes["h"]["name"] = HOSTILE
    html = map_html(g, scores=SCORES, title=HOSTILE, focus="t", kind="tender", as_of=TODAY)
    benign = small_map()
    for tag in ("<script", "</script", "<img"):  # "onerror=" stays, as inert text
        assert html.count(tag) == benign.count(tag), tag
    assert "<title>&lt;/script&gt;&lt;script&gt;window.__pwned = 1" in html
    nodes = by_id(page_data(html)[0])
    assert nodes["a"]["name"] == HOSTILE  # the data round-trips; vis-network shows it as text
    assert nodes["b"]["details"][1] == ["Organisation", HOSTILE]


def test_unicode_names_survive() -> None:
    g = small_graph()
    g.nodes["a"]["name"], g.nodes["b"]["name"] = CYRILLIC, ARABIC
    html = map_html(g, scores=SCORES, title=f"Карта: {CYRILLIC}", kind="ego", as_of=TODAY)
    assert f"<h1>Карта: {CYRILLIC}</h1>" in html
    assert '<meta charset="utf-8">' in html
    nodes = by_id(page_data(html)[0])
    assert (nodes["a"]["label"], nodes["b"]["label"]) == (CYRILLIC, ARABIC)


def test_the_same_input_gives_the_same_page() -> None:
    g = small_graph()
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(g.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(g.edges(keys=True, data=True))))
    scores = dict(reversed(list(SCORES.items())))
    first = map_html(g, scores=SCORES, title="t", focus="t", kind="tender", as_of=TODAY)
    assert map_html(g, scores=SCORES, title="t", focus="t", kind="tender", as_of=TODAY) == first
    assert map_html(shuffled, scores=scores, title="t", focus="t", kind="tender", as_of=TODAY) == first


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="top"):
        small_map(top=0)
    with pytest.raises(ValueError, match="kind"):
        small_map(kind="galaxy")
    with pytest.raises(KeyError):
        small_map(focus="nobody")
    with pytest.raises(KeyError):
        ego_map(small_graph(), "h", as_of=TODAY)


# --- the wrappers, on the demo ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Demo:
    """The default demo in a real SQLite store, with its largest tender and top territory."""

    store: SqliteStore
    tender: str
    territory: str


def load_demo(folder: Path) -> Demo:
    """``demo_records(500, seed=42)``; the largest tender has the most role holders (then the
    highest value), the top territory is part of no other."""
    store = SqliteStore(folder / "kamgraph.db")
    records = demo_records(500, seed=42, today=TODAY)
    import_records(store, (RawRecord("node" if "label" in r else "relationship", r,
                                     Where("demo", "generated")) for r in records))
    whole = store.whole_graph()

    def size(tender: str) -> tuple[int, float]:
        holders = {p for p, _, kind in whole.in_edges(tender, data="type") if kind == "ROLE_IN"}
        return len(holders), float(whole.nodes[tender].get("value") or 0)

    tenders = [n for n, label in whole.nodes(data="label") if label == "Tender"]
    roots = sorted(n for n, label in whole.nodes(data="label") if label == "Territory"
                   and not any(kind == "PART_OF" for _, _, kind in whole.out_edges(n, data="type")))
    return Demo(store, max(sorted(tenders), key=size), roots[0])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return load_demo(tmp_path_factory.mktemp("demo"))


def test_tender_map_of_the_demo(demo: Demo) -> None:
    graph = demo.store.tender_subgraph(demo.tender, TENDER_HOPS)
    result = tender_influence(graph, demo.tender, as_of=TODAY)
    html = tender_map(graph, result, as_of=TODAY)
    nodes = by_id(page_data(html)[0])
    items = result["items"]
    people = [node for node in nodes.values() if node["node_label"] == "Stakeholder"]
    assert len(items) > 300 and len(people) == 300
    assert {item["id"] for item in items[:299]} <= set(nodes)
    assert f"showing 300 of {len(items):,} people; {len(items) - 300:,} left out (lowest score)" in html
    assert nodes[items[0]["id"]]["score"] == items[0]["score"]
    assert {item["id"] for item in items if item["covered"]} & set(nodes) == {
        node["id"] for node in people if node["covered"]}
    assert nodes[demo.tender]["shape"] == "diamond"
    assert fetched_urls(html) == []


def test_territory_map_of_the_demo(demo: Demo) -> None:
    graph = demo.store.territory_subgraph(demo.territory)
    report = coverage_report(graph, demo.territory, as_of=TODAY)
    html = territory_map(graph, report)
    nodes = by_id(page_data(html)[0])
    people = [node for node in nodes.values() if node["node_label"] == "Stakeholder"]
    assert len(people) == min(300, report["people"])
    gaps = {gap["id"] for gap in report["gaps"]}
    assert all(node["covered"] == (node["id"] not in gaps) for node in people)
    assert f"of {report['people']:,} people" in html
    assert fetched_urls(html) == []


def test_ego_map_of_the_demo(demo: Demo) -> None:
    graph = demo.store.territory_subgraph(demo.territory)
    person = max(sorted(p for p, label in graph.nodes(data="label") if label == "Stakeholder"),
                 key=graph.degree)
    one = by_id(page_data(ego_map(graph, person, hops=1, as_of=TODAY))[0])
    two = by_id(page_data(ego_map(graph, person, hops=2, as_of=TODAY))[0])
    neighbours = set(nx.ego_graph(graph, person, radius=1, undirected=True))
    assert set(one) <= neighbours and person in one
    assert set(one) < set(two)
    assert one[person]["size"] == 40.0 and one[person]["score"] > 0


def test_path_map_of_the_demo(demo: Demo) -> None:
    graph = demo.store.tender_subgraph(demo.tender, TENDER_HOPS)
    target = tender_influence(graph, demo.tender, as_of=TODAY)["items"][0]["id"]
    around = demo.store.neighbourhood(target, 4)
    result = warm_paths(around, target, as_of=TODAY, k=3, include_quiet=True)
    assert result["paths"]
    nodes, edges, _ = page_data(path_map(around, result, as_of=TODAY))
    on_paths = {node for path in result["paths"] for node in path["nodes"]}
    assert set(by_id(nodes)) == on_paths
    steps = {frozenset(path["nodes"][i:i + 2]) for path in result["paths"]
             for i in range(len(path["nodes"]) - 1)}
    assert steps <= {frozenset((edge["from"], edge["to"])) for edge in edges}
    best = result["paths"][0]
    assert by_id(nodes)[best["nodes"][0]]["score"] == best["strength"]


def test_path_map_without_paths_shows_the_target_and_the_note() -> None:
    result = {"target": "a", "paths": [], "note": "a holds a role in a tender in its quiet period"}
    html = path_map(small_graph(), result, as_of=TODAY)
    assert sorted(by_id(page_data(html)[0])) == ["a"]
    assert '<p id="kg-extra-note">a holds a role in a tender in its quiet period</p>' in html


def test_an_ego_map_draws_the_ego_graph_of_networkx(demo: Demo) -> None:
    """The people around a person are networkx's ego graph, whether the map is given the whole
    graph or the person's neighbourhood (as the services do): the same page both ways."""
    whole = demo.store.whole_graph()
    people = sorted(n for n, label in whole.nodes(data="label") if label == "Stakeholder")[::50]
    for person in people:
        for hops in (1, 2):
            expected = nx.ego_graph(whole, person, radius=hops, undirected=True)
            drawn = _around(whole, person, hops)
            assert set(drawn) == set(expected) and drawn.number_of_edges() == whole.subgraph(
                expected).number_of_edges(), (person, hops)
        near = demo.store.neighbourhood(person, hops=2)
        assert ego_map(near, person, as_of=TODAY) == ego_map(whole, person, as_of=TODAY)
