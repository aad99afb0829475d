"""Two classic public social networks, imported as JSON and read through the CLI.

The files come from ``scripts/make_classic_networks.py`` (networkx's copies of the data).
Every tie is a ``KNOWS`` of weight 1, which the social graph turns into a tie of weight
``knows_factor`` (0.5) for everyone alike: shortest paths, and so betweenness, are those of
the unweighted graph, and the ``degree`` metric (weighted degree / (n - 1)) is
``knows_factor * degree / (n - 1)``.

Published readings checked:

- Zachary (1977), karate club: the instructor (member 1) and the officer (member 34) have
  the most ties, 16 and 17, and the highest betweenness, 0.4376 and 0.3041 (normalised,
  unweighted, as networkx computes it); the club split between the two. Factions (Louvain,
  seed 7) give 4 groups; leaders 1 and 34 fall in different ones, and 32 of 34 members
  (94.1%) are in a faction whose majority joined the same club as they did.
- Padgett and Ansell (1993), Florentine marriages: the Medici have the most marriage ties (6)
  and the highest betweenness, 0.522 normalised over the 15 connected families, that is 47.5
  of the 91 pairs of other families. The file also holds the isolated Pucci, so over 16
  families the normalised figure is 47.5 / 105 = 0.452.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from kamgraph.analysis.config import DEFAULT
from kamgraph.store.base import GraphStore
from tests.cli_helpers import Cli

DATA = Path(__file__).parent / "data"


def imported(store: GraphStore, name: str) -> Cli:
    cli = Cli.of(store)
    data = json.loads((DATA / name).read_text())
    assert cli.json("import", str(DATA / name)) == {
        "nodes": len(data["nodes"]), "relationships": len(data["relationships"]), "written": True,
        "problems": []}
    return cli


def scores(cli: Cli, metric: str) -> dict[str, float]:
    items = cli.json("rank", "--metric", metric, "--top", "100")["items"]
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    return {item["id"]: item["score"] for item in items}


def unweighted(name: str) -> nx.Graph:
    """The same file read straight into networkx, as the published analyses treat it."""
    data = json.loads((DATA / name).read_text())
    graph = nx.Graph()
    graph.add_nodes_from(node["id"] for node in data["nodes"])
    graph.add_edges_from((rel["from"], rel["to"]) for rel in data["relationships"])
    return graph


def test_the_files_match_the_published_networks() -> None:
    karate, florentine = unweighted("karate.json"), unweighted("florentine.json")
    assert (karate.number_of_nodes(), karate.number_of_edges()) == (34, 78)
    assert (florentine.number_of_nodes(), florentine.number_of_edges()) == (16, 20)
    assert nx.number_connected_components(florentine) == 2  # the 15 families and the Pucci
    clubs = Counter(node["club"] for node in json.loads((DATA / "karate.json").read_text())["nodes"])
    assert clubs == {"Mr. Hi": 17, "Officer": 17}


def test_karate_degree(store: GraphStore) -> None:
    degree = scores(imported(store, "karate.json"), "degree")
    ties = {person: round(score * 33 / DEFAULT.knows_factor) for person, score in degree.items()}
    assert list(ties.items())[:2] == [("s-karate-34", 17), ("s-karate-01", 16)]
    assert ties == dict(unweighted("karate.json").degree())


def test_karate_betweenness(store: GraphStore) -> None:
    betweenness = scores(imported(store, "karate.json"), "betweenness")
    assert list(betweenness)[:2] == ["s-karate-01", "s-karate-34"]
    assert betweenness["s-karate-01"] == pytest.approx(0.4376, abs=5e-5)
    assert betweenness["s-karate-34"] == pytest.approx(0.3041, abs=5e-5)
    published = nx.betweenness_centrality(unweighted("karate.json"))
    assert betweenness == pytest.approx(published, abs=1e-9)


def test_karate_factions_follow_the_split(store: GraphStore) -> None:
    cli = imported(store, "karate.json")
    factions = cli.json("factions")["factions"]
    club = {node["id"]: node["club"]
            for node in json.loads((DATA / "karate.json").read_text())["nodes"]}
    faction_of = {person: f["id"] for f in factions for person in f["members"]}
    assert len(factions) >= 2 and sum(f["size"] for f in factions) == 34
    assert faction_of["s-karate-01"] != faction_of["s-karate-34"]
    assert agreement(factions, club) == 32  # 94.1% of 34; the acceptance floor is 85%
    leaders = {f["leaders"][0] for f in factions}
    assert {"s-karate-01", "s-karate-34"} <= leaders


def agreement(factions: list[dict[str, Any]], club: dict[str, str]) -> int:
    """Members in a faction whose majority joined the same club as they did."""
    total = 0
    for faction in factions:
        clubs = Counter(club[person] for person in faction["members"])
        total += clubs.most_common(1)[0][1]
    return total


def test_florentine_medici(store: GraphStore) -> None:
    cli = imported(store, "florentine.json")
    betweenness, degree = scores(cli, "betweenness"), scores(cli, "degree")
    medici = "s-florentine-medici"
    assert next(iter(betweenness)) == medici and next(iter(degree)) == medici
    assert betweenness[medici] * 15 * 14 / 2 == pytest.approx(47.5)  # pairs of other families
    assert betweenness[medici] * 15 / 13 == pytest.approx(0.522, abs=5e-4)  # over the 15 connected
    assert round(degree[medici] * 15 / DEFAULT.knows_factor) == 6
    assert betweenness == pytest.approx(nx.betweenness_centrality(unweighted("florentine.json")),
                                        abs=1e-9)
