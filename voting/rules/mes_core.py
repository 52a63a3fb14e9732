"""One run of the Method of Equal Shares at a given per-voter budget (the float engine).

Every supporter ``i`` of project ``j`` pays ``min(b_i, lam_j * u_i)``; ``lam_j`` (the
payment per unit of utility) solves ``sum w_i min(b_i, lam_j u_i) = cost_j``. The rule
funds the project with the lowest ``rho_j = lam_j / kappa_j`` (``kappa_j`` is the cost for
cost utility, where every supporter's utility is the cost, else 1).

:func:`run_float` computes in float64, vectorised per project, and keeps each project's
last rho as a lower bound (rho only rises as budgets shrink). It carries a bound on the
absolute rounding error of every voter's budget, and a decision is taken in floats only
when that bound *proves* it: affordability, who pays all they have, and which project is
cheapest. Near ties between projects whose paying supporters all keep money are settled in
exact fractions; any other close call returns ``None`` and the caller re-runs the pass with
the exact engine (:mod:`voting.rules.mes_exact`). A voter who pays all they have is set to
exactly 0 (that is the exact value), a voter who keeps money keeps a proven positive amount:
no remainder is ever rounded away.

Every pass also returns a *signature*: the projects it evaluated in each round, which of
their supporters paid all they had, which it found unaffordable and which it funded. With
the signature fixed, every budget and price is an affine function of the per-voter share
and every decision an affine inequality; two shares with the same signature therefore give
the same outcome at every share between them (see ``mes._add1``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .mes_merge import merge_identical_voters

EPS = float(np.finfo(np.float64).eps)


@dataclass
class Run:
    """Result of one MES pass."""

    order: list            # project indices in funding order
    rhos: list             # price per unit of utility at each funding (float)
    budgets: np.ndarray    # per-voter budget left at the end (float, per unit weight)
    spent: Fraction        # exact total cost funded
    stopped: bool = False  # True if the pass was cut short because spending exceeded stop_above
    payments: list = None  # per funded project: (payers, mean payment, min, max)
    stable_for: float = 0.0  # a guess: the share may grow by about this with the same outcome
    signature: bytes = b""   # see the module docstring
    exact: bool = False      # computed by the exact engine
    extra: dict = field(default_factory=dict)


class MesData:
    """Arrays shared by every pass on one election (computed once)."""

    def __init__(self, ctx, candidates):
        self.ctx = ctx
        R, self.w = merge_identical_voters(ctx.U, ctx.weights)
        U = R.tocsc()
        U.sort_indices()
        self.indptr, self.rows = U.indptr, U.indices
        self.cost_utility = ctx.utility == "cost"
        # With cost utility every supporter's utility is the cost: pay per unit of 1 instead.
        self.util = np.ones(len(U.data)) if self.cost_utility else U.data
        self.n = R.shape[0]
        self.cost_f = ctx.instance.cost_array
        self.costs = ctx.costs
        self.rank = ctx.rank
        self.candidates = np.array(sorted(candidates), dtype=np.int64)
        self.kappa = self.cost_f.copy() if self.cost_utility else np.ones(ctx.m)
        self.sum_wu = np.zeros(ctx.m)
        self.init_rho_exact = {}
        # Integral weights and utilities: float sums of them are exact (below 2**53).
        self.integral = bool(np.all(self.w == np.floor(self.w)) and np.all(self.util == np.floor(self.util)))
        for j in self.candidates:
            a, b = self.indptr[j], self.indptr[j + 1]
            self.sum_wu[j] = float(self.w[self.rows[a:b]] @ self.util[a:b])
            self.init_rho_exact[j] = self.costs[j] / self.exact_kappa(j) / self.exact_wu(j, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            self.init_rho = np.where(self.sum_wu > 0, self.cost_f / self.sum_wu / self.kappa, np.inf)

    def kernel_args(self):
        """The arrays :func:`voting.rules.mes_kernel.mes_pass` takes (built once)."""
        if not hasattr(self, "_kernel"):
            alive = np.zeros(len(self.cost_f), dtype=bool)
            alive[self.candidates] = True
            rank_order = np.argsort(self.rank, kind="stable").astype(np.int64)
            int_cost = bool(all(c.denominator == 1 for c in self.costs))
            self._kernel = (self.indptr.astype(np.int64), self.rows.astype(np.int64),
                            np.ascontiguousarray(self.util, dtype=np.float64),
                            np.ascontiguousarray(self.w, dtype=np.float64), self.cost_f, self.kappa,
                            rank_order, alive, np.where(alive, self.init_rho, np.inf),
                            self.integral, int_cost, self.cost_utility,
                            self.ctx.tie_group.astype(np.int64) if self.ctx.tie_group is not None
                            else np.full(len(self.cost_f), -1, dtype=np.int64))
        return self._kernel

    def slice(self, j):
        a, b = self.indptr[j], self.indptr[j + 1]
        return self.rows[a:b], self.util[a:b]

    def exact_kappa(self, j) -> Fraction:
        return self.costs[j] if self.cost_utility else Fraction(1)

    def exact_util(self, u: float) -> Fraction:
        return Fraction(float(u))

    def exact_wu(self, j, mask) -> Fraction:
        """Exact sum of w*u over the supporters of ``j`` selected by ``mask`` (all if None)."""
        S, u = self.slice(j)
        ww = self.w[S]
        if mask is not None:
            ww, u = ww[mask], u[mask]
        total = float(ww @ u)
        if self.integral and total < 2.0 ** 52:
            return Fraction(total)
        return sum((Fraction(float(a)) * Fraction(float(b)) for a, b in zip(ww, u)), Fraction(0))


class _Hash:
    def __init__(self):
        self.h = hashlib.blake2b(digest_size=16)

    def add(self, *items):
        for item in items:
            self.h.update(item if isinstance(item, bytes) else repr(item).encode())

    def digest(self) -> bytes:
        return self.h.digest()


def _gamma(k: int) -> float:
    """Relative error bound of a float sum of ``k`` terms (with a safety factor)."""
    return 2.0 * (k + 4) * EPS


def _price(bb, u, ww, c):
    """``(lam, poor)``: the payment per unit of utility and who pays all they have (floats).

    ``None`` if the fixed point was not found (only with very unusual data)."""
    e = np.divide(bb, u)
    wu = ww * u
    live = bb > 0
    rich_wu = wu[live].sum()
    if rich_wu > 0:
        lam = c / rich_wu
        if e[live].min() > lam:
            return lam, ~live
    poor = e < c / wu.sum()
    for _ in range(40):
        rich_wu = wu[~poor].sum()
        if rich_wu <= 0:
            return None
        lam = (c - (ww * bb)[poor].sum()) / rich_wu
        newpoor = e < lam
        if np.array_equal(newpoor, poor):
            return lam, poor
        poor = newpoor
    order = np.argsort(e, kind="stable")                  # rare: many price levels
    paid = np.concatenate(([0.0], np.cumsum((ww * bb)[order])))[:-1]
    rest = np.cumsum(wu[order][::-1])[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        lams = (c - paid) / rest
    ok = np.flatnonzero(lams <= e[order])
    if len(ok) == 0:
        return None
    lam = float(lams[ok[0]])
    return lam, e < lam


class _Stability:
    """A guess of how far the share can grow with every decision of the pass unchanged.

    Along one run every budget and price is an affine function of the share; each decision is
    an inequality between such functions, and the smallest growth that could flip one of them
    is the guess. It is only a guess (floats): ``mes._add1`` verifies it with signatures.
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


