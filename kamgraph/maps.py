"""Maps: analysis results drawn as interactive network pages (pyvis over vis-network).

Every map is one complete HTML document that needs nothing but a browser: the
vis-network script and stylesheet that pyvis ships are inlined, and nothing on the page
names another host. (pyvis's own template links Bootstrap and vis-network from CDNs, so
maps render kamgraph's page template through pyvis's ``generate_html`` instead.)

The maps: :func:`tender_map` (people by tender influence), :func:`territory_map` (key
stakeholders by importance), :func:`ego_map` (the people within 1-2 hops of a stakeholder,
by their influence on them) and :func:`path_map` (warm paths to a person, by path
strength). All go through :func:`map_html`.

What is drawn:

- the *subjects* are the nodes ``scores`` names; people among them are ranked by score
  (the focus first, then best score, ties by id) and the first ``top`` kept; the page
  says how many were left out. Other subjects (account managers on a warm path) are kept.
- the *context*, on every map but a path map: the focus, and the organisations, account
  managers and tenders tied to a kept person. Interactions and plans are never drawn.
- relationships active at ``as_of`` (default today) between drawn nodes; the
  relationships from one node to another are drawn as one line that lists them all.
- sensitive properties (``email``, ``phone``, ``notes``) never reach the page.

Encoding (the page's legend repeats it):

- node colour = stance for people (champion dark green .. opponent red, unknown white);
  a fixed colour per label otherwise (competitor organisations red, our company blue); a
  thick blue ring marks a covered person;
- node shape = label (:data:`LABEL_SHAPES`);
- node size = ``10 + 25 * sqrt(score / largest score)`` for subjects; context nodes 12,
  the focus 40;
- line width = ``1 + 4 * weight`` (``INFLUENCES`` and ``KNOWS`` weight, ``RELATES_TO`` and
  ``ALIGNED_WITH`` strength; 1 without one), the largest of the relationships drawn;
- line style by category (:data:`EDGE_STYLES`): *ours* (``RELATES_TO``, ``COVERS``,
  ``ALIGNED_WITH`` our company), *competitor* (``ALIGNED_WITH`` a competitor), *formal*
  (jobs, reporting lines, tender roles, formal influence, places) and *informal*
  (``KNOWS``, ``ATTENDED``, other influence); when one line holds several, the first of
  that order wins.

The page: the map, a legend, filters (minimum score, hide covered people, only
competitor-aligned people, hide our team; a context node hides with the last visible
person tied to it) and a details panel (click a node or line; a node click also fires a
``kamgraph:select`` event on ``document`` with ``detail.id``). Physics lays the map out
from a fixed seed for at most :data:`STABILIZATION_ITERATIONS` steps and is switched off
once stabilised, so the map stays still; the same input gives the same page and the same
layout. (On the 500-person demo, a 300-person map of 370-380 nodes and about 1,900 lines
settles 1.3-1.8 s after opening in headless Chromium on two cores; about half of that is
the physics, so the iteration count is the knob.) ``window.kamgraphMap`` holds
``{network, nodes, edges, settledAt, focus, applyFilters, select}``, ``settledAt`` being
``performance.now()`` when the layout settled (``null`` before).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

import jinja2
import networkx as nx
from markupsafe import Markup
from pyvis.network import Network

from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.coverage import key_stakeholders
from kamgraph.analysis.graphs import (
    active_edges,
    covered_people,
    current_employers,
    influence_graph,
    is_active,
    pagerank,
    relationship_strength,
)
from kamgraph.analysis.tender import best_relationships

__all__ = ["EDGE_STYLES", "LABEL_SHAPES", "STANCE_COLOURS", "MapKind", "ego_map", "map_html",
           "path_map", "tender_map", "territory_map"]

MapKind = Literal["tender", "territory", "ego", "path"]

STANCE_COLOURS = {"champion": "#1a9850", "supporter": "#91cf60", "neutral": "#bdbdbd",
                  "skeptic": "#fc8d59", "opponent": "#d73027", "unknown": "#ffffff"}
"""Fill of a person by stance (a stance outside the list counts as unknown)."""

LABEL_SHAPES = {"Stakeholder": "dot", "Organization": "square", "AccountManager": "star",
                "Tender": "diamond", "Territory": "triangle", "Product": "hexagon",
                "Event": "triangleDown"}
"""vis-network shape per label; labels not listed (Interaction, Plan) are never drawn."""

LABEL_COLOURS = {"Organization": "#8da0cb", "AccountManager": "#2b5fd9", "Tender": "#e6ab02",
                 "Territory": "#a6761d", "Product": "#7570b3", "Event": "#66c2a5"}
ORG_TYPE_COLOURS = {"competitor": "#b2182b", "own_company": "#2b5fd9"}
COVERED_RING = "#2b5fd9"

EDGE_STYLES: dict[str, tuple[str, str, bool | list[int]]] = {
    "ours": ("our relationship", "#2b5fd9", False),
    "competitor": ("competitor alignment", "#d73027", [2, 4]),
    "formal": ("formal tie", "#525252", False),
    "informal": ("informal tie", "#969696", [6, 4]),
}
"""Category → (legend text, colour, vis-network dashes), in order of precedence."""
_LEGEND_LINES = {"ours": "solid", "competitor": "dotted", "formal": "solid", "informal": "dashed"}

SCORE_NAMES = {"tender": "tender influence", "territory": "importance", "ego": "influence on {name}",
               "path": "warm path strength"}
CONTEXT_LABELS = frozenset({"Organization", "AccountManager", "Tender"})
LAYOUT_SEED = 42
STABILIZATION_ITERATIONS = 150
LABEL_LENGTH = 32  # longer names (tenders) are cut on the map, whole in tooltips and details
IMPROVED_LAYOUT_MAX = 100  # vis-network's improved layout is slow beyond about this many nodes

_FORMAL_TYPES = frozenset({"WORKS_AT", "REPORTS_TO", "ROLE_IN", "ISSUED_BY", "FOR_PRODUCT",
                           "AWARDED_TO", "MADE_BY", "LOCATED_IN", "PART_OF"})
_OUR_TYPES = frozenset({"RELATES_TO", "COVERS"})
_EDGE_DETAILS = ("role", "kind", "context", "position", "department", "stage")
_NODE_FIELDS = {
    "Organization": (("Type", "type"), ("Beds", "beds")),
    "AccountManager": (("Role", "role"),),
    "Tender": (("Status", "status"), ("Value", "value"), ("Currency", "currency"),
               ("Deadline", "deadline")),
    "Territory": (("Level", "level"),),
    "Product": (("INN", "inn"), ("Therapeutic area", "therapeutic_area")),
    "Event": (("Date", "date"), ("Kind", "kind")),
}
_GLYPHS = {"dot": "\u25cf", "square": "\u25a0", "star": "\u2605", "diamond": "\u25c6",
           "triangle": "\u25b2", "hexagon": "\u2b22", "triangleDown": "\u25bc"}
_LABEL_NAMES = {"Stakeholder": "person (colour = stance)", "Organization": "organisation",
                "AccountManager": "our team", "Tender": "tender", "Territory": "territory",
                "Product": "product", "Event": "event"}


# --- the maps -----------------------------------------------------------------------------


def map_html(graph: nx.MultiDiGraph, *, scores: Mapping[str, float], title: str,
             focus: str | None = None, covered: AbstractSet[str] = frozenset(), top: int = 300,
             kind: MapKind, as_of: date | None = None, note: str | None = None) -> str:
    """A complete, standalone HTML page drawing ``graph`` around the scored nodes.

    Parameters
    ----------
    graph : nx.MultiDiGraph
        A store subgraph (``kamgraph.store.base``).
    scores : Mapping[str, float]
        The map's subjects and their score (size, ranking, the minimum-score filter).
    title : str
        The page's heading (shown as text).
    focus : str, optional
        The node the map is about (a tender, territory or person): always drawn, larger.
    covered : set of str
        The covered people (blue ring; the hide-covered filter).
    top : int
        At most this many people (300); the rest are left out, lowest score first.
    kind : {"tender", "territory", "ego", "path"}
        What the scores are (named on the page); a path map draws no context nodes.
    as_of : date, optional
        Relationships active at this date are drawn (default today).
    note : str, optional
        A line shown under the heading, after the count of people.

    Returns
    -------
    str
        The HTML document; see the module doc for what it draws and how.

    Raises
    ------
    ValueError
        ``top`` below 1 or an unknown ``kind``.
    KeyError
        ``focus`` is not a node of ``graph``.

    Examples
    --------
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("p", label="Stakeholder", name="Dr. P", stance="champion")
    >>> page = map_html(g, scores={"p": 1.0}, title="One person", kind="ego")
    >>> page.startswith("<!DOCTYPE html>"), "showing all 1 person" in page
    (True, True)
    """
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    if kind not in get_args(MapKind):
        raise ValueError(f"unknown map kind {kind!r}; one of {', '.join(get_args(MapKind))}")
    if focus is not None and focus not in graph:
        raise KeyError(focus)
    day = as_of or date.today()
    subjects = {node: float(score) for node, score in scores.items()
                if node in graph and graph.nodes[node].get("label") in LABEL_SHAPES}
    kept, shown, total = _keep(graph, subjects, focus, top)
    drawn = kept if kind == "path" else kept | _context(graph, kept, focus, day)
    facts = _facts(graph, kind, focus, subjects, covered, day)
    nodes = [_node(graph, node, facts) for node in sorted(drawn)]
    edges = [_edge(graph, index, *edge) for index, edge in enumerate(_edges(graph, drawn, day))]
    page = _page(title, _count_note(shown, total), note, facts, nodes, edges)
    return _render(nodes, edges, page)


def tender_map(G: nx.MultiDiGraph, tender_result: Mapping[str, Any], *, as_of: date | None = None,
               top: int = 300) -> str:
    """The people of ``tender_influence(G, T)`` by tender influence, around tender T.

    ``G`` is the graph the result came from (``tender_subgraph``); ``as_of`` should be the
    analysis date.
    """
    tender = tender_result["tender"]
    items = tender_result["items"]
    return map_html(G, scores={item["id"]: item["score"] for item in items},
                    covered={item["id"] for item in items if item["covered"]},
                    title=f"Tender map: {tender.get('name') or tender['id']}", focus=tender["id"],
                    top=top, kind="tender", as_of=as_of)


def territory_map(G: nx.MultiDiGraph, coverage_result: Mapping[str, Any], *, top: int = 300,
                  config: AnalysisConfig = DEFAULT) -> str:
    """The key stakeholders of ``coverage_report(G, R)`` by importance, around territory R.

    The report lists only the gaps, so every key stakeholder's importance is taken again
    from ``key_stakeholders`` at the report's ``as_of`` (the same numbers).
    """
    territory = coverage_result["territory"]
    day = date.fromisoformat(coverage_result["as_of"])
    importance = key_stakeholders(G, territory["id"], as_of=day, config=config)
    covered = set(covered_people(G, as_of=day, config=config)) & set(importance)
    return map_html(G, scores=importance, covered=covered, focus=territory["id"], top=top,
                    title=f"Territory map: {territory.get('name') or territory['id']}",
                    kind="territory", as_of=day)


def ego_map(G: nx.MultiDiGraph, person_id: str, *, hops: int = 2, as_of: date | None = None,
            top: int = 300, config: AnalysisConfig = DEFAULT) -> str:
    """The people within ``hops`` steps (any relationship, any direction) of a stakeholder.

    Score = influence on the person: personalized PageRank over the reversed influence
    graph of those people, restarting at the person (the tender-influence formula with one
    decider); people whose influence does not reach them score 0.

    Raises ``KeyError(person_id)`` when it is not a Stakeholder of ``G``, ``ValueError``
    when ``hops`` is below 1.
    """
    if person_id not in G or G.nodes[person_id].get("label") != "Stakeholder":
        raise KeyError(person_id)
    if hops < 1:
        raise ValueError(f"hops must be at least 1, got {hops}")
    day = as_of or date.today()
    ego = _around(G, person_id, hops)
    scores = _influence_on(ego, person_id, day, config)
    name = G.nodes[person_id].get("name", person_id)
    return map_html(ego, scores=scores, covered=set(covered_people(ego, as_of=day, config=config)),
                    title=f"Stakeholder map: {name}", focus=person_id, top=top, kind="ego",
                    as_of=day)


def _around(G: nx.MultiDiGraph, node: str, hops: int) -> nx.MultiDiGraph:
    """``G.subgraph(nx.ego_graph(G, node, radius=hops, undirected=True))``, without the
    undirected copy of ``G`` that ego_graph makes, and ``G`` itself when that is all of it (the
    services pass the very neighbourhood: passes over a subgraph view cost 3 times more)."""
    reached = frontier = {node}
    for _ in range(hops):
        frontier = {other for n in frontier for other in (*G.successors(n), *G.predecessors(n))} - reached
        reached = reached | frontier
    return G if len(reached) == len(G) else G.subgraph(reached)


def path_map(G: nx.MultiDiGraph, paths_result: Mapping[str, Any], *, as_of: date | None = None,
             config: AnalysisConfig = DEFAULT) -> str:
    """The warm paths of ``warm_paths(G, X)``: the nodes on them and the ties among them.

    Score of a node = strength of the strongest path through it. A result without paths
    draws the target alone, with the result's ``note`` (quiet period) when it has one.
    """
    target = paths_result["target"]
    day = as_of or date.today()
    scores: dict[str, float] = {target: 0.0}
    for path in paths_result["paths"]:
        for node in path["nodes"]:
            scores[node] = max(scores.get(node, 0.0), float(path["strength"]))
    name = G.nodes[target].get("name", target)
    return map_html(G, scores=scores, covered=set(covered_people(G, as_of=day, config=config)),
                    title=f"Warm paths to {name}", focus=target, top=max(len(scores), 1),
                    kind="path", as_of=day, note=paths_result.get("note"))


def _influence_on(ego: nx.MultiDiGraph, person: str, day: date, config: AnalysisConfig
                  ) -> dict[str, float]:
    people = [node for node, label in ego.nodes(data="label") if label == "Stakeholder"]
    scores = dict.fromkeys(people, 0.0)
    influence = influence_graph(ego, as_of=day, config=config)
    if person in influence:
        ranks = pagerank(influence.reverse(copy=False), personalization={person: 1.0}, config=config)
        scores.update({node: score for node, score in ranks.items() if node in scores})
    else:
        scores[person] = 1.0
    return scores


# --- what is drawn ------------------------------------------------------------------------


def _keep(graph: nx.MultiDiGraph, subjects: Mapping[str, float], focus: str | None, top: int
          ) -> tuple[set[str], int, int]:
    """(kept nodes, people kept, people scored): the focus, the top people, other subjects."""
    people = sorted((node for node in subjects if graph.nodes[node]["label"] == "Stakeholder"),
                    key=lambda node: (node != focus, -subjects[node], node))
    others = {node for node in subjects if graph.nodes[node]["label"] != "Stakeholder"}
    kept = set(people[:top]) | others
    if focus is not None:
        kept.add(focus)
    return kept, min(top, len(people)), len(people)


def _context(graph: nx.MultiDiGraph, kept: set[str], focus: str | None, day: date) -> set[str]:
    """Organisations, account managers and tenders tied to a kept person."""
    context = {focus} if focus is not None else set()
    for node in kept:
        if graph.nodes[node].get("label") == "Stakeholder":
            context.update(other for other in _ties(graph, node, day)
                           if graph.nodes[other].get("label") in CONTEXT_LABELS)
    return context


def _ties(graph: nx.MultiDiGraph, node: str, day: date) -> Iterator[str]:
    for _, other, attrs in graph.out_edges(node, data=True):
        if is_active(attrs, day):
            yield other
    for other, _, attrs in graph.in_edges(node, data=True):
        if is_active(attrs, day):
            yield other


def _edges(graph: nx.MultiDiGraph, drawn: set[str], day: date
           ) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(from, to, the active relationships from → to), one entry per ordered pair, sorted."""
    pairs: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for start, end, key, attrs in graph.subgraph(drawn).edges(keys=True, data=True):
        if start != end and is_active(attrs, day):
            pairs[start, end].append((str(key), attrs))
    return [(start, end, [attrs for _, attrs in sorted(rels, key=lambda rel: rel[0])])
            for (start, end), rels in sorted(pairs.items())]


