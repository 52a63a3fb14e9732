"""The result of an allocation rule, with an explanation for every project.

Every project gets a :class:`Reason`: a stable ``code`` (one of :data:`REASON_CODES`), plain
numbers in ``params`` and a ``form`` naming the English sentence (:data:`ENGLISH`) that a rule
uses for it. The English explanation is rendered from exactly those params, so a translation
of the code reads the same numbers."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Real

from .types import Instance

CURRENCY_SIGNS = {"KZT": "₸", "PLN": "zł", "EUR": "€", "USD": "$", "CHF": "CHF", "HUF": "Ft"}


def money(amount, instance: Instance | None = None) -> str:
    """Format an amount for people: ``1 234 567 ₸`` (rounded to whole units for display)."""
    value = Fraction(amount) if not isinstance(amount, float) else amount
    if value != int(value) and abs(value) < 100:
        text = f"{float(value):.2f}"          # small shares: whole units would read as 0
    else:
        text = f"{round(value):,}".replace(",", " ")
    code = (instance.meta.get("currency") if instance is not None else None) or "KZT"
    return f"{text} {CURRENCY_SIGNS.get(code, code)}"


# code -> the params every reason with that code carries (the web app's sentences use them).
# Rules may add more params (listed in docs/voting.md); the English sentence may use those too.
REASON_CODES = {
    "funded": ("votes", "cost"),
    "funded_mes": ("round", "votes", "share"),
    "funded_completion": ("votes", "cost"),
    "not_funded_supporters_short": ("left", "cost"),
    "not_funded_did_not_fit": ("left",),
    "not_funded_too_few_votes": ("min",),
    "not_funded_too_dear": ("cost",),
    "not_funded": (),
}

# form -> English sentence (str.format). Money params are formatted with :func:`money`,
# ``{votes_text}`` reads "N votes" and ``{supporters}`` "N supporters" from ``votes``.
# A form named like a code is that code's default sentence.
ENGLISH = {
    "funded": "funded: {votes_text}, costs {cost}",
    "funded_free": "funded: it costs nothing and has supporters",
    "funded_greedy": "funded as number {number} by {by}: {votes_text}, {left_after} left afterwards",
    "funded_optimum": "funded: part of the set with the largest total score ({total_score:g})",
    "funded_phragmen": ("funded in round {round}: its {votes_text} shared the cost, "
                        "raising each supporter's load to {load}"),
    "funded_mes": "funded in round {round}: its {supporters} paid {share} each",
    "funded_mes_unequal": ("funded in round {round}: its {supporters} paid {share} on average "
                           "({share_min} to {share_max}: those with less left paid all they had)"),
    "funded_mes_unequal_points": ("funded in round {round}: its {supporters} paid {share} on average "
                                  "({share_min} to {share_max}: each in proportion to their points, "
                                  "or all they had left)"),
    "funded_completion": "funded in the greedy completion: {votes_text}, {left_after} left afterwards",
    "funded_utilitarian": ("funded in the utilitarian completion (most votes first): {votes_text}, "
                           "{left_after} left afterwards"),
    "funded_comparison": ("funded as number {number} by votes: the greedy outcome was used because "
                          "{prefers_greedy:g} voters preferred it and {prefers_mes:g} the equal-shares outcome"),
    "not_funded_supporters_short": "not funded: its supporters had {left} left, it costs {cost}",
    "not_funded_did_not_fit": "not funded: costs {cost}, did not fit the remaining {left}",
    "not_funded_count_stopped": ("not funded: the count stopped when {next} (next in line) "
                                 "did not fit the remaining {left}"),
    "not_funded_not_optimal": "not funded: not in the affordable set with the largest total score",
    "not_funded_too_few_votes": "not funded: {votes_text}, fewer than the {min:g} required",
    "not_funded_too_dear": "not funded: costs {cost}, more than the whole budget",
    "not_funded_nobody_voted": "not funded: nobody voted for it",
    "not_funded_no_gain": "not funded: no voter gains anything from it under this utility",
    "not_funded": "not funded",
}
MONEY_PARAMS = ("cost", "left", "left_after", "share", "share_min", "share_max", "load")


def plain(value):
    """A JSON-ready number: an int when whole, else a float (Fractions, NumPy numbers); str as is."""
    if isinstance(value, str):
        return value
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else float(value)
    if isinstance(value, Real):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"reason params must be finite, got {value}")
        return int(value) if value.is_integer() else value
    raise TypeError(f"reason params must be numbers or strings, got {type(value).__name__}")


class Reason:
    """Why one project was funded or not: ``code`` + ``params`` (plain numbers) + English ``form``."""

    __slots__ = ("code", "params", "form")

    def __init__(self, code: str, form: str | None = None, **params):
        if code not in REASON_CODES:
            raise ValueError(f"unknown reason code {code!r}")
        self.code, self.form = code, form or code
        self.params = {key: plain(value) for key, value in params.items()}

    def to_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params)}

    def english(self, instance: Instance | None = None) -> str:
        """The English sentence of :attr:`form`, filled in from :attr:`params` only."""
        values = dict(self.params)
        for key in MONEY_PARAMS:
            if key in values:
                values[key] = money(values[key], instance) if values[key] or key != "load" else "0"
        if "votes" in values:
            n = values["votes"]
            n = n if isinstance(n, int) else round(n, 2)
            values["votes_text"] = f"{n} vote{'s' if n != 1 else ''}"
            values["supporters"] = f"{n} supporter{'s' if self.params['votes'] != 1 else ''}"
        return ENGLISH[self.form].format(**values)

    def __repr__(self):
        return f"Reason({self.code!r}, {self.form!r}, **{self.params!r})"


def render(instance: Instance, reasons: dict) -> tuple[dict, dict]:
    """``(reasons as plain dicts, English explanations)`` for every project of ``instance``,
    in project order, from ``{project id: Reason}``."""
    out, text = {}, {}
    for pid in instance.ids:
        reason = reasons[pid]
        out[pid] = reason.to_dict()
        text[pid] = reason.english(instance)
    return out, text


@dataclass
class Outcome:
    """What a rule selected and why.

    Attributes
    ----------
    rule : str
        Rule id from the registry.
    selected : list[str]
        Funded project ids in the order the rule funded them.
    cost : Fraction
        Exact total cost of the funded projects.
    scores : dict[str, float]
        The score the rule used for every project (total utility).
    explanations : dict[str, str]
        One short English sentence per project: why funded or not (rendered from ``reasons``).
    tie_breaking : str
        The tie-break used (part of the result).
    options : dict
        The options the rule ran with (utility, completion, ...).
    details : dict
        Rule specific extras (rounds, per-voter budget reached by Add1, ...).
    reasons : dict[str, dict]
        The same per project as data for translations: ``{"code": str, "params": {...}}``
        with a code of :data:`REASON_CODES` and plain numbers (money in currency units).
    """

    rule: str
    selected: list
    cost: Fraction
    scores: dict
    explanations: dict
    tie_breaking: str = "id"
    options: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)

    @property
    def selected_set(self) -> frozenset:
        return frozenset(self.selected)

    def is_funded(self, project_id: str) -> bool:
        return project_id in self.selected_set

    def to_dict(self) -> dict:
        """JSON-ready view (``cost`` as an int when whole, else a string fraction)."""
        cost = self.cost.numerator if self.cost.denominator == 1 else str(self.cost)
        return {"rule": self.rule, "selected": list(self.selected), "cost": cost,
                "tie_breaking": self.tie_breaking, "options": dict(self.options),
                "scores": dict(self.scores), "explanations": dict(self.explanations),
                "reasons": {pid: {"code": r["code"], "params": dict(r["params"])}
                            for pid, r in self.reasons.items()}}
