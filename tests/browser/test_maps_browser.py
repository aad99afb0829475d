"""Maps in a real headless Chromium: drawn, settled, clickable, filterable, offline, safe.

The demo's largest tender and its top territory are written to files and opened over
file://; every request the page makes is recorded (and any to a host is refused).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kamgraph.analysis.coverage import coverage_report
from kamgraph.analysis.tender import tender_influence
from kamgraph.maps import map_html, tender_map, territory_map
from kamgraph.services import TENDER_HOPS
from tests.test_maps import ARABIC, CYRILLIC, HOSTILE, TODAY, load_demo, page_data

# The 3 s target for a 300-person map is measured and reported (the print below, run with -s);
# a timed unit test would be noisy on a shared 2-core machine, so this only bounds a layout that
# never settles.
SETTLE_LIMIT_MS = 15_000
SETTLED = "window.kamgraphMap && window.kamgraphMap.settledAt !== null"

DRAWN = """() => {
  const map = window.kamgraphMap, body = map.network.body;
  return {nodes: map.nodes.length, drawnNodes: body.nodeIndices.length, edges: map.edges.length,
          drawnEdges: body.edgeIndices.length, settledAt: map.settledAt,
          physics: map.network.physics.options.enabled};
}"""
VISIBLE = """() => {
  const map = window.kamgraphMap, body = map.network.body;
  const drawn = new Set(body.nodeIndices);
  const loose = body.edgeIndices.filter(id => {
    const edge = body.edges[id];
    return !drawn.has(edge.fromId) || !drawn.has(edge.toId);
  });
  return {ids: body.nodeIndices.slice(), hidden: map.nodes.get({filter: n => n.hidden}).length,
          looseEdges: loose.length, note: document.getElementById("kg-visible").textContent};
}"""
POINT_AT = """id => {
  const network = window.kamgraphMap.network;
  network.focus(id, {scale: 2.5, animation: false});
  const point = network.canvasToDOM(network.getPosition(id));
  const box = document.getElementById("kg-network").getBoundingClientRect();
  return {x: box.left + point.x, y: box.top + point.y, hit: network.getNodeAt(point)};
}"""


@pytest.fixture(scope="module")
def demo_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tender map of the demo's largest tender and the map of its top territory."""
    folder = tmp_path_factory.mktemp("maps")
    demo = load_demo(folder)
    tender_graph = demo.store.tender_subgraph(demo.tender, TENDER_HOPS)
    tender = tender_map(tender_graph, tender_influence(tender_graph, demo.tender, as_of=TODAY),
                        as_of=TODAY)
    territory_graph = demo.store.territory_subgraph(demo.territory)
    territory = territory_map(territory_graph, coverage_report(territory_graph, demo.territory, as_of=TODAY))
    pages = {"tender": folder / "tender.html", "territory": folder / "territory.html"}
    pages["tender"].write_text(tender, encoding="utf-8")
    pages["territory"].write_text(territory, encoding="utf-8")
    return pages


def open_map(page: Any, path: Path) -> None:
    page.goto(path.as_uri())
    page.wait_for_function(SETTLED, timeout=15_000)


def only_local(page: Any) -> list[str]:
    """The requests that went anywhere but to the page itself or a data: URI."""
    return [url for url in page.requests if url != page.url and not url.startswith("data:")]


def test_the_tender_map_draws_settles_and_stays_local(
        browser_page: Any, demo_pages: dict[str, Path]) -> None:
    check_300_person_map(browser_page, demo_pages, "tender")


def test_the_territory_map_draws_settles_and_stays_local(
        browser_page: Any, demo_pages: dict[str, Path]) -> None:
    check_300_person_map(browser_page, demo_pages, "territory")


def check_300_person_map(browser_page: Any, demo_pages: dict[str, Path], kind: str) -> None:
    # two tests rather than parametrize: a skipped run then folds into one line of pytest -ra
    nodes, edges, _ = page_data(demo_pages[kind].read_text(encoding="utf-8"))
    assert sum(node["node_label"] == "Stakeholder" for node in nodes) == 300
    open_map(browser_page, demo_pages[kind])
    drawn = browser_page.evaluate(DRAWN)
    print(f"\n{kind} map: {drawn['drawnNodes']} nodes and {drawn['drawnEdges']} lines drawn, "
          f"settled {drawn['settledAt']:.0f} ms after navigation")
    assert (drawn["nodes"], drawn["drawnNodes"]) == (len(nodes), len(nodes))
    assert (drawn["edges"], drawn["drawnEdges"]) == (len(edges), len(edges))
    assert drawn["settledAt"] < SETTLE_LIMIT_MS
    assert drawn["physics"] is False
    positions = "() => window.kamgraphMap.network.getPositions()"
    before = browser_page.evaluate(positions)
    browser_page.wait_for_timeout(500)
    assert browser_page.evaluate(positions) == before  # it stopped moving
    assert browser_page.locator("#kg-note").inner_text().startswith("showing 300 of ")
    open_map(browser_page, demo_pages[kind])
    assert browser_page.evaluate(positions) == before  # the seeded layout comes out the same
    assert only_local(browser_page) == []


