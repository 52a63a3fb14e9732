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
    "maxVotes": "most supporters first (equalshares.net); chain it: 'maxVotes,minCost'",
    "minCost": "lowest cost first (equalshares.net)",
    "maxCost": "highest cost first (equalshares.net)",
}
# A chain of criteria ("maxVotes,minCost") may leave projects tied: a rule that meets such
# a tie raises UnresolvedTieError instead of picking one silently (as equalshares.net does).
_TOTAL = ("id", "cost", "votes", "lottery")


class UnknownTieBreakError(ValueError):
    """Raised for a tie-break name that is not in :data:`TIE_BREAKS`."""


class UnresolvedTieError(ValueError):
    """Projects stayed tied after every criterion of the tie-break chain; names them."""

    def __init__(self, project_ids, chain):
        self.project_ids = list(project_ids)
        self.chain = chain
        super().__init__(f"tie between projects {', '.join(self.project_ids)} is not resolved by the "
                         f"tie-break {chain!r}; add a criterion (e.g. 'id' or 'lottery')")


def parse_chain(method) -> list[str]:
    """``"maxVotes,minCost"`` or ``["maxVotes", "minCost"]`` as a list of known criteria."""
    parts = [p.strip() for p in method.split(",")] if isinstance(method, str) else [str(p) for p in method]
    if not parts or any(p not in TIE_BREAKS for p in parts):
        bad = next((p for p in parts if p not in TIE_BREAKS), "")
        raise UnknownTieBreakError(f"unknown tie-break {bad!r}; known: {', '.join(TIE_BREAKS)}")
    return parts


def tie_groups(instance: Instance, profile: Profile, method="id") -> np.ndarray | None:
    """Projects with the same number are still tied after the whole chain (``None``: never)."""
    chain = parse_chain(method)
    if any(p in _TOTAL for p in chain):
        return None
    keys = _keys(instance, profile, chain)
    _, groups = np.unique(np.array([str(k) for k in keys]), return_inverse=True)
    return groups


def tie_rank(instance: Instance, profile: Profile, method: str = "id", seed: int = 0) -> np.ndarray:
    """Rank of every project under a tie-break (0 is chosen first among tied projects).

    Parameters
    ----------
    instance, profile
        The election.
    method : str or list of str
        One of :data:`TIE_BREAKS` or a chain of them (``"maxVotes,minCost"``), applied in order.
    seed : int
        Seed of the lottery; ignored otherwise.
    """
    ids = instance.ids
    chain = parse_chain(method)
    lottery = np.empty(len(ids), dtype=np.int64)
    if "lottery" in chain:
        base = sorted(range(len(ids)), key=lambda j: ids[j])
        lottery[np.asarray([base[k] for k in np.random.default_rng(seed).permutation(len(base))],
                           dtype=np.int64)] = np.arange(len(ids))
    keys = _keys(instance, profile, chain, lottery)
    # after the chain: project ids, so the order is total; UnresolvedTieError guards the rest
    order = sorted(range(len(ids)), key=lambda j: (keys[j], ids[j]))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(ids))
    return rank


def _keys(instance, profile, chain, lottery=None):
    support = support_counts(profile, len(instance))
    keys = [[] for _ in instance.ids]
    for crit in chain:
        for j, key in enumerate(keys):
            if crit == "id":
                key.append(instance.ids[j])
            elif crit in ("cost", "minCost"):
                key.append(instance.costs[j])
            elif crit == "maxCost":
                key.append(-instance.costs[j])
            elif crit in ("votes", "maxVotes"):
                key.append(-float(support[j]))
            else:
                key.append(int(lottery[j]))
        if crit in _TOTAL:
            break
    return [tuple(k) for k in keys]


def support_counts(profile: Profile, n_projects: int) -> np.ndarray:
    """Weighted number of ballots supporting every project (positive points for cumulative / scoring)."""
    m = profile.matrix
    w = np.repeat(profile.weights, np.diff(m.indptr))
    if profile.vote_type in ("cumulative", "scoring"):
        w = w * (m.data > 0)   # zero points is not a vote for the project
    return np.bincount(m.indices, weights=w, minlength=n_projects)
