"""Method of Equal Shares (MES) with its completions (Add1, greedy, budget increase)."""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..outcome import Outcome, Reason, render
from ..types import to_fraction
from .common import Context, RuleOptionError, check_choice, fill_greedily, greedy_order
from .mes_core import EPS, MesData, Run, run_compiled, run_float, still_same
from .mes_exact import run_exact
from .mes_options import COMPARISONS, compare_with_greedy, greedy_reasons, report, utilitarian_fill

COMPLETIONS = ("none", "add1", "add1-greedy", "greedy", "budget-increase", "utilitarian", "add1u")
STOPS = ("exhaustive", "over-budget")


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


def method_of_equal_shares(instance, profile, *, tie_breaking="id", utility: str | None = None,
                           completion: str = "add1-greedy", borda: str = "zero-based",
                           min_votes: float = 0, seed: int = 0, engine: str = "auto",
                           max_add1_steps: int | None = None, integral: bool = False,
                           stop: str = "exhaustive", increment=1, comparison: str = "none") -> Outcome:
    """Method of Equal Shares.

    Every voter gets an equal share of the budget. In each round the project whose
    supporters can pay for it at the lowest price per unit of utility ("rho") is funded,
    each supporter paying ``rho * utility`` or all they have left. Projects whose
    supporters no longer hold enough money are not funded.

    Parameters
    ----------
    instance, profile
        The election.
    tie_breaking : str or list
        Order among projects with exactly the same price (exact fractions are compared):
        ``"id"``, ``"cost"``, ``"votes"``, ``"lottery"`` or a chain of equalshares.net's
        criteria such as ``"maxVotes,minCost"``; a tie the chain leaves raises
        :class:`voting.tiebreak.UnresolvedTieError` naming the projects.
    utility : {"cost", "cardinality", "score"}, optional
        Utility of a voter for a project on their ballot. Default: ``cost`` for approval
        and choose-1 ballots, the voter's own points / scores (``score``) otherwise;
        rankings use Borda points (see ``borda``).
    completion : {"add1-greedy", "add1", "add1u", "greedy", "utilitarian", "budget-increase", "none"}
        ``add1`` raises every voter's share by ``increment`` while the outcome still fits
        the budget (pabutools' ``voter_budget_increment``); ``add1-greedy`` (default, as in
        Wieliczka and Aarau) then fills what is left greedily by utility per cost with the
        same utility; ``add1u`` (equalshares.net) fills it by number of supporters instead
        ("utilitarian completion"); ``greedy`` / ``utilitarian`` fill right after plain MES;
        ``budget-increase`` raises the total budget by 1 % steps (pabutools'
        ``exhaustion_by_budget_increase``).
    integral : bool
        Add1 starts from the integral share ``floor(B / n)`` (equalshares.net's "integral").
    stop : {"exhaustive", "over-budget"}
        Add1 stops at the first exhaustive outcome (default, pabutools and equalshares.net's
        "exhaustive"), or only when the next share's outcome would exceed the budget.
    increment : int or str or Fraction
        Per-voter step of Add1 (default 1 currency unit).
    comparison : {"none", "satisfaction", "exclusionRatio"}
        equalshares.net's comparison step: the greedy outcome (most supporters first) is
        used instead when more voters prefer it (see
        :func:`voting.rules.mes_options.compare_with_greedy`); ``details["comparison"]``
        carries the counts either way.
    borda : {"zero-based", "one-based"}
        Borda variant for rankings of length k: k-1 ... 0 (pabutools) or k ... 1.
    min_votes : float
        Projects on fewer ballots are never funded.
    seed : int
        Seed for the lottery tie-break.
    engine : {"auto", "numpy", "exact"}
        ``auto`` computes in float64 (compiled) and settles close calls exactly; ``numpy``
        the same without the compiled pass; ``exact`` uses fractions throughout.
    max_add1_steps : int, optional
        Safety cap on Add1 steps (default: no cap, as pabutools).

    Returns
    -------
    Outcome
        ``details`` has ``voter_budget`` (the final share), ``add1_steps`` / ``add1_passes``,
        ``rounds``, ``report`` (per project: ``money_behind``, ``effective_vote_count``,
        ``funded_in_round``) and, with a comparison, ``comparison``.
    """
    if utility is None:
        utility = "cost" if profile.is_approval else "score"
    check_choice("completion", completion, COMPLETIONS)
    check_choice("stop", stop, STOPS)
    check_choice("comparison", comparison, COMPARISONS)
    increment = to_fraction(increment)
    if increment <= 0:
        raise RuleOptionError(f"increment must be positive, got {increment}")
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
    add1 = completion in ("add1", "add1-greedy", "add1u")
    if profile.n_voters == 0 or total_weight == 0:
        run = Run([], [], np.zeros(0), Fraction(0), False, [])
        share = Fraction(0)
    else:
        share = ctx.budget / total_weight
        if add1 and integral:
            share = Fraction(math.floor(share))
        run = _run(data, share, engine=engine)
    if add1 and profile.n_voters:
        run, share, steps, passes = _add1(ctx, data, run, share, pool, engine, max_add1_steps,
                                          increment, stop == "exhaustive")
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
    elif completion in ("add1u", "utilitarian"):
        spent = utilitarian_fill(ctx, selected, spent, reasons)
    details["rounds"] = [ids[j] for j in run.order]
    details["report"] = report(ctx, data, run, free)
    if comparison != "none":
        cmp = compare_with_greedy(ctx, selected, comparison)
        details["comparison"] = {**cmp, "greedy_cost": float(cmp["greedy_cost"])}
        if cmp["used"] == "greedy":
            selected = [instance.index[p] for p in cmp["greedy_selected"]]
            spent = cmp["greedy_cost"]
            reasons = greedy_reasons(ctx, selected, cmp)
    reasons, explanations = render(instance, reasons)
    return Outcome("mes", [ids[j] for j in selected], spent,
                   {ids[j]: float(ctx.scores[j]) for j in range(ctx.m)},
                   explanations, tie_breaking,
                   {"utility": utility, "completion": completion, "borda": borda,
                    "min_votes": min_votes, "integral": integral, "stop": stop,
                    "increment": float(increment) if increment.denominator > 1 else int(increment),
                    "comparison": comparison}, details, reasons)


