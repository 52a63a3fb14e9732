"""Ballot rules and their validation, in words a voter understands.

:meth:`BallotRules.validate` returns *every* violation of one ballot as a
:class:`Violation` with a stable ``code``, the numbers in ``params`` and an English
``message`` built from :data:`MESSAGES` (``str.format`` placeholders), so the web app can
translate the template and format the same params in the voter's language.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .outcome import money
from .types import Instance, Profile, to_fraction

MESSAGES = {
    "unknown_project": "Project {project} is not on this ballot.",
    "duplicate_project": "Project {project} is chosen more than once.",
    "too_few_projects": "Choose at least {min} project(s); you chose {count}.",
    "too_many_projects": "Choose at most {max} project(s); you chose {count}.",
    "over_budget": "The projects you chose cost {total} together, more than the {limit} available.",
    "under_min_cost": "The projects you chose cost {total} together; choose projects worth at least {min}.",
    "too_many_points": "You gave {total} points in total; at most {max} may be given.",
    "too_few_points": "You gave {total} points in total; give at least {min}.",
    "points_above_max": "You gave {points} points to project {project}; at most {max} per project.",
    "points_below_min": "You gave {points} points to project {project}; at least {min} per project.",
    "points_not_number": "The points for project {project} must be a number; you entered {points}.",
    "ranking_too_long": "Rank at most {max} project(s); you ranked {count}.",
    "ranking_too_short": "Rank at least {min} project(s); you ranked {count}.",
}


@dataclass(frozen=True)
class Violation:
    """One broken ballot rule.

    Attributes
    ----------
    code : str
        Stable key into :data:`MESSAGES`.
    params : dict
        The numbers and ids quoted in the message (amounts are exact ints or strings).
    message : str
        The English message.
    """

    code: str
    params: dict
    message: str

    def to_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params), "message": self.message}


def _plain(x):
    x = Fraction(x)
    return x.numerator if x.denominator == 1 else str(x)


@dataclass
class BallotRules:
    """What a valid ballot looks like.

    Parameters
    ----------
    vote_type : str
        ``approval``, ``choose-1``, ``cumulative``, ``ordinal`` or ``scoring``.
    min_length, max_length : int, optional
        Number of projects chosen / ranked / given points (choose-1 means exactly 1).
    knapsack : bool
        The chosen projects together must cost at most ``max_cost`` (the budget by default).
    max_cost, min_cost : Fraction, optional
        Limits on the total cost of the chosen projects.
    min_total_points, max_total_points : Fraction, optional
        Limits on the points a voter distributes (cumulative, scoring).
    min_points, max_points : Fraction, optional
        Per-project points / score range.
    instance : Instance, optional
        Needed to check project ids and costs.
    """

    vote_type: str = "approval"
    min_length: int | None = None
    max_length: int | None = None
    knapsack: bool = False
    max_cost: Fraction | None = None
    min_cost: Fraction | None = None
    min_total_points: Fraction | None = None
    max_total_points: Fraction | None = None
    min_points: Fraction | None = None
    max_points: Fraction | None = None
    instance: Instance | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.vote_type == "choose-1":
            self.min_length = 1 if self.min_length is None else self.min_length
            self.max_length = 1
        if self.knapsack and self.max_cost is None and self.instance is not None:
            self.max_cost = self.instance.budget

    @classmethod
    def from_meta(cls, instance: Instance, vote_type: str | None = None) -> BallotRules:
        """Rules from pabulib META keys (min_length, max_length, max_sum_cost, min_sum_cost,
        min_sum_points, max_sum_points, min_points, max_points)."""
        meta = instance.meta

        def num(key, conv=to_fraction):
            v = meta.get(key)
            if v is None or str(v).strip().lower() in ("", "none"):
                return None
            return conv(v)

        to_int = lambda v: int(to_fraction(v))
        max_cost = num("max_sum_cost")
        return cls(vote_type or meta.get("vote_type", "approval"), num("min_length", to_int),
                   num("max_length", to_int), max_cost is not None, max_cost, num("min_sum_cost"),
                   num("min_sum_points"), num("max_sum_points"), num("min_points"), num("max_points"),
                   instance)

    # -- one ballot --------------------------------------------------------------------
    def _v(self, code, **params) -> Violation:
        shown = {k: (money(v, self.instance) if k in ("total", "limit") and code in ("over_budget", "under_min_cost")
                     or (k == "min" and code == "under_min_cost") else _fmt(v)) for k, v in params.items()}
        return Violation(code, {k: _plain(v) if isinstance(v, (int, Fraction)) else v for k, v in params.items()},
                         MESSAGES[code].format(**shown))

    def validate(self, ballot) -> list[Violation]:
        """Every violation of one ballot (an empty list means the ballot is valid).

        Parameters
        ----------
        ballot
            Approval / choose-1: a list of project ids. Ordinal: the ranked list, first
            choice first. Cumulative / scoring: ``{project_id: points}``.
        """
        out: list[Violation] = []
        points: dict = {}
        if isinstance(ballot, Mapping):
            ids = [str(k) for k in ballot]
            for k, v in ballot.items():
                try:
                    points[str(k)] = to_fraction(v) if not isinstance(v, float) else Fraction(v)
                except (TypeError, ValueError, ArithmeticError):
                    out.append(self._v("points_not_number", project=str(k), points=str(v)))
        else:
            ids = [str(k) for k in ballot]
        seen = set()
        for pid in ids:
            if pid in seen:
                out.append(self._v("duplicate_project", project=pid))
            seen.add(pid)
            if self.instance is not None and pid not in self.instance.index:
                out.append(self._v("unknown_project", project=pid))
        if self.vote_type in ("cumulative", "scoring"):
            # A project given 0 points is not chosen.
            count = sum(1 for pid in seen if points.get(pid, 1) != 0)
        else:
            count = len(seen)
        ordinal = self.vote_type == "ordinal"
        if self.min_length is not None and count < self.min_length:
            out.append(self._v("ranking_too_short" if ordinal else "too_few_projects", min=self.min_length, count=count))
        if self.max_length is not None and count > self.max_length:
            out.append(self._v("ranking_too_long" if ordinal else "too_many_projects", max=self.max_length, count=count))
        if self.instance is not None and (self.max_cost is not None or self.min_cost is not None):
            chosen = [p for p in seen if p in self.instance.index and points.get(p, 1) != 0]
            total = self.instance.total_cost(chosen)
            if self.max_cost is not None and total > self.max_cost:
                out.append(self._v("over_budget", total=total, limit=self.max_cost))
            if self.min_cost is not None and total < self.min_cost:
                out.append(self._v("under_min_cost", total=total, min=self.min_cost))
        if points:
            total = sum(points.values(), Fraction(0))
            if self.max_total_points is not None and total > self.max_total_points:
                out.append(self._v("too_many_points", total=total, max=self.max_total_points))
            if self.min_total_points is not None and total < self.min_total_points:
                out.append(self._v("too_few_points", total=total, min=self.min_total_points))
            for pid, p in points.items():
                if self.max_points is not None and p > self.max_points:
                    out.append(self._v("points_above_max", project=pid, points=p, max=self.max_points))
                if self.min_points is not None and p < self.min_points:
                    out.append(self._v("points_below_min", project=pid, points=p, min=self.min_points))
        return out

    def is_valid(self, ballot) -> bool:
        return not self.validate(ballot)

    # -- a whole profile -----------------------------------------------------------------
    def validate_profile(self, profile: Profile, limit: int = 20) -> dict:
        """Check every ballot of a profile at array speed.

        Returns
        -------
        dict
            ``{"ballots": n, "invalid": k, "by_code": {code: count}, "examples": [(voter_id, [Violation])]}``
            with at most ``limit`` examples (each re-checked with :meth:`validate`).
        """
        m = profile.matrix
        n = profile.n_voters
        values = m.data
        counted = values != 0 if profile.vote_type in ("cumulative", "scoring") else np.ones(len(values), bool)
        rows = np.repeat(np.arange(n), np.diff(m.indptr))
        length = np.bincount(rows[counted], minlength=n)
        bad = {}
        if self.min_length is not None:
            bad["too_few_projects"] = length < self.min_length
        if self.max_length is not None:
            bad["too_many_projects"] = length > self.max_length
        if self.instance is not None and (self.max_cost is not None or self.min_cost is not None):
            cost = np.bincount(rows[counted], weights=self.instance.cost_array[m.indices[counted]], minlength=n)
            if self.max_cost is not None:
                bad["over_budget"] = cost > float(self.max_cost) * (1 + 1e-12)
            if self.min_cost is not None:
                bad["under_min_cost"] = cost < float(self.min_cost) * (1 - 1e-12)
        if profile.vote_type in ("cumulative", "scoring"):
            total = np.bincount(rows, weights=values, minlength=n)
            if self.max_total_points is not None:
                bad["too_many_points"] = total > float(self.max_total_points)
            if self.min_total_points is not None:
                bad["too_few_points"] = total < float(self.min_total_points)
            if self.max_points is not None:
                bad["points_above_max"] = np.bincount(rows, weights=values > float(self.max_points), minlength=n) > 0
            if self.min_points is not None:
                bad["points_below_min"] = np.bincount(rows, weights=values < float(self.min_points), minlength=n) > 0
        any_bad = np.zeros(n, dtype=bool)
        for mask in bad.values():
            any_bad |= mask
        examples = []
        ids = self.instance.ids if self.instance is not None else None
        for i in np.flatnonzero(any_bad)[:limit]:
            b = profile.ballot(int(i))
            if ids is not None:
                b = {ids[k]: v for k, v in b.items()} if isinstance(b, dict) else [ids[k] for k in b]
            examples.append((str(profile.voter_ids[i]), self.validate(b)))
        return {"ballots": n, "invalid": int(any_bad.sum()),
                "by_code": {k: int(v.sum()) for k, v in bad.items() if v.any()}, "examples": examples}


def _fmt(v):
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{float(v):g}"
    return v
