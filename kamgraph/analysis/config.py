"""Every default weight of every score, in one place (the docs list them from here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kamgraph.model import STAGE_STRENGTH

__all__ = ["DEFAULT", "AnalysisConfig"]


@dataclass(frozen=True, slots=True)
class AnalysisConfig:
    """Weights and thresholds of the analyses; ``AnalysisConfig()`` holds the defaults.

    Influence graph (people only, directed, weight = how strongly the tail sways the head):

    - ``INFLUENCES`` a→b: its ``weight`` (``influence_default`` when absent);
    - ``REPORTS_TO`` a→b: b→a with ``formal_authority``;
    - ``KNOWS`` a-b: both ways, ``knows_factor`` * ``weight`` (``knows_default`` when absent);
    - two people on the same tender committee, or at the same past event: a weak tie both
      ways of ``shared_committee`` / ``shared_event`` each, all weak ties of a pair capped at
      ``weak_tie_cap``;
    - parallel ties of one pair add up, capped at 1.
    """

    influence_default: float = 0.5
    formal_authority: float = 0.6
    knows_factor: float = 0.5
    knows_default: float = 0.5
    shared_committee: float = 0.1
    shared_event: float = 0.1
    weak_tie_cap: float = 0.3

    damping: float = 0.85
    """PageRank damping (influence rank and tender influence)."""
    pagerank_tol: float = 1e-10
    """PageRank stops when the L1 change of one iteration is below N * this."""
    pagerank_max_iter: int = 1000
    eigenvector_max_iter: int = 1000

    seniority: dict[str, float] = field(default_factory=lambda: {
        "executive": 1.0, "head": 0.7, "senior": 0.4, "staff": 0.2})
    tender_roles: dict[str, float] = field(default_factory=lambda: {
        "approver": 1.0, "decision_maker": 1.0, "budget_holder": 0.9, "spec_author": 0.8,
        "evaluator": 0.7, "formulary_member": 0.6, "requester": 0.4})
    stance: dict[str, float] = field(default_factory=lambda: {
        "champion": 1.0, "supporter": 0.5, "neutral": 0.0, "unknown": 0.0, "skeptic": -0.5,
        "opponent": -1.0})
    stage_strength: dict[str, float] = field(default_factory=lambda: dict(STAGE_STRENGTH))
    covered_stages: tuple[str, ...] = ("engaged", "trusted", "advocate")
    """A person is covered when some AccountManager RELATES_TO them at one of these stages."""

    closed_tender_statuses: tuple[str, ...] = ("awarded", "cancelled")
    """Tenders in these statuses no longer give their role holders decision power."""
    quiet_statuses: tuple[str, ...] = ("evaluation",)
    """A tender in one of these statuses (or inside its ``quiet_from``..``quiet_until``
    window) puts its role holders in a quiet period."""

    importance_influence: float = 0.5
    """Importance = this * influence rank (scaled to the scope's maximum)
    + (1 - this) * decision power."""

    path_hops: int = 4
    faction_leaders: int = 3
    """Members of highest influence rank listed as a faction's leaders."""
    plan_stage_step_days: int = 60
    """Days a plan expects per stage step: it is behind when fewer days are left than that
    times the stages still to go."""
    closed_plan_statuses: tuple[str, ...] = ("done", "dropped")
    """Longest warm path and tender explanation path, in edges."""
    explanation_paths: int = 3
    """Influence paths listed per person to explain their tender influence."""
    stale_days: int = 90


DEFAULT = AnalysisConfig()
