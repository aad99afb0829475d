"""What kamgraph knows about one person or organisation, and what a user's home page sums up.

Data assembly for the pages and the JSON API: each function reads a store (for a signed-in
user a :class:`~kamgraph.scope.ScopedStore`, so nothing outside their scope appears), loads
one small subgraph and reuses the analyses' helpers. No HTTP, no HTML. A reference to a node
is ``{"id", "label", "name"}``, so that a page can link it by its label.

- :func:`stakeholder_profile`: a person's properties (sensitive ones included: the store
  returns a person at all only when they are in scope), jobs, alignments, tender roles, our
  team's relationships with them, their ties, who influences them and whom they influence,
  relationship plans and the interaction history.
- :func:`organization_profile`: an organisation's place (territory, parent, parts), staff
  and whether we cover them, tenders it issued or won, people aligned with it.
- :func:`home_summary`: a user's territories with their coverage, the plans at risk, and
  the tenders closing soon.
- :func:`search_results`: a search with, per hit, the organisation it belongs to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import networkx as nx

from kamgraph import services
from kamgraph.activity import interaction_history
from kamgraph.analysis.config import DEFAULT, AnalysisConfig
from kamgraph.analysis.graphs import (
    covered_people,
    influence_graph,
    is_active,
    relationship_strength,
)
from kamgraph.analysis.plans import best_stages, plan_status
from kamgraph.analysis.tender import quiet_role_holders
from kamgraph.cache import Answers, Basis
from kamgraph.errors import NotFound
from kamgraph.model import Node
from kamgraph.scope import covered_territories, team_of
from kamgraph.store.base import GraphStore

if TYPE_CHECKING:
    from kamgraph.users import User

__all__ = ["CLOSING_DAYS", "PROFILE_HOPS", "home_summary", "home_territories", "organization_profile",
           "organization_profile_of", "person_profile", "search_results", "stakeholder_profile",
           "tenders_closing"]

PROFILE_HOPS = 2
"""Steps loaded around a person or organisation. Two reach everything a profile shows: a
person's co-committee members and co-attendees (their weak ties), the account managers who
own plans targeting them; an organisation's staff and our relationships with them."""

CLOSING_DAYS = 60
"""The home page lists open tenders whose deadline is at most this many days away (or past)."""

# Relationships a profile shows in their own sections rather than among the person's ties.
OWN_SECTIONS = frozenset({"RELATES_TO", "WITH", "TARGETS"})


# -- a person ----------------------------------------------------------------------------------


def stakeholder_profile(store: GraphStore, stakeholder_id: str, *, as_of: date | None = None,
                        config: AnalysisConfig = DEFAULT,
                        cache: Answers | None = None) -> dict[str, Any]:
    """Everything about one person (:func:`person_profile`) plus their interaction history
    (``kamgraph.activity.interaction_history``, newest first). :class:`NotFound` when the store
    has no such Stakeholder (for a scoped store: none the user may see). Read from the person's
    subgraph (``person_subgraph``: everything tied to them and one step further, which holds
    their interactions and the interactions' account managers); with a ``cache``, kept until a
    write changes that subgraph."""
    day = as_of or date.today()

    def compute() -> tuple[dict[str, Any], Basis]:
        _require(store, stakeholder_id, "Stakeholder")
        graph = store.person_subgraph(stakeholder_id)
        profile = person_profile(graph, stakeholder_id, as_of=day, config=config)
        profile["interactions"] = interaction_history(store, stakeholder_id)["items"]
        return profile, services.person_basis(graph, stakeholder_id)

    return services.cached_answer(cache, store, "stakeholder_profile", (stakeholder_id, day),
                                  config, compute)


