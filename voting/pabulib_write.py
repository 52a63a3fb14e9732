"""Write an instance and profile as a pabulib ``.pb`` file (the reader is :mod:`voting.pabulib`).

The file is written byte for byte as pabulib's own files are: the META and PROJECTS columns in
the order the instance kept from its source, costs as they were written there, votes in the
voter's own order (a ranking's points column when the source had one)."""
from __future__ import annotations

import csv
import io
import os
from fractions import Fraction

import numpy as np

from .types import Instance, Profile, format_amount, to_fraction


def _counts(profile: Profile, m: int) -> dict:
    """``votes`` (ballots naming the project) and ``score`` (approvals or points) per project,
    as pabulib's checker computes them (no score for rankings)."""
    mat = profile.matrix
    votes = np.bincount(mat.indices, weights=np.repeat(profile.weights, np.diff(mat.indptr)), minlength=m)
    out = {"votes": votes}
    if profile.vote_type != "ordinal":
        pts = mat.data * np.repeat(profile.weights, np.diff(mat.indptr))
        out["score"] = np.bincount(mat.indices, weights=pts, minlength=m)
    return out


def _same_amount(text: str, value: Fraction) -> bool:
    try:
        return to_fraction(text) == value
    except (ValueError, TypeError, ArithmeticError):
        return False


def _fmt_value(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def write_pabulib(instance: Instance, profile: Profile, target=None) -> str:
    """Write an instance and profile in the pabulib format.

    Parameters
    ----------
    instance, profile
        What to write. META is written as held in ``instance.meta``; ``budget``,
        ``vote_type``, ``num_projects`` and ``num_votes`` are added when missing, and
        ``budget`` / ``vote_type`` corrected when they contradict the data.
    target : path or text file, optional
        Where to write; the text is returned in any case.

    Returns
    -------
    str
        The file contents (fields quoted only when needed). A file read by :func:`read_pabulib`
        is written back with its own line endings, cost texts (``100000.0``) and order of
        the ids on each approval ballot; cumulative / scoring ballots are written by points,
        most first; new elections get ``\\n`` and the shortest exact amounts.
    """
    buf = io.StringIO()
    fmt = getattr(instance, "pabulib_format", None) or {}
    newline = fmt.get("newline", "\n")
    cost_text = fmt.get("cost_text", {})
    w = csv.writer(buf, delimiter=";", lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    meta = dict(instance.meta)
    # META is written verbatim (lossless round trip); only missing or contradicting
    # entries are filled from the data.
    try:
        same_budget = to_fraction(meta["budget"]) == instance.budget
    except (KeyError, ValueError, TypeError, ArithmeticError):
        same_budget = False
    if not same_budget:
        meta["budget"] = format_amount(instance.budget)
    meta["vote_type"] = profile.vote_type
    meta.setdefault("num_projects", str(len(instance)))
    meta.setdefault("num_votes", str(profile.n_voters))
    buf.write("META" + newline)
    w.writerow(["key", "value"])
    for k, v in meta.items():
        w.writerow([k, v])
    buf.write("PROJECTS" + newline)
    header = list(instance.project_columns)
    w.writerow(header)
    counted = _counts(profile, len(instance)) if {"votes", "score"} & set(header) else {}
    for k, p in enumerate(instance.projects):
        cost = cost_text.get(p.id)
        if cost is None or _same_amount(cost, p.cost) is False:
            cost = format_amount(p.cost)
        name = cost_text.get("name:" + p.id)
        fields = {"project_id": p.id, "cost": cost, "name": name if name and name.strip() == p.name else p.name,
                  "category": p.category, "area": p.area}
        for h in ("votes", "score"):          # filled from the ballots when not given
            if h in header and not p.extra.get(h) and h in counted:
                fields[h] = _fmt_value(counted[h][k])
        w.writerow([fields[h] if h in fields else p.extra.get(h, "") for h in header])
    buf.write("VOTES" + newline)
    vheader = list(getattr(profile, "vote_columns", None) or [])
    if not vheader:
        vheader = ["voter_id", "vote"] + (["points"] if profile.vote_type in ("cumulative", "scoring") else [])
        vheader += [k for k in profile.columns]
    w.writerow(vheader)
    ids = instance.ids
    m = profile.matrix
    ordinal = profile.vote_type == "ordinal"
    by_points = profile.vote_type in ("cumulative", "scoring")
    positions = getattr(profile, "vote_positions", None)
    if positions is not None and len(positions) != m.nnz:
        positions = None
    rank_points = getattr(profile, "rank_points", None)
    if rank_points is not None and len(rank_points) != m.nnz:
        rank_points = None
    for r in range(profile.n_voters):
        a, b = m.indptr[r], m.indptr[r + 1]
        idx = m.indices[a:b]
        vals = m.data[a:b]
        if ordinal:                       # first choice first
            order = np.argsort(vals, kind="stable")
            idx, vals = idx[order], vals[order]
            if rank_points is not None:   # the file's own points column, e.g. 3,2,1
                vals = rank_points[a:b][order]
        elif by_points:                   # most points first (ties: the file's order)
            tie = positions[a:b] if positions is not None else np.arange(b - a)
            order = np.lexsort((tie, -vals))
            idx, vals = idx[order], vals[order]
        elif positions is not None:       # the order the file had
            order = np.argsort(positions[a:b], kind="stable")
            idx = idx[order]
        row = []
        for h in vheader:
            if h == "voter_id":
                row.append(profile.voter_ids[r])
            elif h == "vote":
                row.append(",".join(ids[j] for j in idx))
            elif h == "points":
                row.append(",".join(_fmt_value(v) for v in vals))
            else:
                col = profile.columns.get(h)
                row.append(col[r] if col is not None else "")
        w.writerow(row)
    text = buf.getvalue()
    if not fmt.get("final_newline", True) and text.endswith(newline):
        text = text[: -len(newline)]
    if target is not None:
        if hasattr(target, "write"):
            target.write(text)
        else:
            with open(os.fspath(target), "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
    return text
