"""Side-by-side comparison of allocation rules on one election."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._threads import single_blas
from .outcome import Outcome
from .rules.registry import allocate
from .types import Instance, Profile

DEFAULT_VARIANTS = (
    ("greedy", {}),
    ("greedy-per-cost", {}),
    ("max-utility", {}),
    ("mes", {}),
    ("mes", {"completion": "none"}),
    ("phragmen", {}),
)


@dataclass
class RuleSummary:
    """How one rule did: cost used, projects funded, voters served, satisfaction."""

    label: str
    outcome: Outcome
    cost: float
    budget_share: float
    funded: int
    voters_served: float
    avg_funded_of_own: float
    avg_money_for_own: float


def variant_label(rule_id: str, options: dict) -> str:
    if not options:
        return rule_id
    return rule_id + " " + " ".join(f"{k}={v}" for k, v in sorted(options.items()))


def summarize(instance: Instance, profile: Profile, outcome: Outcome, label: str) -> RuleSummary:
    """Measures of one outcome: share of voters with at least one of their projects funded,
    average number of their projects funded and average money spent on their projects."""
    funded = np.zeros(len(instance), dtype=bool)
    for pid in outcome.selected:
        funded[instance.index[pid]] = True
    m = profile.matrix
    w = profile.weights
    rows = np.repeat(np.arange(profile.n_voters), np.diff(m.indptr))
    hit = funded[m.indices]
    count = np.bincount(rows[hit], minlength=profile.n_voters)
    money = np.bincount(rows[hit], weights=instance.cost_array[m.indices[hit]], minlength=profile.n_voters)
    total_w = w.sum() or 1.0
    cost = float(outcome.cost)
    return RuleSummary(label, outcome, cost, cost / float(instance.budget) if instance.budget else 0.0,
                       len(outcome.selected), float(w @ (count > 0)) / total_w,
                       float(w @ count) / total_w, float(w @ money) / total_w)


@single_blas
def compare(instance: Instance, profile: Profile, variants=DEFAULT_VARIANTS, precomputed=None, **common) -> dict:
    """Run several rules on one election and compare them.

    Parameters
    ----------
    instance, profile
        The election.
    variants : sequence of (rule_id, options)
        Rules to run (default: greedy, greedy-per-cost, max-utility, mes, mes without
        completion, phragmen).
    precomputed : dict[str, Outcome], optional
        Outcomes already computed, by variant label (see :func:`variant_label`): reused
        instead of running that rule again (the web app has just run the configured rule).
    **common
        Options passed to every rule (e.g. ``tie_breaking``, ``min_votes``).

    Returns
    -------
    dict
        ``{"rules": [RuleSummary], "differing": {project_id: [labels funding it]}}``;
        ``differing`` lists the projects funded by some rules but not all.
    """
    summaries = []
    precomputed = precomputed or {}
    for rule_id, opts in variants:
        label = variant_label(rule_id, opts)
        outcome = precomputed.get(label) or allocate(rule_id, instance, profile, **{**common, **opts})
        summaries.append(summarize(instance, profile, outcome, label))
    differing = {}
    for pid in instance.ids:
        who = [s.label for s in summaries if s.outcome.is_funded(pid)]
        if who and len(who) < len(summaries):
            differing[pid] = who
    return {"rules": summaries, "differing": differing}


def format_comparison(result: dict, instance: Instance) -> str:
    """The comparison as a plain-text table."""
    head = f"{'rule':44s} {'cost used':>16s} {'budget':>7s} {'funded':>6s} {'served':>7s} {'avg own':>7s}"
    lines = [head, "-" * len(head)]
    for s in result["rules"]:
        cost = f"{s.cost:,.0f}".replace(",", " ")
        lines.append(f"{s.label:44s} {cost:>16s} {s.budget_share:7.1%} {s.funded:6d} "
                     f"{s.voters_served:7.1%} {s.avg_funded_of_own:7.2f}")
    lines.append("")
    lines.append("served: share of voters with at least one project of their ballot funded; "
                 "avg own: average number of their projects funded")
    if result["differing"]:
        lines.append("projects funded by some rules only:")
        for pid, who in result["differing"].items():
            name = instance.project(pid).name
            lines.append(f"  {pid} {name[:40]!s}: {', '.join(who)}")
    return "\n".join(lines)
