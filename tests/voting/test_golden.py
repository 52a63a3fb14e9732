"""Hand-made elections with known answers: ties, dear projects, no votes, tiny profiles."""
from __future__ import annotations

from fractions import Fraction

import pytest

from voting import Instance, Profile, Project, UnknownRuleError, allocate
from voting.rules.common import RuleOptionError

ALL_RULES = ["greedy", "greedy-per-cost", "max-utility", "mes", "phragmen"]


def election(costs, budget, ballots, vote_type="approval"):
    instance = Instance([Project(pid, c, name=f"Project {pid}") for pid, c in costs.items()], budget)
    return instance, Profile.from_ballots(instance, vote_type, ballots)


def test_equal_scores_are_broken_by_project_id_as_text_by_default():
    inst, prof = election({"b": 50, "a": 50, "c": 50}, 100, [["a", "b", "c"]] * 3)
    for rule in ALL_RULES:
        assert sorted(allocate(rule, inst, prof).selected) == ["a", "b"], rule


def test_other_tie_breaks_are_deterministic_and_reported():
    inst, prof = election({"a": 60, "b": 40, "c": 50}, 100, [["a", "b", "c"], ["a", "b", "c"], ["c"]])
    out = allocate("greedy", inst, prof, tie_breaking="cost")
    assert out.selected == ["c", "b"] and out.tie_breaking == "cost"
    lottery = [allocate("greedy", inst, prof, tie_breaking="lottery", seed=7).selected for _ in range(3)]
    assert lottery[0] == lottery[1] == lottery[2]
    inst2, prof2 = election({"a": 50, "b": 50}, 50, [["a", "b"], ["b"], ["a"]])
    assert allocate("mes", inst2, prof2, tie_breaking="votes").selected in (["a"], ["b"])


def test_project_dearer_than_the_budget_is_never_funded_and_says_why():
    inst, prof = election({"big": 500, "small": 40}, 100, [["big"]] * 10 + [["small"]])
    for rule in ALL_RULES:
        out = allocate(rule, inst, prof)
        assert "big" not in out.selected, rule
        assert out.explanations["big"].startswith("not funded")
    assert "did not fit the remaining" in allocate("greedy", inst, prof).explanations["big"]


def test_projects_without_votes_are_funded_only_by_completion_when_money_is_left():
    inst, prof = election({"a": 50, "nobody": 10}, 100, [["a"]] * 4)
    assert sorted(allocate("greedy", inst, prof).selected) == ["a", "nobody"]
    assert allocate("greedy", inst, prof, min_votes=1).selected == ["a"]
    assert allocate("mes", inst, prof, completion="none").selected == ["a"]
    assert "nobody voted" in allocate("mes", inst, prof, completion="none").explanations["nobody"]
    assert "fewer than the 1 required" in allocate("mes", inst, prof, min_votes=1).explanations["nobody"]


def test_single_voter_gets_the_best_affordable_projects():
    inst, prof = election({"a": 70, "b": 30, "c": 40}, 100, [["a", "b", "c"]])
    for rule in ALL_RULES:
        out = allocate(rule, inst, prof)
        assert out.cost <= 100
        assert set(out.selected) in ({"a", "b"}, {"b", "c"}), rule


def test_empty_profile_funds_nothing_by_votes_and_does_not_crash():
    inst, prof = election({"a": 10, "b": 20}, 25, [])
    for rule in ALL_RULES:
        out = allocate(rule, inst, prof, min_votes=1) if rule != "max-utility" else allocate(rule, inst, prof)
        assert out.selected == [], rule
        assert set(out.explanations) == {"a", "b"}


def test_mes_explains_payments_and_what_supporters_had_left():
    inst, prof = election({"x": 300, "y": 900}, 1000, [["x"]] * 6 + [["y"]] * 4)
    out = allocate("mes", inst, prof, completion="none")
    assert out.selected == ["x"]
    assert out.explanations["x"] == "funded in round 1: its 6 supporters paid 50 ₸ each"
    assert out.explanations["y"] == "not funded: its supporters had 400 ₸ left, it costs 900 ₸"


def test_mes_add1_raises_shares_until_the_outcome_is_exhaustive():
    inst, prof = election({"x": 300, "y": 600}, 1000, [["x"]] * 6 + [["y"]] * 4)
    assert allocate("mes", inst, prof, completion="none").selected == ["x"]
    out = allocate("mes", inst, prof, completion="add1")
    assert out.selected == ["x", "y"] and out.details["add1_steps"] == 50
    assert out.explanations["y"] == "funded in round 2: its 4 supporters paid 150 ₸ each"


def test_borda_variants_differ_only_by_one_point_per_ranked_project():
    inst, prof = election({"a": 10, "b": 10, "c": 10}, 10, [["a", "b", "c"], ["b", "c"]], "ordinal")
    zero = allocate("greedy", inst, prof)
    one = allocate("greedy", inst, prof, borda="one-based")
    assert zero.scores == {"a": 2.0, "b": 2.0, "c": 0.0}
    assert one.scores == {"a": 3.0, "b": 4.0, "c": 2.0}
    assert zero.selected == ["a"] and one.selected == ["b"]


def test_cumulative_points_drive_greedy_and_mes_scores():
    inst, prof = election({"a": 60, "b": 60}, 100, [{"a": 1, "b": 4}, {"a": 2}], "cumulative")
    assert allocate("greedy", inst, prof).selected == ["b"]
    assert allocate("mes", inst, prof).options["utility"] == "score"


def test_unknown_rule_lists_the_known_ones():
    inst, prof = election({"a": 1}, 1, [["a"]])
    with pytest.raises(UnknownRuleError) as info:
        allocate("borda-count", inst, prof)
    for rule in ALL_RULES:
        assert rule in str(info.value)
    with pytest.raises(RuleOptionError, match="known: none, add1, add1-greedy"):
        allocate("mes", inst, prof, completion="everything")


def test_decimal_costs_are_exact_not_rounded():
    inst, prof = election({"a": "0.10", "b": "0.20"}, "0.30", [["a", "b"]])
    out = allocate("greedy", inst, prof)
    assert out.cost == Fraction(3, 10) and sorted(out.selected) == ["a", "b"]


def test_outcome_to_dict_is_json_ready():
    import json
    inst, prof = election({"a": 10, "b": 20}, 25, [["a"], ["b"]])
    d = allocate("mes", inst, prof).to_dict()
    assert json.loads(json.dumps(d))["selected"] == d["selected"]
    assert set(d["explanations"]) == {"a", "b"}


@pytest.mark.parametrize("rule", ALL_RULES)
def test_a_voter_of_weight_two_counts_like_two_identical_ballots(rule):
    costs = {"a": 40, "b": 35, "c": 30, "d": 20}
    ballots = [["a", "b"], ["c"], ["c", "d"], ["b", "d"]]
    inst, weighted = election(costs, 100, ballots)
    weighted = Profile.from_ballots(inst, "approval", ballots, weights=[2, 1, 1, 3])
    _, copies = election(costs, 100, [ballots[0]] * 2 + [ballots[1], ballots[2]] + [ballots[3]] * 3)
    assert sorted(allocate(rule, inst, weighted).selected) == sorted(allocate(rule, inst, copies).selected)
