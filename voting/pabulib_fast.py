"""The VOTES section read with array operations (no Python loop over ballots).

Used when the section is plain: no quotes, no blank lines, every line with the header's number
of fields, no spaces inside the vote lists. Anything else (and every error) goes to the line
reader in :mod:`voting.pabulib`, which names the line; so this path never has to explain."""
from __future__ import annotations

import numpy as np

MAX_WIDTH = 256
COMPILED_FROM = 2_000_000     # bytes of VOTES text from which the compiled loops are used


def _fields(b, starts, ends, width):
    """(start, end) of every field of every line, as two (n, width) arrays; None if a line has
    another number of ';' than the header."""
    n = len(starts)
    if _compiled(b):
        from .pabulib_scan import line_fields
        fs = np.empty((n, width), dtype=np.int64)
        fe = np.empty((n, width), dtype=np.int64)
        return (fs, fe) if line_fields(b, starts, ends, width, fs, fe) else None
    semi = np.flatnonzero(b == 59)
    count = np.searchsorted(semi, ends) - np.searchsorted(semi, starts)
    if np.any(count != width - 1):
        return None
    S = semi.reshape(n, width - 1) if width > 1 else np.zeros((n, 0), dtype=np.int64)
    fs = np.concatenate((starts[:, None], S + 1), axis=1)
    fe = np.concatenate((S, ends[:, None]), axis=1)
    return fs, fe


def _compiled(b) -> bool:
    """Whether to use the compiled loops: on large sections only, so that reading a small file
    does not load Numba (a few tenths of a second once per process)."""
    return len(b) >= COMPILED_FROM


def _strings(b, s, e):
    """Fixed-width byte strings b[s:e] (None if some is too long)."""
    lengths = e - s
    w = int(lengths.max()) if len(lengths) else 0
    if w > MAX_WIDTH:
        return None
    if w == 0:
        return np.zeros(len(s), dtype="S1")
    mat = np.zeros((len(s), w), dtype=np.uint8)
    if _compiled(b):
        from .pabulib_scan import byte_columns
        byte_columns(b, s, e, mat)
    else:
        last = len(b) - 1
        for c in range(w):           # one column of bytes at a time: w passes over the fields
            mat[:, c] = np.where(c < lengths, b[np.minimum(s + c, last)], 0)
    return mat.view(f"S{w}").ravel()


def _has(b, s, e, positions):
    """Whether any of ``positions`` (sorted byte offsets) falls in a field [s, e)."""
    if len(positions) == 0:
        return False
    k = np.searchsorted(s, positions, side="right") - 1
    ok = k >= 0
    return bool(np.any(positions[ok] < e[k[ok]]))


def _text(b, s, e, blanks, high):
    """The fields as a str array, stripped as the line reader strips them."""
    raw = _strings(b, s, e)
    if raw is None:
        return None
    out = np.char.decode(raw, "utf-8") if _has(b, s, e, high) else raw.astype(str)
    if _has(b, s, e, blanks):
        out = np.char.strip(out)
    return out


def _ids(words, keys):
    """Project index of every token (rows of uint64 ``words``), or None if one is unknown."""
    mult = np.array([0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93],
                    dtype=np.uint64)[: words.shape[1]]
    with np.errstate(over="ignore"):
        h = (words * mult).sum(axis=1, dtype=np.uint64)
        hk = (keys * mult).sum(axis=1, dtype=np.uint64)
    order = np.argsort(hk)
    at = np.searchsorted(hk[order], h)
    at[at == len(order)] = 0
    j = order[at]
    if not np.array_equal(keys[j], words):
        return None                  # an unknown id (or a hash collision): the line reader decides
    return j


def _tokens(b, vs, ve, n):
    """Start and end of every comma-separated token in the fields [vs, ve), line by line,
    and the number of tokens per line (an empty field has none)."""
    commas = np.flatnonzero(b == 44)
    line = np.searchsorted(vs, commas, side="right") - 1
    ok = line >= 0
    commas, line = commas[ok], line[ok]
    inside = (commas >= vs[line]) & (commas < ve[line])
    commas, line = commas[inside], line[inside]
    empty = ve == vs
    ntok = np.where(empty, 0, np.bincount(line, minlength=n) + 1)
    # two sorted runs each: a stable sort merges them in one pass
    ts = np.sort(np.concatenate((vs[~empty], commas + 1)), kind="stable")
    te = np.sort(np.concatenate((commas, ve[~empty])), kind="stable")
    return ts, te, ntok


