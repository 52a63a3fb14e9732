"""BallotRules report every violation, with numbers, in a translatable structure."""
from __future__ import annotations

from pabulib_corpus import PABULIB_DIR

from voting import MESSAGES, BallotRules, Instance, Profile, Project, read_pabulib

INSTANCE = Instance([Project("a", 600_000, "Park"), Project("b", 500_000, "Bench"),
                     Project("c", 300_000, "Lamp")], 1_000_000)


def codes(violations):
    return [v.code for v in violations]


def test_ballot_over_budget_reports_total_and_limit():
    rules = BallotRules("approval", knapsack=True, instance=INSTANCE)
    [v] = rules.validate(["a", "b"])
    assert v.code == "over_budget"
    assert v.params == {"total": 1_100_000, "limit": 1_000_000}
    assert v.message == "The projects you chose cost 1 100 000 ₸ together, more than the 1 000 000 ₸ available."


def test_every_violation_is_reported_not_only_the_first():
    rules = BallotRules("approval", min_length=1, max_length=2, knapsack=True, instance=INSTANCE)
    got = rules.validate(["a", "b", "c", "zz", "a"])
    assert set(codes(got)) == {"duplicate_project", "unknown_project", "too_many_projects", "over_budget"}
    too_many = next(v for v in got if v.code == "too_many_projects")
    assert too_many.params == {"max": 2, "count": 4}
    assert "at most 2" in too_many.message and "you chose 4" in too_many.message


def test_valid_ballot_has_no_violations_and_empty_ballot_below_minimum_has_one():
    rules = BallotRules("approval", min_length=1, max_length=2, knapsack=True, instance=INSTANCE)
    assert rules.validate(["a", "c"]) == []
    assert codes(rules.validate([])) == ["too_few_projects"]


def test_cumulative_points_limits_total_and_per_project():
    rules = BallotRules("cumulative", max_total_points=10, max_points=5, min_points=0, instance=INSTANCE)
    got = rules.validate({"a": 7, "b": 6, "c": -1})
    assert codes(got) == ["too_many_points", "points_above_max", "points_above_max", "points_below_min"]
    assert got[0].params == {"total": 12, "max": 10}
    assert codes(rules.validate({"a": "x"})) == ["points_not_number"]


def test_ranking_length_uses_ranking_words():
    rules = BallotRules("ordinal", min_length=3, max_length=3, instance=INSTANCE)
    [v] = rules.validate(["b", "a"])
    assert v.code == "ranking_too_short" and v.message == "Rank at least 3 project(s); you ranked 2."


def test_choose_one_means_exactly_one_project():
    rules = BallotRules("choose-1", instance=INSTANCE)
    assert codes(rules.validate(["a", "b"])) == ["too_many_projects"]
    assert codes(rules.validate([])) == ["too_few_projects"]


def test_violations_are_structured_for_translation():
    rules = BallotRules("approval", max_length=1, instance=INSTANCE)
    [v] = rules.validate(["a", "b"])
    assert v.to_dict() == {"code": "too_many_projects", "params": {"max": 1, "count": 2},
                           "message": MESSAGES["too_many_projects"].format(max=1, count=2)}


def test_rules_from_meta_and_whole_profile_check():
    instance, profile = read_pabulib(PABULIB_DIR / "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb")
    rules = BallotRules.from_meta(instance)
    assert rules.knapsack and rules.min_length == 1 and rules.max_cost == instance.budget
    assert rules.validate_profile(profile)["invalid"] == 0
    rules.max_cost = 30_000  # all four projects cost 44 720 together
    bad = Profile.from_ballots(instance, "approval", [[], instance.ids])
    report = rules.validate_profile(bad)
    assert report["invalid"] == 2 and report["by_code"] == {"too_few_projects": 1, "over_budget": 1}
    assert [codes(v) for _, v in report["examples"]] == [["too_few_projects"], ["over_budget"]]
