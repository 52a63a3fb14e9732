"""Deterministic tie-breaking between projects.

Every rule turns a tie-break name into a *rank* per project (0 = preferred) and uses it
as the last sort key, so ties never depend on dictionary or set order.
"""
from __future__ import annotations

import numpy as np

from .types import Instance, Profile

TIE_BREAKS = {
    "id": "project ids compared as text (what pabutools does)",
    "cost": "lowest cost first, then project id",
    "votes": "most supporters first, then project id",
    "lottery": "a seeded lottery (pass seed=...), reproducible",
}


class UnknownTieBreakError(ValueError):
    """Raised for a tie-break name that is not in :data:`TIE_BREAKS`."""


def tie_rank(instance: Instance, profile: Profile, method: str = "id", seed: int = 0) -> np.ndarray:
    """Rank of every project under a tie-break (0 is chosen first among tied projects).

    Parameters
    ----------
    instance, profile
        The election.
    method : {"id", "cost", "votes", "lottery"}
        See :data:`TIE_BREAKS`.
    seed : int
        Seed of the lottery; ignored otherwise.
    """
    ids = instance.ids
    if method == "id":
        order = sorted(range(len(ids)), key=lambda j: ids[j])
    elif method == "cost":
        order = sorted(range(len(ids)), key=lambda j: (instance.costs[j], ids[j]))
    elif method == "votes":
        support = support_counts(profile, len(ids))
        order = sorted(range(len(ids)), key=lambda j: (-support[j], ids[j]))
    elif method == "lottery":
        rng = np.random.default_rng(seed)
        base = sorted(range(len(ids)), key=lambda j: ids[j])
        order = [base[k] for k in rng.permutation(len(base))]
    else:
        raise UnknownTieBreakError(f"unknown tie-break {method!r}; known: {', '.join(TIE_BREAKS)}")
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(ids))
    return rank


def support_counts(profile: Profile, n_projects: int) -> np.ndarray:
    """Weighted number of ballots supporting every project (positive points for cumulative / scoring)."""
    m = profile.matrix
    w = np.repeat(profile.weights, np.diff(m.indptr))
    if profile.vote_type in ("cumulative", "scoring"):
        w = w * (m.data > 0)   # zero points is not a vote for the project
    return np.bincount(m.indices, weights=w, minlength=n_projects)