def _count_note(shown: int, total: int) -> str:
    noun = "person" if total == 1 else "people"
    if total == 0:
        return "no people in scope"
    if shown == total:
        return f"showing all {total:,} {noun}"
    return f"showing {shown:,} of {total:,} {noun}; {total - shown:,} left out (lowest score)"


# --- nodes --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the nodes' tooltips and data need, each gathered in one pass over the graph."""

    kind: str
    focus: str | None
    score_name: str
    subjects: Mapping[str, float]
    top_score: float
    covered: AbstractSet[str]
    employers: dict[str, str]
    relationships: dict[str, dict[str, Any]]
    competitors: dict[str, str]
    roles: dict[str, str]


def _facts(graph: nx.MultiDiGraph, kind: str, focus: str | None, subjects: Mapping[str, float],
           covered: AbstractSet[str], day: date) -> _Facts:
    focus_name = graph.nodes[focus].get("name", focus) if focus is not None else "the focus"
    return _Facts(kind, focus, SCORE_NAMES[kind].format(name=focus_name), subjects,
                  max(subjects.values(), default=0.0), covered,
                  current_employers(graph, as_of=day), best_relationships(graph, as_of=day),
                  _competitors(graph, day), _roles(graph, focus, day))


def _competitors(graph: nx.MultiDiGraph, day: date) -> dict[str, str]:
    """Person → name of the competitor they are most strongly aligned with."""
    best: dict[str, tuple[float, str]] = {}
    for person, org, attrs in active_edges(graph, "ALIGNED_WITH", day):
        if graph.nodes[org].get("type") == "competitor":
            key = (-float(attrs.get("strength") or 0.0), org)
            if person not in best or key < best[person]:
                best[person] = key
    return {person: str(graph.nodes[org].get("name", org)) for person, (_, org) in best.items()}


