"""Voters with identical ballots merged into one weighted voter before MES runs."""
from __future__ import annotations

import numpy as np
from numba import njit

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x2545F4914F6CDD1D)
_M4 = np.uint64(0x94D049BB133111EB)


def merge_identical_voters(U, w):
    """``(U', w')``: voters with the same utilities (same ballot) merged into one voter whose
    weight is their total. MES treats them alike at every step (same budget, same payments),
    so the outcome is the same, and a national election has far fewer distinct ballots than
    voters. Grouped by a 64-bit hash of each row, then every row is compared with its
    group's first row, entry by entry; if any differs (a hash collision) nothing is merged.
    Only integral weights are merged, so the totals are exact."""
    n = U.shape[0]
    if n < 2 or not np.all(w == np.floor(w)) or w.sum() >= 2.0 ** 52:
        return U, w
    indptr = U.indptr.astype(np.int64)
    data = np.ascontiguousarray(U.data, dtype=np.float64)
    key = _row_keys(indptr, U.indices.astype(np.int64), data.view(np.uint64))
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    if len(first) == n:
        return U, w
    if not _rows_equal(indptr, U.indices, data, first[inverse]):
        return U, w                                         # a hash collision: do not merge
    merged = U[first]
    return merged, np.bincount(inverse, weights=w, minlength=len(first))


@njit(cache=True)
def _row_keys(indptr, indices, bits):
    """A wrapping uint64 hash of every CSR row (its column indices and values)."""
    n = len(indptr) - 1
    key = np.empty(n, dtype=np.uint64)
    for r in range(n):
        s = np.uint64(0)
        for p in range(indptr[r], indptr[r + 1]):
            x = (np.uint64(indices[p]) + np.uint64(1)) * _M1 ^ (bits[p] * _M2)
            x ^= x >> np.uint64(31)
            s += x * _M3
        key[r] = s ^ (np.uint64(indptr[r + 1] - indptr[r]) * _M4)
    return key


@njit(cache=True)
def _rows_equal(indptr, indices, data, rep):
    """Whether every row equals its representative row ``rep[r]``, entry by entry."""
    for r in range(len(indptr) - 1):
        q = rep[r]
        a, z = indptr[r], indptr[q]
        k = indptr[r + 1] - a
        if k != indptr[q + 1] - z:
            return False
        for t in range(k):
            if indices[a + t] != indices[z + t] or data[a + t] != data[z + t]:
                return False
    return True
