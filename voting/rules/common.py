"""Helpers shared by the allocation rules: utilities, scores, eligibility, option checks."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..outcome import Reason, money
from ..tiebreak import UnresolvedTieError, support_counts, tie_groups, tie_rank
from ..types import Instance, Profile

UTILITIES = ("cost", "cardinality", "score")


class RuleOptionError(ValueError):
    """An option value a rule does not know."""


def check_choice(name: str, value, known) -> None:
    if value not in known:
        raise RuleOptionError(f"unknown {name} {value!r}; known: {', '.join(map(str, known))}")


class Context:
    """Everything a rule needs, computed once: utilities, scores, tie ranks, eligibility."""

    def __init__(self, instance: Instance, profile: Profile, utility: str, borda: str,
                 tie_breaking: str, seed: int, min_votes: float):
        check_choice("utility", utility, UTILITIES)
        self.instance, self.profile = instance, profile
        self.utility, self.borda, self.tie_breaking = utility, borda, tie_breaking
        self.m = len(instance)
        self.U = profile.utility(utility, instance, borda)          # CSR voters x projects
        self.weights = profile.weights
        w_entries = np.repeat(self.weights, np.diff(self.U.indptr))
        self.scores = np.bincount(self.U.indices, weights=self.U.data * w_entries, minlength=self.m)
        self.support = support_counts(profile, self.m)
        self.rank = tie_rank(instance, profile, tie_breaking, seed)
        self.tie_group = tie_groups(instance, profile, tie_breaking)
        self.min_votes = min_votes
        self.eligible = self.support >= min_votes if min_votes > 0 else np.ones(self.m, dtype=bool)
        self.costs = instance.costs
        self.budget = instance.budget

    def pick(self, tied):
        """The project the tie-break prefers among exactly tied ``tied`` (indices);
        :class:`UnresolvedTieError` if the chain leaves the best of them tied."""
        best = min(tied, key=lambda j: self.rank[j])
        if self.tie_group is not None:
            same = [j for j in tied if self.tie_group[j] == self.tie_group[best]]
            if len(same) > 1:
                raise UnresolvedTieError(sorted(self.instance.ids[j] for j in same), self.tie_breaking)
        return best

    def exact_score(self, j: int) -> Fraction:
        """Exact total utility of project ``j`` (float sums of integers are exact)."""
        if self.utility == "cost":
            return self.costs[j] * Fraction(float(self.support_by_utility(j)))
        return Fraction(float(self.scores[j]))

    def support_by_utility(self, j: int) -> float:
        """Weighted number of voters with positive utility for ``j``."""
        if not hasattr(self, "_pos_support"):
            w = np.repeat(self.weights, np.diff(self.U.indptr))
            self._pos_support = np.bincount(self.U.indices, weights=w, minlength=self.m)
        return self._pos_support[j]

    def money(self, amount) -> str:
        return money(amount, self.instance)

    def below_min_votes(self, j: int) -> Reason:
        return Reason("not_funded_too_few_votes", min=self.min_votes, votes=self.support[j])


def density(ctx: Context, j: int):
    """Score per unit of cost as pabutools orders greedy: infinite for free supported projects."""
    s = ctx.exact_score(j)
    if s <= 0:
        return Fraction(0)
    if ctx.costs[j] == 0:
        return float("inf")
    return s / ctx.costs[j]


def fill_greedily(ctx: Context, order, selected: list, spent: Fraction, reasons: dict,
                  by: str | None = None) -> Fraction:
    """Fund projects in ``order`` that still fit; give every project it meets a :class:`Reason`.

    ``by`` (``"score"`` or ``"score per cost"``) marks the greedy rule itself: funded projects
    get code ``funded`` with their position in ``order``; without it this is a completion after
    MES (code ``funded_completion``)."""
    chosen = set(selected)
    for number, j in enumerate(order, start=1):
        pid = ctx.instance.ids[j]
        if j in chosen:
            continue
        if not ctx.eligible[j]:
            if pid not in reasons:
                reasons[pid] = ctx.below_min_votes(j)
            continue
        left = ctx.budget - spent
        cost = ctx.costs[j]
        if cost <= left:
            selected.append(j)
            chosen.add(j)
            spent += cost
            if by is None:
                reasons[pid] = Reason("funded_completion", votes=ctx.support[j], cost=cost,
                                      left_after=ctx.budget - spent)
            else:
                reasons[pid] = Reason("funded", "funded_greedy", votes=ctx.support[j], cost=cost,
                                      number=number, by=by, left_after=ctx.budget - spent)
        else:
            reasons[pid] = Reason("not_funded_did_not_fit", left=left, cost=cost)
    return spent


def check_greedy_ties(ctx: Context, order, selected, key) -> None:
    """Raise :class:`UnresolvedTieError` when projects the tie-break chain leaves tied (same
    ``key``) were treated differently: the order among them decided the outcome."""
    if ctx.tie_group is None:
        return
    chosen = set(selected)
    seen: dict = {}
    for j in order:
        seen.setdefault((key(j), ctx.tie_group[j]), []).append(j)
    for tied in seen.values():
        if len(tied) > 1 and 0 < sum(j in chosen for j in tied) < len(tied):
            ctx.pick(tied)


def greedy_order(ctx: Context, per_cost: bool, exclude=()) -> list:
    """Project indices by decreasing score (or score per cost), ties by the tie-break rank."""
    excl = set(exclude)
    js = [j for j in range(ctx.m) if j not in excl]
    if per_cost:
        keyed = []
        for j in js:
            d = density(ctx, j)
            keyed.append(((0, -d) if d != float("inf") else (-1, 0), ctx.rank[j], j))
        keyed.sort(key=lambda t: (t[0], t[1]))
        return [j for _, _, j in keyed]
    return sorted(js, key=lambda j: (-ctx.exact_score(j), ctx.rank[j]))