def _roles(graph: nx.MultiDiGraph, focus: str | None, day: date) -> dict[str, str]:
    """Person → their tender roles: in the focus tender, or in every tender with its name."""
    in_focus = focus is not None and graph.nodes[focus].get("label") == "Tender"
    roles: dict[str, list[str]] = defaultdict(list)
    for person, tender, attrs in active_edges(graph, "ROLE_IN", day):
        role = str(attrs.get("role", "member"))
        if not in_focus:
            roles[person].append(f"{role} ({graph.nodes[tender].get('name', tender)})")
        elif tender == focus:
            roles[person].append(role)
    return {person: ", ".join(sorted(found)) for person, found in roles.items()}


def _node(graph: nx.MultiDiGraph, node: str, facts: _Facts) -> dict[str, Any]:
    attrs = graph.nodes[node]
    label = str(attrs.get("label"))
    name = str(attrs.get("name") or node)
    details = _details(graph, node, facts)
    is_covered = label == "Stakeholder" and node in facts.covered
    return {"id": node, "label": _short(name), "name": name, "shape": LABEL_SHAPES.get(label, "dot"),
            "color": _colour(attrs, is_covered), "borderWidth": 3 if is_covered else 1,
            "size": _size(node, facts), "title": "\n".join([name, *(f"{k}: {v}" for k, v in details)]),
            "node_label": label, "score": facts.subjects.get(node, 0.0),
            "subject": node in facts.subjects, "covered": is_covered,
            "competitor_aligned": node in facts.competitors, "details": [list(row) for row in details]}


