"""Side-by-side comparison of rules."""
from __future__ import annotations

from voting import Instance, Profile, Project, compare, format_comparison


def test_comparison_reports_cost_funded_served_and_differences():
    instance = Instance([Project("a", 60, "Big park"), Project("b", 40, "Bench"), Project("c", 40, "Lamp")], 100)
    profile = Profile.from_ballots(instance, "approval", [["a"], ["a"], ["a"], ["b"], ["c"]])
    result = compare(instance, profile)
    by_label = {s.label: s for s in result["rules"]}
    greedy = by_label["greedy"]
    assert greedy.outcome.selected == ["a", "b"]
    assert greedy.cost == 100 and greedy.funded == 2 and greedy.budget_share == 1.0
    assert greedy.voters_served == 0.8 and greedy.avg_funded_of_own == 0.8
    assert by_label["max-utility"].outcome.details["total_score"] == 4
    assert "phragmen" in by_label and "mes completion=none" in by_label
    for labels in result["differing"].values():
        assert 0 < len(labels) < len(result["rules"])
    table = format_comparison(result, instance)
    assert "greedy" in table and "served" in table


def test_comparison_reuses_an_outcome_already_computed():
    from voting import allocate

    instance = Instance([Project("a", 60, "Big park"), Project("b", 40, "Bench"), Project("c", 40, "Lamp")], 100)
    profile = Profile.from_ballots(instance, "approval", [["a"], ["a"], ["a"], ["b"], ["c"]])
    known = allocate("greedy", instance, profile)
    known.selected = ["c"]  # marked, so reuse is visible
    result = compare(instance, profile, precomputed={"greedy": known})
    by_label = {s.label: s for s in result["rules"]}
    assert by_label["greedy"].outcome is known and by_label["greedy"].funded == 1
    assert by_label["greedy-per-cost"].outcome is not known
