"""The compiled "follow" pass that proves Add1 may jump: along one funding order every budget
rises and every price falls as the per-voter share grows (see :func:`follow_pass`)."""
from __future__ import annotations

import numpy as np
from numba import njit

from .mes_kernel import EPS


@njit(cache=True)
def _evaluate(j, indptr, rows, util, w, cost, kappa, b, err):
    """Price of ``j`` at budgets ``b``: ``(status, rho, rho_err, lam, lam_err)``; status 0 =
    proven affordable and priced, 1 = proven unaffordable, 2 = too close to call."""
    a0, a1 = indptr[j], indptr[j + 1]
    c = cost[j]
    cerr = c * EPS
    avail = 0.0
    aerr = 0.0
    live_wu = 0.0
    tot_wu = 0.0
    min_e = np.inf
    for p in range(a0, a1):
        i = rows[p]
        avail += w[i] * b[i]
        aerr += w[i] * err[i]
        tot_wu += w[i] * util[p]
        if b[i] > 0.0:
            live_wu += w[i] * util[p]
            e = b[i] / util[p]
            if e < min_e:
                min_e = e
    g = 2.0 * (a1 - a0 + 4) * EPS
    aerr += g * avail
    if avail + aerr < c - cerr:
        return 1, 0.0, 0.0, 0.0, 0.0
    if avail - aerr <= c + cerr:
        return 2, 0.0, 0.0, 0.0, 0.0
    lam = c / live_wu if live_wu > 0.0 else np.inf
    if not (lam < min_e):
        lam = c / tot_wu
        settled = False
        for _ in range(200):
            paid = 0.0
            rich = 0.0
            for p in range(a0, a1):
                i = rows[p]
                if b[i] < lam * util[p]:
                    paid += w[i] * b[i]
                else:
                    rich += w[i] * util[p]
            if rich <= 0.0:
                return 2, 0.0, 0.0, 0.0, 0.0
            lam2 = (c - paid) / rich
            moved = False
            for p in range(a0, a1):
                i = rows[p]
                x = b[i] / util[p]
                if x >= lam and x < lam2:
                    moved = True
                    break
            lam = lam2
            if not moved:
                settled = True
                break
        if not settled:
            return 2, 0.0, 0.0, 0.0, 0.0
    paid = 0.0
    poor_err = 0.0
    rich = 0.0
    for p in range(a0, a1):
        i = rows[p]
        if b[i] < lam * util[p]:
            paid += w[i] * b[i]
            poor_err += w[i] * err[i]
        else:
            rich += w[i] * util[p]
    lam_err = (cerr + poor_err + g * (c + paid)) / rich + 2 * g * lam
    for p in range(a0, a1):
        i = rows[p]
        lu = lam * util[p]
        if abs(b[i] - lu) <= err[i] + util[p] * lam_err + 4 * EPS * (b[i] + lu):
            return 2, 0.0, 0.0, 0.0, 0.0
    rho = lam / kappa[j]
    return 0, rho, lam_err / kappa[j] + 4 * EPS * rho, lam, lam_err


@njit(cache=True)
def follow_pass(indptr, rows, util, w, cost, kappa, alive0, init_rho, order, theta, theta_err, x1,
                out_rho, out_err):
    """Does MES at share ``x1`` still fund exactly ``order``, given that at a lower share it
    did, with prices ``theta``? 1 = proven for every share between, 0 = proven not at ``x1``,
    2 = too close to call in floats.

    Along a fixed funding order every budget rises and every price falls as the share grows
    (by induction over the rounds: more money per voter, lower price, more left). So if at
    ``x1`` each competitor's price in round t is still above the funded project's price
    ``theta[t]`` at the lower share, and every unfunded project is still unaffordable at the
    end, then at every share between the funded project's price is at most ``theta[t]``, each
    competitor's at least its price at ``x1``: every round picks the same project. The funded
    projects' prices at ``x1`` go to ``out_rho`` / ``out_err``."""
    n = len(w)
    m = len(cost)
    b = np.full(n, x1)
    err = np.full(n, EPS * x1)
    lb = init_rho.copy()
    elb = init_rho * (4 * EPS)
    alive = alive0.copy()
    for t in range(len(order)):
        s = order[t]
        alive[s] = False
        hi = theta[t] + theta_err[t]
        lo = theta[t] - theta_err[t]
        for j in range(m):
            if not alive[j] or lb[j] - elb[j] > hi:
                continue
            st, rho, rerr, lam, lerr = _evaluate(j, indptr, rows, util, w, cost, kappa, b, err)
            if st == 1:
                alive[j] = False
                continue
            if st == 2:
                return 2
            lb[j] = rho
            elb[j] = rerr
            if rho - rerr > hi:
                continue
            if rho + rerr < lo:
                return 0
            return 2
        st, rho, rerr, lam, lerr = _evaluate(s, indptr, rows, util, w, cost, kappa, b, err)
        if st != 0:
            return 2
        out_rho[t] = rho          # the funded project's price at x1: the next proof starts here
        out_err[t] = rerr
        for p in range(indptr[s], indptr[s + 1]):
            i = rows[p]
            lu = lam * util[p]
            if b[i] < lu:
                b[i] = 0.0
                err[i] = 0.0
            else:
                err[i] = err[i] + util[p] * lerr + 2 * EPS * b[i]
                b[i] = b[i] - lu
    for j in range(m):
        if alive[j]:
            st, rho, rerr, lam, lerr = _evaluate(j, indptr, rows, util, w, cost, kappa, b, err)
            if st == 0:
                return 0
            if st == 2:
                return 2
    return 1