def _short(name: str) -> str:
    """The label drawn on the map; tooltips and the details panel show the whole name."""
    return name if len(name) <= LABEL_LENGTH else name[:LABEL_LENGTH - 1].rstrip() + "\u2026"


def _size(node: str, facts: _Facts) -> float:
    if node == facts.focus:
        return 40.0
    if node not in facts.subjects:
        return 12.0
    share = facts.subjects[node] / facts.top_score if facts.top_score > 0 else 0.0
    return round(10 + 25 * math.sqrt(max(share, 0.0)), 2)


def _colour(attrs: Mapping[str, Any], covered: bool) -> dict[str, Any]:
    label = attrs.get("label")
    if label == "Stakeholder":
        fill = STANCE_COLOURS.get(str(attrs.get("stance")), STANCE_COLOURS["unknown"])
    elif label == "Organization":
        fill = ORG_TYPE_COLOURS.get(str(attrs.get("type")), LABEL_COLOURS["Organization"])
    else:
        fill = LABEL_COLOURS.get(str(label), "#cccccc")
    border = COVERED_RING if covered else "#4d4d4d"
    return {"background": fill, "border": border,
            "highlight": {"background": fill, "border": "#000000"},
            "hover": {"background": fill, "border": "#000000"}}


def _details(graph: nx.MultiDiGraph, node: str, facts: _Facts) -> list[tuple[str, str]]:
    """(field, value) rows for the tooltip and the details panel, empty ones left out."""
    attrs = graph.nodes[node]
    if attrs.get("label") == "Stakeholder":
        rows = _person_rows(graph, node, facts)
    else:
        rows = [(name, attrs.get(field)) for name, field in _NODE_FIELDS.get(str(attrs.get("label")), ())]
    if node in facts.subjects:
        rows.append((facts.score_name.capitalize(), f"{facts.subjects[node]:.3g}"))
    return [(name, _text(value)) for name, value in rows if value not in (None, "", [])]


