"""Method of Equal Shares (MES) with its completions (Add1, greedy, budget increase)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..outcome import Outcome, Reason, render
from .common import Context, check_choice, fill_greedily, greedy_order
from .mes_core import MesData, Run, run_compiled, run_float
from .mes_exact import run_exact

COMPLETIONS = ("none", "add1", "add1-greedy", "greedy", "budget-increase")


def _run(data: MesData, b0: Fraction, stop_above=None, engine: str = "auto", track=False) -> Run:
    if engine != "exact":
        run = run_compiled(data, b0, stop_above, track) if engine == "auto" else None
        if run is None:
            run = run_float(data, b0, stop_above, track)
        if run is not None:
            return run
    return run_exact(data, b0, stop_above)


def _exhaustive(ctx, run: Run, pool, budget) -> bool:
    chosen = set(run.order)
    left = budget - run.spent
    return not any(ctx.costs[j] <= left for j in pool if j not in chosen)


def method_of_equal_shares(instance, profile, *, tie_breaking: str = "id", utility: str | None = None,
                           completion: str = "add1-greedy", borda: str = "zero-based",
                           min_votes: float = 0, seed: int = 0, engine: str = "auto",
                           max_add1_steps: int | None = None) -> Outcome:
    """Method of Equal Shares.

    Every voter gets an equal share of the budget. In each round the project whose
    supporters can pay for it at the lowest price per unit of utility ("rho") is funded,
    each supporter paying ``rho * utility`` or all they have left. Projects whose
    supporters no longer hold enough money are not funded.

    Parameters
    ----------
    instance, profile
        The election.
    tie_breaking : {"id", "cost", "votes", "lottery"}
        Order among projects with exactly the same price (exact fractions are compared).
    utility : {"cost", "cardinality", "score"}, optional
        Utility of a voter for a project on their ballot. Default: ``cost`` for approval
        and choose-1 ballots, the voter's own points / scores (``score``) otherwise;
        rankings use Borda points (see ``borda``).
    completion : {"add1-greedy", "add1", "greedy", "budget-increase", "none"}
        ``add1`` raises every voter's share one currency unit at a time while the outcome
        still fits the budget, stopping at the first exhaustive outcome (pabutools'
        ``voter_budget_increment=1``); ``add1-greedy`` (default, as in Wieliczka and Aarau)
        then fills what is left greedily by utility per cost with the same utility;
        ``greedy`` fills greedily right after plain MES; ``budget-increase`` raises the
        total budget by 1 % steps instead (pabutools' ``exhaustion_by_budget_increase``).
    borda : {"zero-based", "one-based"}
        Borda variant for rankings of length k: k-1 ... 0 (pabutools) or k ... 1.
    min_votes : float
        Projects on fewer ballots are never funded.
    seed : int
        Seed for the lottery tie-break.
    engine : {"auto", "exact"}
        ``auto`` computes in float64 and settles close calls exactly; ``exact`` uses
        fractions throughout (slower, for checking).
    max_add1_steps : int, optional
        Safety cap on Add1 steps (default: no cap, as pabutools).

    Returns
    -------
    Outcome
    """
    if utility is None:
        utility = "cost" if profile.is_approval else "score"
    check_choice("completion", completion, COMPLETIONS)
    check_choice("engine", engine, ("auto", "numpy", "exact"))
    ctx = Context(instance, profile, utility, borda, tie_breaking, seed, min_votes)
    ids = instance.ids
    positive = ctx.U.getnnz(axis=0) > 0
    # pabutools funds free projects with supporters up front, then runs MES on the rest.
    free = [j for j in range(ctx.m) if positive[j] and ctx.costs[j] == 0 and ctx.eligible[j]]
    pool = [j for j in range(ctx.m) if positive[j] and ctx.costs[j] > 0 and ctx.eligible[j]]
    data = MesData(ctx, pool)
    total_weight = Fraction(float(ctx.weights.sum()))
    details: dict = {"completion": completion}
    if profile.n_voters == 0 or total_weight == 0:
        run = Run([], [], np.zeros(0), Fraction(0), False, [])
        share = Fraction(0)
    else:
        share = ctx.budget / total_weight
        run = _run(data, share, engine=engine)
    if completion in ("add1", "add1-greedy") and profile.n_voters:
        run, share, steps, passes = _add1(ctx, data, run, share, pool, engine, max_add1_steps)
        details["add1_steps"] = steps
        details["add1_passes"] = passes
    elif completion == "budget-increase" and profile.n_voters:
        run, share, steps = _budget_increase(ctx, data, run, share, total_weight, engine)
        details["budget_increase_steps"] = steps
    details["voter_budget"] = float(share)
    selected = list(free) + list(run.order)
    spent = run.spent
    reasons = _explain(ctx, data, run, free)
    if completion in ("add1-greedy", "greedy") and not _exhaustive(ctx, run, range(ctx.m), ctx.budget):
        order = greedy_order(ctx, per_cost=True, exclude=selected)
        spent = fill_greedily(ctx, order, selected, spent, reasons)
    details["rounds"] = [ids[j] for j in run.order]
    reasons, explanations = render(instance, reasons)
    return Outcome("mes", [ids[j] for j in selected], spent,
                   {ids[j]: float(ctx.scores[j]) for j in range(ctx.m)},
                   explanations, tie_breaking,
                   {"utility": utility, "completion": completion, "borda": borda,
                    "min_votes": min_votes}, details, reasons)


def _add1(ctx, data, run, share, pool, engine, max_steps, increment=Fraction(1), exhaustive=True):
    """Raise the per-voter share by ``increment`` while the outcome fits the budget; with
    ``exhaustive`` stop at the first exhaustive outcome (pabutools' ``voter_budget_increment``).

    Only the shares at which the outcome can change are computed. Two passes with the same
    signature (``Run.signature``) take the same decisions, each an affine inequality in the
    share that holds at both ends, hence at every share between: the outcome is the same on
    the whole interval, which is therefore neither over budget nor exhaustive. From a share
    ``s`` the next shares are probed at ``s + k * increment`` (k from the pass's own guess,
    ``Run.stable_for``, then doubling) and bisected down to the first step whose signature
    differs; only that step is a new outcome to look at.
    """
    previous = Run([], [], np.full(ctx.profile.n_voters, float(share)), Fraction(0), False, [])
    previous_share = share
    steps = passes = 0
    track = engine != "exact"
    if track and not run.exact:
        run = _run(data, share, engine=engine, track=True)
    while True:
        if run.spent > ctx.budget:
            return previous, previous_share, steps, passes
        if exhaustive and _exhaustive(ctx, run, pool, ctx.budget):
            return run, share, steps, passes
        if max_steps is not None and steps >= max_steps:
            return run, share, steps, passes
        lo, lo_run, nxt, used = _same_until(data, run, share, increment, engine, track, ctx.budget)
        passes += used
        previous, previous_share = lo_run, share + lo * increment
        share += (lo + 1) * increment
        steps += lo + 1
        run = nxt


def _same_until(data, run, share, increment, engine, track, budget):
    """``(k, run at share + k*increment, run at share + (k+1)*increment, passes)`` with the
    outcome provably the same on ``[share, share + k*increment]`` and k + 1 the first step
    whose pass has another signature."""
    def at(k):
        return _run(data, share + k * increment, stop_above=budget, engine=engine, track=track)

    guess = 0
    if run.stable_for and np.isfinite(run.stable_for):
        guess = int(run.stable_for / float(increment))
    lo, lo_run, used = 0, run, 0
    probe = max(1, guess)
    while True:
        r = at(probe)
        used += 1
        if r.signature != run.signature:
            hi, hi_run = probe, r
            break
        lo, lo_run = probe, r
        probe = lo + 1 if lo == guess else 2 * lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        r = at(mid)
        used += 1
        if r.signature == run.signature:
            lo, lo_run = mid, r
        else:
            hi, hi_run = mid, r
    return lo, lo_run, hi_run, used


def _budget_increase(ctx, data, run, share, total_weight, engine):
    """pabutools' exhaustion_by_budget_increase: raise the budget by 1 % per step."""
    step = ctx.budget / 100
    limit = ctx.budget
    bound = ctx.budget * (ctx.profile.n_voters + 1)
    previous = Run([], [], np.full(ctx.profile.n_voters, float(share)), Fraction(0), False, [])
    previous_share = share
    steps = 0
    everything = [j for j in range(ctx.m) if ctx.eligible[j]]
    while limit <= bound:
        if run.spent > ctx.budget:
            return previous, previous_share, steps
        if _exhaustive(ctx, run, everything, ctx.budget):
            return run, share, steps
        previous, previous_share = run, share
        limit += step
        steps += 1
        share = limit / total_weight
        run = _run(data, share, stop_above=ctx.budget, engine=engine)
    return previous, previous_share, steps


def _explain(ctx, data, run: Run, free) -> dict:
    """A :class:`Reason` per project after the MES pass (before any greedy completion).

    ``funded_mes`` params: ``round``, ``votes`` (the supporters who paid, weighted), ``share``
    = the **average** payment per paying supporter; when the payments differ (a supporter
    ran out of money, or payments follow points) ``share_min`` and ``share_max`` are added."""
    ids = ctx.instance.ids
    out = {}
    for j in free:
        out[ids[j]] = Reason("funded", "funded_free", votes=ctx.support[j], cost=ctx.costs[j])
    unequal = ("funded_mes_unequal_points" if ctx.utility == "score" and not ctx.profile.is_approval
               else "funded_mes_unequal")
    for r, (j, pay) in enumerate(zip(run.order, run.payments or []), start=1):
        payers, mean, lo, hi = pay
        if hi - lo <= max(1e-9 * hi, 0.005):
            out[ids[j]] = Reason("funded_mes", round=r, votes=payers, share=mean, cost=ctx.costs[j])
        else:
            out[ids[j]] = Reason("funded_mes", unequal, round=r, votes=payers, share=mean,
                                 share_min=lo, share_max=hi, cost=ctx.costs[j])
    budgets = run.budgets
    for j in range(ctx.m):
        pid = ids[j]
        if pid in out:
            continue
        if not ctx.eligible[j]:
            out[pid] = ctx.below_min_votes(j)
        elif ctx.support[j] == 0:
            out[pid] = Reason("not_funded", "not_funded_nobody_voted")
        elif data.sum_wu[j] == 0:
            out[pid] = Reason("not_funded", "not_funded_no_gain")
        else:
            S, _ = data.slice(j)
            left = float(ctx.weights[S] @ budgets[S]) if len(budgets) else 0.0
            out[pid] = Reason("not_funded_supporters_short", left=left, cost=ctx.costs[j])
    return out