def _int_votes(b, vs, ve, instance, n):
    """``(indices int32, tokens per line)`` in one compiled pass when every project id is a
    plain number (see :func:`voting.pabulib_scan.int_votes`), else None."""
    if not _compiled(b):
        return None
    from .pabulib_scan import id_lookup, int_votes
    lookup = id_lookup(instance.ids)
    if lookup is None:
        return None
    out = np.empty(int(np.count_nonzero(b == 44)) + n, dtype=np.int64)
    ntok = np.zeros(n, dtype=np.int64)
    t = int_votes(b, vs, ve, lookup, out, ntok)
    return (out[:t].astype(np.int32), ntok) if t >= 0 else None


def _named_votes(b, vs, ve, instance, n):
    """``(indices int32, tokens per line)`` for any ids, by hashing the tokens; None if a
    token is empty, too long or unknown."""
    ts, te, ntok = _tokens(b, vs, ve, n)
    if np.any(te <= ts):
        return None
    pids = [p.encode("utf-8") for p in instance.ids]
    w = max([len(x) for x in pids] + [int((te - ts).max()) if len(ts) else 1])
    w8 = -(-w // 8) * 8
    if w8 > 32:
        return None
    toks = _strings(b, ts, te)
    if toks is None:
        return None
    words = np.zeros(len(toks), dtype=f"S{w8}")
    words[:] = toks
    words = words.view(np.uint64).reshape(len(toks), w8 // 8)
    keys = np.array(pids, dtype=f"S{w8}").view(np.uint64).reshape(len(pids), w8 // 8)
    found = _ids(words, keys)
    return None if found is None else (found.astype(np.int32), ntok)


def fast_votes(text: str, header, instance, vote_type):
    """``(indices int32, indptr int64, points float64 or None, text columns)`` or None."""
    if not text or '"' in text:
        return None
    b = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    nl = np.flatnonzero(b == 10)
    ends = nl if b[-1] == 10 else np.append(nl, len(b))
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    ends = ends.astype(np.int64)
    if np.any(ends == starts):
        return None                  # blank lines
    short = np.flatnonzero(ends - starts <= 16)
    maybe = short[np.isin(b[starts[short]], np.frombuffer(b'"mMpPvV', dtype=np.uint8))]
    for k in maybe:                  # a second section header: the line reader reports it
        word = bytes(b[starts[k]:ends[k]]).decode("utf-8", "replace").strip().strip('"').strip(";").lower()
        if word in ("meta", "projects", "votes"):
            return None
    width = len(header)
    found = _fields(b, starts, ends, width)
    if found is None:
        return None
    fs, fe = found
    n = len(starts)
    vi = header.index("vote")
    vs, ve = fs[:, vi], fe[:, vi]
    blanks = np.flatnonzero((b == 32) | (b == 9))
    high = np.flatnonzero(b >= 128)
    if _has(b, vs, ve, blanks):
        return None
    found = _int_votes(b, vs, ve, instance, n)
    if found is None:
        found = _named_votes(b, vs, ve, instance, n)
    if found is None:
        return None
    indices, ntok = found
    indptr = np.concatenate(([0], np.cumsum(ntok))).astype(np.int64)
    points = None
    if "points" in header and (vote_type in ("cumulative", "scoring", "ordinal")):
        pi = header.index("points")
        ps, pe, pcount = _tokens(b, fs[:, pi], fe[:, pi], n)
        if not np.array_equal(pcount, ntok) or np.any(pe <= ps):
            return None
        raw = _strings(b, ps, pe)
        if raw is None:
            return None
        try:
            points = raw.astype(np.float64)
        except ValueError:
            return None
        if not np.all(points == np.floor(points)):
            return None              # decimals: the line reader checks they are exact
    elif vote_type in ("cumulative", "scoring") and len(indices):
        return None
    columns = {}
    for k, name in enumerate(header):
        if name in ("vote", "points"):
            continue
        col = _text(b, fs[:, k], fe[:, k], blanks, high)
        if col is None:
            return None
        columns[name] = col
    return indices, indptr, points, columns
