"""equalshares.net's "money behind the project" for the projects an MES outcome funded in its rounds,
replayed from the outcome itself, whatever engine or completion computed it.

``details["report"]`` carries the number from the compiled pass only; the NumPy and exact engines
and the Add1 passes leave it at 0 for funded projects. The web app's results page needs it for
every count, so it replays the rounds here (a pure function of the outcome, no change to a rule)."""
from __future__ import annotations

import numpy as np

from .outcome import Outcome
from .types import Instance, Profile


def money_behind(instance: Instance, profile: Profile, outcome: Outcome) -> dict[str, float]:
    """What the supporters of each project funded in an MES round held just before it was funded.

    Every voter starts with the final per-voter share (``details["voter_budget"]``); in each
    round (``details["rounds"]``) the project's supporters pay its cost in proportion to their
    utility, those who have less paying all they have — MES's payment rule.

    Returns
    -------
    dict
        ``{project_id: money}`` (floats, currency units) for the projects funded in a round.
    """
    details, options = outcome.details, outcome.options
    U = profile.utility(options["utility"], instance, options.get("borda", "zero-based")).tocsc()
    budgets = np.full(profile.n_voters, float(details.get("voter_budget", 0.0)))
    weights = np.asarray(profile.weights, dtype=np.float64)
    out = {}
    for pid in details.get("rounds", []):
        j = instance.index[pid]
        rows, utils = U.indices[U.indptr[j]:U.indptr[j + 1]], U.data[U.indptr[j]:U.indptr[j + 1]]
        rows, utils = rows[utils > 0], utils[utils > 0]
        held = budgets[rows]
        out[pid] = float(weights[rows] @ held)
        budgets[rows] = np.maximum(held - _payments(held, utils, weights[rows], float(instance.project(pid).cost)), 0.0)
    return out


def _payments(held: np.ndarray, utils: np.ndarray, weights: np.ndarray, cost: float) -> np.ndarray:
    """Each supporter's payment ``min(held, rho * utility)``, with rho such that they pay ``cost``."""
    if not len(held):
        return held
    ratio = held / utils
    order = np.argsort(ratio, kind="stable")
    # Supporters before position k (by held / utility) pay all they hold; the rest pay rho * u.
    capped = np.concatenate(([0.0], np.cumsum((weights * held)[order])))[:-1]
    rest = np.sum(weights * utils) - np.concatenate(([0.0], np.cumsum((weights * utils)[order])))[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (cost - capped) / rest
    fits = np.nonzero(rho <= ratio[order] * (1 + 1e-12))[0]
    k = fits[0] if len(fits) else len(order) - 1
    return np.minimum(held, rho[k] * utils)
