"""One MES pass in exact rational arithmetic, as pabutools computes it.

Voters are grouped by identical budgets (a "budget class": voters who paid for the same
funded projects the same amounts) and identical utility, so a pass costs a few fractions per
group rather than per voter. The pass returns the same kind of signature as the float engine
(projects evaluated, who paid all they had, what was found unaffordable, what was funded).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .mes_core import MesData, Run, _Hash, _pay_summary


def run_exact(data: MesData, b0: Fraction, stop_above: Fraction | None = None) -> Run:
    """One MES pass in exact fractions (see the module docstring)."""
    w = data.w
    cls = np.zeros(data.n, dtype=np.int64)
    budgets = [Fraction(b0)]
    lb = {int(j): data.init_rho_exact[j] for j in data.candidates}
    alive = set(lb)
    order, rhos, payments = [], [], []
    sig = _Hash()
    sig.add("exact")
    spent = Fraction(0)
    stopped = False
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
                sig.add("x", j)
                continue
            lam, poor_groups = _exact_price(groups, budgets, data.costs[j])
            rho = lam / data.exact_kappa(j)
            inverse = groups[0][3]
            poor = np.isin(inverse, np.array(sorted(poor_groups), dtype=np.int64))
            sig.add("e", j, np.packbits(poor).tobytes())
            lb[j] = rho
            evals[j] = (rho, lam, groups)
            best = rho if best is None or rho < best else best
        if not evals:
            break
        s = data.ctx.pick([j for j, ev in evals.items() if ev[0] == best])
        rho, lam, groups = evals[s]
        S, _ = data.slice(s)
        inverse = groups[0][3]
        new_ids = np.empty(len(groups), dtype=np.int64)
        pays = np.empty(len(S))
        for g, (c, ue, _W, _inv) in enumerate(groups):
            pay = min(budgets[c], lam * ue)
            new_ids[g] = len(budgets)
            budgets.append(budgets[c] - pay)
            pays[inverse == g] = float(pay)
        cls[S] = new_ids[inverse]
        payments.append(_pay_summary(pays, w[S]))
        sig.add("f", s)
        order.append(s)
        rhos.append(float(rho))
        alive.discard(s)
        spent += data.costs[s]
        if stop_above is not None and spent > stop_above:
            stopped = True
            break
    final = np.array([float(x) for x in budgets])[cls]
    return Run(order, rhos, final, spent, stopped, payments, 0.0, sig.digest(), exact=True,
               extra={"classes": cls, "budgets": budgets})


def _groups(data: MesData, j, cls):
    """Supporters of ``j`` grouped by (budget class, utility): [(class, u, weight, inverse)]."""
    S, u = data.slice(j)
    _, ucode = np.unique(u, return_inverse=True)
    key = cls[S] * (int(ucode.max()) + 1 if len(ucode) else 1) + ucode
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    wsum = np.bincount(inverse, weights=data.w[S])
    if not data.integral:   # weights like 1.5: add them up exactly
        wsum = [sum((Fraction(float(x)) for x in data.w[S][inverse == g]), Fraction(0))
                for g in range(len(uniq))]
    out = []
    for g in range(len(uniq)):
        i = first[g]
        out.append((int(cls[S[i]]), data.exact_util(u[i]), Fraction(wsum[g]) if data.integral
                    else wsum[g], inverse))
    return out


def _exact_price(groups, budgets, cost):
    """``(lam, poor groups)``: the least lam with sum W min(b, lam u) = cost, and the groups
    paying all they have (b < lam u)."""
    ordered = sorted(range(len(groups)), key=lambda g: budgets[groups[g][0]] / groups[g][1])
    paid = Fraction(0)
    denom = sum((W * ue for _, ue, W, _ in groups), Fraction(0))
    poor = set()
    lam = cost / denom
    for g in ordered:
        c, ue, W, _ = groups[g]
        lam = (cost - paid) / denom
        if lam * ue <= budgets[c]:
            return lam, poor
        poor.add(g)
        paid += W * budgets[c]
        denom -= W * ue
    return lam, poor