def _person_rows(graph: nx.MultiDiGraph, node: str, facts: _Facts) -> list[tuple[str, Any]]:
    attrs = graph.nodes[node]
    relationship = facts.relationships.get(node) or {}
    manager = relationship.get("account_manager")
    return [("Title", attrs.get("title")), ("Organisation", facts.employers.get(node)),
            ("Role", facts.roles.get(node)), ("Stage", relationship.get("stage")),
            ("KAM", manager and graph.nodes[manager].get("name", manager)),
            ("Stance", attrs.get("stance", "unknown")), ("Category", attrs.get("category")),
            ("Covered", "yes" if node in facts.covered else "no"),
            ("Competitor", facts.competitors.get(node))]


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


# --- edges --------------------------------------------------------------------------------


def _edge(graph: nx.MultiDiGraph, index: int, start: str, end: str, rels: list[dict[str, Any]]
          ) -> dict[str, Any]:
    category = min((_category(graph, end, rel) for rel in rels), key=list(EDGE_STYLES).index)
    _, colour, dashes = EDGE_STYLES[category]
    weights = [weight for rel in rels if (weight := _weight(rel)) is not None]
    names = [str(graph.nodes[node].get("name") or node) for node in (start, end)]
    return {"id": f"e{index}", "from": start, "to": end, "category": category,
            "width": round(1 + 4 * max(weights), 2) if weights else 1,
            "color": {"color": colour, "highlight": "#000000", "hover": colour}, "dashes": dashes,
            "arrows": "" if all(rel.get("type") == "KNOWS" for rel in rels) else "to",
            "types": sorted({str(rel.get("type")) for rel in rels}),
            "title": "\n".join([" \u2192 ".join(names), *(_describe(rel) for rel in rels)])}


