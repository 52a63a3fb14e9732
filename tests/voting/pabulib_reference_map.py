"""Which of our rules and options corresponds to each key of reference_outcomes.json."""
from __future__ import annotations

UTIL = {"cost": "cost", "card": "cardinality", "points": "score", "borda": "score"}


def options_for(key: str):
    """(rule_id, options, compare) for a reference key; compare is "set" or "welfare"."""
    if key == "seq_phragmen":
        return "phragmen", {}, "set"
    if key.startswith("maxwelfare_"):
        util = key.split("_")[1]
        return "max-utility", {"utility": UTIL[util]}, "welfare"
    if key.startswith("greedy_"):
        util = key.split("_")[1]
        if util == "cost":
            return "greedy", {"utility": "cardinality"}, "set"
        return "greedy-per-cost", {"utility": UTIL[util]}, "set"
    if key.startswith("mes_"):
        util = key.split("_")[1].split("+")[0]
        if key.endswith("_budget_increase"):
            completion = "budget-increase"
        elif "_add1+" in key:
            completion = "add1-greedy"
        elif "+greedy" in key:
            completion = "greedy"
        else:
            completion = "none"
        return "mes", {"utility": UTIL[util], "completion": completion}, "set"
    raise KeyError(key)