def person_profile(graph: nx.MultiDiGraph, person: str, *, as_of: date,
                   config: AnalysisConfig = DEFAULT) -> dict[str, Any]:
    """A person's profile from a graph holding their 2-step neighbourhood.

    Returns
    -------
    dict
        ``stakeholder`` {id, name, and every property}; ``covered`` (some account manager
        relates to them at an engaged or higher stage); ``jobs`` [{organization, position,
        seniority, department, since, until, active}], current first, most senior first;
        ``alignments`` [{organization, type, kind, strength, active}], strongest first;
        ``tender_roles`` [{tender, roles, status, deadline, quiet_period}] (active roles);
        ``team`` [{account_manager, stage, strength, since, last_contact, covers}] (active
        ``RELATES_TO``, strongest first); ``relationships`` [{type, direction (out, in, or both
        for KNOWS), other, details (properties but since/until), since, until, active}] for
        every relationship but ``RELATES_TO``, ``WITH`` and ``TARGETS`` (shown apart), by type
        then other id; ``influencers`` / ``influenced`` [{person, weight, basis}]: the
        influence graph's ties into / out of the person (weight as in
        ``graphs.influence_graph``; ``basis`` the ties behind it among ``influences``,
        ``manages``, ``knows``, ``same committee``, ``same event``), heaviest first;
        ``plans``: ``plans.plan_status`` items of the plans that target them, with ``budget``
        and ``purpose``.
    """
    return {
        "stakeholder": _record(graph, person),
        "covered": person in covered_people(graph, as_of=as_of, config=config),
        "jobs": _jobs(graph, person, as_of, config),
        "alignments": _alignments(graph, person, as_of),
        "tender_roles": _tender_roles(graph, person, as_of, config),
        "team": _team(graph, person, as_of, config),
        "relationships": _ties(graph, person, as_of),
        **_influence(graph, person, as_of, config),
        "plans": _plans(graph, person, as_of, config),
    }


