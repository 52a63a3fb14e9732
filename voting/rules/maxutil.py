"""Exact utilitarian optimum: the knapsack solved as an ILP with PuLP / CBC."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..outcome import Outcome, Reason, render
from .common import Context


class SolverError(RuntimeError):
    """The ILP solver did not prove an optimum; no answer is returned."""


DEFAULT_TIME_LIMIT = 120.0


def max_utility(instance, profile, *, tie_breaking: str = "id", utility: str = "score",
                borda: str = "zero-based", min_votes: float = 0, seed: int = 0,
                time_limit: float | None = DEFAULT_TIME_LIMIT) -> Outcome:
    """Select the affordable set of projects with the largest total score.

    Solved exactly as an integer linear program (PuLP with its bundled CBC). Costs are
    scaled to integers so decimal amounts are handled exactly. When several sets reach the
    optimum, a second solve keeps the optimum fixed and prefers the projects the tie-break
    ranks first (it maximises the sum of ``m - rank`` over the chosen projects).

    Parameters
    ----------
    instance, profile
        The election.
    utility, borda, min_votes, tie_breaking, seed
        As for :func:`voting.rules.greedy.greedy`.
    time_limit : float, optional
        Seconds CBC may use per solve (default 120; ``None``: no limit).

    Raises
    ------
    SolverError
        If CBC did not prove an optimum: its solution status (``sol_status``) is checked, not
        only ``prob.status``, which CBC reports as "Optimal" also when a time limit stopped it
        with a feasible but unproven answer.
    """
    import pulp

    ctx = Context(instance, profile, utility, borda, tie_breaking, seed, min_votes)
    ids = instance.ids
    den = math.lcm(*[c.denominator for c in ctx.costs], ctx.budget.denominator)
    costs = [int(c * den) for c in ctx.costs]
    budget = int(ctx.budget * den)
    # Projects that can never help (no score, ineligible or too dear) stay out of the model.
    usable = [j for j in range(ctx.m) if ctx.eligible[j] and costs[j] <= budget and ctx.scores[j] > 0]
    chosen: list = []
    if usable:
        x = {j: pulp.LpVariable(f"x{j}", cat="Binary") for j in usable}
        score = pulp.lpSum(float(ctx.scores[j]) * x[j] for j in usable)
        fits = pulp.lpSum(costs[j] * x[j] for j in usable) <= budget
        _solve(pulp, "max_utility", score, [fits], time_limit)
        optimum = sum(float(ctx.scores[j]) for j in usable if x[j].value() > 0.5)
        # Among the optimal sets, the tie-break decides: keep the optimum, prefer low ranks.
        xs = {j: pulp.LpVariable(f"y{j}", cat="Binary") for j in usable}
        score2 = pulp.lpSum(float(ctx.scores[j]) * xs[j] for j in usable)
        keep = [pulp.lpSum(costs[j] * xs[j] for j in usable) <= budget,
                score2 >= optimum - 1e-9 * max(1.0, abs(optimum))]
        prefer = pulp.lpSum(float(ctx.m - ctx.rank[j]) * xs[j] for j in usable)
        _solve(pulp, "max_utility_tie_break", prefer, keep, time_limit)
        chosen = [j for j in usable if xs[j].value() is not None and xs[j].value() > 0.5]
        total2 = sum(float(ctx.scores[j]) for j in chosen)
        if total2 < optimum - 1e-9 * max(1.0, abs(optimum)):
            chosen = [j for j in usable if x[j].value() > 0.5]     # numerical doubt: keep the first
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


def _solve(pulp, name, objective, constraints, time_limit):
    """Maximise ``objective``; :class:`SolverError` unless CBC proved the optimum."""
    prob = pulp.LpProblem(name, pulp.LpMaximize)
    prob += objective
    for c in constraints:
        prob += c
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=0, gapAbs=0)
    try:
        prob.solve(solver)
    except pulp.PulpSolverError as exc:
        raise SolverError(f"CBC failed: {exc}") from None
    if prob.sol_status != pulp.LpSolutionOptimal:
        found = pulp.LpSolution.get(prob.sol_status, str(prob.sol_status))
        if prob.sol_status == pulp.LpSolutionIntegerFeasible and time_limit is not None:
            raise SolverError(f"CBC stopped at the time limit of {time_limit:g} s without proving an "
                              f"optimum ({found!r}); no answer is returned — raise time_limit")
        raise SolverError(f"CBC did not prove an optimum (status {pulp.LpStatus[prob.status]!r}, "
                          f"solution {found!r}); no answer is returned")
    return prob
