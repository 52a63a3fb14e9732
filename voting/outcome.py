"""The result of an allocation rule, with an explanation for every project."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

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
        One short sentence per project: why funded or not.
    tie_breaking : str
        The tie-break used (part of the result).
    options : dict
        The options the rule ran with (utility, completion, ...).
    details : dict
        Rule specific extras (rounds, per-voter budget reached by Add1, ...).
    """

    rule: str
    selected: list
    cost: Fraction
    scores: dict
    explanations: dict
    tie_breaking: str = "id"
    options: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)

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
                "scores": dict(self.scores), "explanations": dict(self.explanations)}
