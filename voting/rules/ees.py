"""Exact Equal Shares (EES) with the ADD-ONE and ADD-OPT completions of "Streamlining Equal
Shares" (Kraiczy, Robinson, Elkind 2025, arXiv 2502.11797).

EES differs from MES in who pays: a project is bought by the largest group of its supporters
that can each pay exactly ``cost / |group|`` (poorer supporters pay nothing), and the project
with the largest "bang per buck" ``u(p) * |group| / cost`` is funded first (ties: the larger
project id as text, as the paper's code does). Every payment is a constant, so when the
per-voter budget grows by ``d`` every remaining budget grows by exactly ``d``: a group can only
grow, and it grows exactly when ``d`` reaches ``cost / k - r_k`` for the k-th richest
supporter's remainder ``r_k``. ADD-OPT raises the per-voter budget straight to the least
``d`` at which the outcome (projects and payments) changes, and stops before the first
outcome that overspends, or when no change is possible. We find that least ``d`` by walking
these thresholds in increasing order (each one re-checked by an exact EES pass), which is the
paper's definition; the paper's GreedyProjectChange computes it without the intermediate passes.
All arithmetic is in exact fractions; voters with the same payments are grouped.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..outcome import Outcome, Reason, render
from .common import Context, check_choice

EES_COMPLETIONS = ("none", "add-one", "add-opt")


def _ees(ctx, classes0, start: Fraction, supporters, ballots):
    """One EES pass at per-voter budget ``start``: ``(trace, next_d)``; trace = [(j, k, share)],
    next_d = the least budget increase that makes some group grow (None: none can).

    A project is re-examined only when one of its supporters paid in the last round (its
    group, bang per buck and thresholds are unchanged otherwise)."""
    ids = ctx.instance.ids
    cls = classes0.copy()
    budgets = [Fraction(start)]
    alive = [j for j in range(ctx.m) if len(supporters[j]) and ctx.costs[j] > 0 and ctx.eligible[j]]
    cache: dict = {}
    trace = []
    next_d = None
    while alive:
        best = None
        for j in alive:
            if j not in cache:
                cache[j] = _examine(ctx, j, supporters[j], cls, budgets)
            k, bpb, d = cache[j]
            if d is not None and (next_d is None or d < next_d):
                next_d = d
            if k == 0:
                continue
            key = (bpb, ids[j])
            if best is None or key > best[0]:
                best = (key, j, k)
        if best is None:
            break
        _, j, k = best
        share = ctx.costs[j] / k
        S = supporters[j]
        order = sorted(S, key=lambda v: budgets[cls[v]])          # the richest k pay
        payers = np.asarray(order[len(S) - k:], dtype=np.int64)
        new = {}
        for v in payers:
            c = cls[v]
            if c not in new:
                new[c] = len(budgets)
                budgets.append(budgets[c] - share)
            cls[v] = new[c]
        trace.append((j, k, share))
        alive.remove(j)
        touched = np.unique(np.concatenate([ballots.indices[ballots.indptr[v]:ballots.indptr[v + 1]]
                                            for v in payers])) if len(payers) else []
        for t in touched:
            cache.pop(int(t), None)
    return trace, next_d


def _examine(ctx, j, S, cls, budgets):
    """``(k, bang per buck, least d making the group grow)`` for project ``j`` now."""
    c, counts = np.unique(cls[S], return_counts=True)
    groups = sorted(zip((budgets[x] for x in c), counts.tolist()), key=lambda g: g[0])
    cost = ctx.costs[j]
    paying = len(S)
    k = 0
    for r, cnt in groups:          # poorest first: a class pays together or not at all
        if cost / paying <= r:
            k = paying
            break
        paying -= cnt
    # thresholds at which a larger group could pay: the k'-th richest reaches cost / k'
    least = None
    seen = 0
    for r, cnt in reversed(groups):
        seen += cnt
        if seen > k:
            d = cost / seen - r
            if d > 0 and (least is None or d < least):
                least = d
    util = cost if ctx.utility == "cost" else Fraction(1)
    return k, util * k / cost, least


def exact_equal_shares(instance, profile, *, utility: str = "cost", completion: str = "add-opt",
                       min_votes: float = 0, tie_breaking: str = "id", seed: int = 0,
                       max_steps: int = 100000, **_ignored) -> Outcome:
    """Exact Equal Shares with ADD-ONE / ADD-OPT (approval ballots; any ballot read as approval).

    Parameters
    ----------
    utility : {"cost", "cardinality"}
    completion : {"add-opt", "add-one", "none"}
        ``add-opt``: jump the per-voter budget to the least increase that changes the outcome,
        while the outcome fits the budget; ``add-one``: raise it by one unit at a time until the
        outcome overspends or every project is selected; ``none``: EES at B/n.
    max_steps : int
        Safety cap on budget increases.
    """
    check_choice("utility", utility, ("cost", "cardinality"))
    check_choice("completion", completion, EES_COMPLETIONS)
    ctx = Context(instance, profile, "cardinality" if utility == "cardinality" else "cost", "zero-based",
                  tie_breaking, seed, min_votes)
    ctx.utility = utility
    A = profile.utility("cardinality", instance).tocsc()
    supporters = [A.indices[A.indptr[j]:A.indptr[j + 1]] for j in range(ctx.m)]
    ballots = A.tocsr()
    n = profile.n_voters
    classes = np.zeros(n, dtype=np.int64)
    share = ctx.budget / n if n else Fraction(0)
    trace, next_d = _ees(ctx, classes, share, supporters, ballots) if n else ([], None)
    steps = 0
    if completion != "none" and n:
        everything = sum(1 for j in range(ctx.m) if len(supporters[j]) and ctx.costs[j] > 0 and ctx.eligible[j])
        while steps < max_steps:
            if completion == "add-one":
                if len(trace) == everything:
                    break
                nxt = share + 1
                t2, d2 = _ees(ctx, classes, nxt, supporters, ballots)
            else:
                if next_d is None:
                    break
                nxt, t2, d2 = share + next_d, None, None
                while True:       # the least threshold at which the outcome itself changes
                    t2, d2 = _ees(ctx, classes, nxt, supporters, ballots)
                    if sorted(t2) != sorted(trace) or d2 is None:
                        break
                    nxt += d2
                if sorted(t2) == sorted(trace):
                    break
            steps += 1
            if sum((ctx.costs[j] for j, _, _ in t2), Fraction(0)) > ctx.budget:
                break
            trace, next_d, share = t2, d2, nxt
    ids = instance.ids
    selected = [j for j, _, _ in trace]
    spent = sum((ctx.costs[j] for j in selected), Fraction(0))
    reasons = {}
    for r, (j, k, pay) in enumerate(trace, start=1):
        reasons[ids[j]] = Reason("funded_mes", "funded_mes", round=r, votes=k, share=pay, cost=ctx.costs[j])
    for j in range(ctx.m):
        if ids[j] in reasons:
            continue
        if not ctx.eligible[j]:
            reasons[ids[j]] = ctx.below_min_votes(j)
        elif not len(supporters[j]):
            reasons[ids[j]] = Reason("not_funded", "not_funded_nobody_voted")
        else:
            reasons[ids[j]] = Reason("not_funded")
    reasons, explanations = render(instance, reasons)
    return Outcome("ees", [ids[j] for j in selected], spent, {ids[j]: float(ctx.support[j]) for j in range(ctx.m)},
                   explanations, tie_breaking, {"utility": utility, "completion": completion,
                                                "min_votes": min_votes},
                   {"voter_budget": float(share), "budget_increases": steps}, reasons)