def _category(graph: nx.MultiDiGraph, end: str, rel: Mapping[str, Any]) -> str:
    rel_type = rel.get("type")
    if rel_type == "ALIGNED_WITH":
        org_type = graph.nodes[end].get("type")
        return {"competitor": "competitor", "own_company": "ours"}.get(str(org_type), "informal")
    if rel_type in _OUR_TYPES:
        return "ours"
    if rel_type in _FORMAL_TYPES or (rel_type == "INFLUENCES" and rel.get("kind") == "formal"):
        return "formal"
    return "informal"


def _weight(rel: Mapping[str, Any]) -> float | None:
    if rel.get("type") == "RELATES_TO":
        return relationship_strength(dict(rel))
    for field in ("weight", "strength"):
        if rel.get(field) is not None:
            return float(rel[field])
    return None


def _describe(rel: Mapping[str, Any]) -> str:
    parts = [str(rel.get("type", "")).lower().replace("_", " ")]
    parts += [str(rel[field]) for field in _EDGE_DETAILS if rel.get(field)]
    weight = _weight(rel)
    if weight is not None:
        parts.append(f"{weight:.2f}")
    return " \u00b7 ".join(parts)


# --- the page -----------------------------------------------------------------------------


def _page(title: str, count_note: str, note: str | None, facts: _Facts,
          nodes: Sequence[Mapping[str, Any]], edges: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    labels = {node["node_label"] for node in nodes}
    categories = {edge["category"] for edge in edges}
    stances = {str(node["color"]["background"]) for node in nodes if node["node_label"] == "Stakeholder"}
    return {
        "title": title, "count_note": count_note, "note": note,
        "score_name": facts.score_name, "top_score": facts.top_score, "focus": facts.focus,
        "stances": [(stance, colour) for stance, colour in STANCE_COLOURS.items() if colour in stances],
        "labels": [(_GLYPHS[shape], _label_colour(label), _LABEL_NAMES[label])
                   for label, shape in LABEL_SHAPES.items() if label in labels],
        "edges": [(text, colour, _LEGEND_LINES[category])
                  for category, (text, colour, _) in EDGE_STYLES.items() if category in categories],
        "assets": _vis_assets(),
    }


def _label_colour(label: str) -> str:
    return "#4d4d4d" if label == "Stakeholder" else LABEL_COLOURS[label]


@cache
def _vis_assets() -> dict[str, Markup]:
    """The vis-network stylesheet and script that pyvis ships (its ``in_line`` resources)."""
    folder = Path(Network(cdn_resources="in_line").template_dir) / "lib" / "vis-9.1.2"
    return {"css": Markup((folder / "vis-network.css").read_text(encoding="utf-8")),
            "js": Markup((folder / "vis-network.min.js").read_text(encoding="utf-8"))}


def _render(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], page: dict[str, Any]) -> str:
    """pyvis renders the page: its node and edge lists, our options, kamgraph's template."""
    network = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for node in nodes:
        network.add_node(node["id"], **{k: v for k, v in node.items() if k != "id"})
    for edge in edges:
        rest = {k: v for k, v in edge.items() if k not in ("from", "to")}
        network.add_edge(edge["from"], edge["to"], **rest)
    network.options = _options(len(nodes))
    environment = jinja2.Environment(loader=jinja2.DictLoader({"map.html": _TEMPLATE}), autoescape=True)
    environment.globals["page"] = page
    network.templateEnv, network.path = environment, "map.html"
    return network.generate_html()


