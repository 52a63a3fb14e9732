"""What cities add around MES (equalshares.net's compute tool): utilitarian completion by
approvals, the comparison step with greedy, and the per-project report numbers."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..outcome import Reason
from .common import Context

COMPARISONS = ("none", "satisfaction", "exclusionRatio")


def by_approvals(ctx: Context, exclude=()) -> list:
    """Eligible projects by decreasing (weighted) number of supporters; equal counts keep the
    projects' order in the file (a stable sort, as the equalshares.net tool does)."""
    skip = set(exclude)
    js = [j for j in range(ctx.m) if j not in skip and ctx.eligible[j]]
    return sorted(js, key=lambda j: -ctx.support[j])


def utilitarian_fill(ctx: Context, selected: list, spent: Fraction, reasons: dict) -> Fraction:
    """equalshares.net's utilitarian completion: add the projects with the most supporters
    that still fit, in that order (code ``funded_completion``, ``by`` = ``"votes"``)."""
    for j in by_approvals(ctx, selected):
        left = ctx.budget - spent
        pid = ctx.instance.ids[j]
        if ctx.costs[j] <= left:
            selected.append(j)
            spent += ctx.costs[j]
            reasons[pid] = Reason("funded_completion", "funded_utilitarian", votes=ctx.support[j],
                                  cost=ctx.costs[j], left_after=ctx.budget - spent, by="votes")
        elif reasons.get(pid) is None or reasons[pid].code != "not_funded_too_few_votes":
            reasons[pid] = Reason("not_funded_did_not_fit", left=left, cost=ctx.costs[j])
    return spent


def greedy_by_approvals(ctx: Context) -> list:
    """The greedy outcome the comparison step weighs MES against: most supporters first,
    skipping what no longer fits."""
    chosen, spent = [], Fraction(0)
    for j in by_approvals(ctx):
        if spent + ctx.costs[j] <= ctx.budget:
            chosen.append(j)
            spent += ctx.costs[j]
    return chosen


def compare_with_greedy(ctx: Context, mes_selected: list, method: str) -> dict:
    """How many voters prefer each outcome.

    ``satisfaction``: a voter prefers the outcome with more of their projects funded;
    ``exclusionRatio``: a voter prefers the outcome in which at least one of their projects
    is funded when the other funds none. Weighted voters count with their weight. (The
    equalshares.net tool does not count, under ``satisfaction``, voters with no project
    funded in one of the two outcomes; here they count with 0 funded projects.)
    """
    greedy = greedy_by_approvals(ctx)
    A = ctx.profile.utility("cardinality", ctx.instance)
    mes_mask = np.zeros(ctx.m)
    mes_mask[list(mes_selected)] = 1
    greedy_mask = np.zeros(ctx.m)
    greedy_mask[greedy] = 1
    sat_mes = A @ mes_mask
    sat_greedy = A @ greedy_mask
    if method == "exclusionRatio":
        sat_mes, sat_greedy = (sat_mes > 0).astype(float), (sat_greedy > 0).astype(float)
    w = ctx.weights
    prefers_mes = float(w @ (sat_mes > sat_greedy))
    prefers_greedy = float(w @ (sat_greedy > sat_mes))
    ids = ctx.instance.ids
    return {"method": method, "prefers_mes": prefers_mes, "prefers_greedy": prefers_greedy,
            "used": "greedy" if prefers_greedy > prefers_mes else "mes",
            "greedy_selected": [ids[j] for j in greedy],
            "greedy_cost": sum((ctx.costs[j] for j in greedy), Fraction(0)),
            "mes_selected": [ids[j] for j in mes_selected]}


def greedy_reasons(ctx: Context, greedy: list, cmp: dict) -> dict:
    """Reasons when the comparison step chose the greedy outcome."""
    reasons = {}
    chosen = set(greedy)
    spent = Fraction(0)
    for number, j in enumerate(by_approvals(ctx), start=1):
        pid = ctx.instance.ids[j]
        if j in chosen:
            spent += ctx.costs[j]
            reasons[pid] = Reason("funded", "funded_comparison", votes=ctx.support[j], cost=ctx.costs[j],
                                  number=number, prefers_greedy=cmp["prefers_greedy"],
                                  prefers_mes=cmp["prefers_mes"], left_after=ctx.budget - spent)
    for j in range(ctx.m):
        pid = ctx.instance.ids[j]
        if pid in reasons:
            continue
        if not ctx.eligible[j]:
            reasons[pid] = ctx.below_min_votes(j)
        else:
            reasons[pid] = Reason("not_funded_did_not_fit", left=ctx.budget - spent, cost=ctx.costs[j])
    return reasons


def report(ctx: Context, data, run, free) -> dict:
    """equalshares.net's per-project numbers from the final MES pass: ``money_behind`` (what
    the supporters held when the project was funded, or at the end) and
    ``effective_vote_count`` (cost / the largest payment per unit of utility it needed; 0 when
    unaffordable at the end)."""
    ids = ctx.instance.ids
    out = {}
    behind = run.extra.get("behind") or [None] * len(run.order)
    for j, rho, money in zip(run.order, run.rhos, behind):
        lam = rho * float(data.kappa[j])
        out[ids[j]] = {"money_behind": money, "effective_vote_count":
                       float(ctx.costs[j]) / lam if lam > 0 else 0.0, "funded_in_round": len(out) + 1}
    budgets = run.budgets
    for j in range(ctx.m):
        pid = ids[j]
        if pid in out:
            continue
        S, _ = data.slice(j)
        left = float(data.w[S] @ budgets[S]) if len(budgets) and len(S) else 0.0
        out[pid] = {"money_behind": left, "effective_vote_count": 0.0, "funded_in_round": None}
    for j in free:
        out[ids[j]]["effective_vote_count"] = float(ctx.support[j])
    for entry in out.values():   # float noise (242.00000000000003) is not part of the answer
        entry["money_behind"] = round(entry["money_behind"] or 0.0, 6)
        entry["effective_vote_count"] = round(entry["effective_vote_count"], 6)
    return out