def _record(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    attrs = graph.nodes[node]
    return {"id": node, "name": attrs.get("name", node),
            **{k: v for k, v in sorted(attrs.items()) if k not in ("label", "name")}}


def _jobs(graph: nx.MultiDiGraph, person: str, as_of: date,
          config: AnalysisConfig) -> list[dict[str, Any]]:
    rows = [{"organization": ref(graph, org), "position": a.get("position"),
             "seniority": a.get("seniority"), "department": a.get("department"),
             "since": a.get("since"), "until": a.get("until"), "active": is_active(a, as_of)}
            for _, org, a in _out(graph, person, "WORKS_AT")]
    return sorted(rows, key=lambda r: (not r["active"], -config.seniority.get(str(r["seniority"]), 0.0),
                                       r["organization"]["id"]))


def _alignments(graph: nx.MultiDiGraph, person: str, as_of: date) -> list[dict[str, Any]]:
    rows = [{"organization": ref(graph, org), "type": graph.nodes[org].get("type"),
             "kind": a.get("kind"), "strength": a.get("strength"), "active": is_active(a, as_of)}
            for _, org, a in _out(graph, person, "ALIGNED_WITH")]
    return sorted(rows, key=lambda r: (-(r["strength"] or 0.0), r["organization"]["id"]))


def _tender_roles(graph: nx.MultiDiGraph, person: str, as_of: date,
                  config: AnalysisConfig) -> list[dict[str, Any]]:
    roles: dict[str, list[str]] = {}
    for _, tender, attrs in _out(graph, person, "ROLE_IN"):
        if is_active(attrs, as_of):
            roles.setdefault(tender, []).append(str(attrs.get("role")))
    return [{"tender": ref(graph, tender), "roles": sorted(found),
             "status": graph.nodes[tender].get("status"),
             "deadline": graph.nodes[tender].get("deadline"),
             "quiet_period": person in quiet_role_holders(graph.subgraph([person, tender]),
                                                          as_of=as_of, config=config)}
            for tender, found in sorted(roles.items())]


def _team(graph: nx.MultiDiGraph, person: str, as_of: date,
          config: AnalysisConfig) -> list[dict[str, Any]]:
    rows = [{"account_manager": ref(graph, manager), "stage": a.get("stage", "unknown"),
             "strength": relationship_strength(a, config), "since": a.get("since"),
             "last_contact": a.get("last_contact"), "covers": a.get("stage") in config.covered_stages}
            for manager, _, a in _in(graph, person, "RELATES_TO") if is_active(a, as_of)]
    return sorted(rows, key=lambda r: (-r["strength"], r["account_manager"]["id"]))


def _ties(graph: nx.MultiDiGraph, person: str, as_of: date) -> list[dict[str, Any]]:
    rows = []
    for start, end, attrs in [*graph.out_edges(person, data=True), *graph.in_edges(person, data=True)]:
        kind = attrs.get("type")
        if kind in OWN_SECTIONS or start == end:
            continue
        other = end if start == person else start
        direction = "both" if kind == "KNOWS" else "out" if start == person else "in"
        rows.append({"type": kind, "direction": direction, "other": ref(graph, other),
                     "details": {k: v for k, v in sorted(attrs.items())
                                 if k not in ("type", "since", "until")},
                     "since": attrs.get("since"), "until": attrs.get("until"),
                     "active": is_active(attrs, as_of)})
    return sorted(rows, key=lambda r: (r["type"], r["other"]["id"], r["direction"],
                                       str(r["details"].get("role", ""))))


def _influence(graph: nx.MultiDiGraph, person: str, as_of: date,
               config: AnalysisConfig) -> dict[str, list[dict[str, Any]]]:
    influence = influence_graph(graph, as_of=as_of, config=config)
    if person not in influence:
        return {"influencers": [], "influenced": []}

    # The person's own ties and gatherings, looked up once rather than once per pair.
    ties: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for start, end, attrs in [*graph.out_edges(person, data=True), *graph.in_edges(person, data=True)]:
        if start != end and is_active(attrs, as_of):
            ties[end if start == person else start].append((attrs.get("type"), start))
    own = {kind: _gatherings(graph, person, kind, as_of) for kind in ("ROLE_IN", "ATTENDED")}

    def rows(pairs: Iterable[tuple[str, str, float]], other_end: int) -> list[dict[str, Any]]:
        found = [{"person": ref(graph, pair[other_end]), "weight": pair[2],
                  "basis": _basis(graph, pair[:2], pair[other_end], ties[pair[other_end]], own, as_of)}
                 for pair in pairs]
        return sorted(found, key=lambda r: (-r["weight"], r["person"]["id"]))

    return {"influencers": rows(influence.in_edges(person, data="weight"), 0),
            "influenced": rows(influence.out_edges(person, data="weight"), 1)}


def _basis(graph: nx.MultiDiGraph, pair: tuple[str, str], other: str, between: list[tuple[Any, str]],
           own: dict[str, set[str]], as_of: date) -> list[str]:
    """The ties that make ``source`` sway ``target`` (``pair``; see ``graphs.influence_graph``),
    one of them the profile's person and the ``other`` not: ``between`` are the pair's active
    ties as (type, start), ``own`` the person's gatherings by relationship type."""
    source, target = pair
    basis = []
    if ("INFLUENCES", source) in between:
        basis.append("influences")
    if ("REPORTS_TO", target) in between:
        basis.append("manages")
    if any(kind == "KNOWS" for kind, _ in between):
        basis.append("knows")
    if own["ROLE_IN"] & _gatherings(graph, other, "ROLE_IN", as_of):
        basis.append("same committee")
    if own["ATTENDED"] & _gatherings(graph, other, "ATTENDED", as_of):
        basis.append("same event")
    return basis


def _gatherings(graph: nx.MultiDiGraph, person: str, rel_type: str, as_of: date) -> set[str]:
    """Tenders a person sits on, or past events they attended (the weak ties' sources)."""
    day = as_of.isoformat()
    return {end for _, end, a in graph.out_edges(person, data=True) if a.get("type") == rel_type
            and is_active(a, as_of)
            and (rel_type != "ATTENDED" or str(graph.nodes[end].get("date", ""))[:10] <= day)}


def _plans(graph: nx.MultiDiGraph, person: str, as_of: date,
           config: AnalysisConfig) -> list[dict[str, Any]]:
    items = plan_status(graph, as_of=as_of, config=config)["items"]
    return [{**item, "budget": graph.nodes[item["id"]].get("budget"),
             "purpose": graph.nodes[item["id"]].get("purpose")}
            for item in items if item["stakeholder"] and item["stakeholder"]["id"] == person]


# -- an organisation ---------------------------------------------------------------------------


def organization_profile(store: GraphStore, organization_id: str, *, as_of: date | None = None,
                         config: AnalysisConfig = DEFAULT) -> dict[str, Any]:
    """Everything about one organisation (:func:`organization_profile_of`); :class:`NotFound`
    when the store has no such Organization."""
    _require(store, organization_id, "Organization")
    graph = store.neighbourhood(organization_id, hops=PROFILE_HOPS)
    return organization_profile_of(graph, organization_id, as_of=as_of or date.today(), config=config)


def organization_profile_of(graph: nx.MultiDiGraph, organization: str, *, as_of: date,
                            config: AnalysisConfig = DEFAULT) -> dict[str, Any]:
    """An organisation's profile from a graph holding its 2-step neighbourhood.

    Returns
    -------
    dict
        ``organization`` {id, name, and every property}; ``territories`` (``LOCATED_IN``),
        ``parents`` and ``parts`` (``PART_OF`` out and in) as references; ``staff``
        [{person, position, seniority, department, stance, covered, best_stage}] (active
        jobs; most senior first, then id; ``best_stage`` the best stage of any active
        ``RELATES_TO`` or None); ``issued`` and ``awarded`` [{tender, status, deadline, value,
        currency}] (tenders it issued, tenders awarded to it; by deadline, none last);
        ``aligned`` [{person, kind, strength}] (people aligned with it, strongest first).
    """
    covered = covered_people(graph, as_of=as_of, config=config)
    stages = best_stages(graph, as_of)
    staff = [{"person": ref(graph, person), "position": a.get("position"),
              "seniority": a.get("seniority"), "department": a.get("department"),
              "stance": graph.nodes[person].get("stance", "unknown"), "covered": person in covered,
              "best_stage": stages.get(person)}
             for person, _, a in _in(graph, organization, "WORKS_AT") if is_active(a, as_of)]
    aligned = [{"person": ref(graph, person), "kind": a.get("kind"), "strength": a.get("strength")}
               for person, _, a in _in(graph, organization, "ALIGNED_WITH") if is_active(a, as_of)]
    return {
        "organization": _record(graph, organization),
        "territories": _refs(graph, (end for _, end, _a in _out(graph, organization, "LOCATED_IN"))),
        "parents": _refs(graph, (end for _, end, _a in _out(graph, organization, "PART_OF"))),
        "parts": _refs(graph, (start for start, _, _a in _in(graph, organization, "PART_OF"))),
        "staff": sorted(staff, key=lambda r: (-config.seniority.get(str(r["seniority"]), 0.0),
                                              r["person"]["id"])),
        "issued": _tenders(graph, (t for t, _, _a in _in(graph, organization, "ISSUED_BY"))),
        "awarded": _tenders(graph, (t for t, _, _a in _in(graph, organization, "AWARDED_TO"))),
        "aligned": sorted(aligned, key=lambda r: (-(r["strength"] or 0.0), r["person"]["id"])),
    }


def _tenders(graph: nx.MultiDiGraph, tenders: Iterable[str]) -> list[dict[str, Any]]:
    rows = [{"tender": ref(graph, t), **{k: graph.nodes[t].get(k)
                                          for k in ("status", "deadline", "value", "currency")}}
            for t in set(tenders)]
    return sorted(rows, key=lambda r: (r["deadline"] is None, str(r["deadline"] or ""), r["tender"]["id"]))


# -- a user's home page ------------------------------------------------------------------------


def home_summary(store: GraphStore, user: User, *, as_of: date | None = None,
                 config: AnalysisConfig = DEFAULT) -> dict[str, Any]:
    """What a user's home page shows, from the store as they see it.

    Returns
    -------
    dict
        ``territories``: [{territory, people, coverage_weighted, coverage_headcount, gaps
        (how many)}] for :func:`home_territories`, from ``services.coverage_report``;
        ``plans_at_risk``: ``services.plan_status(at_risk_only=True)`` items;
        ``tenders_closing``: :func:`tenders_closing`.
    """
    day = as_of or date.today()
    return {"territories": [_coverage_row(store, t, day, config)
                            for t in home_territories(store, user, as_of=day)],
            "plans_at_risk": services.plan_status(store, at_risk_only=True, as_of=day,
                                                  config=config)["items"],
            "tenders_closing": tenders_closing(store, as_of=day, config=config)}


def home_territories(store: GraphStore, user: User, *, as_of: date) -> list[str]:
    """The territories a user works in, sorted by id: a KAM's own ``COVERS`` today; a
    regional manager's and their team's (account managers who ``REPORTS_TO`` them, at any
    depth); for an admin the top-level territories (part of no other)."""
    if user.role == "admin" or user.account_manager is None:
        return sorted(t.id for t in store.iter_nodes("Territory")
                      if not any(r.start == t.id for r in store.relationships_of(t.id, rel_type="PART_OF")))
    return sorted(covered_territories(store, team_of(store, user, as_of), as_of))


def _coverage_row(store: GraphStore, territory: str, as_of: date,
                  config: AnalysisConfig) -> dict[str, Any]:
    report = services.coverage_report(store, territory, as_of=as_of, config=config)
    return {"territory": {**report["territory"], "label": "Territory"}, "people": report["people"],
            "coverage_weighted": report["coverage_weighted"],
            "coverage_headcount": report["coverage_headcount"], "gaps": len(report["gaps"])}


def tenders_closing(store: GraphStore, *, as_of: date, days: int = CLOSING_DAYS,
                    config: AnalysisConfig = DEFAULT) -> list[dict[str, Any]]:
    """Open tenders (not awarded or cancelled) whose deadline is at most ``days`` away,
    including those past their deadline and not yet awarded; soonest deadline first.

    Each: {tender, status, deadline, days_left (negative once past), issuer (reference or
    None), value, currency}. Tenders without a deadline are left out.
    """
    last = (as_of + timedelta(days=days)).isoformat()
    rows = []
    for tender in store.iter_nodes("Tender"):
        deadline = tender.props.get("deadline")
        if tender.props.get("status") in config.closed_tender_statuses or deadline is None:
            continue
        if str(deadline)[:10] <= last:
            rows.append({"tender": node_ref(tender), "status": tender.props.get("status"),
                         "deadline": str(deadline)[:10],
                         "days_left": (date.fromisoformat(str(deadline)[:10]) - as_of).days,
                         "issuer": _issuer(store, tender.id), "value": tender.props.get("value"),
                         "currency": tender.props.get("currency")})
    return sorted(rows, key=lambda r: (r["deadline"], r["tender"]["id"]))


def _issuer(store: GraphStore, tender: str) -> dict[str, str] | None:
    issuers = sorted(r.end for r in store.relationships_of(tender, rel_type="ISSUED_BY") if r.start == tender)
    node = store.get_node(issuers[0]) if issuers else None
    return node_ref(node) if node else None


# -- search ------------------------------------------------------------------------------------


def search_results(store: GraphStore, text: str, *, as_of: date | None = None,
                   limit: int = 50) -> list[dict[str, Any]]:
    """``store.search`` hits among :data:`SEARCHED_LABELS`, label by label in that order, best
    matches first within a label, at most ``limit`` in all; each ``{"node": reference,
    "organizations": [references]}``: a person's current employers, a tender's issuer, an
    organisation's parent. Interactions and plans are left out: their names repeat the
    person's name and would bury the person."""
    day = as_of or date.today()
    hits = [node for label in SEARCHED_LABELS for node in store.search(text, label=label, limit=limit)]
    return [{"node": node_ref(node), "organizations": _belongs_to(store, node, day)}
            for node in hits[:limit]]


SEARCHED_LABELS = ("Stakeholder", "Organization", "Tender", "Territory", "AccountManager", "Product",
                   "Event")
"""What the search box finds, in this order."""

# Per label: the relationship that ties a hit to its organisation, and its direction.
BELONGS_TO = {"Stakeholder": "WORKS_AT", "Tender": "ISSUED_BY", "Organization": "PART_OF"}


def _belongs_to(store: GraphStore, node: Node, as_of: date) -> list[dict[str, str]]:
    rel_type = BELONGS_TO.get(node.label)
    if rel_type is None:
        return []
    ends = sorted(r.end for r in store.relationships_of(node.id, rel_type=rel_type)
                  if r.start == node.id and is_active(r.props, as_of))
    found = (store.get_node(end) for end in ends)
    return [node_ref(org) for org in found if org is not None and org.label == "Organization"]


# -- references --------------------------------------------------------------------------------


def ref(graph: nx.MultiDiGraph, node: str) -> dict[str, str]:
    """``{"id", "label", "name"}`` of a node of a graph."""
    attrs = graph.nodes[node]
    return {"id": node, "label": str(attrs.get("label", "")), "name": str(attrs.get("name", node))}


def node_ref(node: Node) -> dict[str, str]:
    """``{"id", "label", "name"}`` of a stored node."""
    return {"id": node.id, "label": node.label, "name": node.name}


def _refs(graph: nx.MultiDiGraph, nodes: Iterable[str]) -> list[dict[str, str]]:
    return [ref(graph, node) for node in sorted(set(nodes))]


def _out(graph: nx.MultiDiGraph, node: str, rel_type: str) -> list[tuple[str, str, dict[str, Any]]]:
    return sorted(((s, e, a) for s, e, a in graph.out_edges(node, data=True) if a.get("type") == rel_type),
                  key=lambda edge: edge[1])


def _in(graph: nx.MultiDiGraph, node: str, rel_type: str) -> list[tuple[str, str, dict[str, Any]]]:
    return sorted(((s, e, a) for s, e, a in graph.in_edges(node, data=True) if a.get("type") == rel_type),
                  key=lambda edge: edge[0])


def _require(store: GraphStore, node_id: str, label: str) -> Node:
    node = store.get_node(node_id)
    if node is None or node.label != label:
        raise NotFound(f"no {services.NOUNS.get(label, label)} with id {node_id!r}")
    return node