def _options(count: int) -> dict[str, Any]:
    """vis-network options: a seeded layout, physics until stable, then still."""
    return {
        "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": count <= IMPROVED_LAYOUT_MAX},
        "physics": {"enabled": True, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -50, "springLength": 100,
                                         "springConstant": 0.08, "avoidOverlap": 0.2},
                    "stabilization": {"enabled": True, "iterations": STABILIZATION_ITERATIONS,
                                      "updateInterval": 50, "fit": True},
                    "minVelocity": 1.0},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": count > 150},
        "nodes": {"font": {"size": 13, "face": "DejaVu Sans, Arial, sans-serif",
                           "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"smooth": {"enabled": True, "type": "curvedCW", "roundness": 0.12},
                  "arrows": {"to": {"scaleFactor": 0.5}}, "selectionWidth": 1.5},
    }


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ page.title }}</title>
<style>{{ page.assets.css }}</style>
<script>{{ page.assets.js }}</script>
<style>
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font: 14px "DejaVu Sans", Arial, sans-serif; color: #222; }
header { padding: 8px 16px; border-bottom: 1px solid #ddd; }
header h1 { font-size: 20px; margin: 0 0 4px; }
header p { margin: 2px 0; color: #555; }
main { flex: 1; display: flex; min-height: 480px; }
#kg-network { flex: 1; min-width: 0; position: relative; }
aside { width: 300px; overflow-y: auto; border-left: 1px solid #ddd; padding: 8px 12px; }
aside h2 { font-size: 15px; margin: 12px 0 6px; }
aside label { display: block; margin: 4px 0; }
#kg-min-score { width: 100%; }
#kg-details dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 8px; margin: 0; }
#kg-details dt { color: #666; }
#kg-details dd { margin: 0; overflow-wrap: anywhere; }
#kg-legend ul { list-style: none; padding: 0; margin: 0 0 6px; }
#kg-legend li { margin: 2px 0; }
.kg-swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #4d4d4d;
  border-radius: 50%; vertical-align: middle; margin-right: 6px; }
.kg-glyph { display: inline-block; width: 14px; margin-right: 4px; text-align: center; }
.kg-line { display: inline-block; width: 28px; margin-right: 6px; vertical-align: middle;
  border-top-width: 3px; }
.kg-hint { color: #777; }
div.vis-tooltip { white-space: pre-line; font-family: "DejaVu Sans", Arial, sans-serif; }
</style>
</head>
<body>
<header>
<h1>{{ page.title }}</h1>
<p id="kg-note">{{ page.count_note }}</p>
{% if page.note %}<p id="kg-extra-note">{{ page.note }}</p>{% endif %}
</header>
<main>
<div id="kg-network"></div>
<aside>
<section id="kg-filters">
<h2>Filters</h2>
<label for="kg-min-score">Minimum {{ page.score_name }}: <output id="kg-min-score-value">0</output></label>
<input id="kg-min-score" type="range" min="0" max="{{ page.top_score }}"
  step="{{ page.top_score / 200 if page.top_score > 0 else 1 }}" value="0">
<label><input id="kg-hide-covered" type="checkbox"> Hide covered people</label>
<label><input id="kg-only-competitor" type="checkbox"> Only competitor-aligned people</label>
<label><input id="kg-hide-team" type="checkbox"> Hide our team</label>
<p id="kg-visible" class="kg-hint"></p>
</section>
<section id="kg-details" aria-live="polite">
<h2>Details</h2>
<p class="kg-hint">Click a node or a line.</p>
</section>
<section id="kg-legend">
<h2>Legend</h2>
{% if page.stances %}<ul>{% for stance, colour in page.stances %}
<li><span class="kg-swatch" style="background: {{ colour }}"></span>{{ stance }}</li>{% endfor %}
<li><span class="kg-swatch" style="border: 3px solid #2b5fd9"></span>covered by our team</li>
</ul>{% endif %}
<ul>{% for glyph, colour, text in page.labels %}
<li><span class="kg-glyph" style="color: {{ colour }}">{{ glyph }}</span>{{ text }}</li>{% endfor %}
</ul>
<ul>{% for text, colour, style in page.edges %}
<li><span class="kg-line" style="border-top: 3px {{ style }} {{ colour }}"></span>{{ text }}</li>{% endfor %}
</ul>
<p class="kg-hint">Size: {{ page.score_name }}. Line width: weight or strength.</p>
</section>
</aside>
</main>
<script>
(function () {
  "use strict";
  var NODES = {{ nodes|tojson }};
  var EDGES = {{ edges|tojson }};
  var OPTIONS = {{ options|safe }};
  var nodes = new vis.DataSet(NODES);
  var edges = new vis.DataSet(EDGES);
  var network = new vis.Network(document.getElementById("kg-network"),
                                {nodes: nodes, edges: edges}, OPTIONS);
  var map = {network: network, nodes: nodes, edges: edges, settledAt: null,
             focus: {{ page.focus|tojson }}};
  window.kamgraphMap = map;

  function settle() {
    if (map.settledAt !== null) { return; }
    network.setOptions({physics: false});
    network.fit({animation: false});
    map.settledAt = performance.now();
    document.body.setAttribute("data-settled", "true");
  }
  network.once("stabilizationIterationsDone", settle);
  network.once("stabilized", settle);
  if (nodes.length === 0) { settle(); }  // nothing to lay out: vis-network emits no event

  function element(tag, text) {
    var made = document.createElement(tag);
    made.textContent = text;
    return made;
  }

  function showDetails(heading, rows, id) {
    var panel = document.getElementById("kg-details");
    panel.textContent = "";
    panel.appendChild(element("h2", heading));
    var list = document.createElement("dl");
    rows.forEach(function (row) {
      list.appendChild(element("dt", row[0]));
      list.appendChild(element("dd", row[1]));
    });
    panel.appendChild(list);
    panel.setAttribute("data-selected", id);
    document.dispatchEvent(new CustomEvent("kamgraph:select", {detail: {id: id}}));
  }

  function showNode(id) {
    var node = nodes.get(id);
    if (node) { showDetails(node.name, node.details, String(id)); }
  }

  function showEdge(id) {
    var edge = edges.get(id);
    if (!edge) { return; }
    var lines = edge.title.split("\\n");
    showDetails(lines[0], lines.slice(1).map(function (line) { return ["", line]; }), String(id));
  }

  network.on("click", function (params) {
    if (params.nodes.length) { showNode(params.nodes[0]); }
    else if (params.edges.length) { showEdge(params.edges[0]); }
  });

  map.select = function (id) {
    network.selectNodes([id]);
    showNode(id);
  };

  function personShown(node, filters) {
    return node.score >= filters.minScore && !(filters.hideCovered && node.covered)
      && !(filters.onlyCompetitor && !node.competitor_aligned);
  }

  function decide(node, filters) {
    if (node.id === map.focus) { return true; }
    if (filters.hideTeam && node.node_label === "AccountManager") { return false; }
    if (!node.subject) { return null; }  // context: decided by its neighbours
    return node.node_label !== "Stakeholder" || personShown(node, filters);
  }

  function readFilters() {
    return {minScore: parseFloat(document.getElementById("kg-min-score").value) || 0,
            hideCovered: document.getElementById("kg-hide-covered").checked,
            onlyCompetitor: document.getElementById("kg-only-competitor").checked,
            hideTeam: document.getElementById("kg-hide-team").checked};
  }

  map.applyFilters = function () {
    var filters = readFilters(), decided = {}, shown = {}, changes = [], count = 0;
    nodes.forEach(function (node) { decided[node.id] = decide(node, filters); });
    nodes.forEach(function (node) {
      shown[node.id] = decided[node.id] !== null ? decided[node.id]
        : network.getConnectedNodes(node.id).some(function (other) {
          return decided[other] === true && other !== map.focus;
        });
    });
    nodes.forEach(function (node) {
      if (shown[node.id]) { count += 1; }
      if (Boolean(node.hidden) === shown[node.id]) {
        changes.push({id: node.id, hidden: !shown[node.id]});
      }
    });
    nodes.update(changes);
    document.getElementById("kg-min-score-value").textContent = filters.minScore.toPrecision(3);
    document.getElementById("kg-visible").textContent = count + " of " + nodes.length + " nodes shown";
    return count;
  };

  ["kg-min-score", "kg-hide-covered", "kg-only-competitor", "kg-hide-team"].forEach(function (id) {
    document.getElementById(id).addEventListener("input", map.applyFilters);
    document.getElementById(id).addEventListener("change", map.applyFilters);
  });
  map.applyFilters();
}());
</script>
</body>
</html>
"""
