"""Exact utilitarian optimum: the knapsack solved as an ILP with PuLP / CBC."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..outcome import Outcome, Reason, render
from .common import Context


class SolverError(RuntimeError):
    """The ILP solver did not prove an optimum; no answer is returned."""


def max_utility(instance, profile, *, tie_breaking: str = "id", utility: str = "score",
                borda: str = "zero-based", min_votes: float = 0, seed: int = 0,
                time_limit: float | None = None) -> Outcome:
    """Select the affordable set of projects with the largest total score.

    Solved exactly as an integer linear program (PuLP with its bundled CBC). Costs are
    scaled to integers so decimal amounts are handled exactly. Several optimal sets may
    exist; which one is returned is up to the solver, the total score is the optimum.

    Parameters
    ----------
    instance, profile
        The election.
    utility, borda, min_votes, tie_breaking, seed
        As for :func:`voting.rules.greedy.greedy` (tie_breaking only orders the output).
    time_limit : float, optional
        Seconds for CBC; if it stops without proving optimality :class:`SolverError` is raised.

    Raises
    ------
    SolverError
        If the solver status is not "Optimal".
    """
    import pulp

    ctx = Context(instance, profile, utility, borda, tie_breaking, seed, min_votes)
    ids = instance.ids
    den = math.lcm(*[c.denominator for c in ctx.costs], ctx.budget.denominator)
    costs = [int(c * den) for c in ctx.costs]
    budget = int(ctx.budget * den)
    # Projects that can never help (no score, ineligible or too dear) stay out of the model.
    usable = [j for j in range(ctx.m) if ctx.eligible[j] and costs[j] <= budget and ctx.scores[j] > 0]
    prob = pulp.LpProblem("max_utility", pulp.LpMaximize)
    x = {j: pulp.LpVariable(f"x{j}", cat="Binary") for j in usable}
    prob += pulp.lpSum(float(ctx.scores[j]) * x[j] for j in usable)
    prob += pulp.lpSum(costs[j] * x[j] for j in usable) <= budget
    chosen: list = []
    if usable:
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=0, gapAbs=0)
        prob.solve(solver)
        status = pulp.LpStatus[prob.status]
        if status != "Optimal":
            raise SolverError(f"CBC stopped with status {status!r}; no optimum was proven")
        chosen = [j for j in usable if x[j].value() is not None and x[j].value() > 0.5]
    # Free projects with a score are always worth taking.
    chosen += [j for j in range(ctx.m) if j not in chosen and costs[j] == 0 and ctx.eligible[j]
               and ctx.scores[j] > 0]
    chosen.sort(key=lambda j: (-ctx.scores[j], ctx.rank[j]))
    spent = sum((ctx.costs[j] for j in chosen), Fraction(0))
    if spent > ctx.budget:
        raise SolverError("solver answer exceeds the budget")
    total = float(np.sum(ctx.scores[chosen])) if chosen else 0.0
    left = ctx.budget - spent
    reasons = {}
    chosen_set = set(chosen)
    for j in range(ctx.m):
        pid, cost = ids[j], ctx.costs[j]
        if j in chosen_set:
            reasons[pid] = Reason("funded", "funded_optimum", votes=ctx.support[j], cost=cost,
                                  total_score=total)
        elif not ctx.eligible[j]:
            reasons[pid] = ctx.below_min_votes(j)
        elif cost > ctx.budget:
            reasons[pid] = Reason("not_funded_too_dear", cost=cost)
        elif ctx.scores[j] <= 0:
            reasons[pid] = Reason("not_funded", "not_funded_nobody_voted")
        elif cost > left:
            # Left out of the optimum; what a reader can check is that it no longer fits.
            reasons[pid] = Reason("not_funded_did_not_fit", "not_funded_not_optimal", left=left, cost=cost)
        else:
            reasons[pid] = Reason("not_funded", "not_funded_not_optimal", left=left, cost=cost)
    reasons, expl = render(instance, reasons)
    return Outcome("max-utility", [ids[j] for j in chosen], spent,
                   {ids[j]: float(ctx.scores[j]) for j in range(ctx.m)}, expl, tie_breaking,
                   {"utility": utility, "borda": borda, "min_votes": min_votes},
                   {"total_score": total}, reasons)
