"""Sequential Phragmén for approval ballots (pabutools' ``sequential_phragmen``)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import scipy.sparse as sp

from ..outcome import Outcome, Reason, render
from .common import Context

_TOL = 1e-9


def phragmen(instance, profile, *, tie_breaking: str = "id", min_votes: float = 0,
             seed: int = 0, **_ignored) -> Outcome:
    """Sequential Phragmén: voters earn money continuously; a project is bought as soon as
    its supporters can pay for it, spreading its cost so the largest load is as small as
    possible. Stops at the first project that would break the budget (no skipping).

    Any ballot type is read as approval (a project on the ballot is approved).
    Loads are computed in floating point, and every near tie is re-checked with exact
    fractions, so the result equals pabutools' exact computation.

    Parameters
    ----------
    instance, profile
        The election.
    tie_breaking : {"id", "cost", "votes", "lottery"}
    min_votes : float
        Projects with fewer supporters are left out.
    seed : int
        Seed for the lottery tie-break.
    """
    ctx = Context(instance, profile, "cardinality", "zero-based", tie_breaking, seed, min_votes)
    ids = instance.ids
    A = ctx.U.tocsc()
    w = ctx.weights
    approvals = np.asarray(A.T @ w).ravel()
    remaining = [j for j in range(ctx.m) if ctx.costs[j] <= ctx.budget and ctx.eligible[j]]
    last = np.zeros(profile.n_voters, dtype=np.int64)   # label of the voter's current load
    loads_f = [0.0]                                     # load value per label (float)
    loads_x = [Fraction(0)]                             # and exact
    selected, reasons = [], {}
    spent = Fraction(0)
    stop_reason = None
    while remaining:
        r = len(loads_f)
        onehot = sp.csr_matrix((w, (np.arange(len(last)), last)), shape=(len(last), r))
        per_label = (A.T @ onehot).toarray()               # projects x labels, weighted counts
        lf = np.array(loads_f)
        rem = np.array(remaining)
        with np.errstate(divide="ignore", invalid="ignore"):
            newload = (per_label[rem] @ lf + ctx.instance.cost_array[rem]) / approvals[rem]
        newload[approvals[rem] == 0] = np.inf
        best = newload.min()
        if np.isinf(best):
            near = list(rem)
            exact = {j: None for j in near}
        else:
            near = list(rem[newload <= best * (1 + _TOL) + 1e-300])
            exact = {}
            for j in near:
                tot = sum((Fraction(float(c)) * loads_x[k] for k, c in enumerate(per_label[j]) if c),
                          Fraction(0))
                exact[j] = (tot + ctx.costs[j]) / Fraction(float(approvals[j]))
            top = min(exact.values())
            near = [j for j in near if exact[j] == top]
        near.sort(key=lambda j: ctx.rank[j])
        if len(near) > 1:
            ctx.pick(near)          # an unresolved tie-break chain raises here
        too_dear = [j for j in near if spent + ctx.costs[j] > ctx.budget]
        if too_dear:
            stop_reason = too_dear[0]
            break
        s = near[0]
        selected.append(s)
        spent += ctx.costs[s]
        remaining.remove(s)
        rows = A.indices[A.indptr[s]:A.indptr[s + 1]]
        value = exact[s]
        loads_x.append(value if value is not None else loads_x[-1])
        loads_f.append(float(value) if value is not None else loads_f[-1])
        last[rows] = len(loads_f) - 1
        reasons[ids[s]] = Reason("funded", "funded_phragmen", votes=ctx.support[s], cost=ctx.costs[s],
                                 round=len(selected), load=value or 0)
    for j in range(ctx.m):
        pid = ids[j]
        if pid in reasons:
            continue
        if not ctx.eligible[j]:
            reasons[pid] = ctx.below_min_votes(j)
        elif ctx.costs[j] > ctx.budget:
            reasons[pid] = Reason("not_funded_too_dear", cost=ctx.costs[j])
        elif stop_reason is not None:
            reasons[pid] = Reason("not_funded_did_not_fit", "not_funded_count_stopped",
                                  left=ctx.budget - spent, cost=ctx.costs[j], next=ids[stop_reason])
        else:
            reasons[pid] = Reason("not_funded")
    reasons, explanations = render(instance, reasons)
    return Outcome("phragmen", [ids[j] for j in selected], spent,
                   {ids[j]: float(approvals[j]) for j in range(ctx.m)}, explanations,
                   tie_breaking, {"min_votes": min_votes}, {}, reasons)
