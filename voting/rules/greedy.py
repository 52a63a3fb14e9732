"""Greedy rules: fund by total score (or score per cost), skipping what no longer fits."""
from __future__ import annotations

from fractions import Fraction

from ..outcome import Outcome, render
from .common import Context, check_greedy_ties, density, fill_greedily, greedy_order


def _run(rule_id, instance, profile, per_cost, tie_breaking, utility, borda, min_votes, seed):
    ctx = Context(instance, profile, utility, borda, tie_breaking, seed, min_votes)
    order = _order(ctx, per_cost)
    selected: list = []
    reasons: dict = {}
    spent = fill_greedily(ctx, order, selected, Fraction(0), reasons,
                          by="score per cost" if per_cost else "score")
    check_greedy_ties(ctx, order, selected, (lambda j: density(ctx, j)) if per_cost else ctx.exact_score)
    ids = instance.ids
    reasons, explanations = render(instance, reasons)
    return Outcome(rule_id, [ids[j] for j in selected], spent,
                   {ids[j]: float(ctx.scores[j]) for j in range(ctx.m)},
                   explanations, tie_breaking,
                   {"utility": utility, "borda": borda, "min_votes": min_votes},
                   {"order": [ids[j] for j in order]}, reasons)


def _order(ctx, per_cost):
    return greedy_order(ctx, per_cost)


def greedy(instance, profile, *, tie_breaking: str = "id", utility: str = "score",
           borda: str = "zero-based", min_votes: float = 0, seed: int = 0) -> Outcome:
    """Fund projects by decreasing total score; skip a project that no longer fits.

    This is what most cities use. The score of a project is the sum over voters of its
    utility: approvals for approval ballots, points for cumulative / scoring ballots,
    Borda points for rankings (see ``borda``).

    Parameters
    ----------
    instance : Instance
    profile : Profile
    tie_breaking : {"id", "cost", "votes", "lottery"}
        How equal scores are ordered (default: project ids as text, like pabutools).
    utility : {"score", "cardinality", "cost"}
        ``score`` (default) as above; ``cardinality`` counts supporters for any ballot type;
        ``cost`` weighs each supporter by the project's cost (same order as cardinality).
    borda : {"zero-based", "one-based"}
        Borda variant for rankings of length k: k-1 ... 0 (pabutools) or k ... 1.
    min_votes : float
        Projects supported by fewer ballots are never funded (default 0, as pabutools).
    seed : int
        Seed for ``tie_breaking="lottery"``.

    Returns
    -------
    Outcome
    """
    return _run("greedy", instance, profile, False, tie_breaking, utility, borda, min_votes, seed)


def greedy_per_cost(instance, profile, *, tie_breaking: str = "id", utility: str = "score",
                    borda: str = "zero-based", min_votes: float = 0, seed: int = 0) -> Outcome:
    """Fund projects by decreasing score per unit of cost ("per tenge"), skipping what does not fit.

    Same parameters as :func:`greedy`. With approval ballots and ``utility="cost"`` this is
    identical to :func:`greedy` (cost cancels out), which is pabutools' ``Cost_Sat`` greedy.
    """
    return _run("greedy-per-cost", instance, profile, True, tie_breaking, utility, borda,
                min_votes, seed)
