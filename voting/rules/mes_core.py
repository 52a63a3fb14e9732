"""One run of the Method of Equal Shares at a given per-voter budget.

Two engines give the same answer:

* :func:`run_float` works per voter in float64, fully vectorised per project, and keeps
  each project's previous "rho" (price per unit of utility) as a lower bound, so only a
  few projects are re-priced per round (rho never decreases as budgets only shrink).
  Whenever a decision is too close to call in floating point (two projects within 1e-9
  of the best rho with some supporter short of money, or a project whose supporters hold
  almost exactly its cost) it gives up and returns ``None``.
* :func:`run_exact` uses exact fractions, grouping voters who have the same budget and the
  same utility (voters who supported the same funded projects with the same scores), so it
  stays fast enough to settle the rare doubtful cases exactly like pabutools does.

Ties in rho that survive exact comparison are broken by the tie-break rank.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

TOL = 1e-9


@dataclass
class Run:
    """Result of one MES pass."""

    order: list            # project indices in funding order
    rhos: list             # price per unit of utility at each funding (float)
    budgets: np.ndarray    # per-voter budget left at the end (float, per unit weight)
    spent: Fraction        # exact total cost funded
    stopped: bool = False  # True if the pass was cut short because spending exceeded stop_above
    payments: list = None  # per funded project: (payers, mean payment, min, max)
    stable_for: float = 0.0  # the share may grow by less than this with the same outcome


class MesData:
    """Arrays shared by every pass on one election (computed once)."""

    def __init__(self, ctx, candidates):
        self.ctx = ctx
        U = ctx.U.tocsc()
        U.sort_indices()
        self.indptr, self.rows, self.util = U.indptr, U.indices, U.data
        self.w = ctx.weights
        self.n = ctx.profile.n_voters
        self.cost_f = ctx.instance.cost_array
        self.costs = ctx.costs
        self.rank = ctx.rank
        self.candidates = np.array(sorted(candidates), dtype=np.int64)
        self.sum_wu = np.zeros(ctx.m)
        self.exact_sum = {}
        self.init_rho_exact = {}
        for j in self.candidates:
            a, b = self.indptr[j], self.indptr[j + 1]
            self.sum_wu[j] = float(self.w[self.rows[a:b]] @ self.util[a:b])
            self.exact_sum[j] = ctx.exact_score(j)
            self.init_rho_exact[j] = self.costs[j] / self.exact_sum[j]
        with np.errstate(divide="ignore", invalid="ignore"):
            self.init_rho = np.where(self.sum_wu > 0, self.cost_f / self.sum_wu, np.inf)

    def slice(self, j):
        a, b = self.indptr[j], self.indptr[j + 1]
        return self.rows[a:b], self.util[a:b]

    def exact_rho(self, j, w_sum: float, wu_sum: float) -> Fraction:
        """Exact rho of ``j`` when the paying supporters are all rich (see ``_price``)."""
        if self.ctx.utility == "cost":
            return Fraction(1) / Fraction(w_sum)
        return self.costs[j] / Fraction(wu_sum)

    def exact_util(self, j, u: float) -> Fraction:
        if self.ctx.utility == "cost":
            return self.costs[j]
        return Fraction(float(u))


def _price(bb, u, ww, cost):
    """Smallest rho with sum(w * min(b, rho * u)) == cost.

    Also returns ``(sum of w, sum of w*u)`` over the supporters who still have money when
    all of those are clearly rich (then rho is exactly cost / sum(w*u) over them, which the
    caller can recompute in fractions); otherwise ``None``.
    """
    wu = ww * u
    live = bb > 0
    if live.all():
        rich_wu = wu.sum()
        e = bb / u
    else:
        rich_wu = wu[live].sum()
        e = bb[live] / u[live]
    if rich_wu > 0:
        rho = cost / rich_wu
        if e.min() >= rho * (1 + TOL):
            return rho, (float(ww[live].sum()), float(rich_wu))
    e = bb / u
    poor = e < cost / wu.sum()
    for _ in range(30):
        rich_wu = wu[~poor].sum()
        if rich_wu <= 0:
            return float(e.max()), None
        rho = (cost - (ww * bb)[poor].sum()) / rich_wu
        newpoor = e < rho
        if np.array_equal(newpoor, poor):
            return rho, None
        poor = newpoor
    order = np.argsort(e, kind="stable")                  # rare: many price levels
    paid = np.concatenate(([0.0], np.cumsum((ww * bb)[order])))[:-1]
    rest = np.cumsum(wu[order][::-1])[::-1]
    rhos = (cost - paid) / rest
    k = int(np.argmax(rhos <= e[order] * (1 + 1e-15)))
    return float(rhos[k]), None


class _Stability:
    """How far the per-voter share can grow with every decision of the pass unchanged.

    Along one run every budget, price and sum is an affine function of the share ``b``
    (prices are ``(cost - money of the poor) / utility of the rich``). Each decision the
    pass took is an inequality between such functions; the smallest growth of ``b`` that
    could flip one of them bounds the interval on which the outcome is provably the same.
    """

    def __init__(self):
        self.delta = np.inf

    def keep(self, value, slope):
        """Require ``value + slope * d >= 0`` for the growth ``d`` (arrays or scalars)."""
        value = np.atleast_1d(np.asarray(value, dtype=np.float64))
        slope = np.atleast_1d(np.asarray(slope, dtype=np.float64))
        falling = slope < 0
        if falling.any():
            self.delta = min(self.delta, float(np.min(value[falling] / -slope[falling])))


def run_float(data: MesData, b0: float, stop_above: Fraction | None = None,
              track: bool = False) -> Run | None:
    """One MES pass in float64; ``None`` if a decision was too close to call.

    With ``track=True`` the run also reports ``stable_for``: the per-voter share can grow by
    less than this with the same outcome (see :class:`_Stability`).
    """
    w = data.w
    b = np.full(data.n, b0, dtype=np.float64)
    slope = np.ones(data.n) if track else None       # d(budget)/d(share), per voter
    lb = data.init_rho.copy()
    lb_slope = np.zeros(len(lb))
    stab = _Stability()
    alive = np.zeros(len(lb), dtype=bool)
    alive[data.candidates] = True
    order, rhos, payments = [], [], []
    spent = Fraction(0)
    while True:
        cand = np.flatnonzero(alive)
        if len(cand) == 0:
            break
        cand = cand[np.lexsort((data.rank[cand], lb[cand]))]
        best = np.inf
        evals = {}
        for j in cand:
            if lb[j] > best * (1 + TOL):
                break
            S, u = data.slice(j)
            bb, ww = b[S], w[S]
            avail = float(ww @ bb)
            c = data.cost_f[j]
            if avail < c * (1 - TOL):
                alive[j] = False
                if track:
                    stab.keep(c - avail, -float(ww @ slope[S]))
                continue
            if avail < c * (1 + TOL):
                return None
            rho, sums = _price(bb, u, ww, c)
            r1 = 0.0
            if track:
                sl = slope[S]
                stab.keep(avail - c, float(ww @ sl))
                poor = bb < rho * u
                rich_wu = float((ww * u)[~poor].sum())
                r1 = -float((ww * sl)[poor].sum()) / rich_wu if rich_wu > 0 else 0.0
                stab.keep(np.where(poor, rho * u - bb, bb - rho * u),
                          np.where(poor, r1 * u - sl, sl - r1 * u))
            lb[j] = rho
            lb_slope[j] = r1
            evals[j] = (rho, sums)
            best = min(best, rho)
        if not evals:
            break
        near = [j for j, (r, _) in evals.items() if r <= best * (1 + TOL)]
        if len(near) > 1:
            if any(evals[j][1] is None for j in near):
                return None
            exact = {j: data.exact_rho(j, *evals[j][1]) for j in near}
            top = min(exact.values())
            near = [j for j in near if exact[j] == top]
        s = min(near, key=lambda j: data.rank[j])
        rho = evals[s][0]
        S, u = data.slice(s)
        if track:
            others = np.flatnonzero(alive)
            others = others[others != s]
            # every other live project must stay at least as dear as the one funded
            stab.keep(lb[others] - rho, lb_slope[others] - lb_slope[s])
            poor = b[S] < rho * u
            slope[S] = np.where(poor, 0.0, slope[S] - lb_slope[s] * u)
        pay = np.minimum(b[S], rho * u)
        b[S] -= pay
        b[S] = np.where(b[S] <= b0 * 1e-12, 0.0, b[S])
        payments.append(_pay_summary(pay, w[S]))
        order.append(int(s))
        rhos.append(float(rho))
        alive[s] = False
        spent += data.costs[s]
        if stop_above is not None and spent > stop_above:
            return Run(order, rhos, b, spent, True, payments)
    run = Run(order, rhos, b, spent, False, payments)
    run.stable_for = stab.delta if track else 0.0
    return run


def _pay_summary(pay, ww):
    payers = float(ww.sum())
    return payers, float((ww * pay).sum()) / payers if payers else 0.0, float(pay.min()), float(pay.max())


def run_exact(data: MesData, b0: Fraction, stop_above: Fraction | None = None) -> Run:
    """One MES pass in exact rational arithmetic (voters grouped by identical budgets)."""
    w = data.w
    cls = np.zeros(data.n, dtype=np.int64)
    budgets = [Fraction(b0)]
    lb = {int(j): data.init_rho_exact[j] for j in data.candidates}
    alive = set(lb)
    order, rhos, payments = [], [], []
    spent = Fraction(0)
    while alive:
        cand = sorted(alive, key=lambda j: (lb[j], data.rank[j]))
        best = None
        evals = {}
        for j in cand:
            if best is not None and lb[j] > best:
                break
            groups = _groups(data, j, cls)
            avail = sum((W * budgets[c] for c, _, W, _ in groups), Fraction(0))
            if avail < data.costs[j]:
                alive.discard(j)
                continue
            rho = _exact_price(groups, budgets, data.costs[j])
            lb[j] = rho
            evals[j] = (rho, groups)
            best = rho if best is None or rho < best else best
        if not evals:
            break
        s = min((j for j, (r, _) in evals.items() if r == best), key=lambda j: data.rank[j])
        rho, groups = evals[s]
        S, _ = data.slice(s)
        inverse = groups[0][3]
        new_ids = np.empty(len(groups), dtype=np.int64)
        pays = np.empty(len(S))
        for g, (c, ue, _W, _inv) in enumerate(groups):
            pay = min(budgets[c], rho * ue)
            new_ids[g] = len(budgets)
            budgets.append(budgets[c] - pay)
            pays[inverse == g] = float(pay)
        cls[S] = new_ids[inverse]
        payments.append(_pay_summary(pays, w[S]))
        order.append(s)
        rhos.append(float(rho))
        alive.discard(s)
        spent += data.costs[s]
        if stop_above is not None and spent > stop_above:
            break
    final = np.array([float(x) for x in budgets])[cls]
    return Run(order, rhos, final, spent, stop_above is not None and spent > stop_above, payments)


def _groups(data: MesData, j, cls):
    """Supporters of ``j`` grouped by (budget class, utility): [(class, u, weight, inverse)]."""
    S, u = data.slice(j)
    _, ucode = np.unique(u, return_inverse=True)
    key = cls[S] * (int(ucode.max()) + 1 if len(ucode) else 1) + ucode
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    wsum = np.bincount(inverse, weights=data.w[S])
    out = []
    for g in range(len(uniq)):
        i = first[g]
        out.append((int(cls[S[i]]), data.exact_util(j, u[i]), Fraction(float(wsum[g])), inverse))
    return out


def _exact_price(groups, budgets, cost) -> Fraction:
    ordered = sorted(groups, key=lambda g: budgets[g[0]] / g[1])
    paid = Fraction(0)
    denom = sum((W * ue for _, ue, W, _ in groups), Fraction(0))
    rho = cost / denom
    for c, ue, W, _ in ordered:
        rho = (cost - paid) / denom
        if rho * ue <= budgets[c]:
            return rho
        paid += W * budgets[c]
        denom -= W * ue
    return rho
