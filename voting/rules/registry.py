"""The rule registry: every allocation rule by its id."""
from __future__ import annotations

from .._threads import single_blas
from ..outcome import Outcome
from ..types import Instance, Profile
from .ees import exact_equal_shares
from .greedy import greedy, greedy_per_cost
from .maxutil import max_utility
from .mes import method_of_equal_shares
from .phragmen import phragmen

RULES = {
    "greedy": greedy,
    "greedy-per-cost": greedy_per_cost,
    "max-utility": max_utility,
    "mes": method_of_equal_shares,
    "ees": exact_equal_shares,
    "phragmen": phragmen,
}


class UnknownRuleError(KeyError):
    """Raised for a rule id that is not in :data:`RULES`; the message lists the known ids."""

    def __init__(self, rule_id):
        self.rule_id = rule_id
        super().__init__(f"unknown rule {rule_id!r}; known rules: {', '.join(sorted(RULES))}")

    def __str__(self):
        return self.args[0]


def get_rule(rule_id: str):
    """The rule function registered under ``rule_id``."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRuleError(rule_id) from None


@single_blas
def allocate(rule_id: str, instance: Instance, profile: Profile, **options) -> Outcome:
    """Run a registered rule: ``allocate("mes", instance, profile, utility="cost")``.

    Parameters
    ----------
    rule_id : str
        One of :data:`RULES` (``greedy``, ``greedy-per-cost``, ``max-utility``, ``mes``, ``phragmen``).
    instance, profile
        The election.
    **options
        Passed to the rule (``tie_breaking``, ``utility``, ``completion``, ``min_votes``, ...).

    Raises
    ------
    UnknownRuleError
        For an unknown id.
    """
    rule = get_rule(rule_id)
    outcome = rule(instance, profile, **options)
    outcome.rule = rule_id
    return outcome
