"""The float MES pass compiled with Numba: the same proven decisions as ``mes_core.run_float``.

Why Numba: a pass is a loop over rounds and, per round, over the few projects whose lower
bound could beat the best price; NumPy pays ~1-2 µs per call on slices of a few supporters,
so small elections (where Add1 needs thousands of passes) were bound by call overhead, and
on the large files a pass was 2-9x slower than pabumeasures' C++. Compiled loops touch each
supporter once per evaluation with no temporary arrays.

The kernel returns status 1 whenever a decision is not proven (the caller then runs the
NumPy engine, which settles ties between all-rich projects in fractions, or the exact engine).
An exact tie is settled here only when it can be compared exactly in floats: integral
weights and utilities, integer costs, products below 2**53.
"""
from __future__ import annotations

import numpy as np
from numba import njit

EPS = float(np.finfo(np.float64).eps)
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_EXACT = 2.0 ** 53


@njit(cache=True)
def _mix(h, x, m):
    h = (h ^ np.uint64(x)) * m
    return h ^ (h >> np.uint64(29))


@njit(cache=True)
def _keep(delta, value, slope):
    if slope < 0.0:
        d = value / -slope
        if d < delta:
            return d
    return delta


@njit(cache=True)
def mes_pass(indptr, rows, util, w, cost, kappa, rank_order, alive0, init_rho, integral, int_cost,
             cost_util, group, b0, stop_f, track, b, order, rhos, pays, behind, rho_errs):
    """One pass; fills ``b`` (budgets), ``order``, ``rhos``, ``pays`` (m x 4), ``behind``.

    Returns ``(status, rounds, stable_for, sig1, sig2)``; status 1 = a decision was too close."""
    n = b.shape[0]
    m = cost.shape[0]
    err = np.empty(n)
    slope = np.ones(n)
    for i in range(n):
        b[i] = b0
        err[i] = EPS * b0
    lb = init_rho.copy()
    elb = init_rho * (4 * EPS)
    lb_slope = np.zeros(m)
    alive = alive0.copy()
    ev_rho = np.zeros(m)
    ev_err = np.zeros(m)
    ev_lam = np.zeros(m)
    ev_lamerr = np.zeros(m)
    ev_live = np.zeros(m)
    ev_avail = np.zeros(m)
    ev_poorpaid = np.zeros(m)
    delta = np.inf
    h1 = np.uint64(1469598103934665603)
    h2 = np.uint64(7809847782465536322)
    rounds = 0
    spent = 0.0
    evaluated = np.empty(m, dtype=np.int64)
    while True:
        k = 0
        for t in range(m):
            j = rank_order[t]
            if alive[j]:
                evaluated[k] = j
                k += 1
        if k == 0:
            break
        cand = evaluated[:k].copy()
        low = np.empty(k)
        for t in range(k):
            low[t] = lb[cand[t]] - elb[cand[t]]
        cand = cand[np.argsort(low, kind="mergesort")]
        upper = np.inf
        ne = 0
        for t in range(k):
            j = cand[t]
            if lb[j] - elb[j] > upper:
                break
            a0, a1 = indptr[j], indptr[j + 1]
            c = cost[j]
            cerr = c * EPS
            avail = 0.0
            aerr = 0.0
            live_wu = 0.0
            tot_wu = 0.0
            min_e = np.inf
            wslope = 0.0
            for p in range(a0, a1):
                i = rows[p]
                avail += w[i] * b[i]
                aerr += w[i] * err[i]
                tot_wu += w[i] * util[p]
                if track:
                    wslope += w[i] * slope[i]
                if b[i] > 0.0:
                    live_wu += w[i] * util[p]
                    e = b[i] / util[p]
                    if e < min_e:
                        min_e = e
            g = 2.0 * (a1 - a0 + 4) * EPS
            aerr += g * avail
            h1 = _mix(h1, j * 4 + 1, _M1)
            h2 = _mix(h2, j * 4 + 1, _M2)
            if avail + aerr < c - cerr:
                alive[j] = False
                h2 = _mix(h2, j * 4 + 1, _M2)
                if track:
                    delta = _keep(delta, c - avail, -wslope)
                continue
            if avail - aerr <= c + cerr:
                return 1, rounds, 0.0, h1, h2
            # the payment per unit of utility: all live supporters rich, or a fixed point
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
                        return 1, rounds, 0.0, h1, h2
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
                    return 1, rounds, 0.0, h1, h2
            paid = 0.0
            poor_err = 0.0
            rich = 0.0
            pslope = 0.0
            for p in range(a0, a1):
                i = rows[p]
                if b[i] < lam * util[p]:
                    paid += w[i] * b[i]
                    poor_err += w[i] * err[i]
                    if track:
                        pslope += w[i] * slope[i]
                else:
                    rich += w[i] * util[p]
            lam_err = (cerr + poor_err + g * (c + paid)) / rich + 2 * g * lam
            for p in range(a0, a1):
                i = rows[p]
                lu = lam * util[p]
                if abs(b[i] - lu) <= err[i] + util[p] * lam_err + 4 * EPS * (b[i] + lu):
                    return 1, rounds, 0.0, h1, h2
                if b[i] < lu:
                    h1 = _mix(h1, p, _M1)
                    h2 = _mix(h2, p, _M2)
            rho = lam / kappa[j]
            r1 = 0.0
            if track:
                delta = _keep(delta, avail - c, wslope)
                r1 = -pslope / rich / kappa[j]
                for p in range(a0, a1):
                    i = rows[p]
                    lu = lam * util[p]
                    if b[i] < lu:
                        delta = _keep(delta, lu - b[i], r1 * kappa[j] * util[p] - slope[i])
                    else:
                        delta = _keep(delta, b[i] - lu, slope[i] - r1 * kappa[j] * util[p])
            lb[j] = rho
            elb[j] = lam_err / kappa[j] + 4 * EPS * rho
            lb_slope[j] = r1
            ev_rho[j], ev_err[j], ev_lam[j], ev_lamerr[j] = rho, elb[j], lam, lam_err
            ev_live[j] = rich
            ev_avail[j] = avail
            ev_poorpaid[j] = paid
            evaluated[ne] = j
            ne += 1
            if rho + elb[j] < upper:
                upper = rho + elb[j]
        if ne == 0:
            break
        # the cheapest project; near ties are settled exactly or handed back
        s = -1
        nnear = 0
        for t in range(ne):
            j = evaluated[t]
            if ev_rho[j] - ev_err[j] <= upper:
                nnear += 1
                if nnear == 1:
                    s = j
                    continue
                if not integral or not int_cost or ev_poorpaid[j] > 0.0 or ev_poorpaid[s] > 0.0:
                    return 1, rounds, 0.0, h1, h2
                # rho = cost / (kappa * live w*u): with cost utility 1 / live w*u
                if cost_util:
                    x, y = ev_live[s], ev_live[j]          # compare 1/live_s with 1/live_j
                else:
                    x, y = cost[j] * ev_live[s], cost[s] * ev_live[j]
                    if x >= _EXACT or y >= _EXACT:
                        return 1, rounds, 0.0, h1, h2
                # rho_j < rho_s  <=>  x < y ;  equal: the lower rank wins
                if x < y:
                    s = j
                elif x == y:
                    if group[j] >= 0 and group[j] == group[s]:
                        order[0] = s
                        order[1] = j
                        return 3, 0, 0.0, h1, h2
                    for t2 in range(m):
                        if rank_order[t2] == j:
                            s = j
                            break
                        if rank_order[t2] == s:
                            break
        lam, lam_err = ev_lam[s], ev_lamerr[s]
        a0, a1 = indptr[s], indptr[s + 1]
        if track:
            for o in range(m):
                if alive[o] and o != s:
                    delta = _keep(delta, lb[o] - ev_rho[s], lb_slope[o] - lb_slope[s])
        payers = 0.0
        total = 0.0
        lo = np.inf
        hi = 0.0
        for p in range(a0, a1):
            i = rows[p]
            lu = lam * util[p]
            if b[i] < lu:
                pay = b[i]
                b[i] = 0.0
                err[i] = 0.0
                slope[i] = 0.0
            else:
                pay = lu
                err[i] = err[i] + util[p] * lam_err + 2 * EPS * b[i]
                b[i] = b[i] - lu
                if track:
                    slope[i] = slope[i] - lb_slope[s] * kappa[s] * util[p]
            payers += w[i]
            total += w[i] * pay
            lo = min(lo, pay)
            hi = max(hi, pay)
        order[rounds] = s
        rhos[rounds] = ev_rho[s]
        rho_errs[rounds] = ev_err[s]
        pays[rounds, 0] = payers
        pays[rounds, 1] = total / payers if payers > 0 else 0.0
        pays[rounds, 2] = lo
        pays[rounds, 3] = hi
        behind[rounds] = ev_avail[s]
        rounds += 1
        h1 = _mix(h1, s * 4 + 3, _M1)
        h2 = _mix(h2, s * 4 + 3, _M2)
        alive[s] = False
        spent += cost[s]
        if spent > stop_f:
            return 2, rounds, 0.0, h1, h2
    return 0, rounds, delta if track else 0.0, h1, h2