def run_float(data: MesData, b0: Fraction, stop_above: Fraction | None = None,
              track: bool = False) -> Run | None:
    """One MES pass in float64 with proven decisions; ``None`` if a decision was too close.

    With ``track=True`` the run also guesses ``stable_for`` (see :class:`_Stability`).
    """
    w = data.w
    b0f = float(b0)
    b = np.full(data.n, b0f)
    err = np.full(data.n, EPS * b0f)                 # |float budget - exact budget| <= err
    slope = np.ones(data.n) if track else None       # d(budget)/d(share), per voter
    lb = data.init_rho.copy()
    elb = lb * 4 * EPS
    lb_slope = np.zeros(len(lb))
    stab = _Stability()
    alive = np.zeros(len(lb), dtype=bool)
    alive[data.candidates] = True
    order, rhos, payments, rho_errs = [], [], [], []
    sig = _Hash()
    spent = Fraction(0)
    while True:
        cand = np.flatnonzero(alive)
        if len(cand) == 0:
            break
        low = lb[cand] - elb[cand]
        cand = cand[np.lexsort((data.rank[cand], low))]
        upper = np.inf                               # lowest proven upper bound of a rho
        evals = {}
        for j in cand:
            if lb[j] - elb[j] > upper:
                break                                # proven dearer than an evaluated project
            S, u = data.slice(j)
            bb, ww, ee = b[S], w[S], err[S]
            c = data.cost_f[j]
            cerr = c * EPS
            avail = float(ww @ bb)
            aerr = float(ww @ ee) + _gamma(len(S)) * avail
            if avail + aerr < c - cerr:              # proven unaffordable
                alive[j] = False
                sig.add("x", int(j))
                if track:
                    stab.keep(c - avail, -float(ww @ slope[S]))
                continue
            if avail - aerr <= c + cerr:
                return None                          # supporters hold about the cost
            found = _price(bb, u, ww, c)
            if found is None:
                return None
            lam, poor = found
            rich_wu = float((ww * u)[~poor].sum())
            paid = float((ww * bb)[poor].sum())
            g = _gamma(len(S))
            lam_err = ((cerr + float((ww * ee)[poor].sum()) + g * (c + paid)) / rich_wu
                       + 2 * g * lam)
            gap = np.abs(bb - lam * u)
            if np.any(gap <= ee + u * lam_err + 4 * EPS * (bb + lam * u)):
                return None                          # a supporter holds about their payment
            rho = lam / data.kappa[j]
            rho_err = lam_err / data.kappa[j] + 4 * EPS * rho
            sig.add("e", int(j), np.packbits(poor).tobytes())
            r1 = 0.0
            if track:
                sl = slope[S]
                stab.keep(avail - c, float(ww @ sl))
                r1 = -float((ww * sl)[poor].sum()) / rich_wu / data.kappa[j]
                lu = lam * u
                stab.keep(np.where(poor, lu - bb, bb - lu),
                          np.where(poor, r1 * data.kappa[j] * u - sl, sl - r1 * data.kappa[j] * u))
            lb[j], elb[j], lb_slope[j] = rho, rho_err, r1
            evals[j] = (rho, rho_err, lam, lam_err, poor)
            upper = min(upper, rho + rho_err)
        if not evals:
            break
        near = [j for j, ev in evals.items() if ev[0] - ev[1] <= upper]
        if len(near) > 1:
            exact = {}
            for j in near:
                rho, _, _, _, poor = evals[j]
                S, _ = data.slice(j)
                if np.any(b[S][poor] > 0):
                    return None                      # a near tie with a supporter running out
                exact[j] = data.costs[j] / data.exact_kappa(j) / data.exact_wu(j, ~poor)
            top = min(exact.values())
            near = [j for j in near if exact[j] == top]
        s = data.ctx.pick(near)
        rho, rho_err, lam, lam_err, poor = evals[s]
        S, u = data.slice(s)
        if track:
            others = np.flatnonzero(alive)
            others = others[others != s]
            # every other live project must stay at least as dear as the one funded
            stab.keep(lb[others] - rho, lb_slope[others] - lb_slope[s])
            slope[S] = np.where(poor, 0.0, slope[S] - lb_slope[s] * data.kappa[s] * u)
        bb = b[S]
        pay = np.where(poor, bb, lam * u)
        b[S] = np.where(poor, 0.0, bb - pay)
        err[S] = np.where(poor, 0.0, err[S] + u * lam_err + 2 * EPS * bb)
        payments.append(_pay_summary(pay, w[S]))
        sig.add("f", int(s))
        order.append(int(s))
        rhos.append(float(rho))
        rho_errs.append(float(rho_err))
        alive[s] = False
        spent += data.costs[s]
        if stop_above is not None and spent > stop_above:
            return Run(order, rhos, b, spent, True, payments, 0.0, sig.digest(), extra={"rho_err": rho_errs})
    return Run(order, rhos, b, spent, False, payments, stab.delta if track else 0.0, sig.digest(),
               extra={"rho_err": rho_errs})


