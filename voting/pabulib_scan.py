"""Compiled loops for :mod:`voting.pabulib_fast`: one pass over the bytes of the VOTES section
instead of a dozen NumPy passes (semicolons, commas, tokens, byte columns).

Every function answers "cannot say" (``False`` / ``-1``) on anything unusual; the caller then
takes the NumPy path, which in turn leaves the unusual to the line reader, so these loops never
have to explain an error and never decide differently from the paths they stand in for."""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def line_fields(b, starts, ends, width, fs, fe):
    """Start and end of every ';'-separated field of every line into ``fs`` / ``fe``
    (n x width); False if a line has another number of fields."""
    for k in range(len(starts)):
        f = 0
        fs[k, 0] = starts[k]
        for p in range(starts[k], ends[k]):
            if b[p] == 59:
                if f + 1 >= width:
                    return False
                fe[k, f] = p
                f += 1
                fs[k, f] = p + 1
        if f != width - 1:
            return False
        fe[k, f] = ends[k]
    return True


@njit(cache=True)
def int_votes(b, vs, ve, lookup, out, ntok):
    """The vote lists ``b[vs:ve]`` as project indices, when every project id is written as a
    plain decimal number: ``lookup[int(token)]`` is the project's index (-1: none). Fills
    ``out`` and ``ntok`` (tokens per line); returns the number of tokens, or -1 for anything
    else (a leading zero, a space, an empty token, an unknown id: the other paths decide)."""
    t = 0
    top = len(lookup)
    for k in range(len(vs)):
        a, z = vs[k], ve[k]
        count = 0
        if a < z:
            value = 0
            digits = 0
            lead = False
            for p in range(a, z + 1):
                c = b[p] if p < z else 44
                if c == 44:
                    if digits == 0 or (lead and digits > 1) or value >= top or lookup[value] < 0:
                        return -1
                    if t >= len(out):
                        return -1
                    out[t] = lookup[value]
                    t += 1
                    count += 1
                    value = 0
                    digits = 0
                elif 48 <= c <= 57:
                    if digits == 0:
                        lead = c == 48
                    value = value * 10 + (c - 48)
                    digits += 1
                    if digits > 9:
                        return -1
                else:
                    return -1
        ntok[k] = count
    return t


@njit(cache=True)
def byte_columns(b, s, e, mat):
    """``mat[k, :e[k]-s[k]] = b[s[k]:e[k]]`` (the rest of each row stays 0)."""
    for k in range(len(s)):
        for c in range(e[k] - s[k]):
            mat[k, c] = b[s[k] + c]


def id_lookup(ids):
    """``lookup`` for :func:`int_votes` when every id is a canonical decimal number below
    10**7 ("12", not "012" or "+12"), else None."""
    values = []
    for pid in ids:
        if not (pid.isascii() and pid.isdigit()) or (len(pid) > 1 and pid[0] == "0") or len(pid) > 7:
            return None
        values.append(int(pid))
    lookup = np.full(max(values, default=0) + 1, -1, dtype=np.int64)
    for j, v in enumerate(values):
        lookup[v] = j
    return lookup