def _add1(ctx, data, run, share, pool, engine, max_steps, increment=Fraction(1), exhaustive=True):
    """Raise the per-voter share by ``increment`` while the outcome fits the budget; with
    ``exhaustive`` stop at the first exhaustive outcome (pabutools' ``voter_budget_increment``).

    Only the shares at which the outcome can change are computed. From a share ``s`` whose
    outcome is neither over budget nor exhaustive, :func:`_same_until` proves the outcome
    stays the same up to ``s + k * increment`` for the largest k it can, and the next pass
    runs at ``s + (k + 1) * increment``. Two proofs are used: along one funding order every
    budget rises and every price falls with the share (``mes_core.still_same``), and two
    passes with the same signature take the same affine decisions at both ends, hence at
    every share between (``Run.signature``).
    """
    previous = Run([], [], np.full(data.n, float(share)), Fraction(0), False, [])
    previous_share = share
    steps = passes = 0
    while True:
        if run.spent > ctx.budget:
            if previous is None:
                previous = _run(data, previous_share, engine=engine)
                passes += 1
            return previous, previous_share, steps, passes
        if exhaustive and _exhaustive(ctx, run, pool, ctx.budget):
            return run, share, steps, passes
        if max_steps is not None and steps >= max_steps:
            return run, share, steps, passes
        if len(run.order) == len(pool):        # everything funded: no share changes it
            return run, share, steps, passes
        lo, lo_run, nxt, used = _same_until(data, run, share, increment, engine, ctx.budget)
        passes += used
        previous, previous_share = lo_run, share + lo * increment    # None: computed if needed
        share += (lo + 1) * increment
        steps += lo + 1
        run = nxt if nxt is not None else _run(data, share, stop_above=ctx.budget, engine=engine)
        passes += nxt is None


def _same_until(data, run, share, increment, engine, budget):
    """``(k, run at share + k*increment or None, run at share + (k+1)*increment or None,
    passes)``: the outcome is proven the same on ``[share, share + k*increment]``.

    First a chain of monotone proofs: each follow pass at ``share + k*increment`` proves the
    piece from the previous proven share and yields the funded prices there, which start the
    next piece; the step doubles after a proof and halves after a failure. Each piece starts
    with a step of one share: after a change the next one is usually near, and a long piece
    gallops up from there (on Budapest 2025 VIII 20,695 passes instead of 24,786 when the step
    started at the previous piece's length). When floats cannot decide even one step (exact
    ties), pass signatures are compared instead."""
    used = 0
    lo = 0
    if engine != "exact" and run.order:
        rhos = np.asarray(run.rhos, dtype=np.float64)
        errs = run.extra.get("rho_err") or [4 * EPS * r for r in run.rhos]
        step = 1
        undecided = False
        while True:
            used += 1
            verdict, r2, e2 = still_same(data, run.order, rhos, errs, share + (lo + step) * increment)
            if verdict == 1:
                lo += step
                rhos, errs = r2, e2
                step *= 2
                continue
            undecided = verdict == 2
            if step == 1:
                break
            step //= 2
        if lo > 0 or not undecided:
            return lo, None, None, used
    return _same_by_signature(data, run, share, increment, engine, budget, used)


def _same_by_signature(data, run, share, increment, engine, budget, used):
    """Gallop and bisect on pass signatures (see ``mes_core``): equal signatures at both ends
    prove the same decisions, hence the same outcome, at every share between."""
    runs = {}

    def same(k):
        r = _run(data, share + k * increment, stop_above=budget, engine=engine)
        runs[k] = r
        return r.signature == run.signature

    lo, hi = 0, None
    probe = 1
    while hi is None:
        used += 1
        if same(probe):
            lo = probe
            probe *= 2
        else:
            hi = probe
    while hi - lo > 1:
        mid = (lo + hi) // 2
        used += 1
        if same(mid):
            lo = mid
        else:
            hi = mid
    return lo, run if lo == 0 else runs.get(lo), runs.get(lo + 1), used


def _budget_increase(ctx, data, run, share, total_weight, engine):
    """pabutools' exhaustion_by_budget_increase: raise the budget by 1 % per step."""
    step = ctx.budget / 100
    limit = ctx.budget
    bound = ctx.budget * (ctx.profile.n_voters + 1)
    previous = Run([], [], np.full(data.n, float(share)), Fraction(0), False, [])
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
            left = float(data.w[S] @ budgets[S]) if len(budgets) else 0.0
            out[pid] = Reason("not_funded_supporters_short", left=left, cost=ctx.costs[j])
    return out