def _pay_summary(pay, ww):
    payers = float(ww.sum())
    return payers, float((ww * pay).sum()) / payers if payers else 0.0, float(pay.min()), float(pay.max())


def run_compiled(data: MesData, b0: Fraction, stop_above: Fraction | None = None,
                 track: bool = False) -> Run | None:
    """The same pass as :func:`run_float`, compiled (:mod:`voting.rules.mes_kernel`); ``None``
    when a decision needs fractions (the caller then tries :func:`run_float`)."""
    from .mes_kernel import mes_pass

    k = data.kernel_args()
    m = len(data.cost_f)
    b = np.empty(data.n)
    order = np.empty(m, dtype=np.int64)
    rhos = np.empty(m)
    pays = np.empty((m, 4))
    behind = np.empty(m)
    rho_errs = np.empty(m)
    stop_f = float(stop_above) * (1 + 1e-9) + 1e-9 if stop_above is not None else np.inf
    status, rounds, stable, h1, h2 = mes_pass(*k, float(b0), stop_f, track, b, order, rhos, pays, behind,
                                                rho_errs)
    if status == 1:
        return None
    if status == 3:
        data.ctx.pick([int(order[0]), int(order[1])])   # raises UnresolvedTieError
    chosen = [int(j) for j in order[:rounds]]
    spent = sum((data.costs[j] for j in chosen), Fraction(0))
    run = Run(chosen, [float(x) for x in rhos[:rounds]], b, spent, status == 2,
              [tuple(float(x) for x in row) for row in pays[:rounds]], float(stable),
              int(h1).to_bytes(8, "little") + int(h2).to_bytes(8, "little"))
    run.extra["behind"] = [float(x) for x in behind[:rounds]]
    run.extra["rho_err"] = [float(x) for x in rho_errs[:rounds]]
    return run


def still_same(data: MesData, order, rhos, errs, share: Fraction):
    """``(verdict, rhos at share, errors)``: whether MES funds ``order`` at every share from the
    one whose funded prices were ``rhos`` (± ``errs``) up to ``share``: verdict 1 proven, 0
    proven not, 2 undecided (see :func:`voting.rules.mes_follow.follow_pass`)."""
    from .mes_follow import follow_pass

    k = data.kernel_args()
    t = len(order)
    out_rho, out_err = np.zeros(t), np.zeros(t)
    verdict = int(follow_pass(k[0], k[1], k[2], k[3], k[4], k[5], k[7], k[8],
                              np.asarray(order, dtype=np.int64), np.asarray(rhos, dtype=np.float64),
                              np.asarray(errs, dtype=np.float64), float(share), out_rho, out_err))
    return verdict, out_rho, out_err