def test_clicking_a_node_shows_its_details(browser_page: Any, demo_pages: dict[str, Path]) -> None:
    nodes, _, _ = page_data(demo_pages["tender"].read_text(encoding="utf-8"))
    top = max((node for node in nodes if node["node_label"] == "Stakeholder"),
              key=lambda node: node["score"])
    open_map(browser_page, demo_pages["tender"])
    point = browser_page.evaluate(POINT_AT, top["id"])
    assert point["hit"] == top["id"]
    browser_page.evaluate("""() => document.addEventListener("kamgraph:select",
                                   event => { window.selected = event.detail.id; })""")
    browser_page.mouse.click(point["x"], point["y"])
    assert browser_page.evaluate("window.selected") == top["id"]
    details = browser_page.locator("#kg-details")
    assert details.get_attribute("data-selected") == top["id"]
    assert details.locator("h2").inner_text() == top["name"]
    shown = details.locator("dl").inner_text()
    for field, value in top["details"]:
        assert field in shown and value in shown
    assert "Tender influence" in shown


def test_filters_hide_nodes(browser_page: Any, demo_pages: dict[str, Path]) -> None:
    nodes, _, _ = page_data(demo_pages["tender"].read_text(encoding="utf-8"))
    labels = {node["id"]: node for node in nodes}
    open_map(browser_page, demo_pages["tender"])
    everyone = browser_page.evaluate(VISIBLE)
    assert len(everyone["ids"]) == len(nodes) and everyone["hidden"] == 0

    top_score = max(node["score"] for node in nodes)
    browser_page.evaluate("""value => {
      const input = document.getElementById("kg-min-score");
      input.value = value;
      input.dispatchEvent(new Event("input"));
    }""", top_score / 4)
    fewer = browser_page.evaluate(VISIBLE)
    people = [labels[id_] for id_ in fewer["ids"] if labels[id_]["node_label"] == "Stakeholder"]
    assert 0 < len(people) < 300 and len(fewer["ids"]) < len(nodes)
    assert all(person["score"] >= float(browser_page.input_value("#kg-min-score")) for person in people)
    assert fewer["looseEdges"] == 0  # lines to hidden nodes are not drawn
    assert fewer["note"] == f"{len(fewer['ids'])} of {len(nodes)} nodes shown"

    browser_page.evaluate("""() => {
      const input = document.getElementById("kg-min-score");
      input.value = 0;
      input.dispatchEvent(new Event("input"));
    }""")
    browser_page.check("#kg-hide-team")
    browser_page.check("#kg-hide-covered")
    no_team = browser_page.evaluate(VISIBLE)["ids"]
    assert not any(labels[id_]["node_label"] == "AccountManager" for id_ in no_team)
    assert not any(labels[id_]["covered"] for id_ in no_team)
    browser_page.check("#kg-only-competitor")
    aligned = [labels[id_] for id_ in browser_page.evaluate(VISIBLE)["ids"]]
    assert all(node["competitor_aligned"] for node in aligned if node["node_label"] == "Stakeholder")

    for box in ("#kg-hide-team", "#kg-hide-covered", "#kg-only-competitor"):
        browser_page.uncheck(box)
    assert len(browser_page.evaluate(VISIBLE)["ids"]) == len(nodes)
    assert only_local(browser_page) == []


def test_hostile_and_unicode_names_show_as_text(browser_page: Any, tmp_path: Path) -> None:
    g = nx.MultiDiGraph()
    names = {"hostile": HOSTILE, "cyrillic": CYRILLIC, "arabic": ARABIC}
    for person, name in names.items():
        g.add_node(person, label="Stakeholder", name=name, stance="neutral", title=name)
    g.add_edge("hostile", "cyrillic", key="KNOWS", type="KNOWS", weight=0.5)
    g.add_edge("arabic", "hostile", key="INFLUENCES", type="INFLUENCES", weight=0.7)
    path = tmp_path / "names.html"
    path.write_text(map_html(g, scores={"hostile": 0.5, "cyrillic": 0.3, "arabic": 0.2},
                             title=HOSTILE, kind="ego", as_of=TODAY), encoding="utf-8")
    browser_page.on("dialog", lambda dialog: dialog.dismiss())
    open_map(browser_page, path)
    assert browser_page.title() == HOSTILE
    assert browser_page.locator("h1").inner_text() == HOSTILE

    point = browser_page.evaluate(POINT_AT, "hostile")
    browser_page.mouse.move(point["x"], point["y"])
    tooltip = browser_page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert tooltip.inner_text().splitlines()[0] == HOSTILE
    # innerText turns the tooltip's line breaks into <br>; nothing else may become markup
    assert tooltip.evaluate("element => [...element.children].map(child => child.tagName)") == ["BR"] * 4
    browser_page.mouse.click(point["x"], point["y"])
    assert browser_page.locator("#kg-details h2").inner_text() == HOSTILE

    for person in ("cyrillic", "arabic"):
        point = browser_page.evaluate(POINT_AT, person)
        browser_page.mouse.click(point["x"], point["y"])
        assert browser_page.locator("#kg-details h2").inner_text() == names[person]
    assert browser_page.evaluate("window.__pwned") is None
    assert browser_page.locator("img").count() == 0
    assert only_local(browser_page) == []


def test_an_empty_map_settles_too(browser_page: Any, tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text(map_html(nx.MultiDiGraph(), scores={}, title="Nobody", kind="territory"),
                    encoding="utf-8")
    open_map(browser_page, path)
    assert browser_page.evaluate(DRAWN)["drawnNodes"] == 0
    assert browser_page.locator("#kg-note").inner_text() == "no people in scope"
